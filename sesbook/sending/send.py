"""Send mail through SES: simple content, a raw MIME message, or a stored template, through either API.

Which API (``api=``):

- ``"v2"`` (SESv2 ``SendEmail``, the default): one call for all three kinds of content (``Simple``, ``Raw``,
  ``Template``), messages up to 40 MB, the API AWS adds features to;
- ``"v1"`` (SES ``SendEmail``, ``SendRawEmail``, ``SendTemplatedEmail``): what older code and many
  examples use; messages up to 10 MB.

Every function validates first (:mod:`sesbook.sending.validate`: addresses, recipients, size, attachments)
and sends nothing when a rule is broken. With ``target.apply`` off (the aws target's plan-only mode) the
call is recorded in the plan, not sent, and the result says ``planned``.
A send that SES refuses only for the per-second sending rate (``Throttling`` / ``TooManyRequestsException``
"Maximum sending rate exceeded.") is tried again after a pause, as botocore's standard retry mode would on
AWS: up to :data:`RATE_RETRIES` times, waiting 1, 2, 4 … seconds (in the lab the lab's clock moves forward
instead of sleeping). The daily quota and every other refusal are raised at once. For many messages use
:func:`sesbook.sending.bulk.send_bulk`, which paces itself and never needs this.
The configuration set and message tags are options of the call (SES attaches them to the message's
events), not headers.

IAM permissions for the aws target: ``ses:SendEmail`` (v1 SendEmail and every v2 send),
``ses:SendRawEmail`` (v1 raw), ``ses:SendTemplatedEmail`` (v1 templated).
"""

from __future__ import annotations

