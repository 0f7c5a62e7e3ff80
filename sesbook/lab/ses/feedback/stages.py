"""The send pipeline's feedback stages (:mod:`sesbook.lab.ses.sending.pipeline` lists them in ``STAGES``).

1. :func:`decide_outcomes`, right after ``accept``: what happens to each recipient
   (:mod:`.outcomes`): a virus (the EICAR test string) rejects the whole message (a Reject event, no
   delivery: "Amazon SES accepted the email, but determined that it contained a virus"); an address on the
   account's suppression list whose reason is among the send's suppression reasons (the configuration
   set's, else the account's) bounces Permanent/OnAccountSuppressionList, while one listed for another
   reason is sent to (Developer Guide, "Using the Amazon SES account-level suppression list", checked
   2026); the mailbox simulator answers as
   its addresses say; an outcome scripted for an address through ``/_sesbook/feedback/outcomes`` applies;
   everything else is delivered. ``deliver`` then keeps only delivered recipients in the lab mailbox.
2. :func:`publish_feedback`, after ``deliver``: for each message, the identity notifications (to the
   topics of the identity that covers the sender, :func:`.state.sending_identity`), the events of the
   configuration set (the send's, else the identity's default set) to each enabled destination that
   matches, and the account suppression list:
   a hard bounce or a complaint of an ordinary address adds it when the reason is among the configured
   ones (:func:`.state.auto_reasons`). Mailbox simulator addresses are never added.
   Rendering failures that the template stage recorded on the backend (``templates.state.failures``,
   when present) become Rendering Failure events here; such a message was never sent, so it has no
   Delivery (nor any other event or metric besides the Send its request counted).

   The metrics and the events agree: every message counted as a ``Send`` metric gets a ``Send`` event
   (the send call succeeded and SES accepted the message), then what became of it: a Delivery, Bounce,
   Complaint…, a ``Reject`` (a virus) or a ``Rendering Failure``. SES defines the Send event as "the send
   request was successful" and the Reject event as mail SES "accepted", then found a virus in, and a
   Rendering Failure as mail it "wasn't sent" because of the template (Developer Guide, "Monitor email
   sending using Amazon SES event publishing" and the ``EventDestination`` ``MatchingEventTypes`` reference,
   checked 2026); its documented example Send, Reject and Rendering Failure records carry one and the same
   message id. The documentation does not say in words that a Reject follows a Send event.

Event destinations: SNS topics receive the JSON as a string; CloudWatch destinations get one data point
(value 1, namespace ``AWS/SES``, the event type as metric name, the set's dimensions: message tag, email
header or the default value) in moto's CloudWatch, readable with ``GetMetricStatistics``; Kinesis Data
Firehose, EventBridge and Pinpoint destinations are stored and shown but receive nothing (the lab runs no
stream, bus or Pinpoint project). Email feedback forwarding (:mod:`.forwarding`): while the sending
identity forwards feedback (the default), each bounce is mailed as a DSN and each complaint as an ARF report
to the send's Return-Path (else the sender), and the simulator's ``ooto@`` address answers with an
out-of-office auto reply; that mail lands in the lab mailbox marked as SES's own feedback mail, listed only
when asked (``/_aws/ses?feedback=1``), so readers of the sent mail see what they saw before.
DeliveryDelay events come only for addresses scripted with the ``delay`` outcome (then delivered). Open and
Click events come when someone fetches the tracking pixel or follows a tracked link
(:mod:`sesbook.lab.ses.metrics.tracking`); a Subscription event when someone follows the unsubscribe link of a
message sent with v2 ``ListManagementOptions`` (:mod:`sesbook.lab.ses.contacts`, through :func:`publish_event`).
A v2 send to a contact who unsubscribed bounces (Permanent/General, reported by SES itself) without counting
toward the Bounce metric or reputation and without a suppression list entry.

Not produced: Subscription events from SES's unsubscribe landing page (topic choices; the lab has none), from
``UpdateContact`` calls (SES publishes none for them either, as far as its documentation says), and
Kinesis Data Firehose / EventBridge / Pinpoint deliveries of any event.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from sesbook.facts import is_simulator
from sesbook.lab import ACCOUNT_ID, clock
from sesbook.lab.registry import state as lab_state
from sesbook.lab.ses.feedback import forwarding, outcomes, payloads
from sesbook.lab.ses.feedback import state as st
from sesbook.lab.ses.feedback.outcomes import Outcome
from sesbook.lab.ses.metrics import state as metrics
from sesbook.lab.ses.metrics import tracking

log = logging.getLogger("sesbook")

#: The EICAR anti-virus test string: a message that contains it is rejected as carrying a virus.
EICAR = r"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
REJECTED = Outcome("reject", False)
REJECT_REASON = "Bad content"


@dataclass
class Sent:
    """One accepted message as the payloads describe it."""

    message_id: str
    at: float
    source: str | None
    source_arn: str
    destination: list[str]
    operation: str
    configuration_set: str | None
    tags: tuple[tuple[str, str], ...]
    headers: list[dict[str, str]] = field(default_factory=list)


def _bare(address: str) -> str:
    return parseaddr(address)[1] or address


# -- stage 1 -----------------------------------------------------------------------------------------------
def decide_outcomes(sub: Any) -> None:
    """Decide each recipient's outcome (``sub.outcomes``: address -> :class:`~.outcomes.Outcome`)."""
    message, backend = sub.message, sub.backend
    recipients = [_bare(r) for r in message.recipients]
    if any(EICAR in (part or "") for part in (message.raw, message.text, message.html)):
        sub.outcomes = dict.fromkeys(recipients, REJECTED)
        return
    script = st.scripted(backend)
    _, record = st.sending_identity(backend, message.sender)
    reasons = st.auto_reasons(backend, message.configuration_set or getattr(record, "configuration_set_name", None))
    found: dict[str, Outcome] = {}
    for address in recipients:
        simulated = outcomes.simulator_outcome(address)
        entry = st.suppressed(backend, address)
        if entry is not None and entry["Reason"] in reasons:  # checked before any delivery attempt
            found[address] = outcomes.on_account_list()
        elif simulated is not None:
            found[address] = simulated
        else:
            found[address] = outcomes.SCRIPTED.get(script.get(address.lower(), ""), outcomes.DELIVERED)
    sub.outcomes = found


