"""Open and click tracking: links rewritten and an open pixel added, served by the lab, counted as ``Open`` and
``Click``.

SES tracks opens and clicks for mail sent with a configuration set that asks for them: it rewrites every link
of the HTML part to pass through its tracking domain and adds a 1x1 image whose download counts an open
(SES Developer Guide, "Configuring custom domains to handle open and click tracking":
https://docs.aws.amazon.com/ses/latest/dg/configure-custom-open-click-domains.html, and "Monitoring your
Amazon SES sending activity"; only HTML mail is tracked; checked 2026).

SES tracks any HTML mail sent with such a set, whatever API sent it: simple content, templates (their rendered
HTML) and raw MIME through the API or SMTP (the text/html parts; same pages, checked 2026).

In the lab a set asks for tracking when it has ``TrackingOptions`` (SESv2 ``CreateConfigurationSet``) or an
event destination (v1) matching ``open`` or ``click``. The pipeline's ``add_tracking`` stage calls
:func:`rewrite` on the HTML of simple sends and on each rendered template, and :func:`rewrite_mime` on raw
and SMTP messages: every text/html part that is not an attachment is decoded (its transfer encoding and
charset), rewritten and encoded again the same way (a 7bit/8bit part whose lines would grow past SMTP's 998
characters becomes quoted-printable); every other byte of the message, the other parts included, is kept
as it was. A part the lab cannot decode is left untracked. The links point at the lab's own HTTP server:

- ``GET /_sesbook/track/open/TOKEN`` counts an ``Open`` and answers a 1x1 GIF;
- ``GET /_sesbook/track/click/TOKEN?to=URL`` counts a ``Click`` and answers a page that forwards to ``URL``
  (the lab's routes answer a body, not a redirect; a browser follows the refresh).

``TOKEN`` carries the region, the configuration set and the message id (URL-safe base64 JSON; no random draw).
"""

from __future__ import annotations

import base64
import email.quoprimime
import html
import logging
import quopri
import re
from email.parser import HeaderParser
from email.policy import compat32
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sesbook.lab.registry import route
from sesbook.lab.ses._wire import read_url_token, url_token
from sesbook.lab.ses.metrics.state import record

if TYPE_CHECKING:
    from collections.abc import Callable
    from email.message import Message

log = logging.getLogger("sesbook")

#: Called on every counted open or click with ``(backend, token, kind, details)``: ``token`` holds the region
#: ``r``, configuration set ``c`` and message id ``m``; ``kind`` is ``"open"`` or ``"click"``; ``details`` the
#: ``ipAddress``, ``userAgent`` and (clicks) ``link``. The feedback package registers the Open and Click events
#: here (:mod:`sesbook.lab.ses.feedback.stages`), so this module needs no import of it.
ENGAGEMENT_HOOKS: list[Callable[[Any, dict[str, str], str, dict[str, str]], None]] = []

#: A transparent 1x1 GIF.
PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
_HREF = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://[^"']+)\2""", re.IGNORECASE)


def tracking_wanted(backend: Any, configuration_set: str | None) -> bool:
    """True when ``configuration_set`` exists and asks for open or click tracking."""
    if not configuration_set:
        return False
    found = getattr(backend, "config_sets", {}).get(configuration_set)
    if found is None:
        return False
    if getattr(found, "tracking_options", None):
        return True
    destination = getattr(backend, "config_set_event_destination", {}).get(configuration_set) or {}
    matching = destination.get("EventMatchingTypes") or destination.get("MatchingEventTypes") or []
    types = {str(t).lower() for t in matching}
    return bool(types & {"open", "click"})


def token_for(region: str, configuration_set: str, message_id: str) -> str:
    return url_token({"r": region, "c": configuration_set, "m": message_id})


def _parse_token(text: str) -> dict[str, str]:
    return read_url_token(text, ("r", "c", "m"), "a tracking token")


def rewrite(body: str, base_url: str, token: str) -> str:
    """``body`` (HTML) with every http(s) link passing through the click URL, and the open pixel added."""
    def through(match: re.Match[str]) -> str:
        target = html.unescape(match[3])
        url = f"{base_url}/_sesbook/track/click/{token}?to={quote(target, safe='')}"
        return f"{match[1]}{match[2]}{html.escape(url)}{match[2]}"

    rewritten = _HREF.sub(through, body)
    pixel = f'<img src="{base_url}/_sesbook/track/open/{token}" width="1" height="1" alt="" />'
    closing = re.search(r"</body\s*>", rewritten, re.IGNORECASE)
    if closing:
        return rewritten[:closing.start()] + pixel + rewritten[closing.start():]
    return rewritten + pixel


#: SMTP's longest line, in characters without the line ending (RFC 5321 section 4.5.3.1.6).
MAX_LINE = 998
_DELIMITER = "(?m)^--{boundary}(--)?[ \t]*\r?$"


def rewrite_mime(raw: str, base_url: str, token: str) -> str:
    """``raw`` (a MIME message) with each text/html part that is not an attachment passed through :func:`rewrite`
    (see the module docstring); the rest of the message is kept character for character."""
    return _entity(raw, base_url, token)


def _split(text: str) -> tuple[str, str, str]:
    """(header block, the blank line's line endings, body) of one MIME entity."""
    if text.startswith(("\r\n", "\n")):  # a part without headers
        ending = "\r\n" if text.startswith("\r\n") else "\n"
        return "", ending, text[len(ending):]
    found = re.search(r"\r?\n(\r?\n)", text)
    if found is None:
        return text, "", ""
    return text[:found.start()], text[found.start():found.end()], text[found.end():]


