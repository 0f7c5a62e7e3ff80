"""Helpers every ``wire`` module of the lab's SES shares: the moto classes patched, request bodies, backends."""

from __future__ import annotations

import base64
import json
from typing import Any

from sesbook.facts import SES_REGIONS
from sesbook.lab import ACCOUNT_ID
from sesbook.lab.ses.errors import BadRequestException

#: The moto classes the lab patches (dotted paths for :mod:`sesbook.lab.registry`).
SES_BACKEND = "moto.ses.models.SESBackend"
SESV2_BACKEND = "moto.sesv2.models.SESV2Backend"


def v2_body(response: Any) -> dict[str, Any]:
    """The JSON body of an SESv2 request, as a dict ({} when empty)."""
    body = response.body
    if isinstance(body, bytes):
        body = body.decode()
    if not body:
        return {}
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise BadRequestException(f"The request body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise BadRequestException("The request body must be a JSON object.")
    return data


def all_ses_backends() -> list[Any]:
    """Every moto SES v1 backend that exists (all accounts and regions)."""
    from moto.ses.models import ses_backends

    return [b for regions in list(ses_backends.values()) for b in list(regions.values())]


def ses_backend_for(region: str) -> Any:
    """The lab account's moto SES v1 backend in ``region``."""
    from moto.ses.models import ses_backends

    if region not in SES_REGIONS:  # a control-API body names it; moto would answer a bare KeyError
        raise ValueError(f"region {region!r} is not a region where SES runs; use one of {', '.join(SES_REGIONS)}")
    return ses_backends[ACCOUNT_ID][region]


def url_token(fields: dict[str, str | None]) -> str:
    """``fields`` as one opaque URL path segment (the lab's tracking and unsubscribe links carry them)."""
    data = json.dumps(fields, separators=(",", ":"))
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def read_url_token(text: str, required: tuple[str, ...], what: str) -> dict[str, Any]:
    """The fields of a :func:`url_token`; ``ValueError("not WHAT")`` unless it decodes to an object whose
    ``required`` fields are strings."""
    try:
        data = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:
        raise ValueError(f"not {what}") from None
    if not isinstance(data, dict) or not all(isinstance(data.get(k), str) for k in required):
        raise ValueError(f"not {what}")
    return data
