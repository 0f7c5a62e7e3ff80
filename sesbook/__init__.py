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
    FeedbackParseError,
    LabError,
    NoMessageError,
    NotAppliedError,
    RunbookError,
    SesbookError,
    SmtpError,
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
    from sesbook.cleanup.inventory import Inventory as Inventory
    from sesbook.cleanup.inventory import inventory as inventory
    from sesbook.cleanup.names import SuiteNames as SuiteNames
    from sesbook.cleanup.remove import CleanupResult as CleanupResult
    from sesbook.cleanup.remove import clean_up as clean_up
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
    from sesbook.feedback.consume import DrainReport as DrainReport
    from sesbook.feedback.consume import FeedbackLedger as FeedbackLedger
    from sesbook.feedback.consume import FeedbackPolicy as FeedbackPolicy
    from sesbook.feedback.consume import drain as drain
    from sesbook.feedback.parse import Feedback as Feedback
    from sesbook.feedback.parse import parse_feedback as parse_feedback
    from sesbook.feedback.suppression import SuppressionList as SuppressionList
    from sesbook.feedback.suppression import suppress as suppress
    from sesbook.feedback.suppression import suppression_list as suppression_list
    from sesbook.feedback.suppression import unsuppress as unsuppress
    from sesbook.feedback.watch import FeedbackWatch as FeedbackWatch
    from sesbook.feedback.watch import Watched as Watched
    from sesbook.feedback.watch import watch_feedback as watch_feedback
    from sesbook.feedback.wiring import FeedbackWiring as FeedbackWiring
    from sesbook.feedback.wiring import feedback_template as feedback_template
    from sesbook.feedback.wiring import wire_feedback as wire_feedback
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
    from sesbook.mailbox import InboundLog as InboundLog
    from sesbook.mailbox import follow_unsubscribe as follow_unsubscribe
    from sesbook.mailbox import follow_verification_link as follow_verification_link
    from sesbook.mailbox import inbound_log as inbound_log
    from sesbook.mailbox import last_message as last_message
    from sesbook.mailbox import mailbox_messages as mailbox_messages
    from sesbook.mailbox import script_outcome as script_outcome
    from sesbook.mailbox import unsubscribe_link as unsubscribe_link
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
    from sesbook.receiving.cloudformation import CfnTemplate as CfnTemplate
    from sesbook.receiving.cloudformation import export_cloudformation as export_cloudformation
    from sesbook.receiving.cloudformation import template_for as template_for
    from sesbook.receiving.diagram import RuleSetDiagram as RuleSetDiagram
    from sesbook.receiving.diagram import rule_set_diagram as rule_set_diagram
    from sesbook.receiving.explain import ReceiptExplanation as ReceiptExplanation
    from sesbook.receiving.explain import explain_message as explain_message
    from sesbook.receiving.explain import explain_receipt as explain_receipt
    from sesbook.receiving.filters import FilterChange as FilterChange
    from sesbook.receiving.filters import ReceiptFilter as ReceiptFilter
    from sesbook.receiving.filters import allow_all as allow_all
    from sesbook.receiving.filters import allow_only as allow_only
    from sesbook.receiving.filters import delete_filter as delete_filter
    from sesbook.receiving.filters import ensure_filter as ensure_filter
    from sesbook.receiving.filters import list_filters as list_filters
    from sesbook.receiving.gate import GateDeployment as GateDeployment
    from sesbook.receiving.gate import deploy_sender_gate as deploy_sender_gate
    from sesbook.receiving.gate import sender_gate_package as sender_gate_package
    from sesbook.receiving.gate import sender_gate_source as sender_gate_source
    from sesbook.receiving.inbox import InboundEndpoint as InboundEndpoint
    from sesbook.receiving.inbox import InboundQueue as InboundQueue
    from sesbook.receiving.inbox import ReceivedNotification as ReceivedNotification
    from sesbook.receiving.inbox import StoredMessage as StoredMessage
    from sesbook.receiving.inbox import StoredMessages as StoredMessages
    from sesbook.receiving.inbox import ensure_bucket as ensure_bucket
    from sesbook.receiving.inbox import inbound_endpoint as inbound_endpoint
    from sesbook.receiving.inbox import inbound_queue as inbound_queue
    from sesbook.receiving.inbox import publish_inbound_mx as publish_inbound_mx
    from sesbook.receiving.inbox import received_notifications as received_notifications
    from sesbook.receiving.inbox import stored_messages as stored_messages
    from sesbook.receiving.model import AddHeaderAction as AddHeaderAction
    from sesbook.receiving.model import BounceAction as BounceAction
    from sesbook.receiving.model import LambdaAction as LambdaAction
    from sesbook.receiving.model import ReceiptRule as ReceiptRule
    from sesbook.receiving.model import ReceiptRuleSet as ReceiptRuleSet
    from sesbook.receiving.model import S3Action as S3Action
    from sesbook.receiving.model import SNSAction as SNSAction
    from sesbook.receiving.model import StopAction as StopAction
    from sesbook.receiving.policies import PolicyChange as PolicyChange
    from sesbook.receiving.policies import PolicyLint as PolicyLint
    from sesbook.receiving.policies import apply_bucket_policy as apply_bucket_policy
    from sesbook.receiving.policies import apply_lambda_permission as apply_lambda_permission
    from sesbook.receiving.policies import apply_topic_policy as apply_topic_policy
    from sesbook.receiving.policies import bucket_policy as bucket_policy
    from sesbook.receiving.policies import grant_rule_access as grant_rule_access
    from sesbook.receiving.policies import lambda_permission as lambda_permission
    from sesbook.receiving.policies import lint_policy as lint_policy
    from sesbook.receiving.rules import RuleSetChange as RuleSetChange
    from sesbook.receiving.rules import delete_rule as delete_rule
    from sesbook.receiving.rules import delete_rule_set as delete_rule_set
    from sesbook.receiving.rules import ensure_rule_set as ensure_rule_set
    from sesbook.receiving.rules import set_rule_position as set_rule_position
    from sesbook.sending.bulk import BulkMessage as BulkMessage
    from sesbook.sending.bulk import BulkResult as BulkResult
    from sesbook.sending.bulk import LabClock as LabClock
    from sesbook.sending.bulk import RealClock as RealClock
    from sesbook.sending.bulk import SendQuota as SendQuota
    from sesbook.sending.bulk import bulk_journal as bulk_journal
    from sesbook.sending.bulk import send_bulk as send_bulk
    from sesbook.sending.bulk import send_quota as send_quota
    from sesbook.sending.iam import SmtpUser as SmtpUser
    from sesbook.sending.iam import ensure_smtp_user as ensure_smtp_user
    from sesbook.sending.iam import identity_arn as identity_arn
    from sesbook.sending.iam import send_policy as send_policy
    from sesbook.sending.mime import Attachment as Attachment
    from sesbook.sending.mime import InlineImage as InlineImage
    from sesbook.sending.mime import build_message as build_message
    from sesbook.sending.probe import SendAttempt as SendAttempt
    from sesbook.sending.probe import try_burst as try_burst
    from sesbook.sending.probe import try_sandbox_refusal as try_sandbox_refusal
    from sesbook.sending.probe import try_send as try_send
    from sesbook.sending.send import SendResult as SendResult
    from sesbook.sending.send import pause_for_rate as pause_for_rate
    from sesbook.sending.send import send_email as send_email
    from sesbook.sending.send import send_raw as send_raw
    from sesbook.sending.send import send_templated as send_templated
    from sesbook.sending.smtp_send import SmtpEndpoint as SmtpEndpoint
    from sesbook.sending.smtp_send import SmtpSend as SmtpSend
    from sesbook.sending.smtp_send import send_smtp as send_smtp
    from sesbook.sending.smtp_send import smtp_endpoint as smtp_endpoint
    from sesbook.sending.smtp_send import smtp_tls_context as smtp_tls_context
    from sesbook.sending.templates import RenderTest as RenderTest
    from sesbook.sending.templates import TemplateChange as TemplateChange
    from sesbook.sending.templates import delete_template as delete_template
    from sesbook.sending.templates import put_template as put_template
    from sesbook.sending.templates import send_bulk_templated as send_bulk_templated
    from sesbook.sending.templates import test_render as test_render
    from sesbook.smtp import SmtpCredentials as SmtpCredentials
    from sesbook.smtp import smtp_credentials as smtp_credentials
    from sesbook.target import Endpoints as Endpoints
    from sesbook.target import Target as Target
    from sesbook.target import TargetCheck as TargetCheck
    from sesbook.target import check_target as check_target
    from sesbook.target import connect as connect
    from sesbook.widgets.composer import composer as composer
    from sesbook.widgets.records import record_table as record_table
    from sesbook.widgets.rules import rule_builder as rule_builder
    from sesbook.widgets.watcher import watcher as watcher

