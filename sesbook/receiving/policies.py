"""The resource policies that let a receipt rule write to S3, publish to SNS and call Lambda — and no one else.

SES has no IAM role for receiving: the bucket, the topic and the function each say in their own policy that
``ses.amazonaws.com`` may act. Said alone, that lets *any* AWS account's SES rule use your bucket. Two
conditions close it (Developer Guide, "Giving permissions to Amazon SES for email receiving",
https://docs.aws.amazon.com/ses/latest/dg/receiving-email-permissions.html, checked 2026):

- ``AWS:SourceAccount`` = this account's id, and
- ``AWS:SourceArn`` = ``arn:aws:ses:REGION:ACCOUNT:receipt-rule-set/SET:receipt-rule/RULE`` (the rule).

This module builds those statements, applies them idempotently (a bucket's or topic's other statements are
kept; a statement sesbook wrote before, recognised by its ``Sid``, is replaced), and :func:`lint_policy`
flags a statement that lets ``ses.amazonaws.com`` in without both conditions.

IAM: ``s3:GetBucketPolicy``, ``s3:PutBucketPolicy``, ``sns:GetTopicAttributes``, ``sns:SetTopicAttributes``,
``lambda:GetPolicy``, ``lambda:AddPermission``, ``lambda:RemovePermission``, ``sts:GetCallerIdentity``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.checks import CheckResult, Finding
from sesbook.errors import AwsError, ValidationError
from sesbook.plan import was_planned
from sesbook.receiving.model import LambdaAction, S3Action, SNSAction, check_name

if TYPE_CHECKING:
    from collections.abc import Mapping

    from sesbook.receiving.model import Rule
    from sesbook.target import Target

__all__ = ["PolicyChange", "PolicyLint", "apply_bucket_policy", "apply_lambda_permission", "apply_topic_policy",
           "bucket_policy", "bucket_policy_statement", "grant_rule_access", "lambda_permission", "lint_policy",
           "rule_arn", "topic_policy_statement"]

log = logging.getLogger("sesbook")

SES_PRINCIPAL = "ses.amazonaws.com"
#: A receipt rule's ARN, the value ``AWS:SourceArn`` must hold (wildcards allowed by ``ArnLike``).
RULE_ARN_RE = re.compile(r"^arn:aws[\w-]*:ses:[\w*-]+:[\d*]+:receipt-rule-set/[^:/]+:receipt-rule/[^:/]+$")
_RESTRICTING = ("stringequals", "stringlike", "arnequals", "arnlike")


def rule_arn(region: str, account: str, rule_set: str, rule: str) -> str:
    """``arn:aws:ses:REGION:ACCOUNT:receipt-rule-set/SET:receipt-rule/RULE``."""
    check_name(rule_set, field="rule_set", what="a receipt rule set")
    check_name(rule, field="rule", what="a receipt rule")
    return f"arn:aws:ses:{region}:{account}:receipt-rule-set/{rule_set}:receipt-rule/{rule}"


def _sid(kind: str, rule_set: str, rule: str) -> str:
    """A statement id naming the rule it is for: letters and digits only (what IAM, S3 and SNS all accept)."""
    def clean(text: str) -> str:
        return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", text))
    return f"AllowSes{kind}{clean(rule_set)}{clean(rule)}"


def _conditions(account: str, arn: str) -> dict[str, Any]:
    return {"StringEquals": {"AWS:SourceAccount": account, "AWS:SourceArn": arn}}


def bucket_policy_statement(bucket: str, *, account: str, region: str, rule_set: str, rule: str,
                            prefix: str = "") -> dict[str, Any]:
    """The statement that lets one receipt rule put objects under ``prefix`` in ``bucket``."""
    S3Action(bucket, prefix)  # checks the bucket name and prefix
    return {
        "Sid": _sid("Puts", rule_set, rule),
        "Effect": "Allow",
        "Principal": {"Service": SES_PRINCIPAL},
        "Action": "s3:PutObject",
        "Resource": f"arn:aws:s3:::{bucket}/{prefix}*",
        "Condition": _conditions(account, rule_arn(region, account, rule_set, rule)),
    }


def bucket_policy(bucket: str, *, account: str, region: str, rule_set: str, rule: str,
                  prefix: str = "") -> dict[str, Any]:
    """A whole bucket policy holding only :func:`bucket_policy_statement`."""
    return {"Version": "2012-10-17", "Statement": [bucket_policy_statement(
        bucket, account=account, region=region, rule_set=rule_set, rule=rule, prefix=prefix)]}


def topic_policy_statement(topic_arn: str, *, account: str, region: str, rule_set: str, rule: str) -> dict[str, Any]:
    """The statement that lets one receipt rule publish to ``topic_arn``."""
    SNSAction(topic_arn)  # checks the ARN
    return {
        "Sid": _sid("Publish", rule_set, rule),
        "Effect": "Allow",
        "Principal": {"Service": SES_PRINCIPAL},
        "Action": "SNS:Publish",
        "Resource": topic_arn,
        "Condition": _conditions(account, rule_arn(region, account, rule_set, rule)),
    }


def lambda_permission(function_arn: str, *, account: str, region: str, rule_set: str, rule: str) -> dict[str, Any]:
    """The arguments of Lambda's ``AddPermission`` that let one receipt rule invoke ``function_arn``."""
    LambdaAction(function_arn)  # checks the ARN
    sid = "ses-receipt-" + re.sub(r"[^A-Za-z0-9_-]", "_", f"{rule_set}-{rule}")
    return {
        "FunctionName": function_arn,
        "StatementId": sid[:100],
        "Action": "lambda:InvokeFunction",
        "Principal": SES_PRINCIPAL,
        "SourceAccount": account,
        "SourceArn": rule_arn(region, account, rule_set, rule),
    }


