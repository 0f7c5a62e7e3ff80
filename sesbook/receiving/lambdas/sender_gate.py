"""A receipt rule's Lambda handler that lets through only mail from listed senders.

SES has no condition on the sender's address in a receipt rule: rules match recipients only, and IP filters
match the connecting address. To accept mail only from certain senders, a rule calls this function with
``InvocationType`` ``RequestResponse``; it answers ``{"disposition": "CONTINUE"}`` for a listed sender and
``{"disposition": "STOP_RULE_SET"}`` for anyone else, so the rules after it (the ones that store the mail)
do not run. (Developer Guide, "Invoke Lambda function action",
https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-lambda.html and its example
"Lambda function examples", checked 2026: only a RequestResponse call's answer is read; ``STOP_RULE``,
``STOP_RULE_SET`` and ``CONTINUE`` are the dispositions.)

The list is the environment variable ``ALLOWED_SENDERS``: comma-separated addresses (``friend@partner.test``)
or domains (``@partner.test``). The sender checked is the envelope's (``mail.source``, the ``MAIL FROM``),
compared without regard to case. Standard library only: it runs on any Python Lambda runtime.
"""

from __future__ import annotations

import json
import os
from typing import Any


def allowed_senders() -> set[str]:
    """The entries of ``ALLOWED_SENDERS``, lower case."""
    return {item.strip().lower() for item in os.environ.get("ALLOWED_SENDERS", "").split(",") if item.strip()}


def is_allowed(sender: str, allowed: set[str]) -> bool:
    """Whether ``sender`` is listed, itself or by its domain (``@domain``)."""
    sender = (sender or "").strip().lower()
    domain = sender.rpartition("@")[2]
    return bool(sender) and (sender in allowed or "@" + domain in allowed)


def handler(event: dict[str, Any], context: object) -> dict[str, str]:
    """The Lambda entry point (``sender_gate.handler``)."""
    mail = event["Records"][0]["ses"]["mail"]
    sender = mail.get("source", "")
    disposition = "CONTINUE" if is_allowed(sender, allowed_senders()) else "STOP_RULE_SET"
    print(json.dumps(  # noqa: T201 - the function's log line (CloudWatch Logs in AWS)
        {"messageId": mail.get("messageId"), "source": sender, "disposition": disposition}))
    return {"disposition": disposition}
