"""Policies that let only this account's receipt rule act: generated, applied idempotently, linted."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from sesbook.errors import ValidationError
from sesbook.receiving.model import LambdaAction, Rule, S3Action, SNSAction
from sesbook.receiving.policies import (
    apply_bucket_policy,
    apply_lambda_permission,
    apply_topic_policy,
    bucket_policy,
    grant_rule_access,
    lambda_permission,
    lint_policy,
    rule_arn,
)

if TYPE_CHECKING:
    import sesbook

ARN = "arn:aws:ses:us-east-1:123456789012:receipt-rule-set/main:receipt-rule/EmailToS3"


def test_rule_arn_and_bucket_policy() -> None:
    assert rule_arn("us-east-1", "123456789012", "main", "EmailToS3") == ARN
    policy = bucket_policy("inbound-mail", account="123456789012", region="us-east-1", rule_set="main",
                           rule="EmailToS3", prefix="aaa_emails/")
    (statement,) = policy["Statement"]
    assert statement["Principal"] == {"Service": "ses.amazonaws.com"}
    assert statement["Resource"] == "arn:aws:s3:::inbound-mail/aaa_emails/*"
    assert statement["Condition"] == {"StringEquals": {"AWS:SourceAccount": "123456789012", "AWS:SourceArn": ARN}}
    assert statement["Sid"].isalnum()
    assert lint_policy(policy).ok and lint_policy(json.dumps(policy)).passed


def test_lambda_permission_arguments() -> None:
    args = lambda_permission("arn:aws:lambda:us-east-1:123456789012:function:screen", account="123456789012",
                             region="us-east-1", rule_set="main", rule="Screen.v2")
    assert args["Principal"] == "ses.amazonaws.com" and args["Action"] == "lambda:InvokeFunction"
    assert args["SourceAccount"] == "123456789012" and args["SourceArn"].endswith(":receipt-rule/Screen.v2")
    assert args["StatementId"] == "ses-receipt-main-Screen_v2"


def test_names_checked_before_anything() -> None:
    with pytest.raises(ValidationError):
        bucket_policy("Bad_Bucket", account="1", region="us-east-1", rule_set="main", rule="r")
    with pytest.raises(ValidationError):
        rule_arn("us-east-1", "123456789012", "main", "bad rule")


# -- lint -------------------------------------------------------------------------------------------------
def _statement(**condition: str) -> dict[str, Any]:
    body: dict[str, Any] = {"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"},
                            "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}
    if condition:
        body["Condition"] = {"StringEquals": condition}
    return body


def test_lint_flags_ses_without_conditions() -> None:
    result = lint_policy({"Version": "2012-10-17", "Statement": [_statement()]})
    assert not result.ok
    assert "AWS:SourceAccount and AWS:SourceArn" in result.problems[0]
    assert "PROBLEM" in repr(result) and "<table" in result._repr_html_()


def test_lint_flags_only_one_condition() -> None:
    result = lint_policy({"Statement": _statement(**{"aws:SourceAccount": "123456789012"})})
    assert not result.ok and "AWS:SourceArn" in result.problems[0] and "SourceAccount" not in result.problems[0]


def test_lint_flags_everyone_and_negative_operators() -> None:
    everyone = {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::b/*"}
    assert not lint_policy({"Statement": [everyone]}).ok
    negated = _statement()
    negated["Condition"] = {"StringNotEquals": {"AWS:SourceAccount": "1", "AWS:SourceArn": ARN}}
    assert not lint_policy({"Statement": [negated]}).ok


def test_lint_warns_on_the_seed_notes_arn_form() -> None:
    seed = _statement(**{"aws:SourceAccount": "123456789012",
                         "aws:SourceArn": "arn:aws:ses:us-east-1:123456789012:receipt-rule/MyReceiptRule"})
    result = lint_policy({"Statement": [seed]})
    assert result.ok and result.warnings and "not a receipt rule's ARN" in result.warnings[0]


def test_lint_ignores_other_principals_and_deny() -> None:
    other = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"}, "Action": "s3:*",
             "Resource": "*"}
    deny = {**_statement(), "Effect": "Deny"}
    result = lint_policy({"Statement": [other, deny]})
    assert result.ok and result.of("info")


# -- applying over the wire --------------------------------------------------------------------------------
def test_bucket_policy_merges_with_other_statements(target: sesbook.Target) -> None:
    target.s3.create_bucket(Bucket="inbound-mail")
    other = {"Sid": "ReadersRead", "Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
             "Action": "s3:GetObject", "Resource": "arn:aws:s3:::inbound-mail/*"}
    target.s3.put_bucket_policy(Bucket="inbound-mail", Policy=json.dumps({"Version": "2012-10-17",
                                                                          "Statement": [other]}))
    first = apply_bucket_policy(target, "inbound-mail", rule_set="main", rule="EmailToS3", prefix="aaa_emails/")
    assert first.outcome == "updated"
    stored = json.loads(target.s3.get_bucket_policy(Bucket="inbound-mail")["Policy"])
    assert [s["Sid"] for s in stored["Statement"]] == ["ReadersRead", "AllowSesPutsMainEmailToS3"]
    assert lint_policy(stored).ok
    assert apply_bucket_policy(target, "inbound-mail", rule_set="main", rule="EmailToS3",
                               prefix="aaa_emails/").outcome == "unchanged"
    moved = apply_bucket_policy(target, "inbound-mail", rule_set="main", rule="EmailToS3", prefix="new/")
    assert moved.outcome == "updated"
    stored = json.loads(target.s3.get_bucket_policy(Bucket="inbound-mail")["Policy"])
    assert len(stored["Statement"]) == 2 and stored["Statement"][1]["Resource"].endswith("/new/*")


def test_bucket_policy_created_when_none(target: sesbook.Target) -> None:
    target.s3.create_bucket(Bucket="fresh-bucket")
    assert apply_bucket_policy(target, "fresh-bucket", rule_set="main", rule="r").outcome == "created"


def test_topic_policy_keeps_the_default_statement(target: sesbook.Target) -> None:
    topic = target.sns.create_topic(Name="inbound")["TopicArn"]
    change = apply_topic_policy(target, topic, rule_set="main", rule="ToSns")
    assert change.outcome == "updated" and "SNS:Publish" in repr(change)
    policy = json.loads(target.sns.get_topic_attributes(TopicArn=topic)["Attributes"]["Policy"])
    assert len(policy["Statement"]) >= 2
    assert apply_topic_policy(target, topic, rule_set="main", rule="ToSns").outcome == "unchanged"


def test_lambda_permission_applied_once(target: sesbook.Target, function_arn: str) -> None:
    arn = function_arn
    first = apply_lambda_permission(target, arn, rule_set="main", rule="Screen")
    assert first.outcome == "created"
    assert apply_lambda_permission(target, arn, rule_set="main", rule="Screen").outcome == "unchanged"
    policy = json.loads(target.lambda_.get_policy(FunctionName=arn)["Policy"])
    assert lint_policy(policy).ok


def test_grant_rule_access_covers_each_action(target: sesbook.Target, function_arn: str) -> None:
    target.s3.create_bucket(Bucket="inbound-mail")
    topic = target.sns.create_topic(Name="inbound")["TopicArn"]
    arn = function_arn
    rule = Rule("All", actions=[S3Action("inbound-mail", "x/", topic_arn=topic), SNSAction(topic), LambdaAction(arn)])
    changes = grant_rule_access(target, "main", rule)
    assert [c.kind for c in changes] == ["S3 bucket policy", "Lambda permission", "SNS topic policy"]
    assert not any(c.changed for c in grant_rule_access(target, "main", rule))


def test_plan_only_policy_on_aws(planning_aws: tuple[sesbook.Target, Any], target: sesbook.Target) -> None:
    target.s3.create_bucket(Bucket="inbound-mail")
    aws, wire = planning_aws
    change = apply_bucket_policy(aws, "inbound-mail", rule_set="main", rule="EmailToS3")
    assert change.planned and change.outcome == "created"
    assert wire.mutating == [] and [c.operation for c in aws.plan] == ["PutBucketPolicy"]


def test_plan_only_grants_for_resources_the_run_would_make(planning_aws: tuple[sesbook.Target, Any]) -> None:
    """A plan-only run makes the bucket, topic and function first (planned), so none exists when it grants."""
    target, wire = planning_aws
    rule = Rule("EmailToS3", ["aaa@example.com"], [
        S3Action("not-made-yet", "aaa_emails/"), SNSAction("arn:aws:sns:us-east-1:123456789012:not-made-yet"),
        LambdaAction("arn:aws:lambda:us-east-1:123456789012:function:not-made-yet")])
    changes = grant_rule_access(target, "main", rule)
    assert [(c.kind, c.outcome, c.planned) for c in changes] == [
        ("S3 bucket policy", "created", True), ("Lambda permission", "created", True),
        ("SNS topic policy", "created", True)]
    assert wire.mutating == []
