"""SES email templates in the lab: one store for both APIs, rendered with Handlebars as SES renders them.

SES keeps one template store per account and region that its v1 (``CreateTemplate``) and v2
(``CreateEmailTemplate``) APIs share; the lab keeps it where moto keeps v1 templates
(``SESBackend.templates``: ``{name: {"template_name", "subject_part", "text_part", "html_part", "Timestamp"}}``).

Rendering (SES Developer Guide, "Using templates to send personalized email" and "Advanced email
personalization", https://docs.aws.amazon.com/ses/latest/dg/send-personalized-email-api.html and
.../send-personalized-email-advanced.html, checked 2026): templates are Handlebars. The lab renders them
with pybars3, a Handlebars implementation, not a hand-written substitute:

- ``{{name}}`` is replaced by the value in the JSON ``TemplateData``, HTML-escaped (``{{{name}}}`` raw), in the
  subject, the text and the HTML part alike;
- numbers print as JavaScript prints them (``3``, ``2.5``; a JSON ``1.0`` prints ``1``), booleans as
  ``true``/``false``, ``null`` as nothing;
- nested fields (``{{user.first}}``), ``{{#each list}}…{{this}}…{{/each}}``, ``{{#if}}``/``{{else}}``,
  ``{{#unless}}``, ``{{#with}}``, ``{{@index}}`` work as in Handlebars; a missing nested field or a missing
  field inside an ``{{#each}}`` renders empty (Handlebars);
- a top-level variable the data does not have is a *rendering failure*: SES accepts the send and then
  cannot deliver it (AWS Knowledge Center, "Why are emails failing to deliver when I use
  SendTemplatedEmail", https://repost.aws/knowledge-center/ses-sendtemplatedemail-delivery-failure: "all
  variables that you include in the template must have an exact case-sensitive counterpart in the template
  data"; extra data is fine). ``TestRenderTemplate`` answers it with ``MissingRenderingAttributeException``
  ("Attribute 'X' is not present in the rendering data.");
- data that is not a JSON object is ``InvalidRenderingParameterException`` ("Template rendering data is
  invalid") for ``TestRenderTemplate`` and a rendering failure for a send; a template Handlebars cannot
  parse (an unclosed ``{{#each}}``) is a rendering failure too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from typing import Any


class RenderError(Exception):
    """A template could not be rendered. ``kind``: ``missing`` (an attribute), ``data`` (the data is not a
    JSON object) or ``syntax`` (Handlebars cannot parse the template); ``attribute`` for ``missing``."""

    def __init__(self, kind: str, message: str, *, attribute: str | None = None) -> None:
        self.kind = kind
        self.message = message
        self.attribute = attribute
        super().__init__(message)


@dataclass(frozen=True)
class Rendered:
    """A template rendered with one set of data."""

    subject: str
    text: str | None
    html: str | None


def _js_numbers(value: Any) -> Any:
    """JSON numbers as JavaScript prints them: an integral float (``1.0``) becomes ``1``."""
    if isinstance(value, float) and value.is_integer() and abs(value) < 2**53:
        return int(value)
    if isinstance(value, dict):
        return {k: _js_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_js_numbers(v) for v in value]
    return value


def parse_data(text: str | None) -> dict[str, Any]:
    """``TemplateData`` as a dict; a :class:`RenderError` (``data``) unless it is a JSON object."""
    try:
        data = json.loads(text if text is not None and text != "" else "{}")
    except ValueError:
        raise RenderError("data", "Template rendering data is invalid") from None
    if not isinstance(data, dict):
        raise RenderError("data", "Template rendering data is invalid")
    return data


_TAG = re.compile(r"\{\{.*?\}\}", re.DOTALL)
_BLOCK = re.compile(r"^\{\{~?\s*([#/^])\s*([^\s}~]+)")


def check_syntax(source: str) -> None:
    """What Handlebars.js refuses and pybars3 lets through: a ``{{`` never closed, a block never closed.

    pybars3 renders ``{{#each items}}…`` without its ``{{/each}}`` as nothing instead of failing; SES (whose
    renderer is Handlebars.js-like) fails to render it. This walk over the tags catches both.
    """
    tags = _TAG.findall(source)
    if source.count("{{") != sum(t.count("{{") for t in tags):
        raise RenderError("syntax", "Template could not be parsed: a '{{' is never closed with '}}'.")
    stack: list[str] = []
    for tag in tags:
        found = _BLOCK.match(tag)
        if found is None:
            continue
        kind, name = found.groups()
        if kind in "#^":
            stack.append(name)
        elif not stack or stack.pop() != name:
            raise RenderError("syntax", f"Template could not be parsed: '{{{{/{name}}}}}' closes no open block.")
    if stack:
        raise RenderError("syntax", f"Template could not be parsed: '{{{{#{stack[-1]}}}}}' is never closed.")


def render_part(source: str | None, data: dict[str, Any]) -> str | None:
    """One part (subject, text or HTML) rendered with ``data``; None stays None."""
    if source is None or source == "":
        return source
    check_syntax(source)
    import pybars  # here, not at the top: importing it builds its grammar, seconds of every lab's start

    try:
        compiled = pybars.Compiler().compile(source)
    except pybars.PybarsError as exc:
        raise RenderError("syntax", f"Template could not be parsed: {exc}") from None

    def missing(scope: Any, name: str, *args: Any) -> None:
        # pybars calls this for a simple name that resolved to nothing. At the top level (scope is the
        # root, also inside {{#if}}) SES needs the attribute; inside {{#each}}/{{#with}} it renders empty.
        if args:
            raise RenderError("syntax", f"Template uses an unknown helper: {name}")
        root = getattr(scope, "root", None)
        top = getattr(scope, "context", None) is root
        if top and isinstance(root, dict) and name not in root:
            raise RenderError("missing", f"Attribute '{name}' is not present in the rendering data.",
                              attribute=name)
        return None

    try:
        return str(compiled(_js_numbers(data), helpers={"helperMissing": missing}))
    except (pybars.PybarsError, TypeError) as exc:  # TypeError: a helper without its argument ({{#each}})
        raise RenderError("syntax", f"Template could not be rendered: {exc}") from None


def render(template: dict[str, Any], data_text: str | None) -> Rendered:
    """A stored template (moto's v1 shape) rendered with ``data_text``; raises :class:`RenderError`."""
    data = parse_data(data_text)
    return Rendered(
        subject=render_part(str(template.get("subject_part") or ""), data) or "",
        text=render_part(template.get("text_part") or None, data),
        html=render_part(template.get("html_part") or None, data),
    )


def rendered_mime(rendered: Rendered, *, source: str | None = None, to: list[str] | None = None,
                  cc: list[str] | None = None, message_id: str | None = None, date: str | None = None) -> str:
    """The MIME message SES builds from rendered (or simple) content: text and HTML as alternatives.

    ``message_id`` gives the ``Message-ID`` header SES writes (``<ID@email.amazonses.com>``); no random draw.
    """
    msg = EmailMessage()
    if date:
        msg["Date"] = date
    if source:
        msg["From"] = source
    if to:
        msg["To"] = ", ".join(to)
    if cc:
        msg["Cc"] = ", ".join(cc)
    msg["Subject"] = rendered.subject
    if message_id:
        msg["Message-ID"] = f"<{message_id}@email.amazonses.com>"
    if rendered.text is not None:
        msg.set_content(rendered.text)
        if rendered.html is not None:
            msg.add_alternative(rendered.html, subtype="html")
    elif rendered.html is not None:
        msg.set_content(rendered.html, subtype="html")
    else:
        msg.set_content("")
    return msg.as_string(policy=SMTP)


#: Where a rendering failure is kept: ``backend.__dict__`` via the registry's state, see :func:`failures`.
FAILURES_KEY = "rendering_failures"


def failures(backend: Any) -> list[dict[str, Any]]:
    """The backend's rendering failures, oldest first (a list moto's reset throws away).

    Each: ``{"MessageId", "Template", "Source", "Destination", "Kind", "Error", "Attribute", "Api", "Operation",
    "ConfigurationSet", "Tags", "Timestamp"}`` (``Destination`` an SES ``Destination``, ``Tags`` (name, value) pairs).
    """
    from sesbook.lab.registry import state

    return state(backend, FAILURES_KEY, list)  # type: ignore[no-any-return]
