"""The lab's one send pipeline: every send (SES v1 and v2 APIs, SMTP submission) runs the same stages.

A send builds one :class:`~sesbook.lab.ses.sending.message.OutboundMessage` and calls :func:`submit`
(the API actions in :mod:`.wire` do; the SMTP submission server will). :data:`STAGES` runs in this order:

1. :func:`validate` — the message can be sent at all: a sender, at most 10 MB (v1) or 40 MB (v2, SMTP),
   at most 50 recipients, the template exists;
2. :func:`check_identity_and_mail_from` — a custom MAIL FROM with ``RejectMessage`` must be working;
3. (suppression: not yet)
4. :func:`apply_sandbox_and_quotas` — sending on, verified sender (and recipients in the sandbox), the
   daily quota and the rate; counts the send (:mod:`.sandbox`);
5. :func:`accept` — moto's own send method stores the message and draws its id (in SES's shape, two
   seeded draws per message: :mod:`sesbook.lab.ses.responses`; nothing else draws, so seeded labs repeat);
5b. :func:`add_tracking` — when the configuration set asks for open and click tracking, the HTML part's links
   pass through the lab and an open pixel is added (:mod:`sesbook.lab.ses.metrics.tracking`);
6. :func:`deliver` — the lab mailbox keeps mail for outside addresses (later: the simulator's answers,
   domains the lab receives for);
7. (events and notifications: not yet);
8. :func:`count_metrics` — counts the send (``Send``, per recipient) in the lab's sending statistics and
   the ``AWS/SES`` CloudWatch metrics (:mod:`sesbook.lab.ses.metrics`). The feedback stages count
   ``Delivery``, ``Bounce`` and ``Complaint`` themselves with the same ``record``. A refusal by the account's
   rules for an unverified address (``MessageRejected``) counts a ``Reject``.

A new capability is a new function in :data:`STAGES`, never another wrapper of moto's send methods:
no ``SESBackend`` send method is wrapped at all (the send actions are replaced once, in :mod:`.wire`).
If a stage fails after the sandbox counted the send and before moto accepted it, the count is given back.
Errors are SES's wire errors, with the codes of ``message.api`` (:data:`sesbook.lab.ses.errors.CODES`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from email.utils import parseaddr
from typing import Any

from moto.ses.exceptions import InvalidParameterValue, MessageRejectedError, TemplateDoesNotExist

from sesbook.facts import is_simulator
from sesbook.lab import current, mailbox
from sesbook.lab.ses.errors import BadRequestException, SendRefused, WireError, send_refused_error
from sesbook.lab.ses.identities.mailfrom import check_mail_from
from sesbook.lab.ses.metrics import state as metrics
from sesbook.lab.ses.metrics import tracking
from sesbook.lab.ses.sending.message import OutboundMessage, destination
from sesbook.lab.ses.sending.sandbox import SendTicket, authorize_send, release

#: SES's limit of recipients per message (and of destinations per bulk send), as moto 5.2.5 keeps it.
RECIPIENT_LIMIT = 50
#: The largest message SES takes, in bytes after base64 encoding, per API (Developer Guide, "Service quotas
#: in Amazon SES"): 10 MB through v1, 40 MB through v2 and SMTP (MiB: the v1 error says 10485760).
SIZE_LIMITS = {"v1": 10 * 1024 * 1024, "v2": 40 * 1024 * 1024, "smtp": 40 * 1024 * 1024}


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


Stage = Callable[[Submission], None]


# -- stages ------------------------------------------------------------------------------------------------
def validate(sub: Submission) -> None:
    """Refuse what SES cannot send whatever the account's state: no sender, too big, too many recipients,
    no template.

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
    """
    message, backend = sub.message, sub.backend
    if message.raw is not None and message.source is None and message.header_from is None:
        raise MessageRejectedError("Source not specified")
    limit = SIZE_LIMITS[message.api]
    if message.size > limit:
        raise _invalid(message.api, f"Message length is more than {limit} bytes long: '{message.size}'.")
    if message.bulk:
        if len(message.bulk) > RECIPIENT_LIMIT or len(message.recipients) > RECIPIENT_LIMIT:
            raise MessageRejectedError("Too many destinations.")
    else:
        count = len(message.recipients)
        if message.raw is not None:  # moto counts the envelope and the headers' recipients together
            count = len(message.envelope) + len(message.header_to + message.header_cc + message.header_bcc)
        if count > RECIPIENT_LIMIT:
            raise _invalid(message.api, f"Recipient count exceeds {RECIPIENT_LIMIT}.")
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
        sub.backend.rejected_messages_count += 1
        if refused.kind == "unverified":  # SES rejected the message: a Reject in the statistics and metrics
            metrics.record(sub.backend, "Reject", configuration_set=sub.message.configuration_set)
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


def add_tracking(sub: Submission) -> None:
    """Open and click tracking for simple sends with HTML, when the configuration set asks for it."""
    message, backend = sub.message, sub.backend
    lab = current()
    if message.html is None or message.raw is not None or lab is None or lab.info is None \
            or not tracking.tracking_wanted(backend, message.configuration_set):
        return
    token = tracking.token_for(backend.region_name, str(message.configuration_set), str(sub.message_id))
    sub.message = replace(message, html=tracking.rewrite(message.html, lab.info.aws_endpoint, token))


def deliver(sub: Submission) -> None:
    """Put what was accepted in the lab mailbox (mail only to simulator addresses is not kept)."""
    message, region = sub.message, sub.backend.region_name
    records: list[dict[str, Any]] = []
    if message.bulk:
        for message_id, dest in zip(sub.message_ids, message.bulk, strict=False):
            records.append({
                "Id": message_id, "Region": region, "Source": message.source,
                "Destination": destination(dest.get("Destination")), "Subject": None,
                "Body": {"text_part": None, "html_part": None}, "Template": message.template,
                "TemplateData": dest.get("ReplacementTemplateData") or message.template_data,
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
    elif message.template is not None:
        records.append({
            "Id": sub.message_id, "Region": region, "Source": message.source,
            "Destination": destination(message.destination), "Subject": None,
            "Body": {"text_part": None, "html_part": None},
            "Template": message.template, "TemplateData": message.template_data,
        })
    else:
        records.append({
            "Id": sub.message_id, "Region": region, "Source": message.source,
            "Destination": destination(message.destination), "Subject": message.subject,
            "Body": {"text_part": message.text, "html_part": message.html},
        })
    for record in records:
        kept = mailbox.deliver(record)
        if kept is not None:
            sub.delivered.append(kept)


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
    check_identity_and_mail_from,
    apply_sandbox_and_quotas,
    accept,
    add_tracking,
    deliver,
    count_metrics,  # keep last: it counts what was accepted
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
