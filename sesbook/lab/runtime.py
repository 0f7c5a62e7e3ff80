"""``Lab``: starts and stops the lab's servers in this process."""

from __future__ import annotations

import json
import logging
import math
import os
import re
import threading
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from sesbook.errors import LabError
from sesbook.facts import SES_REGIONS, SES_REGIONS_AS_OF, SES_REGIONS_SOURCE
from sesbook.lab import ACCOUNT_ID, LabInfo, clock, current, seeding, set_current
from sesbook.lab.registry import ROUTES, Route, route

log = logging.getLogger("sesbook")


def _quiet_handler() -> Any:
    """moto's request handler without one log line per request (the lab logs through ``sesbook``)."""
    from moto.moto_server.werkzeug_app import MotoRequestHandler

    class QuietHandler(MotoRequestHandler):
        def log_request(self, code: Any = "-", size: Any = "-") -> None:
            log.debug("lab http %s %s", self.requestline, code)

    return QuietHandler


class _App:
    """WSGI: the lab's own paths first, everything else to moto."""

    def __init__(self, lab: Lab) -> None:
        from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

        self.lab = lab
        self.moto = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        region = _ses_region_outside_ses(environ)
        if region is not None:
            return _not_an_ses_region(region, path, environ, start_response)
        for prefix in sorted(ROUTES, key=len, reverse=True):
            if path == prefix or path.startswith(prefix.rstrip("/") + "/") or path.startswith(prefix + "?"):
                return self._serve(ROUTES[prefix], environ, start_response)
        from sesbook.lab import ledger

        ledger.record_http(environ)
        return self.moto(environ, start_response)

    def _serve(self, handler: Route, environ: dict[str, Any], start_response: Any) -> Any:
        from werkzeug.wrappers import Request, Response

        request = Request(environ)
        try:
            # the clock says its own usage; a route marked ``takes_any_body`` (the RFC 8058 one-click unsubscribe
            # POST is a form body) reads its body itself
            own_body = handler is _clock or getattr(handler, "takes_any_body", False)
            refused = None if own_body else _not_a_json_object(request)
            status, body = refused if refused else handler(request)
        except LabError as exc:
            status, body = 400, {"error": str(exc)}
        except (ValueError, KeyError, TypeError) as exc:
            status, body = 400, {"error": f"bad request: {exc}"}
        if isinstance(body, bytes | str):
            response = Response(body, status=status)
        else:
            response = Response(json.dumps(body, default=str), status=status, mimetype="application/json")
        return response(environ, start_response)


def _not_a_json_object(request: Any) -> tuple[int, Any] | None:
    """A 400 for a POST body that is not a JSON object (every control route takes one), else None: a list
    or a syntax error must not reach a handler as a 500 or a bare parser message."""
    data = request.get_data() if request.method == "POST" else b""
    if not data:
        return None
    try:
        body = json.loads(data)
    except ValueError as exc:
        return 400, {"error": f"the body is not JSON ({exc}); send a JSON object"}
    if not isinstance(body, dict):
        return 400, {"error": f"the body must be a JSON object, not {type(body).__name__}; send a JSON object"}
    return None


_SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/(?P<region>[^/,\s]+)/(?P<service>[^/,\s]+)/aws4_request")


def _ses_region_outside_ses(environ: dict[str, Any]) -> str | None:
    """The region of an SES or SESv2 request (its SigV4 credential scope) when SES does not run there."""
    found = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    if found is None or found["service"] not in ("ses", "email"):
        return None
    return None if found["region"] in SES_REGIONS else found["region"]


def _not_an_ses_region(region: str, path: str, environ: dict[str, Any], start_response: Any) -> Any:
    """HTTP 400 in the calling API's error shape (moto would answer 500, which botocore cannot parse).

    Real AWS has no endpoint ``email.REGION.amazonaws.com`` for such a region, so the SDK fails to connect;
    the lab cannot imitate that through an endpoint URL, so it says plainly what is wrong instead.
    """
    from werkzeug.wrappers import Response

    from sesbook.lab.seeding import request_id

    text = (f"{region} is not a region where Amazon SES runs. Use one of {', '.join(SES_REGIONS)} (as of "
            f"{SES_REGIONS_AS_OF}; current list: {SES_REGIONS_SOURCE}, or `aws ssm get-parameters-by-path --path "
            "/aws/service/global-infrastructure/services/ses/regions`).")
    rid = request_id()
    if path.startswith("/v2/"):
        response = Response(json.dumps({"message": text}), status=400, mimetype="application/json",
                            headers={"x-amzn-ErrorType": "BadRequestException", "x-amzn-RequestId": rid})
    else:
        body = (f"<ErrorResponse><Error><Type>Sender</Type><Code>InvalidParameterValue</Code>"
                f"<Message>{xml_escape(text)}</Message></Error><RequestId>{rid}</RequestId></ErrorResponse>")
        response = Response(body, status=400, mimetype="text/xml", headers={"x-amzn-RequestId": rid})
    return response(environ, start_response)


def _json_body(request: Any) -> dict[str, Any]:
    data = request.get_data()
    return json.loads(data) if data else {}


@route("/_sesbook/info")
def _info(request: Any) -> tuple[int, Any]:
    lab = current()
    return 200, json.loads(lab.info.to_json())