# -- applying ------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class PolicyChange:
    """What applying one policy did: ``created``, ``updated`` or ``unchanged``; the document afterwards."""

    kind: str  # "S3 bucket policy", "SNS topic policy", "Lambda permission"
    resource: str
    outcome: str
    document: dict[str, Any]
    planned: bool = False

    @property
    def changed(self) -> bool:
        return self.outcome != "unchanged"

    def _head(self) -> str:
        return f"{self.kind} of {self.resource}: {self.outcome}" + (" (planned, not sent)" if self.planned else "")

    def __repr__(self) -> str:
        return self._head() + "\n" + json.dumps(self.document, indent=2, sort_keys=True)

    def _repr_html_(self) -> str:
        body = _html.cell(json.dumps(self.document, indent=2, sort_keys=True))
        return f"<p><strong>{_html.cell(self._head())}</strong></p><pre>{body}</pre>"


def _statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    found = document.get("Statement") or []
    return [found] if isinstance(found, dict) else list(found)


def merge_statement(document: Mapping[str, Any] | None, statement: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """``document`` with ``statement`` in it (replacing one with the same ``Sid``); and created/updated/unchanged."""
    if not document:
        return {"Version": "2012-10-17", "Statement": [statement]}, "created"
    statements = _statements(document)
    for index, existing in enumerate(statements):
        if existing.get("Sid") == statement["Sid"]:
            if existing == statement:
                return dict(document), "unchanged"
            statements[index] = statement
            return {**document, "Statement": statements}, "updated"
    return {**document, "Statement": [*statements, statement]}, "updated"


def apply_bucket_policy(target: Target, bucket: str, *, rule_set: str, rule: str, prefix: str = "") -> PolicyChange:
    """Let rule ``rule`` of ``rule_set`` write to ``bucket`` (under ``prefix``), keeping the policy's other
    statements. Idempotent."""
    statement = bucket_policy_statement(bucket, account=target.account_id, region=target.region,
                                        rule_set=rule_set, rule=rule, prefix=prefix)
    current: dict[str, Any] | None = None
    try:
        with aws_errors("s3"):
            current = json.loads(target.s3.get_bucket_policy(Bucket=bucket)["Policy"])
    except AwsError as exc:
        # a bucket this plan-only run would make has no policy yet
        if exc.code != "NoSuchBucketPolicy" and not (target.planning and exc.code == "NoSuchBucket"):
            raise
    document, outcome = merge_statement(current, statement)
    planned = False
    if outcome != "unchanged":
        with aws_errors("s3"):
            planned = was_planned(target.s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document)))
    return PolicyChange("S3 bucket policy", bucket, outcome, document, planned)


