"""Feedback's SES actions, and the moto fixes feedback needs.

SES v1: ``SetIdentityNotificationTopic``, ``SetIdentityFeedbackForwardingEnabled``,
``SetIdentityHeadersInNotificationsEnabled`` (moto lacks it), ``GetIdentityNotificationAttributes`` (moto
never shows the topics), ``DescribeConfigurationSet`` (event destinations), and
``Create/Update/DeleteConfigurationSetEventDestination`` (moto keeps one per set and lacks the other two).
SESv2: ``PutEmailIdentityFeedbackAttributes``, ``PutEmailIdentityConfigurationSetAttributes``, the
configuration set event destination calls, the suppression list calls
(``Put/Get/Delete/ListSuppressedDestination(s)``), ``PutAccountSuppressionAttributes`` and
``PutConfigurationSetSuppressionOptions``.

moto fixes: its simulator (any recipient *containing* "bounce", "complaint" or "success" triggered a fixed
sample payload) is switched off, the lab's :mod:`.stages` answer instead; new identities forward feedback by
email (moto: off); an SNS message that is not a string is serialised to JSON before it reaches a
subscription (moto put a dict there: the envelope's ``Message`` became an object, and raw delivery to SQS
crashed on ``dict.encode``); deleting a configuration set forgets its destinations and answers
``ConfigurationSetDoesNotExist`` for an unknown set (moto: HTTP 500); SESv2 ``CreateConfigurationSet`` of
an existing set answers ``AlreadyExistsException`` (moto: the v1 code).

About ``PutSuppressedDestination`` in the sandbox: the project's notes say SES refuses it there, but the
Developer Guide ("Using the Amazon SES account-level suppression list", checked 2026) says only *bulk*
additions and removals (import jobs) need production access, and the SESv2 API reference documents no
sandbox error for the single-address calls, so the lab accepts them in the sandbox.

Control path ``/_sesbook/feedback/outcomes``: GET lists, POST ``{"address", "outcome", "region"}`` scripts
what happens to an ordinary address (``bounce``, ``noemail``, ``softbounce``, ``mailboxfull``,
``complaint``, ``delay``, ``delivery``; ``null`` forgets it), so tests and notebooks can make a real-looking address
bounce or complain.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.ses.exceptions import (
    ConfigurationSetAlreadyExists,
    ConfigurationSetDoesNotExist,
    EventDestinationAlreadyExists,
    InvalidParameterValue,
)

from sesbook.lab import current
from sesbook.lab.registry import route, v1_action, v2_action, wrap
from sesbook.lab.ses._wire import SES_BACKEND, SESV2_BACKEND, ses_backend_for, v2_body
from sesbook.lab.ses.errors import AlreadyExistsException, BadRequestException, WireError
from sesbook.lab.ses.feedback import state as st
from sesbook.lab.ses.feedback.outcomes import SCRIPTED


# -- moto fixes ---------------------------------------------------------------------------------------------
@wrap(SES_BACKEND, "__process_sns_feedback__")
def _no_substring_simulator(original: Any, self: Any, source: str, destinations: Any) -> None:
    """moto's substring-triggered sample feedback, switched off: the pipeline's feedback stages answer."""


@wrap("moto.ses.models.EmailIdentity", "__init__")
def _forwarding_on(original: Any, self: Any, *args: Any, **kwargs: Any) -> None:
    """New identities forward bounces and complaints by email, as in SES."""
    original(self, *args, **kwargs)
    self.feedback_forwarding_status = True


@wrap("moto.sns.models.Subscription", "publish")
def _message_as_text(original: Any, self: Any, message: Any, *args: Any, **kwargs: Any) -> None:
    """An SNS message is text: a dict from anywhere in moto is sent as its JSON."""
    if not isinstance(message, str):
        message = json.dumps(message)
    original(self, message, *args, **kwargs)


@wrap(SES_BACKEND, "delete_configuration_set")
def _delete_configuration_set(original: Any, self: Any, configuration_set_name: str) -> None:
    if configuration_set_name not in self.config_sets:
        raise ConfigurationSetDoesNotExist(f"Configuration set <{configuration_set_name}> does not exist.")
    original(self, configuration_set_name)
    st.forget_set(self, configuration_set_name)


@wrap(SESV2_BACKEND, "create_configuration_set")
def _v2_set_exists(original: Any, self: Any, *args: Any, **kwargs: Any) -> None:
    """SESv2 answers ``AlreadyExistsException`` for a set that exists (moto: the v1 code)."""
    try:
        original(self, *args, **kwargs)
    except ConfigurationSetAlreadyExists as exc:
        raise AlreadyExistsException(exc.message) from None


# -- identity notifications (v1) ------------------------------------------------------------------------------
def _flag(value: Any) -> bool:
    return value is True or str(value).lower() == "true"


@v1_action("set_identity_notification_topic")
def set_identity_notification_topic(self: Any) -> ActionResult:
    st.set_topic(self.backend, self._get_param("Identity") or "", self._get_param("NotificationType") or "",
                 self._get_param("SnsTopic"))
    return EmptyResult()


@v1_action("set_identity_feedback_forwarding_enabled")
def set_identity_feedback_forwarding_enabled(self: Any) -> ActionResult:
    st.set_forwarding(self.backend, self._get_param("Identity") or "", _flag(self._get_param("ForwardingEnabled")))
    return EmptyResult()


@v1_action("set_identity_headers_in_notifications_enabled")
def set_identity_headers_in_notifications_enabled(self: Any) -> ActionResult:
    st.set_headers(self.backend, self._get_param("Identity") or "", self._get_param("NotificationType") or "",
                   _flag(self._get_param("Enabled")))
    return EmptyResult()


@v1_action("get_identity_notification_attributes")
def get_identity_notification_attributes(self: Any) -> ActionResult:
    found = {}
    for identity in self._get_param("Identities", []) or []:
        doc = st.attributes(self.backend, identity)
        if doc is not None:
            found[identity] = doc
    return ActionResult({"NotificationAttributes": found})


# -- identity settings (v2) -------------------------------------------------------------------------------------
def _v2_identity(self: Any) -> tuple[Any, str, Any]:
    backend = self.sesv2_backend.core_backend
    name = self._get_param("EmailIdentity") or ""
    record = st.identity_record(backend, name)
    if record is None:
        raise WireError("NotFoundException", f"Email identity <{name}> does not exist.")
    return backend, name, record


@v2_action("put_email_identity_feedback_attributes")
def put_email_identity_feedback_attributes(self: Any) -> str:
    backend, name, _ = _v2_identity(self)
    enabled = v2_body(self).get("EmailForwardingEnabled", False)
    try:
        st.set_forwarding(backend, name, bool(enabled))
    except InvalidParameterValue as exc:
        raise BadRequestException(exc.message) from None
    return "{}"


@v2_action("put_email_identity_configuration_set_attributes")
def put_email_identity_configuration_set_attributes(self: Any) -> str:
    """The identity's default configuration set: used by sends from it that name no set."""
    backend, _, record = _v2_identity(self)
    name = v2_body(self).get("ConfigurationSetName") or None
    if name is not None and name not in backend.config_sets:
        raise WireError("NotFoundException", f"Configuration set <{name}> does not exist.")
    record.configuration_set_name = name
    return "{}"


