"""What the account configured for feedback, and the rules SES applies to it (the actions are in :mod:`.wire`).

Identity notifications (SES Developer Guide, "Receiving Amazon SES notifications using Amazon SNS":
https://docs.aws.amazon.com/ses/latest/dg/monitor-sending-activity-using-notifications-sns.html, and
"email feedback forwarding": .../monitor-sending-activity-using-notifications-email.html, checked 2026):

- each identity has up to three SNS topics (Bounce, Complaint, Delivery), a switch per type to include the
  original headers, and email feedback forwarding (on for every new identity);
- forwarding can be turned off only while both a Bounce and a Complaint topic are set, and neither topic
  can be removed while it is off (SES answers ``InvalidParameterValue``; the lab's wording is its own);
- a send uses the settings of the most specific identity that covers the sender: the address identity
  over its domain's (SES: an address identity's settings override the domain's), then parent domains.

The settings live on moto's own identity object, so deleting the identity deletes them, as in SES; the
forwarding switch is moto's ``feedback_forwarding_status`` (which GetEmailIdentity shows), made ``True``
for new identities by :mod:`.wire`.

The account suppression list (SESv2; "Using the Amazon SES account-level suppression list":
https://docs.aws.amazon.com/ses/latest/dg/sending-email-suppression-list.html, checked 2026), per account
and region: addresses with reason BOUNCE or COMPLAINT, their time and the message and feedback ids that put
them there. ``SuppressedReasons`` (new accounts: both) says which events add an address automatically;
a configuration set's ``SuppressionOptions``, when given, replaces the account's reasons for its sends.
The same reasons decide at send time: a listed address is not sent to only when its entry's reason is
among them (a BOUNCE entry while only COMPLAINT is configured is sent to).
Whether an address is on the list is decided ignoring letter case.

Configuration set event destinations (v1 and v2; "Creating Amazon SES event destinations":
https://docs.aws.amazon.com/ses/latest/dg/event-destinations-manage.html, checked 2026): any number per
set, each with a unique name within the set, enabled or not, matching event types, and one destination.
They are kept here in the SESv2 shape; :mod:`.wire` converts the v1 spelling both ways.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from email.utils import parseaddr
from typing import Any

from moto.ses.exceptions import InvalidParameterValue

from sesbook.lab import clock
from sesbook.lab.registry import account_field, state
from sesbook.lab.ses.identities.state import identity_names_for

NOTIFICATION_TYPES = ("Bounce", "Complaint", "Delivery")
REASONS = ("BOUNCE", "COMPLAINT")
#: Event types, SESv2 spelling -> SES v1 spelling -> the ``eventType`` in payloads.
EVENT_TYPES = {
    "SEND": ("send", "Send"), "REJECT": ("reject", "Reject"), "BOUNCE": ("bounce", "Bounce"),
    "COMPLAINT": ("complaint", "Complaint"), "DELIVERY": ("delivery", "Delivery"), "OPEN": ("open", "Open"),
    "CLICK": ("click", "Click"), "RENDERING_FAILURE": ("renderingFailure", "Rendering Failure"),
    "DELIVERY_DELAY": ("deliveryDelay", "DeliveryDelay"), "SUBSCRIPTION": ("subscription", "Subscription"),
}
V1_EVENT_TYPES = {v1: v2 for v2, (v1, _) in EVENT_TYPES.items()}
lock = threading.RLock()


# -- identity notifications ----------------------------------------------------------------------------------
@dataclass
class Notifications:
    """One identity's notification settings (forwarding is moto's ``feedback_forwarding_status``)."""

    topics: dict[str, str] = field(default_factory=dict)
    headers: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(NOTIFICATION_TYPES, False))


def identity_record(backend: Any, identity: str) -> Any:
    """moto's record of ``identity`` (addresses exactly, domains in any case), or None."""
    found = backend.email_identities.get(identity)
    if found is None and "@" not in identity:
        found = backend.email_identities.get(identity.lower().rstrip("."))
    return found


def _require(backend: Any, identity: str) -> Any:
    record = identity_record(backend, identity or "")
    if record is None:
        raise InvalidParameterValue(
            f"Identity <{identity}> does not exist in this account and region: verify it first.")
    return record


def notifications(record: Any) -> Notifications:
    """The settings kept on moto's identity record (made on first use)."""
    found = record.__dict__.get("_sesbook_notifications")
    if found is None:
        found = record.__dict__["_sesbook_notifications"] = Notifications()
    return found


def _check_type(kind: str) -> None:
    if kind not in NOTIFICATION_TYPES:
        raise InvalidParameterValue(f"NotificationType {kind!r} is not valid: use Bounce, Complaint or Delivery.")


def set_topic(backend: Any, identity: str, kind: str, topic_arn: str | None) -> None:
    """SetIdentityNotificationTopic: ``topic_arn`` None (or empty) removes the topic."""
    _check_type(kind)
    record = _require(backend, identity)
    with lock:
        settings = notifications(record)
        if topic_arn:
            from moto.sns.models import sns_backends

            topics = sns_backends[backend.account_id][backend.region_name].topics
            if topic_arn not in topics:
                raise InvalidParameterValue(
                    f"SNS topic <{topic_arn}> does not exist in region {backend.region_name}: create it first "
                    "(an identity's topics must be in the identity's region)."
                )
            settings.topics[kind] = topic_arn
            return
        if kind in ("Bounce", "Complaint") and not record.feedback_forwarding_status:
            raise InvalidParameterValue(
                f"Cannot remove the {kind} topic of <{identity}> while email feedback forwarding is off: bounces "
                "and complaints would go nowhere. Turn forwarding on first (SetIdentityFeedbackForwardingEnabled)."
            )
        settings.topics.pop(kind, None)


