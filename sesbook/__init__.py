"""sesbook: Amazon SES, taught and automated, against a local lab or a real account.

Start with :func:`connect`. Importing this package is cheap: it opens no connection and imports
boto3, moto and dnspython only when a function that needs them is called.

The rule for names: everything a notebook calls is exported here (``__all__``); the sub-packages
(``sesbook.dns``, ``sesbook.identities``, ``sesbook.account``, ``sesbook.sending`` …) are the internal
layout and may move. ``tests/test_public_api.py`` keeps ``__all__``, ``_LAZY`` and the ``TYPE_CHECKING``
block below the same set.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

from sesbook.errors import (
    AwsError,
    CheckFailedError,
    LabError,
    NoMessageError,
    NotAppliedError,
    RunbookError,
    SesbookError,
    TargetError,
    ValidationError,
    VerificationFailedError,
    WaitTimeoutError,
)

if TYPE_CHECKING:
    from sesbook.account.access import AccessRequest as AccessRequest
    from sesbook.account.access import request_production_access as request_production_access
    from sesbook.account.access import set_lab_review as set_lab_review
    from sesbook.account.access import wait_for_review as wait_for_review
    from sesbook.account.check import check_account as check_account
    from sesbook.account.status import AccountStatus as AccountStatus
    from sesbook.account.status import account_status as account_status
    from sesbook.account.status import set_sending_enabled as set_sending_enabled
    from sesbook.dns.check import check_records as check_records
    from sesbook.dns.dmarc import alignment as alignment
    from sesbook.dns.dmarc import build_dmarc as build_dmarc
    from sesbook.dns.dmarc import lint_dmarc as lint_dmarc
    from sesbook.dns.dmarc import parse_dmarc as parse_dmarc
    from sesbook.dns.dmarccheck import check_dmarc as check_dmarc
    from sesbook.dns.records import Record as Record
    from sesbook.dns.records import RecordSet as RecordSet
    from sesbook.dns.route53 import apply_to_route53 as apply_to_route53
    from sesbook.dns.ses_records import required_records as required_records
    from sesbook.dns.spf import check_spf as check_spf
    from sesbook.dns.spf import parse_spf as parse_spf
    from sesbook.identities.check import check_identity as check_identity
    from sesbook.identities.dkim import byodkim as byodkim
    from sesbook.identities.dkim import generate_dkim_key as generate_dkim_key
    from sesbook.identities.mailfrom import set_mail_from as set_mail_from
    from sesbook.identities.records import domain_identity_exists as domain_identity_exists
    from sesbook.identities.records import publish_records as publish_records
    from sesbook.identities.records import records_for as records_for
    from sesbook.identities.sender import ensure_verified_sender as ensure_verified_sender
    from sesbook.identities.status import identity_status as identity_status
    from sesbook.identities.verify import delete_identity as delete_identity
    from sesbook.identities.verify import verify_domain as verify_domain
    from sesbook.identities.verify import verify_email as verify_email
    from sesbook.identities.wait import wait_for_verification as wait_for_verification
    from sesbook.mailbox import follow_verification_link as follow_verification_link
    from sesbook.mailbox import last_message as last_message
    from sesbook.monitoring.alarms import AlarmSpec as AlarmSpec
    from sesbook.monitoring.alarms import AlarmsResult as AlarmsResult
    from sesbook.monitoring.alarms import alarms_cloudformation as alarms_cloudformation
    from sesbook.monitoring.alarms import create_reputation_alarms as create_reputation_alarms
    from sesbook.monitoring.alarms import reputation_alarms as reputation_alarms
    from sesbook.monitoring.metrics import SendDataPoint as SendDataPoint
    from sesbook.monitoring.metrics import SendingMetrics as SendingMetrics
    from sesbook.monitoring.metrics import sending_metrics as sending_metrics
    from sesbook.monitoring.plots import plot_reputation as plot_reputation
    from sesbook.monitoring.plots import plot_sending as plot_sending
    from sesbook.monitoring.reputation import ReputationStatus as ReputationStatus
    from sesbook.monitoring.reputation import record_lab_event as record_lab_event
    from sesbook.monitoring.reputation import reputation_status as reputation_status
    from sesbook.monitoring.reputation import reset_lab_reputation as reset_lab_reputation
    from sesbook.monitoring.reputation import set_lab_reputation as set_lab_reputation
    from sesbook.plan import Plan as Plan
    from sesbook.plan import PlannedCall as PlannedCall
    from sesbook.sending.probe import SendAttempt as SendAttempt
    from sesbook.sending.probe import try_burst as try_burst
    from sesbook.sending.probe import try_sandbox_refusal as try_sandbox_refusal
    from sesbook.sending.probe import try_send as try_send
    from sesbook.target import Endpoints as Endpoints
    from sesbook.target import Target as Target
    from sesbook.target import TargetCheck as TargetCheck
    from sesbook.target import check_target as check_target
    from sesbook.target import connect as connect

__version__ = "0.1.0"

logging.getLogger("sesbook").addHandler(logging.NullHandler())

#: Notebook-facing names and the module each lives in; loaded on first use.
_LAZY: dict[str, str] = {
    # the target and the plan
    "connect": "sesbook.target",
    "Target": "sesbook.target",
    "Endpoints": "sesbook.target",
    "check_target": "sesbook.target",
    "TargetCheck": "sesbook.target",
    "Plan": "sesbook.plan",
    "PlannedCall": "sesbook.plan",
    # the account: status, leaving the sandbox, checking it
    "account_status": "sesbook.account.status",
    "AccountStatus": "sesbook.account.status",
    "set_sending_enabled": "sesbook.account.status",
    "request_production_access": "sesbook.account.access",
    "AccessRequest": "sesbook.account.access",
    "wait_for_review": "sesbook.account.access",
    "set_lab_review": "sesbook.account.access",
    "check_account": "sesbook.account.check",
    # sending
    "try_send": "sesbook.sending.probe",
    "try_burst": "sesbook.sending.probe",
    "try_sandbox_refusal": "sesbook.sending.probe",
    "SendAttempt": "sesbook.sending.probe",
    # DNS: what to publish, publishing it, checking it
    "Record": "sesbook.dns.records",
    "RecordSet": "sesbook.dns.records",
    "required_records": "sesbook.dns.ses_records",
    "apply_to_route53": "sesbook.dns.route53",
    "check_records": "sesbook.dns.check",
    "check_spf": "sesbook.dns.spf",
    "parse_spf": "sesbook.dns.spf",
    "build_dmarc": "sesbook.dns.dmarc",
    "parse_dmarc": "sesbook.dns.dmarc",
    "lint_dmarc": "sesbook.dns.dmarc",
    "alignment": "sesbook.dns.dmarc",
    "check_dmarc": "sesbook.dns.dmarccheck",
    # identities: verify, read their records from SES, wait, check
    "verify_domain": "sesbook.identities.verify",
    "verify_email": "sesbook.identities.verify",
    "delete_identity": "sesbook.identities.verify",
    "identity_status": "sesbook.identities.status",
    "records_for": "sesbook.identities.records",
    "domain_identity_exists": "sesbook.identities.records",
    "publish_records": "sesbook.identities.records",
    "wait_for_verification": "sesbook.identities.wait",
    "check_identity": "sesbook.identities.check",
    "set_mail_from": "sesbook.identities.mailfrom",
    "generate_dkim_key": "sesbook.identities.dkim",
    "byodkim": "sesbook.identities.dkim",
    "ensure_verified_sender": "sesbook.identities.sender",
    # monitoring and reputation: metrics, statistics, rates, alarms, plots
    "sending_metrics": "sesbook.monitoring.metrics",
    "SendingMetrics": "sesbook.monitoring.metrics",
    "SendDataPoint": "sesbook.monitoring.metrics",
    "reputation_status": "sesbook.monitoring.reputation",
    "ReputationStatus": "sesbook.monitoring.reputation",
    "set_lab_reputation": "sesbook.monitoring.reputation",
    "reset_lab_reputation": "sesbook.monitoring.reputation",
    "record_lab_event": "sesbook.monitoring.reputation",
    "reputation_alarms": "sesbook.monitoring.alarms",
    "create_reputation_alarms": "sesbook.monitoring.alarms",
    "alarms_cloudformation": "sesbook.monitoring.alarms",
    "AlarmSpec": "sesbook.monitoring.alarms",
    "AlarmsResult": "sesbook.monitoring.alarms",
    "plot_sending": "sesbook.monitoring.plots",
    "plot_reputation": "sesbook.monitoring.plots",
    # the lab's mailbox
    "last_message": "sesbook.mailbox",
    "follow_verification_link": "sesbook.mailbox",
}

__all__ = [
    "AwsError",
    "CheckFailedError",
    "LabError",
    "NoMessageError",
    "NotAppliedError",
    "RunbookError",
    "SesbookError",
    "TargetError",
    "ValidationError",
    "VerificationFailedError",
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
