"""The lab: a local Amazon SES stand-in on loopback, built from real servers.

``Lab`` starts a moto server (with the lab's extensions, :mod:`sesbook.lab.registry`) and an
authoritative DNS server (:mod:`sesbook.lab.dns`), on free loopback ports. One lab runs per process
(moto's state is per process). Clients find a lab in this order (:func:`ensure_lab`):

1. a lab already running in this process;
2. the ``SESBOOK_LAB`` environment variable: the lab's announcement, one line of JSON;
3. the state file (``SESBOOK_LAB_STATE``, default ``~/.cache/sesbook/lab.json``) written by
   ``python -m sesbook lab``, if the lab it names still answers (a stale file, left by a lab that was
   killed, is reported with a WARNING naming it). Only the lab that wrote the file removes it (same pid
   and endpoint), and a lab never overwrites a file that announces another running lab;
4. otherwise a private lab is started in this process (seeded from ``SESBOOK_LAB_SEED`` if set) and
   stopped at exit.

The announcement (``LabInfo.to_json``) is a stable contract: ``aws_endpoint``, ``dns``, ``region``,
``account_id``, ``seed``, ``pid``, plus ``inbound_smtp`` and ``smtp`` once those servers exist.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import threading
import urllib.error
import urllib.request
import warnings
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from sesbook._validate import parse_whole_number
from sesbook.errors import LabError

log = logging.getLogger("sesbook")

ENV_LAB = "SESBOOK_LAB"
ENV_STATE = "SESBOOK_LAB_STATE"
ENV_SEED = "SESBOOK_LAB_SEED"
ACCOUNT_ID = "123456789012"  # moto's default account


def state_file() -> Path:
    """Where ``python -m sesbook lab`` announces itself."""
    override = os.environ.get(ENV_STATE)
    if override:
        return Path(override)
    return Path.home() / ".cache" / "sesbook" / "lab.json"


@dataclass(frozen=True)
class LabInfo:
    """Where a running lab listens: what ``python -m sesbook lab`` prints as its one line of JSON."""

    aws_endpoint: str
    dns: str
    region: str
    account_id: str
    seed: int | None = None
    pid: int | None = None
    inbound_smtp: str | None = None
    smtp: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def dns_host_port(self) -> tuple[str, int]:
        host, _, port = self.dns.rpartition(":")
        return host, int(port)

    def to_json(self) -> str:
        data = asdict(self)
        extra = data.pop("extra")
        data.update(extra)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> LabInfo:
        try:
            data = json.loads(text)
            known = {f: data.pop(f) for f in list(data) if f in cls.__dataclass_fields__ and f != "extra"}
            return cls(**known, extra=data)
        except (ValueError, TypeError, AttributeError) as exc:
            raise LabError(
                f"the lab announcement is not valid JSON with aws_endpoint, dns, region and account_id: "
                f"{text[:200]!r}. Unset {ENV_LAB} or start a lab with `python -m sesbook lab`."
            ) from exc

    # -- talking to the lab's own HTTP API -----------------------------------------------------------
    def request(self, method: str, path: str, body: Any = None, *, timeout: float = 10.0) -> Any:
        """Call the lab's control API (``/_sesbook/...``, ``/_aws/ses``) and return the JSON answer."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(
            self.aws_endpoint + path, data=data, method=method, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - loopback URL we made
                raw = resp.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read().decode(errors="replace")[:300]
            raise LabError(f"the lab refused {method} {path}: HTTP {exc.code}: {detail}") from exc
        except OSError as exc:
            raise LabError(
                f"the lab at {self.aws_endpoint} does not answer ({exc}). Start one with "
                "`python -m sesbook lab`, or unset SESBOOK_LAB to let sesbook start a private lab."
            ) from exc
        return json.loads(raw) if raw else None

    def alive(self) -> bool:
        try:
            self.request("GET", "/_sesbook/info", timeout=2.0)
        except LabError:
            return False
        return True

    def advance_clock(self, seconds: float) -> dict[str, Any]:
        """Move the lab's clock forward (for sending windows, review delays) without sleeping."""
        return dict(self.request("POST", "/_sesbook/clock", {"advance": seconds}))

    def freeze_clock(self) -> dict[str, Any]:
        """Stop the lab's clock: only :meth:`advance_clock` moves it (tests of exact timing)."""
        return dict(self.request("POST", "/_sesbook/clock", {"freeze": True}))

    def unfreeze_clock(self) -> dict[str, Any]:
        """Let the lab's clock run again, from the time it shows now."""
        return dict(self.request("POST", "/_sesbook/clock", {"freeze": False}))

    def clock(self) -> dict[str, Any]:
        return dict(self.request("GET", "/_sesbook/clock"))

    def reset(self) -> None:
        """Forget everything the lab holds (like a new account) and re-seed it."""
        self.request("POST", "/_sesbook/reset", {})