def apply_topic_policy(target: Target, topic_arn: str, *, rule_set: str, rule: str) -> PolicyChange:
    """Let the rule publish to ``topic_arn``, keeping the topic policy's other statements. Idempotent."""
    statement = topic_policy_statement(topic_arn, account=target.account_id, region=target.region,
                                       rule_set=rule_set, rule=rule)
    try:
        with aws_errors("sns"):
            attributes = target.sns.get_topic_attributes(TopicArn=topic_arn).get("Attributes") or {}
    except AwsError as exc:
        if not (target.planning and exc.code == "NotFound"):  # a topic this plan-only run would make
            raise
        attributes = {}
    current = json.loads(attributes["Policy"]) if attributes.get("Policy") else None
    document, outcome = merge_statement(current, statement)
    planned = False
    if outcome != "unchanged":
        with aws_errors("sns"):
            planned = was_planned(target.sns.set_topic_attributes(
                TopicArn=topic_arn, AttributeName="Policy", AttributeValue=json.dumps(document)))
    return PolicyChange("SNS topic policy", topic_arn, outcome, document, planned)


def apply_lambda_permission(target: Target, function_arn: str, *, rule_set: str, rule: str) -> PolicyChange:
    """Let the rule invoke ``function_arn`` (``AddPermission``); a different earlier grant is replaced."""
    wanted = lambda_permission(function_arn, account=target.account_id, region=target.region,
                               rule_set=rule_set, rule=rule)
    current: dict[str, Any] | None = None
    try:
        with aws_errors("lambda"):
            current = json.loads(target.lambda_.get_policy(FunctionName=function_arn)["Policy"])
    except AwsError as exc:
        if exc.code != "ResourceNotFoundException":
            raise
    existing = next((s for s in _statements(current or {}) if s.get("Sid") == wanted["StatementId"]), None)
    planned = False
    outcome = "created"
    if existing is not None:
        if _grants(existing, wanted):
            return PolicyChange("Lambda permission", function_arn, "unchanged", current or {})
        with aws_errors("lambda"):
            planned = was_planned(target.lambda_.remove_permission(FunctionName=function_arn,
                                                                   StatementId=wanted["StatementId"]))
        outcome = "updated"
    with aws_errors("lambda"):
        got = target.lambda_.add_permission(**wanted)
    planned = was_planned(got) or planned
    statement = json.loads(got["Statement"]) if got.get("Statement") else wanted
    return PolicyChange("Lambda permission", function_arn, outcome, {"Statement": [statement]}, planned)


def _grants(statement: Mapping[str, Any], wanted: Mapping[str, Any]) -> bool:
    """Whether a Lambda policy statement already grants what ``AddPermission(**wanted)`` would."""
    condition = {k.lower(): v for op in (statement.get("Condition") or {}).values() for k, v in op.items()}
    return (_principals(statement) == {SES_PRINCIPAL} and condition.get("aws:sourceaccount") == wanted["SourceAccount"]
            and condition.get("aws:sourcearn") == wanted["SourceArn"])


def grant_rule_access(target: Target, rule_set: str, rule: Rule) -> tuple[PolicyChange, ...]:
    """Apply every policy ``rule``'s actions need: each S3 bucket, SNS topic and Lambda function it names."""
    done: list[PolicyChange] = []
    topics: list[str] = []
    for action in rule.actions:
        if isinstance(action, S3Action):
            done.append(apply_bucket_policy(target, action.bucket, rule_set=rule_set, rule=rule.name,
                                            prefix=action.prefix))
        elif isinstance(action, LambdaAction):
            done.append(apply_lambda_permission(target, action.function_arn, rule_set=rule_set, rule=rule.name))
        if isinstance(action, SNSAction):
            topics.append(action.topic_arn)
        elif getattr(action, "topic_arn", None):
            topics.append(action.topic_arn)  # type: ignore[attr-defined]
    for topic in dict.fromkeys(topics):
        done.append(apply_topic_policy(target, topic, rule_set=rule_set, rule=rule.name))
    return tuple(done)