#: CloudWatch dimension value sources, v1 spelling -> SESv2 spelling (and back).
V1_SOURCES = {"messageTag": "MESSAGE_TAG", "emailHeader": "EMAIL_HEADER", "linkTag": "LINK_TAG"}
V2_SOURCES = {v2: v1 for v1, v2 in V1_SOURCES.items()}


# -- configuration set event destinations -------------------------------------------------------------------------
def _v1_to_v2(dest: dict[str, Any]) -> dict[str, Any]:
    """A v1 ``EventDestination`` in the SESv2 shape the lab keeps."""
    out: dict[str, Any] = {"Name": dest.get("Name", ""), "Enabled": _flag(dest.get("Enabled", False))}
    types = []
    for kind in dest.get("MatchingEventTypes") or []:
        if kind not in st.V1_EVENT_TYPES:
            raise InvalidParameterValue(f"MatchingEventTypes: {kind!r} is not an event type; use one of "
                                        f"{', '.join(st.V1_EVENT_TYPES)}.")
        types.append(st.V1_EVENT_TYPES[kind])
    out["MatchingEventTypes"] = types
    if dest.get("SNSDestination"):
        out["SnsDestination"] = {"TopicArn": dest["SNSDestination"].get("TopicARN", "")}
    if dest.get("CloudWatchDestination"):
        dims = dest["CloudWatchDestination"].get("DimensionConfigurations") or []
        out["CloudWatchDestination"] = {"DimensionConfigurations": [
            {"DimensionName": d.get("DimensionName"), "DefaultDimensionValue": d.get("DefaultDimensionValue"),
             "DimensionValueSource": V1_SOURCES.get(d.get("DimensionValueSource"), d.get("DimensionValueSource"))}
            for d in dims]}
    if dest.get("KinesisFirehoseDestination"):
        fh = dest["KinesisFirehoseDestination"]
        out["KinesisFirehoseDestination"] = {"IamRoleArn": fh.get("IAMRoleARN"),
                                             "DeliveryStreamArn": fh.get("DeliveryStreamARN")}
    return out


