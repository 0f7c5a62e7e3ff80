"""SES email templates: put (create or update), delete, test-render, and send to many at once.

SES keeps one template store per region for both APIs (v1 ``CreateTemplate``, v2 ``CreateEmailTemplate``).
Templates are Handlebars: ``{{name}}``, nested ``{{user.first}}``, ``{{#each items}}…{{this}}…{{/each}}``,
``{{#if}}`` (SES Developer Guide, "Using templates to send personalized email",
https://docs.aws.amazon.com/ses/latest/dg/send-personalized-email-api.html, checked 2026). A template
SES cannot render with the data given (a variable the data lacks) is accepted by the send call and not
delivered: a *Rendering Failure* event. :func:`test_render` finds that before sending
(``TestRenderTemplate`` / ``TestRenderEmailTemplate``; a missing variable is
``MissingRenderingAttribute`` on v1, ``BadRequestException`` on v2).

IAM permissions for the aws target: ``ses:CreateEmailTemplate``, ``ses:UpdateEmailTemplate``,
``ses:DeleteEmailTemplate``, ``ses:TestRenderEmailTemplate`` (v2) or ``ses:CreateTemplate``,
``ses:UpdateTemplate``, ``ses:DeleteTemplate``, ``ses:TestRenderTemplate`` (v1); ``ses:GetEmailTemplate`` /
``ses:GetTemplate`` for :func:`put_template`; ``ses:SendBulkEmail`` / ``ses:SendBulkTemplatedEmail``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email import message_from_string
from email.policy import default as default_policy
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import AwsError, ValidationError
from sesbook.facts import MAX_RECIPIENTS
from sesbook.plan import was_planned
from sesbook.sending.send import SendResult, _options, _people, template_data
from sesbook.sending.validate import check_address, check_api, check_structured

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from sesbook.target import Target

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_NOT_FOUND = ("NotFoundException", "TemplateDoesNotExist")
#: What a failed test render's code means.
_MISSING = ("a variable the template uses is not in the data; a send with this data would be accepted and then "
            "fail to render (Rendering Failure).")
_INVALID = "the data is not a JSON object SES can render with."
#: v1's wire codes are the botocore model's (``MissingRenderingAttribute``, ``InvalidRenderingParameter``);
#: the exception classes carry ``Exception`` at the end, and some SDKs report those names.
_RENDER_ERRORS = {
    "MissingRenderingAttribute": _MISSING, "MissingRenderingAttributeException": _MISSING,
    "InvalidRenderingParameter": _INVALID, "InvalidRenderingParameterException": _INVALID,
    "Planned": "Nothing was sent: run with apply=True to create the template, then test it.",
    "BadRequestException": "SES cannot render the template with this data (a missing variable or bad data); "
                           "a send would end in a Rendering Failure.",
}


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name):
        raise ValidationError("name", name, "a template name is 1-64 ASCII letters, digits, '_' or '-'.",
                              hint="E.g. 'welcome-v1'.")
    return name


def _api(api: str) -> str:
    check_api(api)
    if api == "smtp":
        raise ValidationError("api", api, "templates live in the SES API: 'v1' or 'v2'.",
                              hint="Use api='v2' (or 'v1'); to send one by SMTP, render it with test_render first.")
    return api


@dataclass(frozen=True)
class TemplateChange:
    """What :func:`put_template` / :func:`delete_template` did: ``created``, ``updated``, ``unchanged``,
    ``deleted``, ``absent`` (nothing to delete) or ``planned``."""

    name: str
    action: str

    def __repr__(self) -> str:
        return f"template {self.name}: {self.action}"


def _get(target: Target, name: str, api: str) -> dict[str, str | None] | None:
    try:
        if api == "v1":
            with aws_errors("ses"):
                found = target.ses.get_template(TemplateName=name)["Template"]
            return {"Subject": found.get("SubjectPart"), "Text": found.get("TextPart") or None,
                    "Html": found.get("HtmlPart") or None}
        with aws_errors("sesv2"):
            content = target.sesv2.get_email_template(TemplateName=name)["TemplateContent"]
        return {"Subject": content.get("Subject"), "Text": content.get("Text"), "Html": content.get("Html")}
    except AwsError as exc:
        if exc.code in _NOT_FOUND:
            return None
        raise


def put_template(target: Target, name: str, *, subject: str, text: str | None = None, html: str | None = None,
                 api: str = "v2") -> TemplateChange:
    """Create template ``name`` or update it to this content; a second run with the same content changes nothing."""
    _check_name(name)
    _api(api)
    if not isinstance(subject, str) or not subject:
        raise ValidationError("subject", subject, "a template needs a subject (it may use {{variables}}).")
    if text is None and html is None:
        raise ValidationError("text", None, "a template needs a text part, an HTML part or both.")
    wanted = {"Subject": subject, "Text": text, "Html": html}
    found = _get(target, name, api)
    if found == wanted:
        return TemplateChange(name, "unchanged")
    if api == "v1":
        body: dict[str, Any] = {"TemplateName": name, "SubjectPart": subject}
        if text is not None:
            body["TextPart"] = text
        if html is not None:
            body["HtmlPart"] = html
        with aws_errors("ses"):
            answer = (target.ses.create_template if found is None else target.ses.update_template)(Template=body)
    else:
        content = {k: v for k, v in wanted.items() if v is not None}
        with aws_errors("sesv2"):
            call = target.sesv2.create_email_template if found is None else target.sesv2.update_email_template
            answer = call(TemplateName=name, TemplateContent=content)
    if was_planned(answer):
        return TemplateChange(name, "planned")
    return TemplateChange(name, "created" if found is None else "updated")


def delete_template(target: Target, name: str, *, api: str = "v2") -> TemplateChange:
    """Delete template ``name``; one that does not exist is success (clean-up re-runs).

    Looks first (v1 ``DeleteTemplate`` answers success for a name it does not have, so only a read tells
    ``deleted`` from ``absent``).
    """
    _check_name(name)
    _api(api)
    if _get(target, name, api) is None:
        return TemplateChange(name, "absent")
    try:
        if api == "v1":
            with aws_errors("ses"):
                answer = target.ses.delete_template(TemplateName=name)
        else:
            with aws_errors("sesv2"):
                answer = target.sesv2.delete_email_template(TemplateName=name)
    except AwsError as exc:
        if exc.code in _NOT_FOUND:
            return TemplateChange(name, "absent")
        raise
    return TemplateChange(name, "planned" if was_planned(answer) else "deleted")


@dataclass(frozen=True)
class RenderTest:
    """A template rendered by SES with some data (``ok``), or why it could not be (``code``, ``error``)."""

    name: str
    ok: bool
    subject: str | None = None
    text: str | None = None
    html: str | None = None
    raw: str | None = None
    code: str | None = None
    error: str | None = None

    @property
    def explanation(self) -> str:
        if self.ok:
            return "SES rendered the template with this data."
        return _RENDER_ERRORS.get(self.code or "", "SES could not render the template; see the error.")

    def __repr__(self) -> str:
        if self.ok:
            return f"RenderTest({self.name}: subject {self.subject!r}, text {self.text!r})"
        return f"RenderTest({self.name}: failed: {self.code}: {self.error}\n  -> {self.explanation})"

    def _repr_html_(self) -> str:
        if self.ok:
            rows = [("subject", self.subject), ("text", self.text), ("html", self.html)]
        else:
            rows = [("result", "❌ not rendered"), ("code", self.code), ("error", self.error),
                    ("what it means", self.explanation)]
        return _html.table(["", ""], rows, caption=f"template {self.name}")


def _parts(raw: str) -> tuple[str | None, str | None, str | None]:
    msg = message_from_string(raw.replace("\r\n", "\n"), policy=default_policy)
    text = html = None
    for part in msg.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        content = part.get_content()  # type: ignore[attr-defined]
        if kind == "text/plain" and text is None:
            text = content
        elif kind == "text/html" and html is None:
            html = content
    subject = msg.get("Subject")
    return (str(subject) if subject is not None else None), text, html


def _planned_template(target: Target, name: str) -> bool:
    """True when a plan-only run recorded the creation of template ``name`` (it does not exist yet)."""
    return not target.apply and any(
        call.operation in ("CreateEmailTemplate", "UpdateEmailTemplate", "CreateTemplate", "UpdateTemplate")
        and name in (call.params.get("TemplateName"), (call.params.get("Template") or {}).get("TemplateName"))
        for call in target.plan)


def test_render(target: Target, name: str, data: Mapping[str, Any] | str | None = None, *,
                api: str = "v2") -> RenderTest:
    """Ask SES to render template ``name`` with ``data``; a rendering error comes back as ``ok=False``."""
    _check_name(name)
    _api(api)
    text = template_data(data)
    try:
        if api == "v1":
            with aws_errors("ses"):
                answer = target.ses.test_render_template(TemplateName=name, TemplateData=text)
        else:
            with aws_errors("sesv2"):
                answer = target.sesv2.test_render_email_template(TemplateName=name, TemplateData=text)
    except AwsError as exc:
        if exc.code in _RENDER_ERRORS:
            return RenderTest(name, False, code=exc.code, error=exc.message)
        if exc.code in ("NotFoundException", "TemplateDoesNotExist") and _planned_template(target, name):
            return RenderTest(name, False, code="Planned", error="the template is planned, not created yet "
                                                               "(apply=False): SES has nothing to render.")
        raise
    raw = str(answer.get("RenderedTemplate") or "")
    subject, body_text, body_html = _parts(raw) if raw else (None, None, None)
    return RenderTest(name, True, subject=subject, text=body_text, html=body_html, raw=raw)


test_render.__test__ = False  # type: ignore[attr-defined]  # not a pytest test, despite its name


def send_bulk_templated(
    target: Target, *, source: str, template: str, destinations: Sequence[Mapping[str, Any]],
    default_data: Mapping[str, Any] | str | None = None, configuration_set: str | None = None,
    tags: Mapping[str, str] | None = None, api: str = "v2",
) -> tuple[SendResult, ...]:
    """One bulk call (v2 ``SendBulkEmail`` / v1 ``SendBulkTemplatedEmail``): template ``template`` to up to 50
    destinations, each ``{"to": ..., "cc": ..., "bcc": ..., "data": {...}}`` (its data over ``default_data``).

    Returns one :class:`SendResult` per destination, in order. For many more messages, paced at the
    account's rate and resumable, use :func:`sesbook.sending.bulk.send_bulk`.
    """
    _api(api)
    _check_name(template)
    source = check_address(source, field="source")
    if not isinstance(destinations, list | tuple) or not 1 <= len(destinations) <= MAX_RECIPIENTS:
        raise ValidationError("destinations", destinations, f"a bulk send takes 1 to {MAX_RECIPIENTS} destinations.",
                              hint="Split the list, or use send_bulk for any number of messages.")
    default = template_data(default_data, field="default_data")
    entries = []
    for i, dest in enumerate(destinations):
        if not hasattr(dest, "get"):
            raise ValidationError(f"destinations[{i}]", dest, "must be a mapping with 'to' (and optional 'data').")
        to_l, cc_l, bcc_l = _people(dest.get("to") or [], dest.get("cc") or (), dest.get("bcc") or ())
        data = template_data(dest.get("data"), field=f"destinations[{i}].data")
        check_structured(source=source, to=to_l, cc=cc_l, bcc=bcc_l, api=api, parts=(data, default))
        entries.append(({"ToAddresses": to_l, "CcAddresses": cc_l, "BccAddresses": bcc_l}, data, to_l + cc_l + bcc_l))
    options = _options(api, configuration_set, tags)
    if api == "v1":
        if "Tags" in options:
            options["DefaultTags"] = options.pop("Tags")
        with aws_errors("ses"):
            answer = target.ses.send_bulk_templated_email(
                Source=source, Template=template, DefaultTemplateData=default,
                Destinations=[{"Destination": d, "ReplacementTemplateData": data} for d, data, _ in entries], **options)
        statuses = answer.get("Status") or []
        operation = "SendBulkTemplatedEmail"
    else:
        if "EmailTags" in options:
            options["DefaultEmailTags"] = options.pop("EmailTags")
        with aws_errors("sesv2"):
            answer = target.sesv2.send_bulk_email(
                FromEmailAddress=source,
                DefaultContent={"Template": {"TemplateName": template, "TemplateData": default}},
                BulkEmailEntries=[{"Destination": d, "ReplacementEmailContent": {
                    "ReplacementTemplate": {"ReplacementTemplateData": data}}} for d, data, _ in entries],
                **options)
        statuses = answer.get("BulkEmailEntryResults") or []
        operation = "SendBulkEmail"
    if was_planned(answer):
        return tuple(SendResult(None, api, operation, tuple(who), planned=True) for _, _, who in entries)
    return tuple(SendResult(str(s.get("MessageId") or ""), api, operation, tuple(who))
                 for s, (_, _, who) in zip(statuses, entries, strict=False))
