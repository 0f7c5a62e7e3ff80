"""Everything the lab adds to moto, in one declared place: patches, HTTP routes, reset hooks, DNS zone
providers and GetAccount fields.

Modules listed in :data:`MODULES` register what they add when imported, with the decorators here:

- :func:`v1_action` adds (or replaces) an SES v1 (query protocol) action, a method of moto's ``EmailResponse``;
- :func:`v2_action` does the same for an SESv2 (REST) action on ``SESV2Response``; the lab routes every
  ``/v2/email/...`` path to moto's SESv2 dispatcher, and botocore's own service model picks the action;
- :func:`wrap` wraps a moto method; the wrapper gets the original as its first argument;
- :func:`replace_function` replaces a module-level moto function (e.g. how moto makes SES message ids);
- :func:`route` serves one of the lab's own HTTP paths (``/_sesbook/...``, ``/_aws/ses``);
- :func:`on_reset` runs a function on every reset, after moto's own (state kept outside moto's backends);
- :func:`zone_provider` adds DNS zones the lab's DNS server answers from (names SES itself serves);
- :func:`account_field` adds fields to the SESv2 ``GetAccount`` answer.

Order: lists keep registration order, and registration follows :data:`MODULES`; where order matters it
is that order (reset hooks: the clock first; zone providers: ``amazonses.com`` before
``dkim.amazonses.com``). A moto method or action is patched at most once: :func:`install` refuses a
second patch of the same name, so a new behaviour goes into the code that already owns that name (for
sends, a stage of :mod:`sesbook.lab.ses.sending.pipeline`), never into another wrapper.

State an extension keeps lives on a moto backend object (see :func:`state`), so moto's reset
(``POST /moto-api/reset``, wrapped here to run the reset hooks too) clears it with everything else.

:func:`install` applies the patches once and fails loudly (with :class:`~sesbook.errors.LabError`) when
the moto it finds is not the one the lab was written for, or a patched name has gone, instead of letting a
moto upgrade break the lab silently.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar

from sesbook.errors import LabError
from sesbook.lab import clock

log = logging.getLogger("sesbook")

#: The moto release every patch was written and tested against (requirements.txt pins the same).
MOTO_VERSION = "5.2.5"

#: Modules that extend the lab, imported in this order by :func:`install`; importing one registers what it adds.
MODULES: tuple[str, ...] = (
    "sesbook.lab.mailbox",  # GET|DELETE /_aws/ses, emptied on reset
    "sesbook.lab.ledger",  # GET|DELETE /_sesbook/requests: requests by operation, SMTP connections
    "sesbook.lab.dns.ses_zones",  # amazonses.com, inbound-smtp.REGION.amazonaws.com
    "sesbook.lab.ses.receiving.rules",  # rule limits, unique rule names
    "sesbook.lab.ses.receiving.wire",  # receipt IP filters, delete/reorder/position rules
    "sesbook.lab.ses.account.wire",  # GetAccount & co., production access review
    "sesbook.lab.ses.identities.wire",  # verification through DNS, DKIM, MAIL FROM (dkim.amazonses.com zone)
    "sesbook.lab.ses.templates.wire",  # template API v1 + v2, Handlebars rendering (pybars3)
    "sesbook.lab.ses.sending.wire",  # every send API -> the send pipeline
    "sesbook.lab.ses.feedback.wire",  # notifications, event destinations, the suppression list, moto's simulator off
    "sesbook.lab.ses.contacts.wire",  # contact lists as SES answers them, /_sesbook/unsubscribe (Subscription events)
    "sesbook.lab.ses.metrics.wire",  # GetSendStatistics, AWS/SES CloudWatch reads, reputation control
    "sesbook.lab.ses.responses",  # UUID request ids, SES-shaped message ids, v2 error bodies
)

F = TypeVar("F", bound=Callable[..., Any])
#: A lab HTTP handler: request -> (status, json-able body, or bytes/str).
Route = Callable[[Any], tuple[int, Any]]
#: A zone provider returns the zones it serves at this moment.
#: A function giving DNS zones (``sesbook.lab.dns.zones.Zone``; not imported here, so dns/ may import the registry).
ZoneProvider = Callable[[], Iterable[Any]]
#: An account field function: SES v1 backend -> fields to add to GetAccount.
AccountField = Callable[[Any], dict[str, Any]]

V1_RESPONSE = "moto.ses.responses.EmailResponse"
V2_RESPONSE = "moto.sesv2.responses.SESV2Response"


@dataclass(frozen=True)
class Patch:
    """One change to moto: where (``owner``, ``name``), what kind, and the function put there."""

    kind: str  # "v1-action" | "v2-action" | "wrap" | "function"
    owner: str  # dotted path of the class patched
    name: str  # attribute set on it
    func: Callable[..., Any]


PATCHES: list[Patch] = []
ROUTES: dict[str, Route] = {}
RESET_HOOKS: list[Callable[[], None]] = [clock.reset]  # the clock first: later hooks read real time
ZONE_PROVIDERS: list[ZoneProvider] = []
ACCOUNT_FIELDS: list[AccountField] = []
_installed = False


def resolve(dotted: str) -> Any:
    """The object at ``dotted`` (``module.attr``), or a :class:`LabError` saying which moto is needed."""
    module, _, attr = dotted.rpartition(".")
    try:
        return getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError) as exc:
        raise LabError(
            f"moto has no {dotted}: the lab's extensions were written for moto {MOTO_VERSION}. "
            "Install the pinned versions with `make .venv` (requirements.txt)."
        ) from exc


# -- registering -------------------------------------------------------------------------------------------
def _patch(kind: str, owner: str, name: str) -> Callable[[F], F]:
    """A decorator that records ``func`` as one :class:`Patch` of ``kind`` at ``owner.name``."""

    def decorate(func: F) -> F:
        PATCHES.append(Patch(kind, owner, name, func))
        return func

    return decorate


def v1_action(name: str) -> Callable[[F], F]:
    """Register ``func(response)`` as the SES v1 action ``name`` (snake_case, e.g. ``create_receipt_filter``)."""
    return _patch("v1-action", V1_RESPONSE, name)


def v2_action(name: str) -> Callable[[F], F]:
    """Register ``func(response)`` as the SESv2 action ``name`` (snake_case, e.g. ``get_account``)."""
    return _patch("v2-action", V2_RESPONSE, name)


def wrap(owner: str, name: str) -> Callable[[F], F]:
    """Wrap method ``name`` of class ``owner``; ``func(original, self, *args, **kwargs)`` replaces it."""
    return _patch("wrap", owner, name)


def replace_function(owner: str, name: str) -> Callable[[F], F]:
    """Replace the function ``name`` of the moto module ``owner`` (where it is looked up, i.e. the importing
    module) with ``func``; it must exist there, so a moved name fails loudly."""
    return _patch("function", owner, name)


def route(prefix: str) -> Callable[[Route], Route]:
    """Register a handler for lab paths starting with ``prefix`` (e.g. ``/_aws/ses``)."""

    def decorate(func: Route) -> Route:
        if prefix in ROUTES and ROUTES[prefix] is not func:
            raise LabError(f"two lab handlers for {prefix}: {ROUTES[prefix].__module__} and {func.__module__}")
        ROUTES[prefix] = func
        return func

    return decorate


def on_reset(func: Callable[[], None]) -> Callable[[], None]:
    """Run ``func()`` on every lab reset, after moto's own. Usable as a decorator."""
    if func not in RESET_HOOKS:
        RESET_HOOKS.append(func)
    return func


