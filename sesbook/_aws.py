"""Plumbing shared by the modules that call AWS: error translation and the read/write split."""

from __future__ import annotations

import contextlib
import logging
import re
from typing import TYPE_CHECKING

from sesbook.errors import AwsError, TargetError, ValidationError

if TYPE_CHECKING:
    from collections.abc import Iterator

log = logging.getLogger("sesbook")

#: Operation name prefixes that only read, as whole words (``Check`` covers ``CheckDomainAvailability``,
#: not ``CheckpointDurableExecution`` or ``CheckoutLicense``). Everything else is a change and goes
#: through the plan. ``Receive`` is not here: receiving takes the item (SQS ``ReceiveMessage`` hides the
#: message for its visibility timeout and counts the receive; Kinesis ``ReceiveQueueRecords`` likewise).
READ_PREFIXES = (
    "Get",
    "List",
    "Describe",
    "Head",
    "Lookup",
    "Query",
    "Scan",
    "Search",
    "Select",
    "TestRender",
    "Simulate",
    "Check",
)
#: Operations named like reads that change state, confirmed in botocore's service models (their docs):
#: license-manager ``CheckInLicense`` returns a license; cognito-identity ``GetId`` may create an identity.
STATE_CHANGING_READS = frozenset({"CheckInLicense", "GetId"})


def is_mutating(operation: str) -> bool:
    """True when an AWS operation (``VerifyDomainIdentity``) changes something, going by its name."""
    if operation in STATE_CHANGING_READS:
        return True
    for prefix in READ_PREFIXES:
        rest = operation.removeprefix(prefix)
        if rest != operation and (not rest or rest[0].isupper()):
            return False
    return True


_REPORT_VALUE = re.compile(r"(parameter (?P<name>[\w.\[\]]+), value: )(?P<value>.*?)(, type: |, valid |$)", re.M)


def _redact_report(report: str) -> str:
    """botocore's validation report with the values of secret parameters (and PEM keys) left out."""
    from sesbook._redact import PEM_PRIVATE_KEY, REDACTED, SECRET_NAME

    def hide(match: re.Match[str]) -> str:
        secret = SECRET_NAME.search(match["name"]) or PEM_PRIVATE_KEY.search(match["value"])
        return match.group(1) + (REDACTED if secret else match["value"]) + match.group(4)

    return _REPORT_VALUE.sub(hide, report)


@contextlib.contextmanager
def aws_errors(service: str, *, hint: str | None = None) -> Iterator[None]:
    """Turn botocore's exceptions raised inside the block into sesbook's own.

    ``ClientError`` becomes :class:`AwsError` (operation, code, message, request id kept),
    parameter validation becomes :class:`ValidationError`, and connection or credential trouble
    becomes :class:`TargetError`. The original is chained with ``from``.
    """
    from botocore import exceptions as bx

    try:
        yield
    except bx.ClientError as exc:
        response = exc.response or {}
        error = response.get("Error", {})
        meta = response.get("ResponseMetadata", {})
        raise AwsError(
            f"{service}.{exc.operation_name}",
            str(error.get("Code", "Unknown")),
            str(error.get("Message", "")) or str(exc),
            request_id=meta.get("RequestId"),
            status=meta.get("HTTPStatusCode"),
            hint=hint,
        ) from exc
    except bx.ParamValidationError as exc:
        raise ValidationError(
            f"{service} parameters", _redact_report(exc.kwargs.get("report", "")), "botocore rejected the request",
            hint="Fix the parameter named in the report.",
        ) from exc
    except (bx.NoCredentialsError, bx.PartialCredentialsError) as exc:
        raise TargetError(
            f"no AWS credentials for {service}: {exc}. Set a profile (connect(..., profile=...)) or the "
            "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY environment variables; never pass keys as parameters."
        ) from exc
    except (bx.EndpointConnectionError, bx.ConnectTimeoutError, bx.ReadTimeoutError) as exc:
        raise TargetError(
            f"cannot reach the {service} endpoint: {exc}. For the lab, is it still running "
            "(python -m sesbook lab)? For AWS, check the network and the region."
        ) from exc
