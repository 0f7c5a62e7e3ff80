"""The template API, both versions, over one store: v1 ``TestRenderTemplate``/``DeleteTemplate`` replaced,
and the v2 calls moto 5.2.5 lacks (``CreateEmailTemplate``, ``GetEmailTemplate``, ``UpdateEmailTemplate``,
``DeleteEmailTemplate``, ``ListEmailTemplates``, ``TestRenderEmailTemplate``).

moto's v1 ``TestRenderTemplate`` has its own substitution that crashes on numbers, booleans and ``{{this}}``;
the lab renders with Handlebars (:mod:`.state`). moto's v1 ``DeleteTemplate`` crashes (HTTP 500) on a name
it does not know; SES's v1 DeleteTemplate declares no error, so the lab answers success.
v2 errors (SESv2 API Reference, checked 2026): ``NotFoundException`` for an unknown template,
``AlreadyExistsException`` for CreateEmailTemplate of a name in use, ``BadRequestException`` for bad input.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from moto.core.responses import ActionResult, EmptyResult
from moto.ses.exceptions import (
    InvalidRenderingParameterException,
    MissingRenderingAttributeException,
    TemplateDoesNotExist,
)

from sesbook.lab import clock
from sesbook.lab.registry import v1_action, v2_action
from sesbook.lab.ses._wire import v2_body
from sesbook.lab.ses.errors import AlreadyExistsException, BadRequestException, WireError
from sesbook.lab.ses.templates.state import Rendered, RenderError, render, rendered_mime

#: SES's template name rule (CreateTemplate / CreateEmailTemplate): letters, digits, ``_`` and ``-``, 1-64.
_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def _render_for_test(template: dict[str, Any], data: str | None, api: str) -> str:
    try:
        rendered: Rendered = render(template, data)
    except RenderError as exc:
        if exc.kind == "missing":
            if api == "v2":
                raise BadRequestException(exc.message) from None
            raise MissingRenderingAttributeException(exc.attribute or "") from None
        if api == "v2":
            raise BadRequestException(exc.message) from None
        raise InvalidRenderingParameterException(exc.message) from None
    return rendered_mime(rendered, date=clock.now().strftime("%a, %d %b %Y %H:%M:%S +0000"))


# -- v1 ------------------------------------------------------------------------------------------------------
@v1_action("test_render_template")
def test_render_template(self: Any) -> ActionResult:
    name = self._get_param("TemplateName")
    template = self.backend.templates.get(name)
    if not template:
        raise TemplateDoesNotExist(f"Template {name} does not exist.")
    return ActionResult({"RenderedTemplate": _render_for_test(template, self._get_param("TemplateData"), "v1")})


@v1_action("delete_template")
def delete_template(self: Any) -> ActionResult:
    self.backend.templates.pop(self._get_param("TemplateName"), None)
    return EmptyResult()


# -- v2 ------------------------------------------------------------------------------------------------------
def _backend(self: Any) -> Any:
    return self.sesv2_backend.core_backend


def _name(self: Any, params: dict[str, Any] | None = None) -> str:
    name = (params or {}).get("TemplateName") or self._get_param("TemplateName") or ""
    if not isinstance(name, str) or not 1 <= len(name) <= 64 or not set(name) <= _NAME_CHARS:
        raise BadRequestException("TemplateName must be 1-64 letters, digits, underscores or dashes.")
    return name


def _info(name: str, content: Any) -> dict[str, Any]:
    if not isinstance(content, dict) or not content.get("Subject"):
        raise BadRequestException("TemplateContent needs a Subject.")
    return {"template_name": name, "subject_part": content.get("Subject") or "",
            "text_part": content.get("Text") or "", "html_part": content.get("Html") or "",
            "Timestamp": datetime.fromtimestamp(clock.time_s(), tz=UTC)}


def _stored(backend: Any, name: str) -> dict[str, Any]:
    template = backend.templates.get(name)
    if not template:
        raise WireError("NotFoundException", f"Template {name} does not exist.")
    return template  # type: ignore[no-any-return]


@v2_action("create_email_template")
def create_email_template(self: Any) -> str:
    params = v2_body(self)
    name, backend = _name(self, params), _backend(self)
    if backend.templates.get(name):
        raise AlreadyExistsException(f"Template {name} already exists.")
    backend.templates[name] = _info(name, params.get("TemplateContent"))
    return "{}"


@v2_action("update_email_template")
def update_email_template(self: Any) -> str:
    params = v2_body(self)
    name, backend = _name(self), _backend(self)
    old = _stored(backend, name)
    info = _info(name, params.get("TemplateContent"))
    info["Timestamp"] = old.get("Timestamp", info["Timestamp"])
    backend.templates[name] = info
    return "{}"


@v2_action("get_email_template")
def get_email_template(self: Any) -> str:
    name = _name(self)
    template = _stored(_backend(self), name)
    content = {"Subject": template.get("subject_part") or ""}
    if template.get("text_part"):
        content["Text"] = template["text_part"]
    if template.get("html_part"):
        content["Html"] = template["html_part"]
    return json.dumps({"TemplateName": name, "TemplateContent": content})


@v2_action("delete_email_template")
def delete_email_template(self: Any) -> str:
    name = _name(self)
    backend = _backend(self)
    _stored(backend, name)
    del backend.templates[name]
    return "{}"


@v2_action("list_email_templates")
def list_email_templates(self: Any) -> str:
    templates = sorted(_backend(self).templates.values(), key=lambda t: t["template_name"])
    page_size = int(self._get_param("PageSize") or 10)
    if not 1 <= page_size <= 100:
        raise BadRequestException("PageSize must be from 1 to 100.")
    start = int(self._get_param("NextToken") or 0)
    page = templates[start:start + page_size]
    answer: dict[str, Any] = {"TemplatesMetadata": [
        {"TemplateName": t["template_name"], "CreatedTimestamp": t["Timestamp"].timestamp()} for t in page]}
    if start + page_size < len(templates):
        answer["NextToken"] = str(start + page_size)
    return json.dumps(answer)


@v2_action("test_render_email_template")
def test_render_email_template(self: Any) -> str:
    params = v2_body(self)
    template = _stored(_backend(self), _name(self))
    return json.dumps({"RenderedTemplate": _render_for_test(template, params.get("TemplateData"), "v2")})