# -- stage 2 -----------------------------------------------------------------------------------------------
def _units(sub: Any) -> list[tuple[str, list[str], tuple[tuple[str, str], ...]]]:
    """(message id, its recipients, its tags) for each message the send made (bulk sends make several)."""
    message = sub.message
    if message.bulk:
        units = []
        for message_id, dest in zip(sub.message_ids, message.bulk, strict=False):
            given = dest.get("Destination") or {}
            recips = [_bare(a) for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in given.get(key) or []]
            extra = tuple((str(t.get("Name")), str(t.get("Value"))) for t in dest.get("ReplacementTags") or [])
            units.append((message_id, recips, message.tags + extra))
        return units
    return [(sub.message_id, [_bare(r) for r in message.recipients], message.tags)]


def publish_feedback(sub: Any) -> None:
    """Publish what the outcomes mean (see the module docstring); never fails the send."""
    backend, message = sub.backend, sub.message
    name, record = st.sending_identity(backend, message.sender)
    if name is None:
        name = (_bare(message.sender or "")).rpartition("@")[2]
    config_set = message.configuration_set or (getattr(record, "configuration_set_name", None) if record else None)
    arn = f"arn:aws:ses:{backend.region_name}:{ACCOUNT_ID}:identity/{name}"
    found: dict[str, Outcome] = getattr(sub, "outcomes", {}) or {}
    now = clock.time_s()
    unrendered = set() if message.template is None else {m for m, _, _ in _units(sub)} - set(sub.rendered)
    forward_to = forwarding.destination(message) if record is not None and record.feedback_forwarding_status else None
    for message_id, recipients, tags in _units(sub):
        if not message_id:
            continue
        sent = Sent(message_id, now, message.source or message.header_from, arn, recipients, message.operation,
                    config_set, tags)
        if message_id in unrendered:  # accepted (a Send), then not rendered: its Rendering Failure follows
            _event(backend, sent, "SEND", {})
            continue
        try:
            sent.headers = payloads.headers_of(message, message_id, recipients, now)
            _publish_one(backend, record, sent, {r: found.get(r, outcomes.DELIVERED) for r in recipients}, now,
                         forward_to=forward_to)
        except Exception:  # noqa: BLE001 - the message was accepted: SES answers with its id whatever feedback does
            log.exception("lab: feedback for message %s failed; the send stands", message_id)
    publish_rendering_failures(backend)