_lock = threading.Lock()
_current: Any = None  # the Lab running in this process, if any


def current() -> Any:
    """The :class:`~sesbook.lab.runtime.Lab` running in this process, or None."""
    return _current


def set_current(lab: Any) -> None:
    global _current
    _current = lab


def _read_state(path: Path) -> LabInfo | None:
    """The announcement in the state file at ``path``, alive or not; None when there is none to read."""
    try:
        text = path.read_text()
    except OSError:
        return None
    if not text.strip():
        return None
    try:
        return LabInfo.from_json(text)
    except LabError:
        warnings.warn(f"ignoring the unreadable lab state file {path}: delete it, or start a lab with "
                      "`python -m sesbook lab` (it replaces the file)", StaleLabStateWarning, stacklevel=3)
        return None


def from_state_file() -> LabInfo | None:
    path = state_file()
    info = _read_state(path)
    if info is None:
        return None
    if info.alive():
        return info
    # warnings, not only the log: the "sesbook" logger is silent by default, and this must not be
    warnings.warn(
        f"ignoring the stale lab state file {path}: the lab it names ({info.aws_endpoint}, pid {info.pid}) "
        "does not answer; it was stopped without cleaning up. Start a lab with `python -m sesbook lab` (it "
        "replaces the file) or delete the file; until then sesbook starts a private lab in this process.",
        StaleLabStateWarning, stacklevel=3,
    )
    return None


class StaleLabStateWarning(UserWarning):
    """The lab state file names a lab that no longer answers (it was killed without cleaning up)."""


def _same_lab(a: LabInfo, b: LabInfo) -> bool:
    return (a.pid, a.aws_endpoint) == (b.pid, b.aws_endpoint)


def write_state_file(info: LabInfo) -> tuple[bool, str | None]:
    """Announce ``info`` in the state file, unless the file announces another lab that still runs.

    Returns whether it was written, and a note for the operator: the live lab it left alone (clients
    then find this one only through ``SESBOOK_LAB``) or the stale file it replaced.
    """
    path = state_file()
    previous = _read_state(path)
    note = None
    if previous is not None and not _same_lab(previous, info):
        if previous.alive():
            return False, (
                f"the state file {path} already announces a running lab ({previous.aws_endpoint}, pid "
                f"{previous.pid}); this lab is not written there. Clients find this one through {ENV_LAB} "
                f"(set it to the JSON line above), or start it with {ENV_STATE} naming another file."
            )
        note = (f"replaced the stale state file {path}: the lab it named ({previous.aws_endpoint}, pid "
                f"{previous.pid}) does not answer.")
        log.info("%s", note)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    tmp.write_text(info.to_json() + "\n")
    tmp.replace(path)
    return True, note


def remove_state_file(info: LabInfo) -> bool:
    """Delete the state file only if it announces ``info`` (same pid and endpoint): never another lab's."""
    path = state_file()
    current_info = _read_state(path)
    if current_info is None or not _same_lab(current_info, info):
        return False
    try:
        path.unlink()
    except OSError:
        return False
    return True


def find_lab() -> tuple[LabInfo, str] | None:
    """The running lab to use and where it was found (steps 1 to 3 of the module docstring), or None.

    The second item says where: ``"this process"``, ``"SESBOOK_LAB"`` or ``"state file PATH"``. Raises
    :class:`LabError` when ``SESBOOK_LAB`` names a lab that does not answer (never silently another).
    """
    if _current is not None:
        return _current.info, "this process"
    announced = os.environ.get(ENV_LAB)
    if announced:
        info = LabInfo.from_json(announced)
        if not info.alive():
            raise LabError(
                f"{ENV_LAB} names a lab at {info.aws_endpoint} that does not answer. Start it again "
                f"(`python -m sesbook lab`) or unset {ENV_LAB}."
            )
        return info, ENV_LAB
    info_from_file = from_state_file()
    if info_from_file is not None:
        return info_from_file, f"state file {state_file()}"
    return None


def ensure_lab(*, region: str = "us-east-1") -> LabInfo:
    """Find the lab to use (see the module docstring), starting a private one if there is none."""
    with _lock:
        found = find_lab()
        if found is not None:
            return found[0]
        from sesbook.lab.runtime import Lab

        seed_text = os.environ.get(ENV_SEED, "").strip()
        seed = parse_whole_number(ENV_SEED, seed_text, hint="Set it to e.g. 1, or unset it.") if seed_text else None
        lab = Lab(region=region, seed=seed)
        info = lab.start()
        atexit.register(lab.stop)
        log.info("started a private lab: %s", info.aws_endpoint)
        return info

