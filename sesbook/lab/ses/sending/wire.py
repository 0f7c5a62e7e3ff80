"""Every SES send action, replaced once: each builds one message and hands it to the send pipeline.

v1 ``SendEmail``, ``SendRawEmail``, ``SendTemplatedEmail``, ``SendBulkTemplatedEmail`` and v2 ``SendEmail``
(Simple, Raw and Template content; moto 5.2.5 has no Template path, and SES keeps one template store
for both APIs, so the lab sends it through the v1 backend's templated send) and v2 ``SendBulkEmail``
(moto 5.2.5 has none; the lab accepts it as the v1 bulk send, with v2's request and answer shapes).
No moto backend send method is wrapped: the pipeline's ``accept`` stage calls moto's own.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from moto.core.responses import ActionResult

from sesbook.lab.registry import v1_action, v2_action
from sesbook.lab.ses._wire import v2_body
from sesbook.lab.ses.errors import BadRequestException
from sesbook.lab.ses.sending import message as build
from sesbook.lab.ses.sending.message import flatten
from sesbook.lab.ses.sending.pipeline import run, submit


def _v1_feedback(self: Any, message: build.OutboundMessage) -> build.OutboundMessage:
    """v1 ``ReturnPath``: where SES forwards bounces and complaints by email."""
    return_path = self._get_param("ReturnPath")
    return build.replace(message, return_path=return_path) if return_path else message


def _v2_feedback(params: dict[str, Any], message: build.OutboundMessage) -> build.OutboundMessage:
    """v2 ``FeedbackForwardingEmailAddress`` and ``ListManagementOptions``."""
    options = params.get("ListManagementOptions")
    if options is not None:
        if not isinstance(options, dict) or not options.get("ContactListName"):
            raise BadRequestException("ListManagementOptions needs a ContactListName.")
        message = build.replace(message, list_management=(str(options["ContactListName"]),
                                                          options.get("TopicName") or None))
    forward = params.get("FeedbackForwardingEmailAddress")
    return build.replace(message, return_path=forward) if forward else message


# -- v1 ------------------------------------------------------------------------------------------------------
@v1_action("send_email")
def send_email(self: Any) -> ActionResult:
    message = build.from_v1_simple(
        self._get_param("Source"), self._get_param("Destination", {}), self._get_param("Message.Subject.Data"),
        self._get_param("Message.Body.Text.Data"), self._get_param("Message.Body.Html.Data"),
        configuration_set=self._get_param("ConfigurationSetName"), tags=self._get_param("Tags"),
    )
    return ActionResult({"MessageId": submit(self.backend, _v1_feedback(self, message))})


@v1_action("send_templated_email")
def send_templated_email(self: Any) -> ActionResult:
    message = build.from_template(
        "v1", self._get_param("Source"), self._get_param("Destination", {}), self._get_param("Template"),
        self._get_param("TemplateData"),
        configuration_set=self._get_param("ConfigurationSetName"), tags=self._get_param("Tags"),
    )
    return ActionResult({"MessageId": submit(self.backend, _v1_feedback(self, message))})


@v1_action("send_bulk_templated_email")
def send_bulk_templated_email(self: Any) -> ActionResult:
    message = build.from_bulk_template(
        self._get_param("Source"), self._get_param("Template"), self._get_param("DefaultTemplateData"),
        self._get_param("Destinations", []),
        configuration_set=self._get_param("ConfigurationSetName"), tags=self._get_param("DefaultTags"),
    )
    sent = run(self.backend, _v1_feedback(self, message))
    return ActionResult({"Status": [{"MessageId": message_id} for message_id in sent.message_ids]})


@v1_action("send_raw_email")
def send_raw_email(self: Any) -> ActionResult:
    raw = self._get_param("RawMessage.Data")
    message = build.from_raw(
        raw.decode("utf-8") if isinstance(raw, bytes) else raw, source=self._get_param("Source"),
        envelope=self._get_param("Destinations", []), api="v1",
        configuration_set=self._get_param("ConfigurationSetName"), tags=self._get_param("Tags"),
    )
    return ActionResult({"MessageId": submit(self.backend, _v1_feedback(self, message))})


# -- v2 ------------------------------------------------------------------------------------------------------
@v2_action("send_email")
def send_email_v2(self: Any) -> str:
    params = v2_body(self)
    source = params.get("FromEmailAddress")
    dest = params.get("Destination") or {}
    content = params.get("Content") or {}
    options = {"configuration_set": params.get("ConfigurationSetName"), "tags": params.get("EmailTags")}
    if "Raw" in content:
        try:
            raw = base64.b64decode(content["Raw"]["Data"]).decode("utf-8")
        except (KeyError, TypeError, ValueError, binascii.Error):
            raise BadRequestException("Content.Raw.Data must be a base64-encoded MIME message.") from None
        message = build.from_raw(raw, source=source, envelope=flatten(dest), api="v2", **options)
    elif "Simple" in content:
        simple = content["Simple"] or {}
        body = simple.get("Body") or {}
        message = build.from_v2_simple(
            source, dest, (simple.get("Subject") or {}).get("Data"), (body.get("Text") or {}).get("Data"),
            (body.get("Html") or {}).get("Data"), **options,
        )
    elif "Template" in content:
        template = content["Template"] or {}
        name = template.get("TemplateName") or (template.get("TemplateArn") or "").rpartition("/")[2]
        message = build.from_template("v2", source, dest, name, template.get("TemplateData") or "{}", **options)
    else:
        raise BadRequestException("Content needs one of Simple, Raw or Template.")
    message = _v2_feedback(params, message)
    return json.dumps({"MessageId": submit(self.sesv2_backend.core_backend, message)})


@v2_action("send_bulk_email")
def send_bulk_email_v2(self: Any) -> str:
    """v2 SendBulkEmail: a stored template (``DefaultContent.Template``) and up to 50 ``BulkEmailEntries``,
    each with its ``ReplacementTemplateData``; answers one ``BulkEmailEntryResults`` item per entry."""
    params = v2_body(self)
    template = ((params.get("DefaultContent") or {}).get("Template")) or {}
    name = template.get("TemplateName") or (template.get("TemplateArn") or "").rpartition("/")[2]
    if not name:
        raise BadRequestException("DefaultContent.Template needs a TemplateName (inline templates: not in the lab).")
    entries = params.get("BulkEmailEntries") or []
    if not isinstance(entries, list) or not entries:
        raise BadRequestException("BulkEmailEntries needs 1 to 50 entries.")
    destinations = [{
        "Destination": (e or {}).get("Destination") or {},
        "ReplacementTemplateData": (((e or {}).get("ReplacementEmailContent") or {}).get("ReplacementTemplate")
                                    or {}).get("ReplacementTemplateData"),
    } for e in entries]
    message = build.from_bulk_template(
        params.get("FromEmailAddress"), name, template.get("TemplateData") or "{}", destinations,
        configuration_set=params.get("ConfigurationSetName"), tags=params.get("DefaultEmailTags"), api="v2",
    )
    sent = run(self.sesv2_backend.core_backend, _v2_feedback(params, message))
    return json.dumps({"BulkEmailEntryResults": [{"Status": "SUCCESS", "MessageId": message_id}
                                                 for message_id in sent.message_ids]})
