"""The lab's one send pipeline: every send (SES v1 and v2 APIs, SMTP submission) runs the same stages.

A send builds one :class:`~sesbook.lab.ses.sending.message.OutboundMessage` and calls :func:`submit`
(the API actions in :mod:`.wire` do; the SMTP submission server will). :data:`STAGES` runs in this order:

1. :func:`validate` — the message can be sent at all: a sender, at most 10 MB (v1) or 40 MB (v2, SMTP),
   at most 50 recipients, no attachment of a refused type, the template exists;
2. :func:`check_identity_and_mail_from` — a custom MAIL FROM with ``RejectMessage`` must be working;
3. (suppression: not yet)
4. :func:`apply_sandbox_and_quotas` — sending on, verified sender (and recipients in the sandbox), the
   daily quota and the rate; counts the send (:mod:`.sandbox`);
5. :func:`accept` — moto's own send method stores the message and draws its id (in SES's shape, two
   seeded draws per message: :mod:`sesbook.lab.ses.responses`; nothing else draws, so seeded labs repeat);
6. :func:`count_metrics` — counts the accepted send (``Send``, per recipient) in the lab's sending statistics
   and the ``AWS/SES`` CloudWatch metrics (:mod:`sesbook.lab.ses.metrics`), before anything that happens to
   the message (its Delivery, Bounce or Complaint, counted by the feedback stages with the same ``record``),
   so the reputation rates never see a bounce without its send. A call the account's rules refuse
   (``MessageRejected`` for an unverified address in the sandbox, a paused account, the quota) is answered
   with an error and counts nothing: it is not a send, and not a ``Reject`` either (SES's Reject is a
   message it accepted and then found a virus in);
7. :func:`render` — templated sends are rendered with Handlebars, per destination; one that cannot be
   rendered was still accepted (a Send), is not delivered and becomes a rendering-failure record;
8. :func:`~sesbook.lab.ses.feedback.stages.decide_outcomes` — each recipient's fate: delivered, or
   bounced (the mailbox simulator, the account suppression list), complained about, rejected (a virus);
   then :func:`~sesbook.lab.ses.contacts.state.apply_list_management` (v2 ``ListManagementOptions``:
   unknown recipients become contacts, unsubscribed ones bounce, a single recipient's message gets the
   ``List-Unsubscribe`` headers and its ``{{amazonSESUnsubscribeUrl}}`` placeholders filled; the list must
   exist, checked by ``check_list_management`` right after ``validate``);
9. :func:`add_tracking` — when the configuration set asks for open and click tracking, the links of the
   HTML (simple content, rendered templates, the text/html parts of raw and SMTP MIME) pass through the lab
   and an open pixel is added (:mod:`sesbook.lab.ses.metrics.tracking`);
10. :func:`deliver` — the lab mailbox keeps mail for outside addresses that were delivered to, with the API
    it came through, its raw MIME and its attachments; mail to an address the lab receives for (an active
    rule set in a receiving region matches it) goes through the inbound path
    (:func:`sesbook.lab.ses.receiving.engine.deliver_sent`) as SES would deliver it to that domain's MX;
11. :func:`~sesbook.lab.ses.feedback.stages.publish_feedback` — identity notifications, configuration set
    events (SNS, CloudWatch metrics), the suppression list's additions (:mod:`sesbook.lab.ses.feedback`).

A new capability is a new function in :data:`STAGES`, never another wrapper of moto's send methods:
no ``SESBackend`` send method is wrapped at all (the send actions are replaced once, in :mod:`.wire`).
If a stage fails after the sandbox counted the send and before moto accepted it, the count is given back.
Errors are SES's wire errors, with the codes of ``message.api`` (:data:`sesbook.lab.ses.errors.CODES`).
"""

from __future__ import annotations

import email
import email.policy
import json
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from typing import Any

from moto.ses.exceptions import (
    ConfigurationSetDoesNotExist,
    InvalidParameterValue,
    MessageRejectedError,
    TemplateDoesNotExist,
)