def _v2_to_v1(dest: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"Name": dest["Name"], "Enabled": dest.get("Enabled", False),
                           "MatchingEventTypes": [st.EVENT_TYPES[t][0] for t in dest.get("MatchingEventTypes") or []]}
    if dest.get("SnsDestination"):
        out["SNSDestination"] = {"TopicARN": dest["SnsDestination"].get("TopicArn")}
    if dest.get("CloudWatchDestination"):
        out["CloudWatchDestination"] = {"DimensionConfigurations": [
            {"DimensionName": d.get("DimensionName"), "DefaultDimensionValue": d.get("DefaultDimensionValue"),
             "DimensionValueSource": V2_SOURCES.get(d.get("DimensionValueSource"), d.get("DimensionValueSource"))}
            for d in dest["CloudWatchDestination"].get("DimensionConfigurations") or []]}
    if dest.get("KinesisFirehoseDestination"):
        fh = dest["KinesisFirehoseDestination"]
        out["KinesisFirehoseDestination"] = {"IAMRoleARN": fh.get("IamRoleArn"),
                                             "DeliveryStreamARN": fh.get("DeliveryStreamArn")}
    return out


def _check_destination(backend: Any, dest: dict[str, Any], invalid: type[Exception]) -> None:
    kinds = [k for k in ("SnsDestination", "CloudWatchDestination", "KinesisFirehoseDestination",
                         "EventBridgeDestination", "PinpointDestination") if dest.get(k)]
    if len(kinds) != 1:
        raise invalid("An event destination needs exactly one of SNS, CloudWatch, Kinesis Firehose, EventBridge "
                      "or Pinpoint.")
    if not dest.get("MatchingEventTypes"):
        raise invalid("MatchingEventTypes must name at least one event type.")
    for kind in dest["MatchingEventTypes"]:
        if kind not in st.EVENT_TYPES:
            raise invalid(f"MatchingEventTypes: {kind!r} is not an event type; use one of {', '.join(st.EVENT_TYPES)}.")
    if dest.get("SnsDestination"):
        from moto.sns.models import sns_backends

        arn = dest["SnsDestination"].get("TopicArn") or ""
        parts = arn.split(":")
        if len(parts) < 6 or arn not in sns_backends[backend.account_id][parts[3]].topics:
            raise invalid(f"SNS topic <{arn}> does not exist: create it first.")


def _set_destination(backend: Any, set_name: str, dest: dict[str, Any], *, v2: bool, create: bool) -> None:
    missing: Any = (lambda text: WireError("NotFoundException", text)) if v2 else ConfigurationSetDoesNotExist
    invalid: Any = BadRequestException if v2 else InvalidParameterValue
    if set_name not in backend.config_sets:
        raise missing(f"Configuration set <{set_name}> does not exist.")
    name = dest.get("Name") or ""
    if not name:
        raise invalid("The event destination needs a Name.")
    with st.lock:
        table = st.destinations(backend, set_name)
        if create and name in table:
            raise (AlreadyExistsException if v2 else EventDestinationAlreadyExists)(
                f"Event destination <{name}> already exists in configuration set <{set_name}>.")
        if not create and name not in table:
            raise (WireError("NotFoundException", f"Event destination <{name}> does not exist in <{set_name}>.") if v2
                   else WireError("EventDestinationDoesNotExist", f"No EventDestination found for {name}"))
        _check_destination(backend, dest, invalid)
        table[name] = dest