def zone_provider(func: ZoneProvider) -> ZoneProvider:
    """Register a function returning extra DNS zones (e.g. SES's own names). Usable as a decorator."""
    if func not in ZONE_PROVIDERS:
        ZONE_PROVIDERS.append(func)
    return func


def account_field(func: AccountField) -> AccountField:
    """Register ``func(ses_backend) -> dict`` whose fields are added to GetAccount (e.g. SuppressionAttributes)."""
    if func not in ACCOUNT_FIELDS:
        ACCOUNT_FIELDS.append(func)
    return func


def state(backend: Any, key: str, factory: Callable[[], Any]) -> Any:
    """The extension state ``key`` kept on a moto backend, made by ``factory`` on first use.

    It lives in the backend's ``__dict__``, which moto's reset throws away with the backend's own data.
    """
    store = backend.__dict__.setdefault("_sesbook_state", {})
    if key not in store:
        store[key] = factory()
    return store[key]


@wrap("moto.moto_api._internal.models.MotoAPIBackend", "reset")
def _reset_lab_state_too(original: Any, self: Any) -> None:
    """One reset path: moto's own reset (also ``POST /moto-api/reset``) runs the lab's reset hooks."""
    original(self)
    for hook in RESET_HOOKS:
        hook()


# -- installing --------------------------------------------------------------------------------------------
def apply(patch: Patch) -> None:
    """Put one patch into moto (``install`` does this for every registered patch)."""
    owner = resolve(patch.owner) if patch.kind != "function" else importlib.import_module(patch.owner)
    if patch.kind == "function":
        if not callable(getattr(owner, patch.name, None)):
            raise LabError(
                f"moto's {patch.owner} has no function {patch.name!r} to replace; the lab was written for "
                f"moto {MOTO_VERSION}."
            )
        patch.func.__sesbook_patch__ = patch  # type: ignore[attr-defined]
        setattr(owner, patch.name, patch.func)
    elif patch.kind == "wrap":
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


def _check_once_each() -> None:
    seen: dict[tuple[str, str], Patch] = {}
    for patch in PATCHES:
        key = (patch.owner, patch.name)
        if key in seen:
            raise LabError(
                f"{patch.owner}.{patch.name} is patched twice ({seen[key].func.__module__} and "
                f"{patch.func.__module__}): each moto name holds at most one lab patch; add the behaviour to "
                "the code that owns it (for sends, a stage of sesbook.lab.ses.sending.pipeline)."
            )
        seen[key] = patch


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
    """Import every module of :data:`MODULES` and apply the patches they registered, once per process."""
    global _installed
    if _installed:
        return
    import moto

    if moto.__version__ != MOTO_VERSION:
        raise LabError(
            f"the lab needs moto {MOTO_VERSION} but found {moto.__version__}. "
            "Run `make .venv` to install the pinned requirements."
        )
    for module in MODULES:
        importlib.import_module(module)
    _check_once_each()
    _route_all_sesv2_paths()
    for patch in PATCHES:
        apply(patch)
    _installed = True
    log.debug("lab: %d moto patches installed", len(PATCHES))


def patched(owner: str, name: str) -> bool:
    """True when ``owner.name`` currently holds a lab patch (used by the tests; ``owner`` a class or module)."""
    try:
        found = resolve(owner)
    except LabError:
        found = importlib.import_module(owner)
    return hasattr(getattr(found, name, None), "__sesbook_patch__")


def patch_depth(owner: str, name: str) -> int:
    """How many lab patches ``owner.name`` holds, counted down its ``__wrapped__`` chain (the tests want <= 1)."""
    depth, func = 0, getattr(resolve(owner), name, None)
    while func is not None:
        if hasattr(func, "__sesbook_patch__"):
            depth += 1
        func = getattr(func, "__wrapped__", None)
    return depth