def _count(backend: Any, sent: Sent, metric: str, recipients: list[str]) -> None:
    """The ``AWS/SES`` metric for these recipients (:func:`sesbook.lab.ses.metrics.state.record`): simulator
    recipients count in the metrics but not toward the reputation rates, as SES counts them."""
    simulated = sum(1 for r in recipients if is_simulator(r))
    metrics.record(backend, metric, count=len(recipients) - simulated, configuration_set=sent.configuration_set)
    metrics.record(backend, metric, count=simulated, configuration_set=sent.configuration_set, reputation=False)


def _publish_one(backend: Any, record: Any, sent: Sent, found: dict[str, Outcome], now: float, *,
                 forward_to: str | None = None) -> None:
    _event(backend, sent, "SEND", {})  # SES accepted the message: every message counted as a Send has one
    if any(o.kind == "reject" for o in found.values()):
        _event(backend, sent, "REJECT", {"reason": REJECT_REASON})
        _count(backend, sent, "Reject", list(found))
        return
    delayed = [(r, o) for r, o in found.items() if o.kind == "delay"]
    if delayed:
        _count(backend, sent, "DeliveryDelay", [r for r, _ in delayed])
        _event(backend, sent, "DELIVERY_DELAY", {
            "timestamp": payloads.iso(now), "delayType": "TransientCommunicationFailure",
            "expirationTime": payloads.iso(now + 24 * 3600), "reportingMTA": outcomes.OUTBOUND_MTA,
            "delayedRecipients": [{"emailAddress": r, "status": o.status, "diagnosticCode": o.diagnostic}
                                  for r, o in delayed]})
    delivered = [r for r, o in found.items() if o.delivered]
    if delivered:
        doc = payloads.delivery_object(sent, delivered, now)
        _count(backend, sent, "Delivery", delivered)
        _notify(backend, record, sent, "Delivery", None, delivered, now)
        _event(backend, sent, "DELIVERY", doc)
    groups: dict[tuple[str, Outcome], list[str]] = {}
    for recipient, outcome in found.items():
        if outcome.kind in ("bounce", "ooto", "unsubscribed"):
            groups.setdefault(("Bounce", outcome), []).append(recipient)
        elif outcome.kind == "complaint":
            groups.setdefault(("Complaint", outcome), []).append(recipient)
    reasons = st.auto_reasons(backend, sent.configuration_set)
    for (kind, outcome), recipients in groups.items():
        body = payloads.body_of(kind, sent, outcome, recipients, now)
        if kind == "Complaint" or outcome.hard_bounce:  # SES's Bounce metric counts hard bounces only
            _count(backend, sent, kind, recipients)
        _notify(backend, record, sent, kind, outcome, recipients, now)
        _event(backend, sent, kind.upper(), body)
        if forward_to:
            _forward(backend, sent, kind, outcome, recipients, forward_to, now)
        reason = "COMPLAINT" if kind == "Complaint" else "BOUNCE"
        if (outcome.hard_bounce or kind == "Complaint") and reason in reasons and not outcome.simulator:
            for recipient in recipients:
                if outcome.bounce_subtype != "OnAccountSuppressionList" and not is_simulator(recipient):
                    st.suppress(backend, recipient, reason, message_id=sent.message_id,
                                feedback_id=body.get("feedbackId"))


