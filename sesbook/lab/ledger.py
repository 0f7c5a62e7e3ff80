"""What reached the lab, counted on the server side: every AWS API request by service and operation, and
every SMTP connection to each of the two SMTP servers.

A plan-only run (``target="aws"``, ``apply=False``) against the lab standing in for AWS must send reads
only; the tests read ``GET /_sesbook/requests`` afterwards and find no mutating request and no SMTP
connection. ``DELETE /_sesbook/requests`` (and a lab reset) empties the counts.

An operation is named the way AWS names it where the request says so (the ``Action`` of the query
protocol: SES v1, IAM, SNS, STS; the JSON protocol's ``X-Amz-Target``: SQS, CloudWatch),
otherwise ``METHOD /path`` (REST: SESv2, Route 53, S3, Lambda).
A request mutates unless it is a query-protocol read (``Get*``, ``List*``, ``Describe*``, ``Check*``,
``Test*``) or a REST ``GET``/``HEAD`` (or one of the few ``POST`` reads of SESv2, listed in ``_POST_READS``).
"""

from __future__ import annotations

import io
import re
import threading
from collections import Counter
from typing import Any
from urllib.parse import parse_qs

from sesbook.lab.registry import on_reset, route

_lock = threading.Lock()
_http: Counter[str] = Counter()
_mutating: Counter[str] = Counter()
_smtp: Counter[str] = Counter()

_READ_ACTIONS = ("Get", "List", "Describe", "Check", "Test")
_SCOPE = re.compile(r"Credential=[^/,\s]*/\d{8}/[^/,\s]+/(?P<service>[^/,\s]+)/aws4_request")
#: SESv2 operations sent as POST that change nothing: TestRenderEmailTemplate, BatchGetMetricData, and the
#: ``list-*`` operations botocore sends as POST (ListConfigurationSets: ``/v2/email/list-configuration-sets``).
_POST_READS = (re.compile(r"^/v2/email/templates/[^/]+/render$"), re.compile(r"^/v2/email/metrics/batch$"),
               re.compile(r"^/v2/email/list-[a-z-]+$"))


def _action(environ: dict[str, Any]) -> str | None:
    """The operation: the JSON protocol's ``X-Amz-Target`` (``AmazonSQS.ListQueues``: SQS, CloudWatch), or the
    query protocol's ``Action`` (from the query string or a form body); the body stays readable."""
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return str(target).rsplit(".", 1)[-1]
    found = parse_qs(environ.get("QUERY_STRING", "")).get("Action")
    if found:
        return found[0]
    if "x-www-form-urlencoded" not in environ.get("CONTENT_TYPE", ""):
        return None
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    got = parse_qs(body.decode("utf-8", "replace")).get("Action")
    return got[0] if got else None


def record_http(environ: dict[str, Any]) -> None:
    """Count one AWS API request (called by the lab's WSGI app before moto answers it)."""
    method, path = environ.get("REQUEST_METHOD", "GET"), environ.get("PATH_INFO", "")
    scope = _SCOPE.search(environ.get("HTTP_AUTHORIZATION", ""))
    service = scope["service"] if scope else "unsigned"
    action = _action(environ)
    if action is not None:
        name, mutates = f"{service} {action}", not action.startswith(_READ_ACTIONS)
    else:
        name = f"{service} {method} {path}"
        mutates = method not in ("GET", "HEAD", "OPTIONS") and not any(p.match(path) for p in _POST_READS)
    with _lock:
        _http[name] += 1
        if mutates:
            _mutating[name] += 1


def record_smtp(server: str) -> None:
    """Count one SMTP connection to ``server`` (``"submission"`` or ``"inbound"``)."""
    with _lock:
        _smtp[server] += 1


def snapshot() -> dict[str, Any]:
    with _lock:
        return {"http": dict(_http), "mutating": dict(_mutating), "smtp": dict(_smtp)}


@on_reset
def clear() -> None:
    with _lock:
        _http.clear()
        _mutating.clear()
        _smtp.clear()


@route("/_sesbook/requests")
def _requests(request: Any) -> tuple[int, Any]:
    """GET: the counts; DELETE: start counting again."""
    if request.method == "DELETE":
        clear()
    elif request.method != "GET":
        return 405, {"error": "use GET to read the counts or DELETE to empty them"}
    return 200, snapshot()