from sesbook.facts import MAX_MESSAGE_BYTES, MAX_RECIPIENTS, is_simulator, refused_attachment
from sesbook.lab import clock, current, mailbox
from sesbook.lab.ses.contacts.state import apply_list_management, check_list_management, with_headers
from sesbook.lab.ses.errors import BadRequestException, SendRefused, WireError, send_refused_error
from sesbook.lab.ses.feedback.stages import decide_outcomes, publish_feedback
from sesbook.lab.ses.identities.mailfrom import check_mail_from
from sesbook.lab.ses.metrics import state as metrics
from sesbook.lab.ses.metrics import tracking
from sesbook.lab.ses.sending.message import OutboundMessage, attachments, destination, mime_parts
from sesbook.lab.ses.sending.sandbox import SendTicket, authorize_send, release
from sesbook.lab.ses.templates.state import Rendered, RenderError, failures, rendered_mime
from sesbook.lab.ses.templates.state import render as render_template

#: SES's limit of recipients per message (and of destinations per bulk send): one constant with the client.
RECIPIENT_LIMIT = MAX_RECIPIENTS
#: The largest message SES takes, in bytes after base64 encoding, per API (``sesbook.facts``, shared with the
#: client's validation): 10 MB through v1, 40 MB through v2 and SMTP (MiB: the v1 error says 10485760).
SIZE_LIMITS = MAX_MESSAGE_BYTES


@dataclass
class Submission:
    """One message going through the pipeline: what each stage found or made so far."""

    backend: Any  # moto's SES v1 backend of the account and region
    message: OutboundMessage
    ticket: SendTicket | None = None  # what the sandbox counted
    stored: Any = None  # moto's record of the accepted message
    message_id: str | None = None
    message_ids: tuple[str, ...] = ()  # one per destination for bulk sends, else (message_id,)
    delivered: list[dict[str, Any]] = field(default_factory=list)  # what landed in the mailbox
    #: templated sends: message id -> (rendered content, destination, data) of each destination that rendered
    rendered: dict[str, tuple[Rendered, dict[str, list[str]], str | None]] = field(default_factory=dict)
    outcomes: dict[str, Any] = field(default_factory=dict)  # recipient -> feedback Outcome (decide_outcomes)
    #: headers SES adds to the message it delivers, first in the header block (list management's unsubscribe)
    extra_headers: list[tuple[str, str]] = field(default_factory=list)


Stage = Callable[[Submission], None]


# -- stages ------------------------------------------------------------------------------------------------
def validate(sub: Submission) -> None:
    """Refuse what SES cannot send whatever the account's state: no sender, too big, too many recipients,
    a refused attachment, no template.

    - Size (Developer Guide, "Service quotas in Amazon SES": https://docs.aws.amazon.com/ses/latest/dg/quotas.html,
      checked 2026): at most 10 MB per message through the v1 API and 40 MB through the v2 API or SMTP,
      "after base64 encoding", counted here as :data:`SIZE_LIMITS` bytes of ``message.size`` (the raw MIME as
      sent, or for structured content the message SES would build,
      :func:`~sesbook.lab.ses.sending.message.built_size`). v1: ``InvalidParameterValue`` "Message length is
      more than 10485760 bytes long: 'N'." (observed in aws/aws-sdk-go-v2#1774; not documented). v2 and
      SMTP: the wording is not confirmed anywhere; the lab answers ``BadRequestException`` (v2) with the
      same sentence and the 40 MB figure.
    - Recipients: at most 50 per message, To, Cc and Bcc together (same page). v1 ``InvalidParameterValue``
      "Recipient count exceeds 50." (observed in doubleunion/arooo#243; SMTP answers the same words);
      v2 ``BadRequestException`` with the same words (v2 not confirmed).
    - Attachments (Developer Guide, "Unsupported attachment types",
      https://docs.aws.amazon.com/ses/latest/dg/attachments.html, checked 2026): a raw message (v1
      ``SendRawEmail``, v2 Raw content, SMTP) any of whose parts, at any depth (nested multiparts, attached
      ``message/rfc822`` messages), names a file ending in one of the 90 refused extensions, in any letter
      case, is refused: the ``Content-Disposition`` ``filename`` and the ``Content-Type`` ``name``, RFC 2231
      and encoded-word forms decoded (:func:`sesbook.facts.refused_attachment`, the client's check too).
      v1 and SMTP: ``MessageRejected`` (SMTP ``554 Message rejected: ...``); v2: ``MessageRejected`` (the
      error botocore's SESv2 model declares for "invalid content", HTTP 400). SES's exact sentence was not
      found; the words are the lab's.
    - Configuration set: one the send names (a parameter, or the ``X-SES-CONFIGURATION-SET`` header of a raw
      or SMTP message) must exist (API Reference, SendEmail errors, checked 2026): v1
      ``ConfigurationSetDoesNotExist``, v2 ``NotFoundException``; SMTP answers 554 (the lab's words).
    """
    message, backend = sub.message, sub.backend
    if message.configuration_set and message.configuration_set not in backend.config_sets:
        text = f"Configuration set <{message.configuration_set}> does not exist."
        raise WireError("NotFoundException", text) if message.api == "v2" else ConfigurationSetDoesNotExist(text)
    if message.raw is not None and message.source is None and message.header_from is None:
        raise MessageRejectedError("Source not specified")
    limit = SIZE_LIMITS[message.api]
    if message.size > limit:
        raise _invalid(message.api, f"Message length is more than {limit} bytes long: '{message.size}'.")
    if message.bulk:
        if len(message.bulk) > RECIPIENT_LIMIT or len(message.recipients) > RECIPIENT_LIMIT:
            raise BadRequestException("Too many destinations.") if message.api == "v2" else \
                MessageRejectedError("Too many destinations.")
    else:
        count = len(message.recipients)
        if message.raw is not None:  # moto counts the envelope and the headers' recipients together
            count = len(message.envelope) + len(message.header_to + message.header_cc + message.header_bcc)
        if count > RECIPIENT_LIMIT:
            raise _invalid(message.api, f"Recipient count exceeds {RECIPIENT_LIMIT}.")
    if message.raw is not None:
        refused = refused_attachment(email.message_from_string(message.raw, policy=email.policy.default))
        if refused is not None:
            name, ext = refused
            text = f"Unsupported attachment type: the file name '{name}' ends in {ext}, which SES does not accept."
            raise WireError("MessageRejected", text) if message.api == "v2" else MessageRejectedError(text)
    if message.template is not None and not backend.templates.get(message.template):
        text = f"Template ({message.template}) does not exist"
        raise WireError("NotFoundException", text) if message.api == "v2" else TemplateDoesNotExist(text)