def _forward(backend: Any, sent: Sent, kind: str, outcome: Outcome, recipients: list[str], to: str,
             now: float) -> None:
    """Email feedback forwarding (:mod:`.forwarding`): the DSN, the complaint report, or the auto replies,
    into the lab mailbox as SES's own feedback mail. Never counted, never added to a list."""
    from sesbook.lab import mailbox

    if outcome.kind == "ooto":
        mails = [("auto-reply", [r], *forwarding.auto_reply(sent, r, to, now)) for r in recipients]
    elif kind == "Complaint":
        mails = [("complaint", recipients, *forwarding.complaint_mail(sent, outcome, recipients, to, now))]
    else:
        mails = [("bounce", recipients, *forwarding.bounce_mail(sent, outcome, recipients, to, now))]
    for label, about, mail_id, mail in mails:
        mailbox.deliver(forwarding.record(mail_id, label, mail, region=backend.region_name,
                                          original=sent.message_id, recipients=about))


def _notify(backend: Any, record: Any, sent: Sent, kind: str, outcome: Outcome | None, recipients: list[str],
            now: float) -> None:
    if record is None:
        return
    settings = st.notifications(record)
    topic = settings.topics.get(kind)
    if topic:
        doc = payloads.notification(kind, sent, outcome, recipients, now, with_headers=settings.headers[kind])
        publish_sns(backend, topic, doc)


def _event(backend: Any, sent: Sent, event_type: str, body: dict[str, Any] | None, *, key: str | None = None) -> None:
    destinations = st.matching(backend, sent.configuration_set, event_type)
    if not destinations:
        return
    doc = payloads.event(st.EVENT_TYPES[event_type][1], sent, body, key=key)
    for destination in destinations:
        if destination.get("SnsDestination"):
            publish_sns(backend, destination["SnsDestination"].get("TopicArn", ""), doc)
        elif destination.get("CloudWatchDestination"):
            put_metric(backend, destination["CloudWatchDestination"], doc)


def sent_for(backend: Any, message: Any, message_id: str, at: float) -> Sent:
    """The :class:`Sent` record of one accepted (non-bulk) message, as :func:`publish_feedback` builds it."""
    name, record = st.sending_identity(backend, message.sender)
    if name is None:
        name = (_bare(message.sender or "")).rpartition("@")[2]
    config_set = message.configuration_set or (getattr(record, "configuration_set_name", None) if record else None)
    recipients = [_bare(r) for r in message.recipients]
    sent = Sent(message_id, at, message.source or message.header_from,
                f"arn:aws:ses:{backend.region_name}:{ACCOUNT_ID}:identity/{name}", recipients, message.operation,
                config_set, message.tags)
    sent.headers = payloads.headers_of(message, message_id, recipients, at)
    return sent


def publish_event(backend: Any, sent: Sent, event_type: str, body: dict[str, Any], *, key: str | None = None) -> None:
    """One event (SESv2 type name, e.g. ``SUBSCRIPTION``) to the set's matching destinations."""
    _event(backend, sent, event_type, body, key=key)


def publish_sns(backend: Any, topic_arn: str, doc: dict[str, Any]) -> None:
    """Publish ``doc`` as a JSON string (the SNS envelope's ``Message`` is a string, as from SES)."""
    from moto.sns.models import sns_backends

    try:
        region = topic_arn.split(":")[3]
        sns_backends[ACCOUNT_ID][region].publish(json.dumps(doc), arn=topic_arn)
    except Exception as exc:  # noqa: BLE001 - SES drops a notification it cannot publish; the send stands
        log.warning("lab: could not publish SES feedback to %s (%s); SES would drop it too", topic_arn, exc)


def put_metric(backend: Any, destination: dict[str, Any], doc: dict[str, Any]) -> None:
    """One CloudWatch data point for an event, with the destination's dimensions."""
    from moto.cloudwatch.models import cloudwatch_backends

    tags = doc["mail"].get("tags") or {}
    headers = {h["name"].lower(): h["value"] for h in doc["mail"].get("headers") or []}
    dimensions = []
    for dim in destination.get("DimensionConfigurations") or []:
        name, source = dim.get("DimensionName", ""), str(dim.get("DimensionValueSource", "")).upper()
        value = None
        if source in ("MESSAGE_TAG", "MESSAGETAG"):
            value = (tags.get(name) or [None])[0]
        elif source in ("EMAIL_HEADER", "EMAILHEADER"):
            value = headers.get(name.lower())
        dimensions.append({"Name": name, "Value": value or dim.get("DefaultDimensionValue", "")})
    metric = doc["eventType"].replace(" ", "")
    try:
        cloudwatch_backends[ACCOUNT_ID][backend.region_name].put_metric_data(
            "AWS/SES", [{"MetricName": metric, "Value": 1.0, "Unit": "Count", "Dimensions": dimensions,
                         "Timestamp": clock.now()}])
    except Exception as exc:  # noqa: BLE001 - a metric SES cannot put does not fail the send
        log.warning("lab: could not put the SES metric %s (%s)", metric, exc)