@v1_action("create_configuration_set_event_destination")
def create_configuration_set_event_destination(self: Any) -> ActionResult:
    dest = _v1_to_v2(self._get_param("EventDestination", {}) or {})
    _set_destination(self.backend, self._get_param("ConfigurationSetName") or "", dest, v2=False, create=True)
    return EmptyResult()


@v1_action("update_configuration_set_event_destination")
def update_configuration_set_event_destination(self: Any) -> ActionResult:
    dest = _v1_to_v2(self._get_param("EventDestination", {}) or {})
    _set_destination(self.backend, self._get_param("ConfigurationSetName") or "", dest, v2=False, create=False)
    return EmptyResult()


@v1_action("delete_configuration_set_event_destination")
def delete_configuration_set_event_destination(self: Any) -> ActionResult:
    set_name, name = self._get_param("ConfigurationSetName") or "", self._get_param("EventDestinationName") or ""
    if set_name not in self.backend.config_sets:
        raise ConfigurationSetDoesNotExist(f"Configuration set <{set_name}> does not exist.")
    if st.destinations(self.backend, set_name).pop(name, None) is None:
        raise WireError("EventDestinationDoesNotExist", f"No EventDestination found for {name}")
    return EmptyResult()


@v1_action("describe_configuration_set")
def describe_configuration_set(self: Any) -> ActionResult:
    set_name = self._get_param("ConfigurationSetName") or ""
    cs = self.backend.describe_configuration_set(set_name)
    result: dict[str, Any] = {"ConfigurationSet": {"Name": cs.configuration_set_name}}
    if "eventDestinations" in (self._get_param("ConfigurationSetAttributeNames", []) or []):
        result["EventDestinations"] = [_v2_to_v1(d) for d in st.destinations(self.backend, set_name).values()]
    return ActionResult(result)


def _v2_set(self: Any) -> tuple[Any, str]:
    backend = self.sesv2_backend.core_backend
    name = self._get_param("ConfigurationSetName") or ""
    if name not in backend.config_sets:
        raise WireError("NotFoundException", f"Configuration set <{name}> does not exist.")
    return backend, name


@v2_action("create_configuration_set_event_destination")
def create_configuration_set_event_destination_v2(self: Any) -> str:
    backend, set_name = _v2_set(self)
    body = v2_body(self)
    dest = {"Name": body.get("EventDestinationName") or "", **(body.get("EventDestination") or {})}
    dest["Enabled"] = bool(dest.get("Enabled", False))
    _set_destination(backend, set_name, dest, v2=True, create=True)
    return "{}"


@v2_action("update_configuration_set_event_destination")
def update_configuration_set_event_destination_v2(self: Any) -> str:
    backend, set_name = _v2_set(self)
    body = v2_body(self)
    dest = {"Name": self._get_param("EventDestinationName") or "", **(body.get("EventDestination") or {})}
    dest["Enabled"] = bool(dest.get("Enabled", False))
    _set_destination(backend, set_name, dest, v2=True, create=False)
    return "{}"


@v2_action("delete_configuration_set_event_destination")
def delete_configuration_set_event_destination_v2(self: Any) -> str:
    backend, set_name = _v2_set(self)
    name = self._get_param("EventDestinationName") or ""
    if st.destinations(backend, set_name).pop(name, None) is None:
        raise WireError("NotFoundException", f"Event destination <{name}> does not exist in <{set_name}>.")
    return "{}"


@v2_action("get_configuration_set_event_destinations")
def get_configuration_set_event_destinations(self: Any) -> str:
    backend, set_name = _v2_set(self)
    return json.dumps({"EventDestinations": list(st.destinations(backend, set_name).values())})


# -- the suppression list (v2) ------------------------------------------------------------------------------------
def _reasons(given: Any, field: str) -> list[str]:
    if not isinstance(given, list) or any(r not in st.REASONS for r in given):
        raise BadRequestException(f"{field} must be a list of BOUNCE and/or COMPLAINT, got {given!r}.")
    return list(dict.fromkeys(given))


def _entry_out(entry: dict[str, Any], *, full: bool) -> dict[str, Any]:
    out = {"EmailAddress": entry["EmailAddress"], "Reason": entry["Reason"], "LastUpdateTime": entry["LastUpdateTime"]}
    if full and entry.get("Attributes"):
        out["Attributes"] = entry["Attributes"]
    return out