def _invalid(api: str, text: str) -> Exception:
    return BadRequestException(text) if api == "v2" else InvalidParameterValue(text)


def check_identity_and_mail_from(sub: Submission) -> None:
    """The sender's identity gate: a MAIL FROM domain that is not working, with ``RejectMessage``, refuses."""
    check_mail_from(sub.backend, sub.message.sender)


def apply_sandbox_and_quotas(sub: Submission) -> None:
    """The account's rules (:func:`~sesbook.lab.ses.sending.sandbox.authorize_send`): refuse, or count the send."""
    try:
        sub.ticket = authorize_send(sub.backend, sub.message.sender, list(sub.message.recipients))
    except SendRefused as refused:
        # A call answered with an error is not a send: no Send, no Reject (SES's Reject is for a message it
        # accepted and then refused to send, a virus: the feedback stage counts that one).
        raise send_refused_error(refused, sub.message.api) from None


def accept(sub: Submission) -> None:
    """moto's own send method: its checks, its storage (GetSendStatistics), its message id (seeded draws)."""
    message, backend = sub.message, sub.backend
    if message.bulk:
        stored = backend.send_bulk_templated_email(message.source, message.template, message.template_data,
                                                   [dict(d) for d in message.bulk])
        sub.stored, sub.message_ids = stored, tuple(stored.ids)
        sub.message_id = sub.message_ids[0] if sub.message_ids else ""
        return
    if message.raw is not None:
        stored = backend.send_raw_email(message.source, list(message.envelope), message.raw)
    elif message.template is not None:
        stored = backend.send_templated_email(message.source, message.template, message.template_data,
                                              {k: list(v) for k, v in message.destination.items()})
    else:
        body = message.html if message.html is not None else message.text
        stored = backend.send_email(message.source, message.subject, body,
                                    {k: list(v) for k, v in message.destination.items()})
    sub.stored, sub.message_id, sub.message_ids = stored, stored.id, (stored.id,)


def _merged_data(default: str | None, replacement: str | None) -> str | None:
    """A bulk destination's data: its ``ReplacementTemplateData`` over the ``DefaultTemplateData``, key by key
    (SES: the default applies where a destination gives no value). Not JSON objects: the replacement as given."""
    if not replacement:
        return default
    try:
        base, over = json.loads(default or "{}"), json.loads(replacement)
    except ValueError:
        return replacement
    if not isinstance(base, dict) or not isinstance(over, dict):
        return replacement
    return json.dumps({**base, **over})