# -- rendering failures recorded by the template stage ----------------------------------------------------------
def publish_rendering_failures(backend: Any) -> None:
    """Rendering Failure events for the render stage's failures (:func:`sesbook.lab.ses.templates.state.failures`)
    not published yet.

    Each entry is the render stage's record (its keys are listed on ``failures``).
    """
    from sesbook.lab.ses.templates.state import failures as rendering_failures

    failures = rendering_failures(backend)
    if not failures:
        return
    seen = lab_state(backend, "rendering_failures_published", lambda: [0])
    for entry in list(failures)[seen[0]:]:
        seen[0] += 1
        config_set = entry.get("ConfigurationSet")
        metrics.record(backend, "RenderingFailure", configuration_set=config_set)
        if not config_set:  # events go to the identity's default set, as the message's Send event did
            _, identity = st.sending_identity(backend, entry.get("Source"))
            config_set = getattr(identity, "configuration_set_name", None) if identity is not None else None
        if not config_set:
            continue
        dest = entry.get("Destination") or {}
        recipients = [a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in dest.get(key) or []]
        source = entry.get("Source") or ""
        domain = _bare(source).rpartition("@")[2]
        sent = Sent(str(entry.get("MessageId") or ""), clock.time_s(), source,
                    f"arn:aws:ses:{backend.region_name}:{ACCOUNT_ID}:identity/{domain}",
                    [_bare(a) for a in recipients], str(entry.get("Operation") or "SendTemplatedEmail"), config_set,
                    tuple((str(n), str(v)) for n, v in entry.get("Tags") or ()))
        body = {"errorMessage": str(entry.get("Error") or ""), "templateName": str(entry.get("Template") or "")}
        _event(backend, sent, "RENDERING_FAILURE", body, key="failure")


def publish_engagement(backend: Any, token: dict[str, str], kind: str, details: dict[str, str]) -> None:
    """An ``Open`` or ``Click`` event (SES's event-publishing shape: ``open`` / ``click`` with ``ipAddress``,
    ``timestamp``, ``userAgent``, and for a click ``link`` and ``linkTags``) for the message a tracking link
    belongs to, to the configuration set's destinations that match. Called by the lab's tracking route
    (:data:`sesbook.lab.ses.metrics.tracking.ENGAGEMENT_HOOKS`); the message is looked up in the lab mailbox."""
    from sesbook.lab import mailbox

    found = mailbox.select(id=token["m"])
    if not found:
        log.info("lab: %s of message %s, which the mailbox no longer holds: no event", kind, token["m"])
        return
    kept = found[0]
    dest = kept.get("Destination") or {}
    recipients = [a for key in ("ToAddresses", "CcAddresses", "BccAddresses") for a in dest.get(key) or []]
    source = str(kept.get("Source") or "")
    domain = _bare(source).rpartition("@")[2]
    now = clock.time_s()
    sent = Sent(token["m"], now, source, f"arn:aws:ses:{backend.region_name}:{ACCOUNT_ID}:identity/{domain}",
                [_bare(a) for a in recipients], str(kept.get("Operation") or "SendEmail"), token["c"],
                tuple((str(name), str(value)) for name, value in kept.get("Tags") or ()))
    body: dict[str, Any] = {"ipAddress": details.get("ipAddress", ""), "timestamp": payloads.iso(now),
                            "userAgent": details.get("userAgent", "")}
    if kind == "click":
        body.update({"link": details.get("link", ""), "linkTags": {}})
    _event(backend, sent, kind.upper(), body)


tracking.ENGAGEMENT_HOOKS.append(publish_engagement)
