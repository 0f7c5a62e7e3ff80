"""List management's rules, and the send pipeline stages that apply them.

SES (Developer Guide, "Using list management":
https://docs.aws.amazon.com/ses/latest/dg/sending-email-list-management.html, and "Using subscription
management": https://docs.aws.amazon.com/ses/latest/dg/sending-email-subscription-management.html, checked
2026):

- one contact list per account, at most 20 topics, each with a ``DefaultSubscriptionStatus``;
- a v2 ``SendEmail`` with ``ListManagementOptions`` (``ContactListName``, optional ``TopicName``) to an address
  that is not on the list adds it as a contact; SES bounces a message to a contact who unsubscribed (from
  the topic, or from everything with ``UnsubscribeAll``), so senders need not filter their sends. The lab
  decides "unsubscribed from the topic" by the contact's own preference for it, else the topic's default;
  without a topic only ``UnsubscribeAll`` counts. The bounce's type and wording are not documented: the
  lab reports Permanent/General from SES's own MTA and, like the simulator's mail, neither counts it
  toward reputation nor puts the address on the suppression list (SES already knows why the address gets nothing);
- for a message to a single recipient SES adds ``List-Unsubscribe: <URL>`` and
  ``List-Unsubscribe-Post: List-Unsubscribe=One-Click`` (RFC 2369, RFC 8058; replacing such headers the
  message had) and replaces the first two ``{{amazonSESUnsubscribeUrl}}`` placeholders of the text and HTML
  content with the unsubscribe URL;
- the header link unsubscribes the contact from the message's topic, or without a topic from all topics of
  the list (``UnsubscribeAll``); the change is published as a Subscription event (source
  ``UnsubscribeHeader``) to the configuration set's destinations that match ``SUBSCRIPTION``.

In the lab the URL is the lab's own ``/_sesbook/unsubscribe/TOKEN`` (:mod:`.wire`; TOKEN is URL-safe base64
JSON naming the region, list, topic, contact and message; no random draw). SES's landing page behind the
footer link, where a contact picks topics, is not modelled: the footer placeholder gets the same URL, which
acts as the header link does. Raw messages get the headers; their body placeholders are left as they are
(the lab does not re-encode MIME). The SMTP interface's ``X-SES-LIST-MANAGEMENT-OPTIONS`` header is not read.
"""

from __future__ import annotations

from dataclasses import replace
from email.utils import parseaddr
from typing import Any

from sesbook.lab import clock, current
from sesbook.lab.registry import state
from sesbook.lab.ses._wire import read_url_token, url_token
from sesbook.lab.ses.errors import BadRequestException, WireError
from sesbook.lab.ses.feedback.outcomes import SES_REPORTING_MTA, Outcome

PLACEHOLDER = "{{amazonSESUnsubscribeUrl}}"
ROUTE = "/_sesbook/unsubscribe"
MAX_TOPICS = 20
#: How many list-managed sends the lab remembers for their Subscription events.
MAX_KEPT_SENDS = 10_000
UNSUBSCRIBED_TEXT = "Amazon SES did not send the message: the recipient unsubscribed from this contact list or topic."
#: A recipient who unsubscribed: accepted, not sent, a bounce that is neither counted nor listed.
UNSUBSCRIBED = Outcome("unsubscribed", False, "Permanent", "General", "5.0.0", f"Amazon SES: {UNSUBSCRIBED_TEXT}",
                       SES_REPORTING_MTA)


def contact_lists(backend: Any) -> dict[str, Any]:
    """moto's contact lists of the account and region (name -> ``ContactList``)."""
    return backend.contacts_lists  # type: ignore[no-any-return]


def find_contact(contact_list: Any, address: str) -> Any:
    """The list's contact for ``address`` (letter case ignored), or None."""
    bare = (parseaddr(address)[1] or address).lower()
    return next((c for key, c in contact_list.contacts.items() if key.lower() == bare), None)


def topic_defaults(contact_list: Any) -> dict[str, str]:
    return {str(t.get("TopicName")): str(t.get("DefaultSubscriptionStatus", "OPT_IN")) for t in contact_list.topics}


def effective(contact_list: Any, contact: Any) -> dict[str, str]:
    """Each topic's status for ``contact``: its own preference, else the topic's default."""
    found = topic_defaults(contact_list)
    for pref in contact.topic_preferences or []:
        if pref.get("TopicName") in found:
            found[str(pref["TopicName"])] = str(pref.get("SubscriptionStatus"))
    return found


def default_preferences(contact_list: Any, contact: Any) -> list[dict[str, str]]:
    """``TopicDefaultPreferences``: the default of every topic the contact has no preference for."""
    own = {p.get("TopicName") for p in contact.topic_preferences or []}
    return [{"TopicName": name, "SubscriptionStatus": status}
            for name, status in topic_defaults(contact_list).items() if name not in own]


def opted_out(contact_list: Any, contact: Any, topic: str | None) -> bool:
    if contact.unsubscribe_all:
        return True
    return topic is not None and effective(contact_list, contact).get(topic) == "OPT_OUT"


