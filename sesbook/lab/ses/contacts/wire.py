"""Contact list actions as SES answers them, and the lab's unsubscribe route.

moto 5.2.5 keeps contact lists and contacts (``Create/Get/Update/List/DeleteContactList``,
``Create/Get/Update/List/DeleteContact``) and answers them over the wire; measured against it, the lab fixes:

- a second contact list: SES allows one per account ("Using list management", checked 2026) and answers
  ``LimitExceededException`` (moto: accepted); the same name again: ``AlreadyExistsException``;
- more than 20 topics: ``LimitExceededException`` (the wording is the lab's own);
- ``CreateContact`` of an address already on the list: ``AlreadyExistsException`` (moto: overwritten);
- ``GetContact`` / ``ListContacts``: ``TopicDefaultPreferences`` lists the defaults of the topics the contact
  has no preference for (moto: always empty); ``ListContacts`` applies its ``Filter`` (``FilteredStatus``,
  ``TopicFilter.TopicName`` and ``UseDefaultIfPreferenceUnavailable``; moto ignored it).

Route ``/_sesbook/unsubscribe/TOKEN`` (the URL in ``List-Unsubscribe`` and in the footer placeholder,
:mod:`.state`): ``POST`` (RFC 8058 one-click, body ``List-Unsubscribe=One-Click``) or ``GET`` unsubscribes the
contact and publishes the Subscription event; answers 200 with a short page, 404 for a token it does not know.
"""

from __future__ import annotations

import html
import json
import logging
from typing import Any

from sesbook.lab import clock
from sesbook.lab.registry import route, v2_action, wrap
from sesbook.lab.ses._wire import SESV2_BACKEND, ses_backend_for, v2_body
from sesbook.lab.ses.contacts import state as st
from sesbook.lab.ses.errors import AlreadyExistsException, WireError

log = logging.getLogger("sesbook")


@wrap(SESV2_BACKEND, "create_contact_list")
def _one_list(original: Any, self: Any, params: dict[str, Any]) -> None:
    lists = st.contact_lists(self.core_backend)
    name = params.get("ContactListName")
    if name in lists:
        raise AlreadyExistsException(f"List with name: {name} already exists.")
    if lists:
        raise WireError("LimitExceededException",
                        f"This account already has a contact list ({next(iter(lists))}): SES allows one per account.")
    if len(params.get("Topics") or []) > st.MAX_TOPICS:
        raise WireError("LimitExceededException", f"A contact list can have at most {st.MAX_TOPICS} topics.")
    original(self, params)


@wrap(SESV2_BACKEND, "create_contact")
def _no_duplicate_contact(original: Any, self: Any, contact_list_name: str, params: dict[str, Any]) -> None:
    found = self.get_contact_list(contact_list_name)
    if st.find_contact(found, str(params.get("EmailAddress", ""))) is not None:
        raise AlreadyExistsException(f"Contact already exists in list {contact_list_name}.")
    original(self, contact_list_name, params)


def _shown(contact_list: Any, contact: Any) -> dict[str, Any]:
    doc = dict(contact.response_object)
    doc["TopicDefaultPreferences"] = st.default_preferences(contact_list, contact)
    return doc


@v2_action("get_contact")
def get_contact(self: Any) -> str:
    contact_list = self.sesv2_backend.get_contact_list(self._get_param("ContactListName"))
    contact = self.sesv2_backend.get_contact(self._get_param("EmailAddress"), self._get_param("ContactListName"))
    return json.dumps(_shown(contact_list, contact))


@v2_action("list_contacts")
def list_contacts(self: Any) -> str:
    name = self._get_param("ContactListName")
    contact_list = self.sesv2_backend.get_contact_list(name)
    wanted = (v2_body(self).get("Filter") or {})
    status = wanted.get("FilteredStatus")
    topic_filter = wanted.get("TopicFilter") or {}
    topic, use_default = topic_filter.get("TopicName"), bool(topic_filter.get("UseDefaultIfPreferenceUnavailable"))
    out = []
    for contact in contact_list.list_contacts():
        if status:
            if topic:
                own = {p.get("TopicName"): p.get("SubscriptionStatus") for p in contact.topic_preferences or []}
                found = own.get(topic) or (st.topic_defaults(contact_list).get(topic) if use_default else None)
                if found != status:
                    continue
            elif (status == "OPT_OUT") != bool(contact.unsubscribe_all):
                continue
        shown = _shown(contact_list, contact)
        out.append({k: shown[k] for k in ("EmailAddress", "TopicPreferences", "TopicDefaultPreferences",
                                          "UnsubscribeAll", "LastUpdatedTimestamp")})
    return json.dumps({"Contacts": out})


@route(st.ROUTE)
def _unsubscribe(request: Any) -> tuple[int, Any]:
    from sesbook.lab.ses.feedback.stages import publish_event, sent_for

    parts = request.path.strip("/").split("/")  # _sesbook, unsubscribe, TOKEN
    if len(parts) != 3:
        return 404, {"error": f"use {st.ROUTE}/TOKEN (the link in a message's List-Unsubscribe header)"}
    if request.method not in ("GET", "POST"):
        return 405, {"error": "use POST (one-click) or GET"}
    try:
        token = st.parse_token(parts[2])
        backend = ses_backend_for(token["r"])
    except (ValueError, KeyError):
        return 404, {"error": "unknown unsubscribe link"}
    contact_list = st.contact_lists(backend).get(token["l"])
    contact = None if contact_list is None else st.find_contact(contact_list, token["e"])
    if contact is None:
        return 404, {"error": "the contact list or the contact of this link no longer exists"}
    old = st.preferences_doc(contact_list, contact)
    st.unsubscribe(contact_list, contact, token.get("t"))
    new = st.preferences_doc(contact_list, contact)
    kept = st.sends(backend).get(token["m"])
    if kept is not None:
        message, at = kept
        sent = sent_for(backend, message, token["m"], at)
        body = {"contactList": token["l"], "timestamp": _iso(), "source": "UnsubscribeHeader",
                "newTopicPreferences": new, "oldTopicPreferences": old}
        publish_event(backend, sent, "SUBSCRIPTION", body)
    else:
        log.info("lab: unsubscribe for message %s, which the lab no longer knows: no event", token["m"])
    what = f"the topic {token['t']}" if token.get("t") else f"every topic of {token['l']}"
    return 200, f"<!doctype html><p>{html.escape(token['e'])} is unsubscribed from {html.escape(what)}.</p>"


#: A one-click unsubscribe POSTs ``List-Unsubscribe=One-Click`` as a form, not the JSON the control routes take.
_unsubscribe.takes_any_body = True  # type: ignore[attr-defined]


def _iso() -> str:
    from sesbook.lab.ses.feedback.payloads import iso

    return iso(clock.time_s())
