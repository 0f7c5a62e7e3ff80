"""Whether SES may use a receipt rule's S3 bucket and Lambda function: checked when the rule is created or
updated, as SES does.

SES Developer Guide, "Give permissions to Amazon SES for email receiving"
(https://docs.aws.amazon.com/ses/latest/dg/receiving-email-permissions.html, checked 2026): SES writes to the
bucket and invokes the function as the service principal ``ses.amazonaws.com``, so the bucket policy must
allow it ``s3:PutObject`` and the function's resource policy ``lambda:InvokeFunction``; the documented
statements carry the conditions ``AWS:SourceAccount`` (the account) and ``AWS:SourceArn`` (the rule's ARN,
``arn:aws:ses:REGION:ACCOUNT:receipt-rule-set/SET:receipt-rule/RULE``). ``CreateReceiptRule`` and
``UpdateReceiptRule`` refuse a rule SES could not act on: ``InvalidS3Configuration`` "Could not write to
bucket: NAME" (the words moto uses for a missing bucket and users report from AWS for a missing policy) and
``InvalidLambdaFunction`` (the lab's words: "Could not invoke Lambda function: ARN"; not confirmed).

A statement grants when it is ``Allow``, names ``ses.amazonaws.com`` (or ``*``) as principal, the action (or
``s3:*`` / ``lambda:*`` / ``*``), a resource that covers the object key or the function, and conditions the
lab can evaluate that hold: ``StringEquals``/``StringLike``/``ArnEquals``/``ArnLike`` on ``aws:SourceAccount``,
``aws:SourceArn`` and the older ``aws:Referer`` (the account id, in earlier versions of the guide). A statement
with any other condition is not counted as granting; a matching ``Deny`` wins. moto's existence checks
(bucket, function, topics) still run after this.
"""

from __future__ import annotations

import json
from fnmatch import fnmatchcase
from typing import Any

from moto.ses.exceptions import InvalidLambdaFunctionException, InvalidS3ConfigurationException

from sesbook.lab import ACCOUNT_ID

SES_PRINCIPAL = "ses.amazonaws.com"
_OPERATORS = {"stringequals": False, "arnequals": False, "stringlike": True, "arnlike": True}


def rule_arn(region: str, rule_set: str, rule: str) -> str:
    return f"arn:aws:ses:{region}:{ACCOUNT_ID}:receipt-rule-set/{rule_set}:receipt-rule/{rule}"


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _names_ses(principal: Any) -> bool:
    if principal == "*":
        return True
    if isinstance(principal, dict):
        return any(p in (SES_PRINCIPAL, "*") for p in _list(principal.get("Service", [])))
    return False


def _covers(patterns: Any, value: str, *, case: bool = True) -> bool:
    return any(fnmatchcase(value if case else value.lower(), str(p) if case else str(p).lower())
               for p in _list(patterns))


def _conditions_hold(conditions: Any, context: dict[str, str]) -> bool:
    if not conditions:
        return True
    if not isinstance(conditions, dict):
        return False
    for operator, tests in conditions.items():
        like = _OPERATORS.get(str(operator).lower())
        if like is None or not isinstance(tests, dict):
            return False  # a condition the lab cannot evaluate: not counted as granting
        for key, wanted in tests.items():
            actual = context.get(str(key).lower())
            if actual is None:
                return False
            if not any(fnmatchcase(actual, str(w)) if like else actual == str(w) for w in _list(wanted)):
                return False
    return True


def allows(document: Any, *, action: str, resource: str, context: dict[str, str]) -> bool:
    """Whether the policy ``document`` (JSON text or dict) lets SES do ``action`` on ``resource``."""
    try:
        policy = json.loads(document) if isinstance(document, (str, bytes)) else document
    except ValueError:
        return False
    statements = _list((policy or {}).get("Statement", [])) if isinstance(policy, dict) else []
    granted = False
    for statement in statements:
        if not isinstance(statement, dict) or not _names_ses(statement.get("Principal")):
            continue
        if not _covers(statement.get("Action", []), action, case=False) \
                or not _covers(statement.get("Resource", []), resource):
            continue
        if not _conditions_hold(statement.get("Condition"), context):
            continue
        if statement.get("Effect") == "Deny":
            return False
        granted = granted or statement.get("Effect") == "Allow"
    return granted


def check_rule(region: str, rule_set: str, rule: dict[str, Any]) -> None:
    """Refuse ``rule`` when SES may not write to one of its buckets or invoke one of its functions."""
    context = {"aws:sourceaccount": ACCOUNT_ID, "aws:referer": ACCOUNT_ID,
               "aws:sourcearn": rule_arn(region, rule_set, str(rule.get("Name", "")))}
    for action in rule.get("Actions") or []:
        if not isinstance(action, dict):
            continue
        if isinstance(action.get("S3Action"), dict):
            _check_bucket(action["S3Action"], context)
        if isinstance(action.get("LambdaAction"), dict):
            _check_function(region, action["LambdaAction"], context)


def _check_bucket(s3: dict[str, Any], context: dict[str, str]) -> None:
    from moto.s3.models import s3_backends

    bucket_name = str(s3.get("BucketName", ""))
    refused = InvalidS3ConfigurationException(f"Could not write to bucket: {bucket_name}")
    try:
        bucket = s3_backends[ACCOUNT_ID]["aws"].get_bucket(bucket_name)
    except Exception:  # noqa: BLE001 - moto's own check words a missing bucket the same way
        raise refused from None
    key = f"arn:aws:s3:::{bucket_name}/{s3.get('ObjectKeyPrefix') or ''}AMAZON_SES_SETUP_NOTIFICATION"
    if not bucket.policy or not allows(bucket.policy, action="s3:PutObject", resource=key, context=context):
        raise refused


def _check_function(region: str, lam: dict[str, Any], context: dict[str, str]) -> None:
    from moto.awslambda.models import lambda_backends

    arn = str(lam.get("FunctionArn", ""))
    refused = InvalidLambdaFunctionException(f"Could not invoke Lambda function: {arn}")
    backend = lambda_backends[ACCOUNT_ID][arn.split(":")[3] if arn.count(":") >= 6 else region]
    try:
        function = backend.get_function(arn)
        wire = function.policy.wire_format() if function.policy is not None else None  # {"Policy": "<json>", ...}
        policy = json.loads(wire)["Policy"] if wire else None
    except Exception:  # noqa: BLE001 - no such function, or no policy at all
        raise refused from None
    # moto writes AddPermission's statements for "ARN:$LATEST"; AWS for the function's ARN
    resources = {function.function_arn, f"{function.function_arn}:$LATEST", arn}
    if not policy or not any(allows(policy, action="lambda:InvokeFunction", resource=r, context=context)
                             for r in resources):
        raise refused
