"""How the lab adds to moto the SES behaviour moto lacks, without forking it.

Three kinds of patch, all applied in-process (so they hold for the lab's threaded moto server):

- :func:`v1_action` adds an SES v1 (query protocol) action as a method of moto's ``EmailResponse``.
- :func:`v2_action` adds an SESv2 (REST) action as a method of ``SESV2Response``; the lab routes every
  ``/v2/email/...`` path to moto's SESv2 dispatcher, and botocore's own service model picks the action.
- :func:`wrap` wraps a backend method; the wrapper gets the original as its first argument.

State an extension keeps lives on a moto backend object (see :func:`state`), so moto's
``POST /moto-api/reset`` clears it with everything else.

Every patch is recorded in :data:`PATCHES`; :func:`install` applies them once and fails loudly (with
:class:`~sesbook.errors.LabError`) when the moto it finds is not the one the lab was written for or a
patched name has gone, instead of letting a moto upgrade break the lab silently.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from sesbook.errors import LabError

log = logging.getLogger("sesbook")

#: The moto release every patch was written and tested against (requirements.txt pins the same).
MOTO_VERSION = "5.2.5"

#: Modules that define lab extensions; importing one registers its patches.
EXTENSION_MODULES: list[str] = [
    "sesbook.lab.ext_core",
    "sesbook.lab.ext_account",
    "sesbook.lab.ext_sandbox",
    "sesbook.lab.ext_sesdns",
    "sesbook.lab.mailbox",
    "sesbook.lab.ext_identities",
    "sesbook.lab.ext_mailfrom",
]

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class Patch:
    """One change to moto: where (``owner``, ``name``), what kind, and the function put there."""

    kind: str  # "v1-action" | "v2-action" | "wrap"
    owner: str  # dotted path of the class patched
    name: str  # attribute set on it
    func: Callable[..., Any]


PATCHES: list[Patch] = []
_installed = False


def _resolve(dotted: str) -> Any:
    module, _, attr = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise LabError(
            f"moto has no {dotted}: the lab's extensions were written for moto {MOTO_VERSION}. "
            "Install the pinned versions with `make .venv` (requirements.txt)."
        ) from exc


def v1_action(name: str) -> Callable[[F], F]:
    """Register ``func(response)`` as the SES v1 action ``name`` (snake_case, e.g. ``create_receipt_filter``)."""

    def decorate(func: F) -> F:
        PATCHES.append(Patch("v1-action", "moto.ses.responses.EmailResponse", name, func))
        return func

    return decorate


def v2_action(name: str) -> Callable[[F], F]:
    """Register ``func(response)`` as the SESv2 action ``name`` (snake_case, e.g. ``get_account``)."""

    def decorate(func: F) -> F:
        PATCHES.append(Patch("v2-action", "moto.sesv2.responses.SESV2Response", name, func))
        return func

    return decorate


def wrap(owner: str, name: str) -> Callable[[F], F]:
    """Wrap method ``name`` of class ``owner``; ``func(original, self, *args, **kwargs)`` replaces it."""

    def decorate(func: F) -> F:
        PATCHES.append(Patch("wrap", owner, name, func))
        return func

    return decorate


def state(backend: Any, key: str, factory: Callable[[], Any]) -> Any:
    """The extension state ``key`` kept on a moto backend, made by ``factory`` on first use.

    It lives in the backend's ``__dict__``, which moto's reset throws away with the backend's own data.
    """
    store = backend.__dict__.setdefault("_sesbook_state", {})
    if key not in store:
        store[key] = factory()
    return store[key]


def _apply(patch: Patch) -> None:
    owner = _resolve(patch.owner)
    if patch.kind == "wrap":
        original = getattr(owner, patch.name, None)
        if original is None:
            raise LabError(
                f"moto's {patch.owner} has no method {patch.name!r} to wrap; the lab was written for "
                f"moto {MOTO_VERSION}."
            )

        @functools.wraps(original)
        def wrapper(self: Any, *args: Any, _orig: Any = original, _f: Any = patch.func, **kwargs: Any) -> Any:
            return _f(_orig, self, *args, **kwargs)

        wrapper.__sesbook_patch__ = patch  # type: ignore[attr-defined]
        setattr(owner, patch.name, wrapper)
    else:
        patch.func.__sesbook_patch__ = patch  # type: ignore[attr-defined]
        setattr(owner, patch.name, patch.func)


def _route_all_sesv2_paths() -> None:
    """Send every ``/v2/email/...`` path to moto's SESv2 dispatcher.

    moto's server builds Flask rules from ``moto.sesv2.urls.url_paths`` when the first SESv2 request
    arrives, and its own catch-all becomes a literal path there, so added REST actions would 404.
    One regex rule fixes that for all of them; botocore's service model then finds the operation.
    """
    urls = importlib.import_module("moto.sesv2.urls")
    responses = importlib.import_module("moto.sesv2.responses")
    urls.url_paths.setdefault("{0}/v2/email/(?P<sesbook_path>.+)$", responses.SESV2Response.dispatch)


def installed() -> bool:
    return _installed


def install() -> None:
    """Import every extension module and apply its patches, once per process."""
    global _installed
    if _installed:
        return
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise LabError(
            f"the lab needs moto {MOTO_VERSION} but found {moto.__version__}. "
            "Run `make .venv` to install the pinned requirements."
        )
    for module in EXTENSION_MODULES:
        importlib.import_module(module)
    _route_all_sesv2_paths()
    for patch in PATCHES:
        _apply(patch)
    _installed = True
    log.debug("lab: %d moto patches installed", len(PATCHES))


def patched(owner: str, name: str) -> bool:
    """True when ``owner.name`` currently holds a lab patch (used by the tests)."""
    return hasattr(getattr(_resolve(owner), name, None), "__sesbook_patch__")