@v2_action("put_suppressed_destination")
def put_suppressed_destination(self: Any) -> str:
    body = v2_body(self)
    address, reason = body.get("EmailAddress"), body.get("Reason")
    if not isinstance(address, str) or "@" not in address:
        raise BadRequestException(f"EmailAddress {address!r} is not an email address.")
    if reason not in st.REASONS:
        raise BadRequestException(f"Reason {reason!r} is not valid: use BOUNCE or COMPLAINT.")
    st.suppress(self.sesv2_backend.core_backend, address, reason)
    return "{}"


@v2_action("get_suppressed_destination")
def get_suppressed_destination(self: Any) -> str:
    address = self._get_param("EmailAddress") or ""
    entry = st.suppressed(self.sesv2_backend.core_backend, address)
    if entry is None:
        raise WireError("NotFoundException", f"Email address {address} does not exist on your suppression list.")
    return json.dumps({"SuppressedDestination": _entry_out(entry, full=True)})


@v2_action("delete_suppressed_destination")
def delete_suppressed_destination(self: Any) -> str:
    address = self._get_param("EmailAddress") or ""
    if not st.unsuppress(self.sesv2_backend.core_backend, address):
        raise WireError("NotFoundException", f"Email address {address} does not exist on your suppression list.")
    return "{}"


def _when(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC).timestamp()


@v2_action("list_suppressed_destinations")
def list_suppressed_destinations(self: Any) -> str:
    """Newest first; ``Reasons``, ``StartDate``, ``EndDate`` filter; ``PageSize`` (default 100) and
    ``NextToken`` page."""
    backend = self.sesv2_backend.core_backend
    reasons = self._get_param("Reasons") or self._get_param("Reason") or list(st.REASONS)
    if isinstance(reasons, str):
        reasons = [reasons]
    start, end = _when(self._get_param("StartDate")), _when(self._get_param("EndDate"))
    entries = sorted(st.suppression(backend).entries.values(), key=lambda e: (-e["LastUpdateTime"], e["EmailAddress"]))
    chosen = [e for e in entries if e["Reason"] in reasons and (start is None or e["LastUpdateTime"] >= start)
              and (end is None or e["LastUpdateTime"] <= end)]
    size = int(self._get_param("PageSize") or 100)
    offset = int(self._get_param("NextToken") or 0)
    page = chosen[offset:offset + size]
    doc: dict[str, Any] = {"SuppressedDestinationSummaries": [_entry_out(e, full=False) for e in page]}
    if offset + size < len(chosen):
        doc["NextToken"] = str(offset + size)
    return json.dumps(doc)


@v2_action("put_account_suppression_attributes")
def put_account_suppression_attributes(self: Any) -> str:
    reasons = _reasons(v2_body(self).get("SuppressedReasons", []), "SuppressedReasons")
    st.suppression(self.sesv2_backend.core_backend).reasons = reasons
    return "{}"


@v2_action("put_configuration_set_suppression_options")
def put_configuration_set_suppression_options(self: Any) -> str:
    backend, set_name = _v2_set(self)
    body = v2_body(self)
    cs = backend.config_sets[set_name]
    if "SuppressedReasons" in body:
        cs.suppression_options = {"SuppressedReasons": _reasons(body["SuppressedReasons"], "SuppressedReasons")}
    else:
        cs.suppression_options = {}
    return "{}"


# -- lab control -------------------------------------------------------------------------------------------------
@route("/_sesbook/feedback/outcomes")
def _outcomes(request: Any) -> tuple[int, Any]:
    """GET: the scripted outcomes; POST ``{"address", "outcome", "region"}`` scripts one (``null`` forgets)."""
    body = json.loads(request.get_data() or b"{}") if request.method == "POST" else dict(request.args)
    region = body.get("region") or current().region
    table = st.scripted(ses_backend_for(region))
    if request.method == "POST":
        address, outcome = body.get("address"), body.get("outcome")
        if not isinstance(address, str) or "@" not in address:
            return 400, {"error": f"address {address!r}: give an email address"}
        if outcome is None:
            table.pop(address.lower(), None)
        elif outcome not in SCRIPTED:
            return 400, {"error": f"outcome {outcome!r}: use one of {', '.join(SCRIPTED)}, or null to forget"}
        else:
            table[address.lower()] = outcome
    return 200, {"region": region, "outcomes": dict(table)}