def render(sub: Submission) -> None:
    """Render templated sends, one rendering per destination (SES renders after it accepted the send).

    A template that cannot be rendered (:mod:`sesbook.lab.ses.templates.state`: a top-level variable the
    data lacks, data that is not a JSON object, a template Handlebars cannot parse) does not fail the
    send call: SES accepted it, then cannot deliver it. The message is not delivered and a record is kept
    in the backend's ``rendering_failures`` list (:func:`sesbook.lab.ses.templates.state.failures`).
    """
    message, backend = sub.message, sub.backend
    if message.template is None:
        return
    template = backend.templates.get(message.template) or {}
    if message.bulk:
        jobs = [(mid, destination(d.get("Destination")),
                 _merged_data(message.template_data, d.get("ReplacementTemplateData")))
                for mid, d in zip(sub.message_ids, message.bulk, strict=False)]
    else:
        jobs = [(sub.message_id or "", destination(message.destination), message.template_data)]
    for message_id, dest, data in jobs:
        try:
            sub.rendered[message_id] = (render_template(template, data), dest, data)
        except RenderError as exc:
            # Each record is one SES "Rendering Failure" event, published to the configuration set's
            # destinations by the feedback stage (feedback.stages.publish_rendering_failures).
            failures(backend).append({
                "MessageId": message_id, "Template": message.template, "Source": message.source,
                "Destination": dest, "Kind": exc.kind, "Error": exc.message, "Attribute": exc.attribute,
                "Api": message.api, "Operation": message.operation, "ConfigurationSet": message.configuration_set,
                "Tags": list(message.tags),
                "Timestamp": clock.now().isoformat(timespec="milliseconds"),
            })


def _date() -> str:
    return clock.now().strftime("%a, %d %b %Y %H:%M:%S +0000")


def add_tracking(sub: Submission) -> None:
    """Open and click tracking, when the configuration set asks for it, of every HTML mail: simple content,
    each rendered template (bulk: each destination's message, with its own id), and the text/html parts of
    raw and SMTP MIME (:func:`~sesbook.lab.ses.metrics.tracking.rewrite_mime`)."""
    message, backend = sub.message, sub.backend
    lab = current()
    if lab is None or lab.info is None or not tracking.tracking_wanted(backend, message.configuration_set):
        return
    base, config_set = lab.info.aws_endpoint, str(message.configuration_set)

    def token(message_id: str | None) -> str:
        return tracking.token_for(backend.region_name, config_set, str(message_id))

    if message.template is not None:
        for message_id, (rendered, dest, data) in list(sub.rendered.items()):
            if rendered.html is not None:
                tracked = tracking.rewrite(rendered.html, base, token(message_id))
                sub.rendered[message_id] = (replace(rendered, html=tracked), dest, data)
    elif message.raw is not None:
        raw = tracking.rewrite_mime(message.raw, base, token(sub.message_id))
        if raw != message.raw:
            text, html = mime_parts(email.message_from_string(raw, policy=email.policy.default))
            sub.message = replace(message, raw=raw, text=text, html=html)
    elif message.html is not None:
        sub.message = replace(message, html=tracking.rewrite(message.html, base, token(sub.message_id)))