__version__ = "0.1.0"

logging.getLogger("sesbook").addHandler(logging.NullHandler())

#: Notebook-facing names and the module each lives in; loaded on first use.
_LAZY: dict[str, str] = {
    "CleanupResult": "sesbook.cleanup.remove",
    "Inventory": "sesbook.cleanup.inventory",
    "SuiteNames": "sesbook.cleanup.names",
    "clean_up": "sesbook.cleanup.remove",
    "inventory": "sesbook.cleanup.inventory",
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
    "build_message": "sesbook.sending.mime",
    "Attachment": "sesbook.sending.mime",
    "InlineImage": "sesbook.sending.mime",
    "send_email": "sesbook.sending.send",
    "pause_for_rate": "sesbook.sending.send",
    "send_raw": "sesbook.sending.send",
    "send_templated": "sesbook.sending.send",
    "SendResult": "sesbook.sending.send",
    "put_template": "sesbook.sending.templates",
    "delete_template": "sesbook.sending.templates",
    "test_render": "sesbook.sending.templates",
    "send_bulk_templated": "sesbook.sending.templates",
    "RenderTest": "sesbook.sending.templates",
    "TemplateChange": "sesbook.sending.templates",
    "send_bulk": "sesbook.sending.bulk",
    "bulk_journal": "sesbook.sending.bulk",
    "send_quota": "sesbook.sending.bulk",
    "BulkMessage": "sesbook.sending.bulk",
    "BulkResult": "sesbook.sending.bulk",
    "SendQuota": "sesbook.sending.bulk",
    "LabClock": "sesbook.sending.bulk",
    "RealClock": "sesbook.sending.bulk",
    # the SMTP interface: credentials, sending, the IAM user behind it
    "smtp_credentials": "sesbook.smtp",
    "SmtpCredentials": "sesbook.smtp",
    "smtp_endpoint": "sesbook.sending.smtp_send",
    "SmtpEndpoint": "sesbook.sending.smtp_send",
    "smtp_tls_context": "sesbook.sending.smtp_send",
    "send_smtp": "sesbook.sending.smtp_send",
    "SmtpSend": "sesbook.sending.smtp_send",
    "send_policy": "sesbook.sending.iam",
    "identity_arn": "sesbook.sending.iam",
    "ensure_smtp_user": "sesbook.sending.iam",
    "SmtpUser": "sesbook.sending.iam",
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
    # receiving: rule sets and rules, IP filters, the policies SES needs, export, dry run, picture
    "ReceiptRule": "sesbook.receiving.model",
    "ReceiptRuleSet": "sesbook.receiving.model",
    "S3Action": "sesbook.receiving.model",
    "SNSAction": "sesbook.receiving.model",
    "LambdaAction": "sesbook.receiving.model",
    "BounceAction": "sesbook.receiving.model",
    "AddHeaderAction": "sesbook.receiving.model",
    "StopAction": "sesbook.receiving.model",
    "ensure_rule_set": "sesbook.receiving.rules",
    "delete_rule_set": "sesbook.receiving.rules",
    "delete_rule": "sesbook.receiving.rules",
    "set_rule_position": "sesbook.receiving.rules",
    "RuleSetChange": "sesbook.receiving.rules",
    "ReceiptFilter": "sesbook.receiving.filters",
    "ensure_filter": "sesbook.receiving.filters",
    "delete_filter": "sesbook.receiving.filters",
    "list_filters": "sesbook.receiving.filters",
    "allow_only": "sesbook.receiving.filters",
    "FilterChange": "sesbook.receiving.filters",
    "bucket_policy": "sesbook.receiving.policies",
    "lambda_permission": "sesbook.receiving.policies",
    "apply_bucket_policy": "sesbook.receiving.policies",
    "apply_topic_policy": "sesbook.receiving.policies",
    "apply_lambda_permission": "sesbook.receiving.policies",
    "grant_rule_access": "sesbook.receiving.policies",
    "lint_policy": "sesbook.receiving.policies",
    "PolicyChange": "sesbook.receiving.policies",
    "PolicyLint": "sesbook.receiving.policies",
    "export_cloudformation": "sesbook.receiving.cloudformation",
    "template_for": "sesbook.receiving.cloudformation",
    "CfnTemplate": "sesbook.receiving.cloudformation",
    "explain_receipt": "sesbook.receiving.explain",
    "explain_message": "sesbook.receiving.explain",
    "ReceiptExplanation": "sesbook.receiving.explain",
    "rule_set_diagram": "sesbook.receiving.diagram",
    "RuleSetDiagram": "sesbook.receiving.diagram",
    "sender_gate_source": "sesbook.receiving.gate",
    "inbound_endpoint": "sesbook.receiving.inbox",
    "InboundEndpoint": "sesbook.receiving.inbox",
    "inbound_log": "sesbook.mailbox",
    "InboundLog": "sesbook.mailbox",
    "allow_all": "sesbook.receiving.filters",
    "publish_inbound_mx": "sesbook.receiving.inbox",
    "ensure_bucket": "sesbook.receiving.inbox",
    "stored_messages": "sesbook.receiving.inbox",
    "StoredMessage": "sesbook.receiving.inbox",
    "StoredMessages": "sesbook.receiving.inbox",
    "inbound_queue": "sesbook.receiving.inbox",
    "InboundQueue": "sesbook.receiving.inbox",
    "received_notifications": "sesbook.receiving.inbox",
    "ReceivedNotification": "sesbook.receiving.inbox",
    "deploy_sender_gate": "sesbook.receiving.gate",
    "sender_gate_package": "sesbook.receiving.gate",
    "GateDeployment": "sesbook.receiving.gate",
    # feedback: wiring, parsing, the consumer, the suppression list
    "wire_feedback": "sesbook.feedback.wiring",
    "FeedbackWiring": "sesbook.feedback.wiring",
    "feedback_template": "sesbook.feedback.wiring",
    "parse_feedback": "sesbook.feedback.parse",
    "Feedback": "sesbook.feedback.parse",
    "drain": "sesbook.feedback.consume",
    "FeedbackPolicy": "sesbook.feedback.consume",
    "FeedbackLedger": "sesbook.feedback.consume",
    "DrainReport": "sesbook.feedback.consume",
    "suppression_list": "sesbook.feedback.suppression",
    "suppress": "sesbook.feedback.suppression",
    "unsuppress": "sesbook.feedback.suppression",
    "SuppressionList": "sesbook.feedback.suppression",
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
    "watch_feedback": "sesbook.feedback.watch",
    "FeedbackWatch": "sesbook.feedback.watch",
    "Watched": "sesbook.feedback.watch",
    # the lab's mailbox
    "last_message": "sesbook.mailbox",
    "mailbox_messages": "sesbook.mailbox",
    "follow_verification_link": "sesbook.mailbox",
    "unsubscribe_link": "sesbook.mailbox",
    "follow_unsubscribe": "sesbook.mailbox",
    "script_outcome": "sesbook.mailbox",
    # ipywidgets front-ends: each calls the same function as the code cell beside it
    "composer": "sesbook.widgets.composer",
    "record_table": "sesbook.widgets.records",
    "rule_builder": "sesbook.widgets.rules",
    "watcher": "sesbook.widgets.watcher",
}

__all__ = [
    "AwsError",
    "CheckFailedError",
    "FeedbackParseError",
    "LabError",
    "NoMessageError",
    "NotAppliedError",
    "RunbookError",
    "SesbookError",
    "SmtpError",
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