def preferences_doc(contact_list: Any, contact: Any) -> dict[str, Any]:
    """``oldTopicPreferences`` / ``newTopicPreferences`` of a Subscription event."""
    spelled = {"OPT_IN": "OptIn", "OPT_OUT": "OptOut"}
    return {"unsubscribeAll": bool(contact.unsubscribe_all),
            "topicSubscriptionStatus": [{"topicName": name, "subscriptionStatus": spelled.get(status, status)}
                                        for name, status in effective(contact_list, contact).items()]}


def unsubscribe(contact_list: Any, contact: Any, topic: str | None) -> None:
    """What the header link does: opt out of ``topic``, or without one unsubscribe from everything."""
    if topic is None:
        contact.unsubscribe_all = True
    else:
        prefs = [p for p in contact.topic_preferences or [] if p.get("TopicName") != topic]
        contact.topic_preferences = [*prefs, {"TopicName": topic, "SubscriptionStatus": "OPT_OUT"}]
    contact.last_updated_timestamp = clock.now().isoformat(timespec="milliseconds")


# -- tokens --------------------------------------------------------------------------------------------------
def token_for(region: str, list_name: str, topic: str | None, address: str, message_id: str) -> str:
    return url_token({"r": region, "l": list_name, "t": topic, "e": address, "m": message_id})


def parse_token(text: str) -> dict[str, Any]:
    return read_url_token(text, ("r", "l", "e", "m"), "an unsubscribe token")


def sends(backend: Any) -> dict[str, Any]:
    """Message id -> the ``OutboundMessage`` and time of each list-managed send (for its Subscription event)."""
    return state(backend, "list_managed_sends", dict)  # type: ignore[no-any-return]


# -- headers -------------------------------------------------------------------------------------------------
def with_headers(raw: str, headers: list[tuple[str, str]]) -> str:
    """``raw`` with ``headers`` first and any header of the same names removed (SES overrides them)."""
    newline = "\r\n" if "\r\n" in raw.split("\n\n", 1)[0] else "\n"
    head, sep, body = raw.partition(newline + newline)
    names = {name.lower() for name, _ in headers}
    kept: list[str] = []
    dropping = False
    for line in head.split(newline):
        if line[:1] in (" ", "\t"):
            if not dropping:
                kept.append(line)
            continue
        dropping = line.split(":", 1)[0].strip().lower() in names
        if not dropping:
            kept.append(line)
    added = [f"{name}: {value}" for name, value in headers]
    return newline.join(added + kept) + sep + body


def _fill(text: str | None, url: str) -> str | None:
    return None if text is None else text.replace(PLACEHOLDER, url, 2)


# -- pipeline stages -----------------------------------------------------------------------------------------
def check_list_management(sub: Any) -> None:
    """Before acceptance: the list (and topic) a v2 send names must exist."""
    options = sub.message.list_management
    if options is None:
        return
    name, topic = options
    found = contact_lists(sub.backend).get(name)
    if found is None:
        raise WireError("NotFoundException", f"List with name: {name} doesn't exist.")
    if topic is not None and topic not in topic_defaults(found):
        raise BadRequestException(f"Topic {topic} does not exist in contact list {name}.")


def apply_list_management(sub: Any) -> None:
    """After the outcomes: add unknown recipients as contacts, bounce the ones who unsubscribed, and give a
    single-recipient message its unsubscribe headers and footer URL."""
    message, backend = sub.message, sub.backend
    if message.list_management is None or not sub.message_id:
        return
    name, topic = message.list_management
    contact_list = contact_lists(backend)[name]
    for recipient in message.recipients:
        bare = parseaddr(recipient)[1] or recipient
        contact = find_contact(contact_list, bare)
        if contact is None:
            contact_list.create_contact(name, {"EmailAddress": bare})
            contact = find_contact(contact_list, bare)
        outcome = sub.outcomes.get(bare)
        if opted_out(contact_list, contact, topic) and (outcome is None or outcome.delivered):
            sub.outcomes[bare] = UNSUBSCRIBED
    kept = sends(backend)
    kept[sub.message_id] = (message, clock.time_s())
    while len(kept) > MAX_KEPT_SENDS:  # a long-running lab forgets the oldest: their links then publish no event
        kept.pop(next(iter(kept)))
    lab = current()
    if len(message.recipients) != 1 or lab is None or lab.info is None:
        return
    bare = parseaddr(message.recipients[0])[1] or message.recipients[0]
    if not getattr(sub.outcomes.get(bare), "delivered", True):
        return
    url = f"{lab.info.aws_endpoint}{ROUTE}/{token_for(backend.region_name, name, topic, bare, sub.message_id)}"
    sub.extra_headers = [("List-Unsubscribe", f"<{url}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")]
    if message.raw is None:
        sub.message = replace(message, text=_fill(message.text, url), html=_fill(message.html, url))
    for message_id, (rendered, dest, data) in list(sub.rendered.items()):
        sub.rendered[message_id] = (replace(rendered, text=_fill(rendered.text, url), html=_fill(rendered.html, url)),
                                    dest, data)