def deliver(sub: Submission) -> None:
    """Put what was accepted in the lab mailbox (mail only to simulator addresses, and recipients the message
    was not delivered to, are not kept).

    Every record holds the LocalStack fields plus ``Api`` (``v1``, ``v2``, ``smtp``), ``RawData`` (the MIME
    as sent, or as SES builds it from structured or rendered content) and ``Attachments`` (file name,
    content type, size in bytes of each attached part). A templated message that failed to render is
    not delivered (see :func:`render`).
    """
    message, region = sub.message, sub.backend.region_name
    records: list[dict[str, Any]] = []
    if message.template is not None:
        for message_id, (rendered, dest, data) in sub.rendered.items():
            raw = rendered_mime(rendered, source=message.source, to=dest["ToAddresses"], cc=dest["CcAddresses"],
                                message_id=message_id, date=_date())
            records.append({
                "Id": message_id, "Region": region, "Source": message.source, "Destination": dest,
                "Subject": rendered.subject, "Body": {"text_part": rendered.text, "html_part": rendered.html},
                "Template": message.template, "TemplateData": data, "RawData": raw,
            })
    elif message.raw is not None:
        everyone = {parseaddr(a)[1].lower() for a in list(sub.stored.destinations or []) + list(message.envelope)
                    if parseaddr(a)[1]}
        shown = {a.lower() for a in message.header_to + message.header_cc}
        records.append({
            "Id": sub.message_id, "Region": region,
            "Source": message.source or parseaddr(message.header_from or "")[1],
            "Destination": {"ToAddresses": list(message.header_to), "CcAddresses": list(message.header_cc),
                            "BccAddresses": sorted(everyone - shown)},
            "Subject": message.subject, "Body": {"text_part": message.text, "html_part": message.html},
            "RawData": message.raw,
        })
    else:
        dest = destination(message.destination)
        simple = Rendered(message.subject or "", message.text, message.html)
        records.append({
            "Id": sub.message_id, "Region": region, "Source": message.source,
            "Destination": dest, "Subject": message.subject,
            "Body": {"text_part": message.text, "html_part": message.html},
            "RawData": rendered_mime(simple, source=message.source, to=dest["ToAddresses"], cc=dest["CcAddresses"],
                                     message_id=sub.message_id, date=_date()),
        })
    from sesbook.lab.ses.receiving.engine import deliver_sent

    undelivered = {a.lower() for a, outcome in sub.outcomes.items() if not outcome.delivered}
    for record in records:
        dest = record.get("Destination") or {}
        record["Destination"] = {k: [a for a in v or [] if (parseaddr(a)[1] or a).lower() not in undelivered]
                                 for k, v in dest.items()}
        record["Api"] = message.api
        # kept for the Open and Click events a tracked message raises later (feedback.stages.publish_engagement)
        record["Operation"], record["Tags"] = message.operation, [list(tag) for tag in message.tags]
        if sub.extra_headers and record.get("RawData"):
            record["RawData"] = with_headers(record["RawData"], sub.extra_headers)
        record["Attachments"] = attachments(record["RawData"]) if record.get("RawData") else []
        kept = mailbox.deliver(record, count_raw=message.raw is not None)
        if kept is not None:
            sub.delivered.append(kept)
        deliver_sent(record, region)


def count_metrics(sub: Submission) -> None:
    """Count the accepted send: ``Send`` once per recipient (as the quota and ``DeliveryAttempts`` count),
    with the configuration set's dimension when one was used. Mail to the mailbox simulator counts in the
    statistics and metrics but not toward the reputation rates (:mod:`sesbook.lab.ses.metrics.state`).

    Feedback stages (simulator, events) call ``metrics.record(backend, "Delivery" | "Bounce" | "Complaint", ...)``
    themselves, with ``reputation=False`` for simulator recipients.
    """
    recipients = sub.message.recipients
    simulated = sum(1 for r in recipients if is_simulator(r))
    config = sub.message.configuration_set
    metrics.record(sub.backend, "Send", count=len(recipients) - simulated, configuration_set=config)
    metrics.record(sub.backend, "Send", count=simulated, configuration_set=config, reputation=False)


#: The pipeline, in order. Adding a capability (suppression, events, metrics) is adding a function here.
STAGES: tuple[Stage, ...] = (
    validate,
    check_list_management,
    check_identity_and_mail_from,
    apply_sandbox_and_quotas,
    accept,
    count_metrics,  # right after accept: the Send is counted before any Delivery, Bounce or Complaint of it
    render,
    decide_outcomes,
    apply_list_management,
    add_tracking,
    deliver,
    publish_feedback,
)


def run(backend: Any, message: OutboundMessage) -> Submission:
    """Run every stage on ``message``; return what they made (ids, stored record, what was delivered)."""
    sub = Submission(backend, message)
    try:
        for stage in STAGES:
            stage(sub)
    except BaseException:
        if sub.ticket is not None and sub.message_id is None:
            release(backend, sub.ticket)  # counted, then refused before acceptance: not a send
        raise
    return sub


def submit(backend: Any, message: OutboundMessage) -> str:
    """Send ``message`` through the pipeline and return the message id SES would answer with.

    ``backend`` is moto's SES v1 backend of the account and region (``ses_backends[account][region]``).
    Raises SES's wire errors (codes for ``message.api``); a refusal by the account's rules carries ``kind``.
    """
    sub = run(backend, message)
    assert sub.message_id is not None
    return sub.message_id
