"""sesbook: Amazon SES, taught and automated, against a local lab or a real account.

Start with :func:`connect`. Importing this package is cheap: it opens no connection and imports
boto3, moto and dnspython only when a function that needs them is called.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from sesbook.errors import (
    AwsError,
    CheckFailedError,
    LabError,
    NotAppliedError,
    RunbookError,
    SesbookError,
    TargetError,
    ValidationError,
    WaitTimeoutError,
)

if TYPE_CHECKING:
    from sesbook._sender import ensure_verified_sender as ensure_verified_sender
    from sesbook.account import AccessRequest as AccessRequest
    from sesbook.account import AccountStatus as AccountStatus
    from sesbook.account import account_status as account_status
    from sesbook.account import check_account as check_account
    from sesbook.account import request_production_access as request_production_access
    from sesbook.account import set_sending_enabled as set_sending_enabled
    from sesbook.account import wait_for_review as wait_for_review
    from sesbook.dmarc import alignment as alignment
    from sesbook.dmarc import build_dmarc as build_dmarc
    from sesbook.dmarc import lint_dmarc as lint_dmarc
    from sesbook.dmarc import parse_dmarc as parse_dmarc
    from sesbook.dmarccheck import check_dmarc as check_dmarc
    from sesbook.dnscheck import check_records as check_records
    from sesbook.dnsrecords import RecordSet as RecordSet
    from sesbook.dnsrecords import domain_identity_exists as domain_identity_exists
    from sesbook.dnsrecords import records_for as records_for
    from sesbook.dnsrecords import required_records as required_records
    from sesbook.plan import Plan as Plan
    from sesbook.plan import PlannedCall as PlannedCall
    from sesbook.records import Record as Record
    from sesbook.route53 import apply_to_route53 as apply_to_route53
    from sesbook.send_probe import SendAttempt as SendAttempt
    from sesbook.send_probe import try_burst as try_burst
    from sesbook.send_probe import try_send as try_send
    from sesbook.spf import check_spf as check_spf
    from sesbook.spf import parse_spf as parse_spf
    from sesbook.target import Endpoints as Endpoints
    from sesbook.target import Target as Target
    from sesbook.target import TargetCheck as TargetCheck
    from sesbook.target import check_target as check_target
    from sesbook.target import connect as connect

__version__ = "0.1.0"

logging.getLogger("sesbook").addHandler(logging.NullHandler())

#: Notebook-facing names and the module each lives in; loaded on first use.
_LAZY: dict[str, str] = {
    "connect": "sesbook.target",
    "Target": "sesbook.target",
    "Endpoints": "sesbook.target",
    "check_target": "sesbook.target",
    "TargetCheck": "sesbook.target",
    "Plan": "sesbook.plan",
    "PlannedCall": "sesbook.plan",
    "account_status": "sesbook.account",
    "AccountStatus": "sesbook.account",
    "request_production_access": "sesbook.account",
    "AccessRequest": "sesbook.account",
    "wait_for_review": "sesbook.account",
    "set_sending_enabled": "sesbook.account",
    "try_send": "sesbook.send_probe",
    "try_burst": "sesbook.send_probe",
    "check_account": "sesbook.account",
    "SendAttempt": "sesbook.send_probe",
    "ensure_verified_sender": "sesbook._sender",
    # DNS: what to publish, publishing it, checking it
    "Record": "sesbook.records",
    "RecordSet": "sesbook.dnsrecords",
    "required_records": "sesbook.dnsrecords",
    "records_for": "sesbook.dnsrecords",
    "domain_identity_exists": "sesbook.dnsrecords",
    "apply_to_route53": "sesbook.route53",
    "check_records": "sesbook.dnscheck",
    "check_spf": "sesbook.spf",
    "parse_spf": "sesbook.spf",
    "build_dmarc": "sesbook.dmarc",
    "parse_dmarc": "sesbook.dmarc",
    "lint_dmarc": "sesbook.dmarc",
    "check_dmarc": "sesbook.dmarccheck",
    "alignment": "sesbook.dmarc",
    "verify_domain": "sesbook.identities",
    "verify_email": "sesbook.identities",
    "identity_status": "sesbook.identities",
    "publish_records": "sesbook.identities",
    "wait_for_verification": "sesbook.verification",
    "check_identity": "sesbook.verification",
    "set_mail_from": "sesbook.mailfrom",
    "generate_dkim_key": "sesbook.dkim",
    "byodkim": "sesbook.dkim",
}

__all__ = [
    "AwsError",
    "CheckFailedError",
    "LabError",
    "NotAppliedError",
    "RunbookError",
    "SesbookError",
    "TargetError",
    "ValidationError",
    "WaitTimeoutError",
    "__version__",
    *_LAZY,
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sesbook' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
