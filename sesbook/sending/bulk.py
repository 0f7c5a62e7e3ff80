"""Send many messages at the account's pace, resumably: :func:`send_bulk`.

SES limits sending two ways (SES Developer Guide, "Managing your Amazon SES sending quotas",
https://docs.aws.amazon.com/ses/latest/dg/manage-sending-quotas.html, checked 2026): at most
``MaxSendRate`` recipients per second and ``Max24HourSend`` recipients in any 24 hours, both read with
``GetSendQuota``. A send over either is refused (v1 ``Throttling``, v2 ``TooManyRequestsException``).
:func:`send_bulk`:

- reads the quota once and spaces the sends so that no more than ``MaxSendRate`` recipients go out per
  second (a message to ``n`` recipients takes ``n / rate`` seconds of the budget);
- stops before the remaining 24-hour quota is used up: what is left over is returned as ``over_quota``,
  not sent;
- keeps a journal (JSON lines, one line per event, each written with one ``write`` and ``fsync``):
  ``{"key", "state": "sending"}`` before asking SES, ``{"key", "state": "sent", "message_id"}`` after,
  ``"failed"`` with the error code when SES refused it, ``"invalid"`` (the field) when sesbook's own checks
  refused it before it left (the run stops there; fix the message and run again). Run again with the same
  journal and only the messages not yet sent go out; nothing is sent twice. A message whose last line is
  ``sending`` (the run stopped between asking SES and hearing back) may or may not have gone: it is
  reported as ``uncertain`` and not sent again unless ``resend_uncertain=True``;
- retries a throttled send with exponential backoff (from ``1 / rate`` seconds, doubling, at most 30 s,
  ``max_retries`` times). Why not only botocore's retry modes: they sleep in real time inside the call,
  where pacing cannot see them. The target's own clients keep botocore's ``standard`` mode (3 attempts on
  AWS, which absorbs short throttling and network errors); what still comes back as throttling is
  counted here (``throttles``) and retried on the pacing clock. ``adaptive`` mode is not used: its
  client-side rate limiter would pace in real time, against the wrong clock in the lab.

The clock is injectable (``clock=``: any object with ``now()`` and ``sleep(seconds)``). Against the lab the
default is :class:`LabClock`: it freezes the lab's clock for the run and moves it forward instead of
sleeping, so a bulk send takes no real time and its timing is exact (tests and notebooks). Against AWS it
is :class:`RealClock`.

IAM permissions for the aws target: ``ses:GetSendQuota`` and the permission of the send used
(``ses:SendEmail``; v1 templated ``ses:SendTemplatedEmail``).
"""

from __future__ import annotations

import json
import logging
import math
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import AwsError, ValidationError
from sesbook.facts import THROTTLING_CODES
from sesbook.sending.mime import build_message
from sesbook.sending.send import SendResult, send_email, send_templated, unpaced
from sesbook.sending.smtp_send import send_smtp
from sesbook.sending.validate import check_address, check_addresses, check_api, check_recipient_count
from sesbook.smtp import SmtpCredentials

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from sesbook.target import Target

log = logging.getLogger("sesbook")

#: Error codes that mean "too fast" (v1 and v2 names).
#: The longest wait between two tries of a throttled send, in seconds.
MAX_BACKOFF = 30.0
#: A hair over the exact spacing, so that a token bucket refilled by float arithmetic is never 1e-16 short.
_MARGIN = 1e-6