import contextlib
import contextvars
import json
import logging
import re
import time
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage, Message
from email.policy import SMTP
from email.policy import default as default_policy
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import AwsError, ValidationError
from sesbook.facts import THROTTLING_CODES
from sesbook.plan import was_planned
from sesbook.sending.mime import recipients_of
from sesbook.sending.validate import (
    check_address,
    check_addresses,
    check_api,
    check_raw,
    check_recipient_count,
    check_structured,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Mapping, Sequence

    from sesbook.target import Target

#: SES message tag names and values: ASCII letters, digits, ``_``, ``-`` (and ``.`` for values), 1-256
#: characters (SES API Reference, MessageTag, checked 2026).
_TAG_NAME = re.compile(r"^[A-Za-z0-9_-]{1,256}$")
_TAG_VALUE = re.compile(r"^[A-Za-z0-9_.@-]{1,256}$")


log = logging.getLogger("sesbook")

#: How many times a send refused only for the per-second rate is tried again.
RATE_RETRIES = 4
#: Off inside :func:`unpaced` (``send_bulk`` paces on its own clock and counts each throttled answer).
_PACING: contextvars.ContextVar[bool] = contextvars.ContextVar("sesbook_send_pacing", default=True)


@contextlib.contextmanager
def unpaced() -> Iterator[None]:
    """Within this block a send refused for the rate raises at once (the caller paces and retries)."""
    token = _PACING.set(False)
    try:
        yield
    finally:
        _PACING.reset(token)


def _rate_refusal(error: AwsError) -> bool:
    """SES refused for the per-second sending rate (not the daily quota, which waiting a second cannot fix)."""
    return error.code in THROTTLING_CODES and "sending rate" in (error.message or "").lower()


def _paced(target: Target, service: str, call: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """``call()`` (one SES send), tried again after 1, 2, 4 … seconds while SES refuses it for the rate."""
    for attempt in range(RATE_RETRIES + 1):
        try:
            with aws_errors(service):
                return call()
        except AwsError as error:
            if attempt == RATE_RETRIES or not _PACING.get() or not _rate_refusal(error):
                raise
            pause = float(2**attempt)
            log.info("%s: over the sending rate; trying again in %g s", error.operation, pause)
            if target.lab is not None:
                target.lab.advance_clock(pause)
            else:
                time.sleep(pause)
    raise AssertionError("unreachable")  # pragma: no cover


def pause_for_rate(target: Target) -> float:
    """Wait one sending-rate interval (``1 / MaxSendRate`` seconds) so that the next send is within the rate.

    For sends this package does not pace itself, such as a message handed to ``smtplib``: the SMTP interface
    answers ``454 Throttling failure`` to a send over the rate. In the lab the lab's clock moves forward
    instead of sleeping. Returns the seconds waited.
    """
    with aws_errors("ses"):
        rate = float(target.ses.get_send_quota().get("MaxSendRate") or 1.0)
    pause = 1.0 / rate if rate > 0 else 1.0
    if target.lab is not None:
        target.lab.advance_clock(pause)
    else:
        time.sleep(pause)
    return pause


@dataclass(frozen=True)
class SendResult:
    """One send: the message id SES answered (None when planned), the API and operation used, the recipients."""

    message_id: str | None
    api: str
    operation: str
    to: tuple[str, ...]
    planned: bool = False

    def __repr__(self) -> str:
        to = ", ".join(self.to)
        if self.planned:
            return f"SendResult(planned, not sent: {self.api} {self.operation} to {to})"
        return f"SendResult({self.api} {self.operation} to {to}: {self.message_id})"

    def _repr_html_(self) -> str:
        rows = [("API", f"{self.api} {self.operation}"), ("to", ", ".join(self.to)),
                ("message id", self.message_id or "planned, not sent")]
        return _html.table(["", ""], rows, caption="sent")


def tag_list(tags: Mapping[str, str] | None, *, field: str = "tags") -> list[dict[str, str]]:
    """Message tags (``{"campaign": "welcome"}``) as SES takes them, each name and value checked."""
    if tags is None:
        return []
    if not hasattr(tags, "items"):
        raise ValidationError(field, tags, "must be a mapping of tag name to value.",
                              hint="E.g. {'campaign': 'welcome'}.")
    out = []
    for name, value in tags.items():
        if not isinstance(name, str) or not _TAG_NAME.match(name):
            raise ValidationError(field, name, "a tag name is 1-256 ASCII letters, digits, '_' or '-'.")
        if not isinstance(value, str) or not _TAG_VALUE.match(value):
            raise ValidationError(field, value, f"the value of tag {name!r} is 1-256 ASCII letters, digits, "
                                  "'_', '-', '.' or '@'.")
        out.append({"Name": name, "Value": value})
    return out


def _options(api: str, configuration_set: str | None, tags: Mapping[str, str] | None) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if configuration_set is not None:
        if not isinstance(configuration_set, str) or not re.match(r"^[A-Za-z0-9_-]{1,64}$", configuration_set):
            raise ValidationError("configuration_set", configuration_set,
                                  "is 1-64 ASCII letters, digits, '_' or '-'.")
        options["ConfigurationSetName"] = configuration_set
    listed = tag_list(tags)
    if listed:
        options["Tags" if api == "v1" else "EmailTags"] = listed
    return options


def _destination(to: list[str], cc: list[str], bcc: list[str]) -> dict[str, list[str]]:
    dest = {"ToAddresses": to}
    if cc:
        dest["CcAddresses"] = cc
    if bcc:
        dest["BccAddresses"] = bcc
    return dest


def _result(answer: dict[str, Any], api: str, operation: str, to: Sequence[str]) -> SendResult:
    if was_planned(answer):
        return SendResult(None, api, operation, tuple(to), planned=True)
    return SendResult(str(answer.get("MessageId", "")), api, operation, tuple(to))


def _people(to: str | Sequence[str], cc: Sequence[str], bcc: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    people = (check_addresses(to, field="to"), check_addresses(cc, field="cc"), check_addresses(bcc, field="bcc"))
    check_recipient_count(*people)
    return people


def send_email(
    target: Target, *, source: str, to: str | Sequence[str], subject: str, text: str | None = None,
    html: str | None = None, cc: Sequence[str] = (), bcc: Sequence[str] = (),
    reply_to: str | Sequence[str] | None = None, configuration_set: str | None = None,
    tags: Mapping[str, str] | None = None, api: str = "v2",
) -> SendResult:
    """Send simple content (a subject, a text and/or an HTML body); SES builds the MIME message."""
    check_api(api)
    if api == "smtp":
        raise ValidationError("api", api, "send_email uses the SES API ('v1' or 'v2'); SMTP takes a raw message.")
    source = check_address(source, field="source")
    to_l, cc_l, bcc_l = _people(to, cc, bcc)
    replies = check_addresses(reply_to, field="reply_to")
    if not isinstance(subject, str) or "\r" in subject or "\n" in subject:
        raise ValidationError("subject", subject, "must be one line of text.")
    if text is None and html is None:
        raise ValidationError("text", None, "a message needs a text part, an HTML part or both.")
    check_structured(source=source, to=to_l, cc=cc_l, bcc=bcc_l, api=api, parts=(subject, text, html))
    options = _options(api, configuration_set, tags)
    body: dict[str, Any] = {}
    if text is not None:
        body["Text"] = {"Data": text, "Charset": "UTF-8"}
    if html is not None:
        body["Html"] = {"Data": html, "Charset": "UTF-8"}
    content = {"Subject": {"Data": subject, "Charset": "UTF-8"}, "Body": body}
    if replies:
        options["ReplyToAddresses"] = replies
    if api == "v1":
        answer = _paced(target, "ses", lambda: target.ses.send_email(
            Source=source, Destination=_destination(to_l, cc_l, bcc_l), Message=content, **options))
    else:
        answer = _paced(target, "sesv2", lambda: target.sesv2.send_email(
            FromEmailAddress=source, Destination=_destination(to_l, cc_l, bcc_l), Content={"Simple": content},
            **options))
    return _result(answer, api, "SendEmail", to_l + cc_l + bcc_l)


def message_bytes(message: EmailMessage | Message | bytes | str) -> tuple[bytes, Message]:
    """A message as the bytes SES takes (CRLF line ends) and as a parsed :class:`~email.message.Message`."""
    if isinstance(message, Message):
        return message.as_bytes(policy=SMTP), message
    if isinstance(message, str):
        message = message.encode()
    if not isinstance(message, bytes) or not message.strip():
        raise ValidationError("message", type(message).__name__, "must be an email.message.EmailMessage or the "
                              "MIME message as bytes or text.", hint="Build one with sesbook.build_message(...).")
    return message, message_from_bytes(message, policy=default_policy)


def send_raw(
    target: Target, message: EmailMessage | Message | bytes | str, *, source: str | None = None,
    destinations: Sequence[str] | None = None, bcc: Sequence[str] = (), configuration_set: str | None = None,
    tags: Mapping[str, str] | None = None, api: str = "v2",
) -> SendResult:
    """Send a MIME message as it is (attachments, inline images, any headers).

    Who receives it: ``destinations`` when given, else the message's To and Cc headers; ``bcc`` adds
    recipients no header shows. ``source`` (the envelope sender) defaults to the From header.
    """
    check_api(api)
    if api == "smtp":
        raise ValidationError("api", api, "send_raw sends through the SES API ('v1' or 'v2'); for SMTP use smtplib "
                              "with smtp_credentials().")
    data, parsed = message_bytes(message)
    if source is not None:
        source = check_address(source, field="source")
    elif not parsed.get("From"):
        raise ValidationError("source", None, "the message has no From header and no source was given.")
    given = check_addresses(destinations, field="destinations") if destinations is not None else None
    hidden = check_addresses(bcc, field="bcc")
    shown = check_addresses(recipients_of(parsed), field="to") if given is None else given  # type: ignore[arg-type]
    everyone = shown + hidden
    check_recipient_count(everyone)
    check_raw(data, parsed, recipients=len(everyone), api=api)
    options = _options(api, configuration_set, tags)
    envelope = everyone if (given is not None or hidden) else None
    if api == "v1":
        kwargs: dict[str, Any] = {"RawMessage": {"Data": data}, **options}
        if source is not None:
            kwargs["Source"] = source
        if envelope is not None:
            kwargs["Destinations"] = envelope
        answer = _paced(target, "ses", lambda: target.ses.send_raw_email(**kwargs))
    else:
        kwargs = {"Content": {"Raw": {"Data": data}}, **options}
        if source is not None:
            kwargs["FromEmailAddress"] = source
        if envelope is not None:
            kwargs["Destination"] = {"ToAddresses": envelope}
        answer = _paced(target, "sesv2", lambda: target.sesv2.send_email(**kwargs))
    return _result(answer, api, "SendRawEmail" if api == "v1" else "SendEmail", everyone)


def template_data(data: Mapping[str, Any] | str | None, *, field: str = "data") -> str:
    """Template data as the JSON object text SES takes."""
    if data is None:
        return "{}"
    if isinstance(data, str):
        try:
            parsed = json.loads(data)
        except ValueError as exc:
            raise ValidationError(field, data, f"is not JSON: {exc}", hint="Pass a dict instead.") from None
        if not isinstance(parsed, dict):
            raise ValidationError(field, data, "must be a JSON object ({...}).")
        return data
    if not hasattr(data, "items"):
        raise ValidationError(field, data, "must be a mapping (a dict) of template variables.")
    try:
        return json.dumps(dict(data), ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise ValidationError(field, data, f"cannot be written as JSON: {exc}") from None


def send_templated(
    target: Target, *, source: str, to: str | Sequence[str], template: str,
    data: Mapping[str, Any] | str | None = None, cc: Sequence[str] = (), bcc: Sequence[str] = (),
    reply_to: str | Sequence[str] | None = None, configuration_set: str | None = None,
    tags: Mapping[str, str] | None = None, api: str = "v2",
) -> SendResult:
    """Send a stored template (:func:`sesbook.sending.templates.put_template`) rendered with ``data``.

    SES renders after it accepted the send: a template that cannot be rendered (a variable the data
    lacks) is *accepted* here and then not delivered; SES reports it as a Rendering Failure event. Check
    with :func:`sesbook.sending.templates.test_render` first.
    """
    check_api(api)
    if api == "smtp":
        raise ValidationError("api", api, "templates are sent through the SES API ('v1' or 'v2').")
    source = check_address(source, field="source")
    to_l, cc_l, bcc_l = _people(to, cc, bcc)
    replies = check_addresses(reply_to, field="reply_to")
    if not isinstance(template, str) or not re.match(r"^[A-Za-z0-9_-]{1,64}$", template):
        raise ValidationError("template", template, "a template name is 1-64 letters, digits, '_' or '-'.")
    text = template_data(data)
    check_structured(source=source, to=to_l, cc=cc_l, bcc=bcc_l, api=api, parts=(text,))
    options = _options(api, configuration_set, tags)
    if replies:
        options["ReplyToAddresses"] = replies
    dest = _destination(to_l, cc_l, bcc_l)
    if api == "v1":
        answer = _paced(target, "ses", lambda: target.ses.send_templated_email(
            Source=source, Destination=dest, Template=template, TemplateData=text, **options))
        return _result(answer, api, "SendTemplatedEmail", to_l + cc_l + bcc_l)
    answer = _paced(target, "sesv2", lambda: target.sesv2.send_email(
        FromEmailAddress=source, Destination=dest,
        Content={"Template": {"TemplateName": template, "TemplateData": text}}, **options))
    return _result(answer, api, "SendEmail", to_l + cc_l + bcc_l)