def _entity(text: str, base_url: str, token: str) -> str:
    head, blank, body = _split(text)
    if not blank:
        return text
    headers = HeaderParser(policy=compat32).parsestr(head + "\n\n")
    if headers.get_content_maintype() == "multipart":
        boundary = headers.get_param("boundary")
        if not isinstance(boundary, str) or not boundary:
            return text
        return head + blank + _multipart(body, boundary, base_url, token)
    if headers.get_content_type() != "text/html" or headers.get_content_disposition() == "attachment":
        return text
    changed = _html_part(headers, head, body, base_url, token)
    if changed is None:
        return text
    new_head, new_body = changed
    return new_head + blank + new_body


def _multipart(body: str, boundary: str, base_url: str, token: str) -> str:
    """The body of a multipart entity with each part between its delimiters rewritten (preamble, delimiter lines,
    line endings and epilogue unchanged)."""
    delimiters = list(re.finditer(_DELIMITER.format(boundary=re.escape(boundary)), body))
    if not delimiters:
        return body
    out = [body[:delimiters[0].end()]]
    for index, this in enumerate(delimiters):
        if this.group(1) or index + 1 == len(delimiters):  # the close delimiter (or, malformed, the last one):
            out.append(body[this.end():])  # the epilogue, as it was
            break
        after = delimiters[index + 1]
        segment = body[this.end():after.start()]
        lead = re.match(r"\r?\n", segment)
        start = lead.end() if lead else 0
        trail = re.search(r"\r?\n$", segment[start:])
        end = len(segment) - (len(trail.group()) if trail else 0)
        out.append(segment[:start] + _entity(segment[start:end], base_url, token) + segment[end:])
        out.append(body[after.start():after.end()])
    return "".join(out)


def _html_part(headers: Message, head: str, body: str, base_url: str, token: str) -> tuple[str, str] | None:
    """(header block, body) of a text/html leaf part with its links tracked, encoded as it was; None when
    the part cannot be decoded (unknown charset or transfer encoding, bytes that are not its charset)."""
    encoding = str(headers.get("Content-Transfer-Encoding") or "7bit").strip().lower()
    charset = headers.get_content_charset() or "us-ascii"
    ending = "\r\n" if "\r\n" in body or "\r\n" in head else "\n"
    core = body.rstrip("\r\n")
    tail = body[len(core):]
    try:
        if encoding == "base64":
            decoded = base64.b64decode("".join(core.split()), validate=True).decode(charset)
        elif encoding == "quoted-printable":
            decoded = quopri.decodestring(core.encode("ascii")).decode(charset)
        elif encoding in ("7bit", "8bit", "binary"):
            decoded = core  # already text: the message was read as UTF-8
        else:
            return None
        rewritten = rewrite(decoded, base_url, token)
        if encoding == "base64":
            lines = base64.encodebytes(rewritten.encode(charset)).decode("ascii").splitlines()
            return head, ending.join(lines) + tail
        if encoding == "7bit" and not rewritten.isascii():
            return None
        if encoding == "quoted-printable" or any(len(line) > MAX_LINE for line in rewritten.splitlines()):
            latin = rewritten.replace("\r\n", "\n").encode(charset).decode("latin-1")
            encoded = email.quoprimime.body_encode(latin, maxlinelen=76, eol=ending)
            if encoding != "quoted-printable":
                head = _with_encoding(head, "quoted-printable", ending)
            return head, encoded.rstrip("\r\n") + tail
    except (LookupError, ValueError, UnicodeError):
        return None
    return head, rewritten + tail


def _with_encoding(head: str, encoding: str, ending: str) -> str:
    """The header block with ``Content-Transfer-Encoding`` set to ``encoding`` (replaced, or added at the end)."""
    pattern = re.compile(r"(?im)^content-transfer-encoding[ \t]*:.*(?:\r?\n[ \t].*)*$")
    line = f"Content-Transfer-Encoding: {encoding}"
    if pattern.search(head):
        return pattern.sub(line, head, count=1)
    return f"{head}{ending}{line}" if head else line


def _engaged(backend: Any, token: dict[str, str], kind: str, details: dict[str, str]) -> None:
    for hook in ENGAGEMENT_HOOKS:
        try:
            hook(backend, token, kind, details)
        except Exception:  # noqa: BLE001 - the open or click was counted; an event that fails is logged
            log.exception("lab: the %s event for message %s failed", kind, token.get("m"))


@route("/_sesbook/track")
def _track(request: Any) -> tuple[int, Any]:
    from sesbook.lab.ses._wire import ses_backend_for

    parts = request.path.strip("/").split("/")  # _sesbook, track, open|click, TOKEN
    if len(parts) != 4 or parts[2] not in ("open", "click"):
        return 404, {"error": "use /_sesbook/track/open/TOKEN or /_sesbook/track/click/TOKEN?to=URL"}
    try:
        data = _parse_token(parts[3])
        backend = ses_backend_for(data["r"])
    except (ValueError, KeyError):
        return 404, {"error": "unknown tracking link"}
    details = {"ipAddress": str(request.remote_addr or ""), "userAgent": str(request.headers.get("User-Agent", ""))}
    if parts[2] == "open":
        record(backend, "Open", configuration_set=data["c"])
        _engaged(backend, data, "open", details)
        return 200, PIXEL
    target = request.args.get("to", "")
    if not re.match(r"^https?://", target):
        return 400, {"error": "the click link has no http(s) destination (?to=URL)"}
    record(backend, "Click", configuration_set=data["c"])
    _engaged(backend, data, "click", {**details, "link": target})
    safe = html.escape(target)
    return 200, (f'<!doctype html><meta http-equiv="refresh" content="0;url={safe}">'
                 f'<p>Click counted. Continue to <a href="{safe}">{safe}</a>.</p>')