# -- clocks --------------------------------------------------------------------------------------------------
class Clock(Protocol):
    def now(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class RealClock:
    """The machine's monotonic clock and :func:`time.sleep`."""

    def now(self) -> float:
        return time.monotonic()

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            time.sleep(seconds)


class LabClock:
    """The lab's clock, held still: ``sleep`` moves it forward (``POST /_sesbook/clock``) and returns at once.

    Use as a context manager (freezes on enter, lets it run again on exit); :func:`send_bulk` does.
    """

    def __init__(self, lab: Any) -> None:
        self.lab = lab
        self._t = 0.0

    def __enter__(self) -> LabClock:
        self.lab.freeze_clock()
        return self

    def __exit__(self, *exc: object) -> None:
        self.lab.unfreeze_clock()

    def now(self) -> float:
        return self._t

    def sleep(self, seconds: float) -> None:
        if seconds > 0:
            self.lab.advance_clock(seconds)
            self._t += seconds


# -- messages and the journal --------------------------------------------------------------------------------
@dataclass(frozen=True)
class BulkMessage:
    """One message of a bulk send: simple content (``subject`` + ``text``/``html``) or a stored ``template``
    with its ``data``. ``key`` names it in the journal: unique, stable from run to run (an order number,
    a user id)."""

    key: str
    to: tuple[str, ...]
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    template: str | None = None
    data: Mapping[str, Any] | None = None
    cc: tuple[str, ...] = ()
    bcc: tuple[str, ...] = ()

    @property
    def recipients(self) -> int:
        return len(self.to) + len(self.cc) + len(self.bcc)


def _as_message(item: BulkMessage | Mapping[str, Any], index: int) -> BulkMessage:
    if isinstance(item, BulkMessage):
        message = item
    elif hasattr(item, "get"):
        unknown = set(item) - set(BulkMessage.__dataclass_fields__)
        if unknown:
            raise ValidationError(f"messages[{index}]", sorted(unknown), "unknown field(s).",
                                  hint="Fields: key, to, cc, bcc, subject, text, html, template, data.")
        missing = [name for name in ("key", "to") if name not in item]
        if missing:
            raise ValidationError(f"messages[{index}]", dict(item), f"lacks {' and '.join(missing)}.",
                                  hint="Each message needs a key (stable from run to run) and to (its recipients).")
        fields = dict(item)
        for name in ("to", "cc", "bcc"):
            value = fields.get(name, ())
            fields[name] = (value,) if isinstance(value, str) else tuple(value or ())
        message = BulkMessage(**fields)
    else:
        raise ValidationError(f"messages[{index}]", item, "must be a BulkMessage or a mapping.")
    if not isinstance(message.key, str) or not message.key or "\n" in message.key:
        raise ValidationError(f"messages[{index}].key", message.key, "must be a non-empty one-line string.",
                              hint="Use something stable from run to run: an order number, a user id.")
    if message.template is None and message.subject is None:
        raise ValidationError(f"messages[{index}]", message.key, "needs a subject (simple content) or a template.")
    for name in ("to", "cc", "bcc"):
        check_addresses(getattr(message, name), field=f"messages[{index}].{name}")
    check_recipient_count(message.to, message.cc, message.bcc, field=f"messages[{index}].to")
    return message


class Journal:
    """What a bulk send did, one JSON line per event, in a file that survives the process."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)

    def states(self) -> dict[str, dict[str, Any]]:
        """The last line of each key (a torn last line, from a crash mid-write, is ignored)."""
        found: dict[str, dict[str, Any]] = {}
        if not self.path.exists():
            return found
        for line in self.path.read_text(encoding="utf-8").splitlines():
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if isinstance(entry, dict) and isinstance(entry.get("key"), str):
                found[entry["key"]] = entry
        return found

    def record(self, key: str, state: str, **fields: Any) -> None:
        """Append one line atomically: one ``write`` on an ``O_APPEND`` file, then ``fsync``."""
        line = (json.dumps({"key": key, "state": state, **fields}, sort_keys=True) + "\n").encode()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)


# -- the result ----------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class BulkResult:
    """What one :func:`send_bulk` run did. ``send_times`` are seconds from the start (pacing clock) of each
    accepted send, in order; :attr:`per_second` counts them per whole second, for a plot."""

    sent: tuple[tuple[str, str], ...]  # (key, message id) sent in this run
    already_sent: tuple[str, ...] = ()  # keys the journal had as sent: skipped
    uncertain: tuple[str, ...] = ()  # keys the journal had as "sending" with no answer: not resent
    failed: tuple[tuple[str, str, str], ...] = ()  # (key, code, message): SES refused it
    over_quota: tuple[str, ...] = ()  # not sent: the 24-hour quota would have been exceeded
    planned: tuple[str, ...] = ()  # plan-only target: recorded, not sent
    throttles: int = 0  # throttled answers that were retried
    allowed_rate: float = 0.0  # MaxSendRate (recipients per second)
    recipients: int = 0  # recipients of the messages sent in this run
    duration: float = 0.0  # seconds on the pacing clock, start to the end of the last send's slot
    send_times: tuple[float, ...] = field(default=(), repr=False)

    @property
    def achieved_rate(self) -> float:
        """Recipients per second over the run (0 when nothing was sent)."""
        return self.recipients / self.duration if self.duration > 0 else 0.0

    @property
    def per_second(self) -> tuple[int, ...]:
        """Sends accepted in each whole second of the run: ``per_second[i]`` for ``[i, i+1)``."""
        if not self.send_times:
            return ()
        counts = [0] * (int(math.floor(max(self.send_times))) + 1)
        for t in self.send_times:
            counts[int(math.floor(t))] += 1
        return tuple(counts)

    def __repr__(self) -> str:
        parts = [f"{len(self.sent)} sent"]
        for name in ("already_sent", "uncertain", "failed", "over_quota", "planned"):
            if getattr(self, name):
                parts.append(f"{len(getattr(self, name))} {name.replace('_', ' ')}")
        return (f"BulkResult({', '.join(parts)}; {self.throttles} throttled; "
                f"{self.achieved_rate:.2f}/s of {self.allowed_rate:g}/s allowed)")

    def _repr_html_(self) -> str:
        rows = [("sent", len(self.sent)), ("already sent (journal)", len(self.already_sent)),
                ("uncertain (not resent)", len(self.uncertain)), ("failed", len(self.failed)),
                ("over the 24-hour quota (not sent)", len(self.over_quota)), ("planned", len(self.planned)),
                ("throttled and retried", self.throttles),
                ("rate", f"{self.achieved_rate:.2f}/s of {self.allowed_rate:g}/s allowed")]
        return _html.table(["", ""], rows, caption="bulk send")

    def plot(self) -> Any:
        """A bar chart of :attr:`per_second` with the allowed rate as a line: a
        :class:`~sesbook._figure.DataFigure` (a PNG in a notebook; its text is a summary of the bars)."""
        from sesbook._figure import new_figure, style

        fig = new_figure(7.0, 2.8)
        ax = fig.add_subplot()
        counts = self.per_second
        ax.bar(range(len(counts)), counts, width=0.8, align="edge", label="sends accepted", color="#1f77b4")
        ax.axhline(self.allowed_rate, color="#c00000", linestyle="--", label=f"MaxSendRate {self.allowed_rate:g}/s")
        ax.set_xlabel("second of the run (on the pacing clock)")
        ax.set_ylabel("sends")
        ax.set_ylim(0, max([self.allowed_rate * 1.3, *counts, 1]))
        ax.legend(loc="lower right", frameon=False)
        style(ax)
        fig.summary = (f"BulkResult.plot: {sum(counts)} sends over {len(counts)} s, at most {max(counts, default=0)} "
                       f"in one second (MaxSendRate {self.allowed_rate:g}/s)")
        return fig


# -- sending -------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SendQuota:
    """``GetSendQuota``: recipients per 24 hours (-1: unlimited), sent in the last 24 hours, per second."""

    max_24_hour_send: float
    sent_last_24_hours: float
    max_send_rate: float

    @property
    def remaining(self) -> float:
        return math.inf if self.max_24_hour_send < 0 else max(0.0, self.max_24_hour_send - self.sent_last_24_hours)


def send_quota(target: Target) -> SendQuota:
    """The account's sending quota in the target's region (v1 ``GetSendQuota``)."""
    with aws_errors("ses"):
        answer = target.ses.get_send_quota()
    return SendQuota(float(answer.get("Max24HourSend", 0)), float(answer.get("SentLast24Hours", 0)),
                     float(answer.get("MaxSendRate", 1)))


def _send_one(target: Target, source: str, message: BulkMessage, api: str, options: dict[str, Any]) -> SendResult:
    options = dict(options)
    credentials = options.pop("credentials", None)
    if api == "smtp":
        return _send_smtp_one(target, source, message, credentials, options)
    common = {"source": source, "to": message.to, "cc": message.cc, "bcc": message.bcc, "api": api, **options}
    with unpaced():  # throttling is retried by send_bulk on its own clock, and counted
        if message.template is not None:
            return send_templated(target, template=message.template, data=message.data, **common)
        return send_email(target, subject=message.subject or "", text=message.text, html=message.html, **common)


def _send_smtp_one(target: Target, source: str, message: BulkMessage, credentials: SmtpCredentials,
                   options: dict[str, Any]) -> SendResult:
    headers = {}
    if options.get("configuration_set"):
        headers["X-SES-CONFIGURATION-SET"] = str(options["configuration_set"])
    if options.get("tags"):
        headers["X-SES-MESSAGE-TAGS"] = ", ".join(f"{k}={v}" for k, v in dict(options["tags"]).items())
    mime = build_message(source=source, to=message.to, cc=message.cc, subject=message.subject or "",
                         text=message.text, html=message.html, headers=headers or None)
    envelope = [*message.to, *message.cc, *message.bcc]
    sent = send_smtp(target, mime, credentials, from_addr=source, to_addrs=envelope)
    return SendResult(sent.message_id, "smtp", "SendRawEmail", tuple(message.to), planned=sent.planned)


def _default_clock(target: Target) -> tuple[Clock, Any]:
    if target.lab is not None:
        lab_clock = LabClock(target.lab)
        return lab_clock, lab_clock
    return RealClock(), None


def _progress(total: int, enabled: bool) -> Any:
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="sending", unit="msg", disable=not enabled)


def send_bulk(
    target: Target, messages: Iterable[BulkMessage | Mapping[str, Any]], *, source: str, journal: str | Path,
    api: str = "v2", rate: float | None = None, configuration_set: str | None = None,
    tags: Mapping[str, str] | None = None, clock: Clock | None = None, progress: bool = True,
    max_retries: int = 6, resend_uncertain: bool = False, credentials: SmtpCredentials | None = None,
) -> BulkResult:
    """Send ``messages`` one by one at the account's ``MaxSendRate`` (or ``rate``, if lower), never over the
    remaining 24-hour quota, journalled in ``journal`` so that a re-run sends nothing twice.

    ``api="smtp"`` sends each message through the SMTP interface with ``credentials``
    (:func:`sesbook.smtp_credentials`), paced the same way; SMTP carries no template, and the configuration
    set and tags travel as SES's ``X-SES-CONFIGURATION-SET`` / ``X-SES-MESSAGE-TAGS`` headers.
    Every message is validated before the first is sent. See the module docstring for the journal, the
    backoff and the clock.
    """
    check_api(api)
    if api == "smtp" and not isinstance(credentials, SmtpCredentials):
        raise ValidationError("credentials", credentials, "api='smtp' needs SMTP credentials.",
                              hint="Derive them with sesbook.smtp_credentials(key_id, secret, region).")
    if api != "smtp" and credentials is not None:
        raise ValidationError("credentials", credentials, "are used only with api='smtp'.")
    source = check_address(source, field="source")
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or not 0 <= max_retries <= 20:
        raise ValidationError("max_retries", max_retries, "must be a whole number from 0 to 20.")
    if rate is not None and (isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 < rate < math.inf):
        raise ValidationError("rate", rate, "must be a positive number of recipients per second.")
    items = [_as_message(m, i) for i, m in enumerate(messages)]
    if api == "smtp" and any(m.template is not None for m in items):
        first = next(m for m in items if m.template is not None)
        raise ValidationError("messages", first.key, "a templated message cannot go through SMTP: SES renders "
                              "templates only in its API.",
                              hint="Use api='v2' for templates, or give subject and text.")
    keys = [m.key for m in items]
    duplicate = next((k for k in keys if keys.count(k) > 1), None)
    if duplicate is not None:
        raise ValidationError("messages", duplicate, "two messages have the same key; the journal needs each once.")
    book = Journal(journal)
    states = book.states()
    already = tuple(k for k in keys if states.get(k, {}).get("state") == "sent")
    uncertain = tuple(k for k in keys if states.get(k, {}).get("state") == "sending") if not resend_uncertain else ()
    todo = [m for m in items if m.key not in already and m.key not in uncertain]
    quota = send_quota(target)
    allowed = quota.max_send_rate if rate is None else min(rate, quota.max_send_rate)
    options = {"configuration_set": configuration_set, "tags": tags, "credentials": credentials}
    if target.planning:
        for message in todo:  # each call is recorded in the plan, not sent; no pacing, no journal
            _send_one(target, source, message, api, options)
        return BulkResult((), already, uncertain, planned=tuple(m.key for m in todo), allowed_rate=allowed)
    pacer, managed = (clock, None) if clock is not None else _default_clock(target)
    with _managed(managed):
        return _run(target, source, api, options, todo, book, pacer, quota.remaining, allowed, max_retries,
                    progress, already, uncertain)


class _managed:
    def __init__(self, ctx: Any) -> None:
        self.ctx = ctx

    def __enter__(self) -> None:
        if self.ctx is not None:
            self.ctx.__enter__()

    def __exit__(self, *exc: object) -> None:
        if self.ctx is not None:
            self.ctx.__exit__(*exc)


def _run(target: Target, source: str, api: str, options: dict[str, Any], todo: list[BulkMessage], book: Journal,
         pacer: Clock, remaining: float, allowed: float, max_retries: int, progress: bool,
         already: tuple[str, ...], uncertain: tuple[str, ...]) -> BulkResult:
    sent: list[tuple[str, str]] = []
    failed: list[tuple[str, str, str]] = []
    over: list[str] = []
    times: list[float] = []
    throttles = recipients = 0
    start = pacer.now()
    next_at = start
    bar = _progress(len(todo), progress)
    try:
        for index, message in enumerate(todo):
            if message.recipients > remaining:
                over = [m.key for m in todo[index:]]
                log.info("bulk send: stopped before %s: the 24-hour quota has %g recipients left", message.key,
                         remaining)
                break
            for attempt in range(max_retries + 1):
                wait = next_at - pacer.now()
                if wait > 0:
                    pacer.sleep(wait)
                at = pacer.now()
                book.record(message.key, "sending", attempt=attempt)
                try:
                    result = _send_one(target, source, message, api, options)
                except ValidationError as exc:  # refused before anything left (e.g. over 40 MB): not "sending"
                    book.record(message.key, "invalid", field=exc.field)
                    raise
                except AwsError as exc:
                    if exc.code in THROTTLING_CODES and "quota" not in exc.message.lower() and attempt < max_retries:
                        throttles += 1
                        book.record(message.key, "throttled", code=exc.code)
                        next_at = pacer.now() + min(MAX_BACKOFF, (1 / allowed) * 2 ** attempt)
                        continue
                    book.record(message.key, "failed", code=exc.code, message=exc.message)
                    failed.append((message.key, exc.code, exc.message))
                    if exc.code in THROTTLING_CODES and "quota" in exc.message.lower():
                        over = [m.key for m in todo[index + 1:]]
                    break
                book.record(message.key, "sent", message_id=result.message_id)
                sent.append((message.key, str(result.message_id)))
                times.append(at - start)
                recipients += message.recipients
                remaining -= message.recipients
                next_at = max(at, next_at) + message.recipients / allowed + _MARGIN
                break
            bar.update(1)
            if over:
                break
    finally:
        bar.close()
    duration = max(pacer.now(), next_at) - start if sent else 0.0
    return BulkResult(tuple(sent), already, uncertain, tuple(failed), tuple(over), (), throttles, allowed,
                      recipients, duration, tuple(times))



def bulk_journal(target: Target, journal: str | Path | None = None, *, name: str = "bulk") -> Path:
    """Where :func:`send_bulk` keeps its journal: ``journal`` when given, else a default.

    Against AWS the default is ``./NAME.journal.jsonl`` (kept: run again and nothing is sent twice). In the lab
    it is a file in the temporary directory named after the running lab (its endpoint), so a new lab, which
    has sent nothing, starts a new journal while a re-run against the same lab resumes the old one.
    """
    if journal:
        return Path(journal)
    if not isinstance(name, str) or not name or any(c in name for c in "/\\\0"):
        raise ValidationError("name", name, "must be a plain file name stem such as '05-bulk'.")
    if target.lab is not None:
        import tempfile

        where = target.lab.aws_endpoint.rpartition(":")[2]
        return Path(tempfile.gettempdir()) / f"sesbook-lab-{target.lab.pid or 0}-{where}-{name}.journal.jsonl"
    return Path.cwd() / f"{name}.journal.jsonl"