def set_forwarding(backend: Any, identity: str, enabled: bool) -> None:
    """SetIdentityFeedbackForwardingEnabled / PutEmailIdentityFeedbackAttributes."""
    record = _require(backend, identity)
    with lock:
        topics = notifications(record).topics
        if not enabled and not ("Bounce" in topics and "Complaint" in topics):
            raise InvalidParameterValue(
                f"Feedback forwarding for <{identity}> can be turned off only when both a Bounce and a Complaint "
                "SNS topic are set: set them first (SetIdentityNotificationTopic)."
            )
        record.feedback_forwarding_status = bool(enabled)


def set_headers(backend: Any, identity: str, kind: str, enabled: bool) -> None:
    """SetIdentityHeadersInNotificationsEnabled."""
    _check_type(kind)
    record = _require(backend, identity)
    with lock:
        notifications(record).headers[kind] = bool(enabled)


def attributes(backend: Any, identity: str) -> dict[str, Any] | None:
    """GetIdentityNotificationAttributes for one identity (None when it does not exist)."""
    record = identity_record(backend, identity)
    if record is None:
        return None
    settings = notifications(record)
    doc: dict[str, Any] = {f"{kind}Topic": settings.topics[kind]
                           for kind in NOTIFICATION_TYPES if kind in settings.topics}
    doc["ForwardingEnabled"] = bool(record.feedback_forwarding_status)
    for kind in NOTIFICATION_TYPES:
        doc[f"HeadersIn{kind}NotificationsEnabled"] = settings.headers[kind]
    return doc


def sending_identity(backend: Any, source: str | None) -> tuple[str | None, Any]:
    """``(name, moto record)`` of the identity whose settings a send from ``source`` uses: the most specific
    identity that exists (address as given, its ``+label``-less form, the domain, parent domains)."""
    address = parseaddr(source or "")[1] or (source or "")
    for name in identity_names_for(address):
        record = identity_record(backend, name)
        if record is not None:
            return record.email_identity, record
    return None, None


# -- the account suppression list ---------------------------------------------------------------------------
@dataclass
class Suppression:
    reasons: list[str] = field(default_factory=lambda: list(REASONS))
    entries: dict[str, dict[str, Any]] = field(default_factory=dict)  # lower-cased address -> entry


def suppression(backend: Any) -> Suppression:
    return state(backend, "suppression", Suppression)


@account_field
def _suppression_attributes(backend: Any) -> dict[str, Any]:
    """GetAccount's ``SuppressionAttributes`` (new accounts: BOUNCE and COMPLAINT)."""
    return {"SuppressionAttributes": {"SuppressedReasons": list(suppression(backend).reasons)}}


def suppressed(backend: Any, address: str) -> dict[str, Any] | None:
    bare = parseaddr(address)[1] or address
    return suppression(backend).entries.get(bare.lower())


def suppress(backend: Any, address: str, reason: str, *, message_id: str | None = None,
             feedback_id: str | None = None) -> dict[str, Any]:
    """Put ``address`` on the list (or refresh its entry) and return the entry."""
    bare = parseaddr(address)[1] or address
    entry: dict[str, Any] = {"EmailAddress": bare, "Reason": reason, "LastUpdateTime": clock.time_s()}
    if message_id or feedback_id:
        entry["Attributes"] = {"MessageId": message_id or "", "FeedbackId": feedback_id or ""}
    with lock:
        suppression(backend).entries[bare.lower()] = entry
    return entry


def unsuppress(backend: Any, address: str) -> bool:
    with lock:
        return suppression(backend).entries.pop(address.lower(), None) is not None


def auto_reasons(backend: Any, configuration_set: str | None) -> list[str]:
    """The reasons that add addresses automatically for a send: the set's ``SuppressionOptions`` if it has
    them, else the account's."""
    if configuration_set:
        cs = backend.config_sets.get(configuration_set)
        options = getattr(cs, "suppression_options", None) or {}
        if "SuppressedReasons" in options:
            return list(options.get("SuppressedReasons") or [])
    return list(suppression(backend).reasons)


# -- configuration set event destinations -------------------------------------------------------------------
def destinations(backend: Any, configuration_set: str) -> dict[str, dict[str, Any]]:
    """The set's event destinations by name (SESv2 shape), in creation order."""
    table: dict[str, dict[str, dict[str, Any]]] = state(backend, "event_destinations", dict)
    return table.setdefault(configuration_set, {})


def forget_set(backend: Any, configuration_set: str) -> None:
    state(backend, "event_destinations", dict).pop(configuration_set, None)


def matching(backend: Any, configuration_set: str | None, event_type: str) -> list[dict[str, Any]]:
    """Enabled destinations of the set that take ``event_type`` (SESv2 spelling, e.g. ``BOUNCE``)."""
    if not configuration_set or configuration_set not in backend.config_sets:
        return []
    return [d for d in destinations(backend, configuration_set).values()
            if d.get("Enabled", False) and event_type in (d.get("MatchingEventTypes") or [])]


# -- outcomes scripted for ordinary addresses ---------------------------------------------------------------
def scripted(backend: Any) -> dict[str, str]:
    """Lower-cased address -> outcome name (:data:`.outcomes.SCRIPTED`), set via ``/_sesbook/feedback/outcomes``."""
    return state(backend, "scripted_outcomes", dict)
