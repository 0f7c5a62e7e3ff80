"""Watching an identity's verification (notebook 01, Step 4) or the production access review (notebook 03,
Step 6) with a progress bar, without blocking the notebook.

Each poll is one call of the function the code cell beside it calls, told not to wait:
:func:`sesbook.wait_for_verification` with ``timeout=0`` (look once; SES verifies a domain once its records
are visible in DNS and gives up after 72 hours, SES Developer Guide, "Verifying a DKIM domain identity",
checked 2026) and :func:`sesbook.wait_for_review` with a timeout of one interval (in the lab that moves the lab
clock by one interval, as the notebook's wait does; AWS reviews a request within about a day, Developer Guide,
"Request production access", checked 2026). Between polls the watcher waits on a background thread, so the
kernel stays free; Stop ends it after the current poll.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING

from sesbook._validate import check_seconds
from sesbook.account.access import wait_for_review
from sesbook.account.status import account_status
from sesbook.errors import SesbookError, ValidationError, WaitTimeoutError
from sesbook.identities._names import normalize_identity
from sesbook.identities.status import identity_status
from sesbook.identities.wait import wait_for_verification
from sesbook.widgets._base import FrontEnd, error_text

if TYPE_CHECKING:

    from sesbook.account.status import AccountStatus
    from sesbook.identities.status import IdentityStatus
    from sesbook.target import Target

DONE, PENDING, FAILED = "done", "pending", "failed"


class Watcher(FrontEnd):
    """A progress bar, a status line, Watch and Stop.

    From code: :meth:`poll` once (returns ``"done"``, ``"pending"`` or ``"failed"``), or
    ``watch_button.click()`` and :meth:`join`. :attr:`state` is the last outcome, :attr:`status` the last
    :class:`~sesbook.identities.status.IdentityStatus` or :class:`~sesbook.account.status.AccountStatus`.
    """

    title = "watcher"

    def __init__(self, target: Target, identity: str | None = None, *, review: bool = False, dkim: bool = False,
                 mail_from: bool = False, interval: float | None = None, timeout: float = 3600.0) -> None:
        import ipywidgets

        super().__init__()
        if (identity is None) == (not review):
            raise ValidationError("identity", identity, "watch one thing: an identity, or review=True.",
                                  hint="watcher(target, 'example.com', dkim=True) or watcher(target, review=True).")
        self.target = target
        self.identity = None if identity is None else normalize_identity(identity)
        self.review, self.dkim, self.mail_from = review, dkim, mail_from
        default = (30.0 if review else 0.05) if target.is_lab else (60.0 if review else 30.0)
        self.interval = default if interval is None else check_seconds("interval", interval)
        self.timeout = check_seconds("timeout", timeout)
        self.waited = 0.0
        self.state = PENDING
        self.status: IdentityStatus | AccountStatus | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        wanted = 1 + (dkim and "@" not in (self.identity or "")) + mail_from if identity else 1
        self.bar = ipywidgets.IntProgress(value=0, min=0, max=int(wanted) if identity else 100,
                                          description="review" if review else "verified")
        self.label = ipywidgets.Label()
        self.watch_button = ipywidgets.Button(description="Watch", icon="eye")
        self.watch_button.on_click(lambda _button: self.start())
        self.stop_button = ipywidgets.Button(description="Stop", icon="stop", disabled=True)
        self.stop_button.on_click(lambda _button: self.stop())
        self.widget = ipywidgets.VBox([ipywidgets.HBox([self.bar, self.label]),
                                       ipywidgets.HBox([self.watch_button, self.stop_button]), self.output])
        self._look()

    # -- one read, no waiting -----------------------------------------------------------------------------------
    def _look(self) -> None:
        """Show the state as it is (one read; the lab clock is not moved)."""
        if self.review:
            found = self.attempt(lambda: account_status(self.target))
            if found is not None:
                self._show_account(found)
        else:
            assert self.identity is not None
            name = self.identity
            seen = self.attempt(lambda: identity_status(self.target, name))
            if seen is not None:
                self._show_identity(seen)

    def _show_identity(self, status: IdentityStatus) -> None:
        self.status = status
        done = [status.verified, self.dkim and status.kind == "domain" and status.dkim == "SUCCESS",
                self.mail_from and status.mail_from_status == "SUCCESS"]
        self.bar.value = min(sum(bool(d) for d in done), self.bar.max)
        parts = [f"verification {status.verification}"]
        parts += [f"DKIM {status.dkim}"] if self.dkim and status.kind == "domain" else []
        parts += [f"MAIL FROM {status.mail_from_status}"] if self.mail_from else []
        self.label.value = f"{status.identity}: " + ", ".join(parts)
        self.show_value(status)

    def _show_account(self, status: AccountStatus) -> None:
        self.status = status
        review = status.review_status or ("GRANTED" if status.production else "none filed")
        finished = review != "PENDING"
        self.bar.value = 100 if finished else min(99, int(100 * self.waited / self.timeout))
        self.label.value = f"review: {review}" + ("" if finished else f" after {self.waited:.0f} s")
        self.show_value(status.compare_table())

    # -- polling -------------------------------------------------------------------------------------------------
    def poll(self) -> str:
        """One look through the wait function (not waiting); update the bar and the rendering."""
        try:
            if self.review:
                lab = self.target.lab is not None
                step = min(self.interval, max(self.timeout - self.waited, 0.0))
                try:
                    account = wait_for_review(self.target, timeout=step if lab else 0, interval=self.interval,
                                              progress=False)
                except WaitTimeoutError:
                    self.waited += step
                    if self.waited >= self.timeout:
                        raise
                    self._look()
                    return self._set(PENDING)
                self._show_account(account)
                return self._set(DONE if account.review_status != "FAILED" else FAILED)
            assert self.identity is not None
            try:
                status = wait_for_verification(self.target, self.identity, timeout=0, dkim=self.dkim,
                                               mail_from=self.mail_from, progress=False)
            except WaitTimeoutError:
                self.waited += self.interval
                self._look()
                if self.waited >= self.timeout:
                    raise
                return self._set(PENDING)
            self._show_identity(status)
            return self._set(DONE)
        except SesbookError as error:
            self.label.value = error_text(error)[0]
            self.show(*error_text(error))
            return self._set(FAILED)

    def _set(self, state: str) -> str:
        self.state = state
        return state

    # -- the background thread -------------------------------------------------------------------------------------
    def start(self) -> None:
        """Poll on a background thread until done, failed, timed out or stopped (returns at once)."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stop.clear()
        self.watch_button.disabled, self.stop_button.disabled = True, False
        self._thread = threading.Thread(target=self._run, name="sesbook-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            while not self._stop.is_set() and self.poll() == PENDING:
                # In the lab a review poll already moved the lab clock; a short real pause keeps the UI live.
                self._stop.wait(0.05 if self.target.is_lab else self.interval)
        finally:
            if self._stop.is_set() and self.state == PENDING:
                self.label.value += " (stopped)"
            self.watch_button.disabled, self.stop_button.disabled = False, True

    def stop(self) -> None:
        """Stop watching after the current poll."""
        self._stop.set()

    def join(self, timeout: float | None = None) -> str:
        """Wait for the background thread (tests and scripts); return the state."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.state


def watcher(target: Target, identity: str | None = None, *, review: bool = False, dkim: bool = False,
            mail_from: bool = False, interval: float | None = None, timeout: float = 3600.0) -> Watcher:
    """Watch ``identity``'s verification (with its DKIM and MAIL FROM when asked) or, with ``review=True``, the
    production access review: a progress bar, a status line, Watch and Stop buttons.

    Watch polls on a background thread through :func:`sesbook.wait_for_verification` /
    :func:`sesbook.wait_for_review`, so the notebook stays usable. Made, it only reads the state once: without a
    live front-end it shows the identity's status (or the account's comparison table) as it is.
    """
    return Watcher(target, identity, review=review, dkim=dkim, mail_from=mail_from, interval=interval,
                   timeout=timeout)
