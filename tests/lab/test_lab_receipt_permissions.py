"""SES refuses a receipt rule it could not act on: the bucket policy must let ses.amazonaws.com put objects
for this rule, the function's policy must let it invoke (over the wire: boto3 -> the lab)."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from botocore.exceptions import ClientError

import sesbook
from sesbook.lab.ses.receiving.permissions import allows

pytestmark = pytest.mark.lab

RULE_ARN = "arn:aws:ses:us-east-1:123456789012:receipt-rule-set/rs:receipt-rule/store"


def _rule(**action: Any) -> dict[str, Any]:
    return {"Name": "store", "Enabled": True, "Recipients": ["example.com"], "Actions": [action]}


def _code(call: Any) -> str:
    with pytest.raises(ClientError) as refused:
        call()
    return str(refused.value.response["Error"]["Code"]) + ": " + str(refused.value.response["Error"]["Message"])


@pytest.fixture
def t(target: sesbook.Target) -> sesbook.Target:
    target.s3.create_bucket(Bucket="inbox")
    target.ses.create_receipt_rule_set(RuleSetName="rs")
    return target


def test_a_bucket_ses_may_not_write_to_is_refused_until_the_rule_is_granted(t: sesbook.Target) -> None:
    s3 = {"S3Action": {"BucketName": "inbox", "ObjectKeyPrefix": "in/"}}
    create = lambda: t.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule(**s3))  # noqa: E731
    assert _code(create) == "InvalidS3Configuration: Could not write to bucket: inbox"
    sesbook.apply_bucket_policy(t, "inbox", rule_set="rs", rule="other-rule", prefix="in/")
    assert _code(create).startswith("InvalidS3Configuration")  # a grant for another rule is not this rule's
    sesbook.apply_bucket_policy(t, "inbox", rule_set="rs", rule="store", prefix="in/")
    create()
    assert t.ses.describe_receipt_rule(RuleSetName="rs", RuleName="store")["Rule"]["Name"] == "store"
    elsewhere = {"S3Action": {"BucketName": "inbox", "ObjectKeyPrefix": "other/"}}  # the grant covers in/ only
    assert _code(lambda: t.ses.update_receipt_rule(RuleSetName="rs", Rule=_rule(**elsewhere))).startswith(
        "InvalidS3Configuration")


def test_a_deny_wins_and_a_missing_bucket_is_refused_alike(t: sesbook.Target) -> None:
    sesbook.apply_bucket_policy(t, "inbox", rule_set="rs", rule="store")
    policy = json.loads(t.s3.get_bucket_policy(Bucket="inbox")["Policy"])
    policy["Statement"].append({"Effect": "Deny", "Principal": {"Service": "ses.amazonaws.com"},
                                "Action": "s3:*", "Resource": "arn:aws:s3:::inbox/*"})
    t.s3.put_bucket_policy(Bucket="inbox", Policy=json.dumps(policy))
    s3 = {"S3Action": {"BucketName": "inbox"}}
    assert _code(lambda: t.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule(**s3))).startswith(
        "InvalidS3Configuration")
    missing = {"S3Action": {"BucketName": "no-such-bucket"}}
    assert _code(lambda: t.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule(**missing))) == \
        "InvalidS3Configuration: Could not write to bucket: no-such-bucket"


def test_a_function_ses_may_not_invoke_is_refused_until_permitted(t: sesbook.Target) -> None:
    role = t.iam.create_role(RoleName="fn", AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("h.py", "def handler(event, context):\n    return None\n")
    arn = t.lambda_.create_function(FunctionName="screen", Runtime="python3.12", Role=role, Handler="h.handler",
                                    Code={"ZipFile": package.getvalue()})["FunctionArn"]
    create = lambda: t.ses.create_receipt_rule(  # noqa: E731
        RuleSetName="rs", Rule=_rule(LambdaAction={"FunctionArn": arn, "InvocationType": "Event"}))
    assert _code(create) == f"InvalidLambdaFunction: Could not invoke Lambda function: {arn}"
    sesbook.apply_lambda_permission(t, arn, rule_set="rs", rule="store")
    create()


@pytest.mark.parametrize(("statement", "granted"), [
    ({"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::inbox/*"}, True),
    ({"Effect": "Allow", "Principal": {"Service": ["ses.amazonaws.com"]}, "Action": ["s3:*"],
      "Resource": "arn:aws:s3:::inbox/*", "Condition": {"StringEquals": {"aws:Referer": "123456789012"}}}, True),
    ({"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::inbox/*", "Condition": {"ArnLike": {"AWS:SourceArn": "arn:aws:ses:*:*:*/rs:*"}}},
     True),
    ({"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"}, "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::inbox/*"}, False),
    ({"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "s3:GetObject",
      "Resource": "arn:aws:s3:::inbox/*"}, False),
    ({"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::inbox/*", "Condition": {"StringEquals": {"AWS:SourceAccount": "999999999999"}}},
     False),
    ({"Effect": "Allow", "Principal": {"Service": "ses.amazonaws.com"}, "Action": "s3:PutObject",
      "Resource": "arn:aws:s3:::inbox/*", "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"}}}, False),
])
def test_which_statements_grant(statement: dict[str, Any], granted: bool) -> None:
    context = {"aws:sourceaccount": "123456789012", "aws:referer": "123456789012", "aws:sourcearn": RULE_ARN}
    document = json.dumps({"Version": "2012-10-17", "Statement": [statement]})
    assert allows(document, action="s3:PutObject", resource="arn:aws:s3:::inbox/x", context=context) is granted
