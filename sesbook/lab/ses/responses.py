"""What every SES v1 and v2 response carries: request ids, message ids and (v2) the error body's shape.

- Request ids: SES's are lowercase UUIDs (``fd3ae762-2563-11df-8cd4-6d4e828a9ae8``; SES Developer Guide,
  "Amazon SES API responses": https://docs.aws.amazon.com/ses/latest/DeveloperGuide/using-ses-api-responses.html);
  moto gives 52 random letters. The lab's SES responses carry a UUID in ``x-amzn-RequestId`` and in the v1
  body's ``<RequestId>``, drawn from the lab's seeded source (:func:`sesbook.lab.seeding.request_id`).
- Message ids: ``<16 hex>-<uuid>-000000`` (60 characters) as in the same page's examples, instead of moto's
  54 random letters; two draws from moto's seeded random per message (:func:`sesbook.lab.seeding.ses_message_id`),
  so seeded runs give the same ids.
- SESv2 error bodies: ``{"message": ...}`` with a lowercase ``message`` for every error, the code in the
  ``x-amzn-ErrorType`` header. The SESv2 model declares no members for its errors and botocore reads
  either spelling (``botocore/parsers.py``); responses observed from SES use lowercase ``message`` (not
  documented by AWS), and moto mixes both.
"""

from __future__ import annotations

import json
import re
from typing import Any

from sesbook.lab import seeding
from sesbook.lab.registry import V1_RESPONSE, V2_RESPONSE, replace_function, wrap

_REQUEST_ID_IN_XML = re.compile(r"(?<=<RequestId>).*?(?=</RequestId>)")


def _with_request_id(headers: dict[str, Any], body: Any) -> tuple[dict[str, Any], Any]:
    """moto's ``BaseResponse._enrich_response`` for SES: the status as text and a UUID request id."""
    if "status" in headers:
        headers["status"] = str(headers["status"])
    request_id = seeding.request_id()
    headers["x-amzn-requestid"] = request_id
    if isinstance(body, str):
        body = _REQUEST_ID_IN_XML.sub(request_id, body)
    return headers, body


@wrap(V1_RESPONSE, "_enrich_response")
def _v1_enrich(original: Any, self: Any, headers: dict[str, Any], body: Any) -> tuple[dict[str, Any], Any]:
    return _with_request_id(headers, body)


@wrap(V2_RESPONSE, "_enrich_response")
def _v2_enrich(original: Any, self: Any, headers: dict[str, Any], body: Any) -> tuple[dict[str, Any], Any]:
    headers, body = _with_request_id(headers, body)
    if int(headers.get("status", 200)) >= 400:
        body = v2_error_body(headers, body)
    return headers, body


def v2_error_body(headers: dict[str, Any], body: Any) -> Any:
    """An SESv2 error as SES sends it: body ``{"message": ...}``, code in ``x-amzn-ErrorType``."""
    try:
        data = json.loads(body)
    except (TypeError, ValueError):
        return body
    if not isinstance(data, dict):
        return body
    code = data.pop("__type", None) or data.pop("code", None) or data.pop("Code", None)
    if code and not any(k.lower() == "x-amzn-errortype" for k in headers):
        headers["x-amzn-ErrorType"] = str(code)
    message = data.pop("message", None)
    if message is None:
        message = data.pop("Message", "")
    return json.dumps({"message": message, **data})


@replace_function("moto.ses.models", "get_random_message_id")
def message_id() -> str:
    """moto's SES message id, in SES's shape (two draws from moto's seeded random)."""
    from moto.moto_api._internal import mock_random

    return seeding.ses_message_id(mock_random)