@route("/_sesbook/clock")
def _clock(request: Any) -> tuple[int, Any]:
    # Everything is checked before anything changes: a NaN or 1e308 offset would break every later call.
    if request.method == "POST":
        usage = 'send a JSON object such as {"advance": 3600} (seconds, 0 to 315576000) and/or {"freeze": true}'
        max_advance, max_offset = 10 * 365.25 * 86400, 100 * 365.25 * 86400  # 10 years a call, 100 in all
        try:
            body = json.loads(request.get_data() or b"{}")
        except ValueError:
            return 400, {"error": f"the body is not JSON; {usage}"}
        if not isinstance(body, dict):
            return 400, {"error": f"the body must be a JSON object; {usage}"}
        unknown = sorted(set(body) - {"advance", "freeze"})
        if unknown:
            return 400, {"error": f"unknown field(s) {', '.join(unknown)}; {usage}"}
        seconds = body.get("advance", 0)
        if isinstance(seconds, bool) or not isinstance(seconds, int | float):
            return 400, {"error": f"advance must be a JSON number of seconds, not {json.dumps(seconds)}; {usage}"}
        if not math.isfinite(seconds) or seconds < 0:
            return 400, {"error": f"advance must be a finite number of seconds, 0 or more (the lab's clock only "
                                  f"moves forward), not {seconds}; {usage}"}
        if seconds > max_advance:
            return 400, {"error": f"advance {seconds:g} s is more than 10 years (315576000 s); {usage}"}
        if clock.offset() + seconds > max_offset:
            return 400, {"error": "the lab's clock would be more than 100 years ahead; POST /_sesbook/reset "
                                  "to start again from now"}
        freeze = body.get("freeze")
        if "freeze" in body and not isinstance(freeze, bool):
            return 400, {"error": f"freeze must be JSON true or false, not {json.dumps(freeze)}; {usage}"}
        if freeze is True:
            clock.freeze()
        elif freeze is False:
            clock.unfreeze()
        clock.advance(float(seconds))
    return 200, {"now": clock.now().isoformat(), "offset_seconds": clock.offset(), "frozen": clock.frozen()}


@route("/_sesbook/tls")
def _tls(request: Any) -> tuple[int, Any]:
    """The certificate the lab's SMTP servers offer on STARTTLS (PEM), for clients to trust."""
    from sesbook.lab.smtp import tls

    return 200, {"certificate": tls.certificate_pem().decode("ascii")}


@route("/_sesbook/reset")
def _reset(request: Any) -> tuple[int, Any]:
    current().reset()
    return 200, {"reset": True}


class Lab:
    """The lab's servers, on loopback: moto (AWS API), DNS, the SMTP interface and the inbound SMTP server.
    One per process."""

    def __init__(self, *, region: str = "us-east-1", seed: int | None = None, host: str = "127.0.0.1",
                 mailbox_limit: int | None = None, mailbox_bytes: int | None = None) -> None:
        """``mailbox_limit`` / ``mailbox_bytes``: how much the lab mailbox keeps (default: the environment
        variables ``SESBOOK_LAB_MAILBOX_LIMIT`` / ``SESBOOK_LAB_MAILBOX_BYTES``, else 1000 messages, 200 MB)."""
        self.region = region
        self.mailbox_limit = mailbox_limit
        self.mailbox_bytes = mailbox_bytes
        self.seed = seed
        self.host = host
        self._http: Any = None
        self._http_thread: threading.Thread | None = None
        self._dns: Any = None
        self._smtp: Any = None
        self._inbound: Any = None
        self.info: LabInfo | None = None

    def start(self) -> LabInfo:
        """Start every server on a free port and return where they listen."""
        if current() is not None:
            raise LabError("a lab is already running in this process; attach to it with sesbook.connect('lab').")
        from werkzeug.serving import make_server

        from sesbook.lab import registry
        from sesbook.lab.dns.server import DnsServer
        from sesbook.lab.smtp.submission import SubmissionServer

        registry.install()
        from sesbook.lab import mailbox

        env = mailbox.limits_from_env()
        mailbox.configure(max_messages=self.mailbox_limit or env.max_messages,
                          max_bytes=self.mailbox_bytes or env.max_bytes)
        seeding.seed(self.seed)
        clock.reset()
        self._http = make_server(self.host, 0, _App(self), threaded=True, request_handler=_quiet_handler())
        self._http_thread = threading.Thread(target=self._http.serve_forever, name="sesbook-lab-aws", daemon=True)
        self._http_thread.start()
        self._dns = DnsServer(self.host, 0)
        self._dns.start()
        self._smtp = SubmissionServer(region=self.region, host=self.host)
        self._smtp.start()
        from sesbook.lab.ses.receiving import verdicts
        from sesbook.lab.smtp.inbound import InboundServer

        verdicts.use_dns(self.host, self._dns.port)
        self._inbound = InboundServer(self.region, self.host)
        self._inbound.start()
        self.info = LabInfo(
            aws_endpoint=f"http://{self.host}:{self._http.server_port}",
            dns=f"{self.host}:{self._dns.port}",
            region=self.region,
            account_id=ACCOUNT_ID,
            inbound_smtp=self._inbound.address,
            seed=self.seed,
            pid=os.getpid(),
            smtp=self._smtp.address,
        )
        set_current(self)
        log.info("lab listening: %s", self.info.to_json())
        return self.info

    def reset(self) -> None:
        """Clear all state (moto's, and through the registry's reset hooks the clock's and the mailbox's); re-seed."""
        from moto.moto_api._internal.models import moto_api_backend

        moto_api_backend.reset()
        seeding.seed(self.seed)

    def stop(self) -> None:
        if self._http is not None:
            self._http.shutdown()
            self._http.server_close()
            self._http = None
        if self._http_thread is not None:
            self._http_thread.join(timeout=5)
            self._http_thread = None
        if self._dns is not None:
            self._dns.stop()
            self._dns = None
        if self._smtp is not None:
            self._smtp.stop()
            self._smtp = None
        if self._inbound is not None:
            self._inbound.stop()
            self._inbound = None
        if current() is self:
            set_current(None)

    def __enter__(self) -> Lab:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
