"""Open and click tracking: links rewritten and an open pixel added, served by the lab, counted as ``Open`` and
``Click``.

SES tracks opens and clicks for mail sent with a configuration set that asks for them: it rewrites every link
of the HTML part to pass through its tracking domain and adds a 1x1 image whose download counts an open
(SES Developer Guide, "Configuring custom domains to handle open and click tracking":
https://docs.aws.amazon.com/ses/latest/dg/configure-custom-open-click-domains.html, and "Monitoring your
Amazon SES sending activity"; only HTML mail is tracked; checked 2026).

In the lab a set asks for tracking when it has ``TrackingOptions`` (SESv2 ``CreateConfigurationSet``) or an
event destination (v1) matching ``open`` or ``click``. The pipeline's ``add_tracking`` stage calls
:func:`rewrite` on the HTML part of simple sends (raw MIME and templated sends are left as they are: the lab
does not re-encode MIME or render templates here). The links point at the lab's own HTTP server:

- ``GET /_sesbook/track/open/TOKEN`` counts an ``Open`` and answers a 1x1 GIF;
- ``GET /_sesbook/track/click/TOKEN?to=URL`` counts a ``Click`` and answers a page that forwards to ``URL``
  (the lab's routes answer a body, not a redirect; a browser follows the refresh).

``TOKEN`` carries the region, the configuration set and the message id (URL-safe base64 JSON; no random draw).
"""

from __future__ import annotations

import base64
import html
import logging
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from sesbook.lab.registry import route
from sesbook.lab.ses._wire import read_url_token, url_token
from sesbook.lab.ses.metrics.state import record

if TYPE_CHECKING:
    from collections.abc import Callable

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