# -- linting ------------------------------------------------------------------------------------------------
def _principals(statement: Mapping[str, Any]) -> set[str]:
    principal = statement.get("Principal")
    if principal == "*":
        return {"*"}
    found: set[str] = set()
    if isinstance(principal, dict):
        for key, value in principal.items():
            values = [value] if isinstance(value, str) else list(value or [])
            found |= {"*" if key == "AWS" and v == "*" else v for v in values if key in ("Service", "AWS")}
    return found


@dataclass(frozen=True, repr=False)
class PolicyLint(CheckResult):
    """:func:`lint_policy`'s answer: a finding per statement that lets SES (or everyone) in."""

    items: tuple[Finding, ...]
    document: dict[str, Any]
    title = "lint_policy"

    def payload_text(self) -> str:
        return json.dumps(self.document, indent=2, sort_keys=True)

    def payload_html(self) -> str:
        return f"<pre>{_html.cell(self.payload_text())}</pre>"


def lint_policy(document: Mapping[str, Any] | str) -> PolicyLint:
    """Flag each ``Allow`` statement that lets ``ses.amazonaws.com`` (or ``*``) in without both
    ``AWS:SourceAccount`` and ``AWS:SourceArn`` conditions (a problem: any account's SES could use the
    resource); warn when ``AWS:SourceArn`` is not a receipt rule's ARN (SES would then be refused)."""
    if isinstance(document, str):
        text = document
        try:
            document = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValidationError("document", text[:80], f"is not JSON: {exc}.",
                                  hint="Pass the policy as a dict, or its JSON text as AWS shows it.") from None
    if not isinstance(document, dict):
        raise ValidationError("document", document, "must be a policy document (a JSON object).")
    findings: list[Finding] = []
    for index, statement in enumerate(_statements(document)):
        subject = str(statement.get("Sid") or f"Statement[{index}]")
        principals = _principals(statement)
        if statement.get("Effect") != "Allow" or not principals & {SES_PRINCIPAL, "*"}:
            continue
        who = SES_PRINCIPAL if SES_PRINCIPAL in principals else "everyone (Principal *)"
        keys: dict[str, Any] = {}
        for operator, block in (statement.get("Condition") or {}).items():
            if operator.lower() in _RESTRICTING and isinstance(block, dict):
                keys.update({k.lower(): v for k, v in block.items()})
        missing = [name for name in ("AWS:SourceAccount", "AWS:SourceArn") if name.lower() not in keys]
        if missing:
            findings.append(Finding.problem(
                subject, f"{subject} lets {who} in without {' and '.join(missing)}: any AWS account's receipt "
                "rule could use this resource.", expected="StringEquals AWS:SourceAccount and AWS:SourceArn",
                found=json.dumps(statement.get("Condition") or {}),
                fix="Add both conditions: your account id and arn:aws:ses:REGION:ACCOUNT:receipt-rule-set/SET:"
                    "receipt-rule/RULE (sesbook's bucket_policy/apply_bucket_policy write them)."))
            continue
        arns = keys["aws:sourcearn"]
        bad = [a for a in ([arns] if isinstance(arns, str) else arns) if not RULE_ARN_RE.match(str(a))]
        if bad:
            findings.append(Finding.warning(
                subject, f"{subject}: AWS:SourceArn {bad[0]!r} is not a receipt rule's ARN, so SES's requests "
                "will not match it and the action will fail.",
                expected="arn:aws:ses:REGION:ACCOUNT:receipt-rule-set/SET:receipt-rule/RULE", found=str(bad[0]),
                fix="Name the rule set and the rule in the ARN."))
            continue
        findings.append(Finding.ok(subject, f"{subject} lets {who} in only for this account's receipt rule."))
    if not findings:
        findings.append(Finding.info("policy", "no statement lets ses.amazonaws.com in."))
    return PolicyLint(tuple(findings), dict(document))
