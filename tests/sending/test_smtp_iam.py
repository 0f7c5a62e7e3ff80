"""The send policy and the IAM user behind SMTP credentials: built, validated, applied idempotently."""

from __future__ import annotations

import json

import pytest

import sesbook
from sesbook.target import Target

ARN = "arn:aws:ses:us-east-1:123456789012:identity/example.com"


def test_send_policy_scopes_the_action_to_identities() -> None:
    policy = sesbook.send_policy([ARN])
    assert policy == {"Version": "2012-10-17", "Statement": [{
        "Sid": "SendAsIdentities", "Effect": "Allow", "Action": ["ses:SendRawEmail"], "Resource": [ARN]}]}


def test_send_policy_with_from_addresses_adds_the_condition() -> None:
    policy = sesbook.send_policy(ARN, from_addresses=["news@example.com", "*@mail.example.com"],
                                 actions=("ses:SendRawEmail", "ses:SendEmail"))
    statement = policy["Statement"][0]
    assert statement["Condition"] == {"StringLike": {"ses:FromAddress": ["news@example.com", "*@mail.example.com"]}}
    assert statement["Action"] == ["ses:SendRawEmail", "ses:SendEmail"] and statement["Resource"] == [ARN]


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"identity_arns": []}, "identity_arns"),
    ({"identity_arns": ["example.com"]}, "identity_arns"),
    ({"identity_arns": ["arn:aws:s3:::bucket"]}, "identity_arns"),
    ({"identity_arns": ["arn:aws:ses:ap-east-1:123456789012:identity/example.com"]}, "identity_arns"),
    ({"identity_arns": [ARN], "from_addresses": ["not an address"]}, "from_addresses"),
    ({"identity_arns": [ARN], "from_addresses": []}, "from_addresses"),
    ({"identity_arns": [ARN], "actions": ("s3:PutObject",)}, "actions"),
])
def test_send_policy_refuses_bad_input(kwargs: dict, field: str) -> None:
    with pytest.raises(sesbook.ValidationError) as refused:
        sesbook.send_policy(**kwargs)
    assert refused.value.field == field


def test_identity_arn(target: sesbook.Target) -> None:
    assert sesbook.identity_arn(target, "example.com") == ARN
    assert sesbook.identity_arn(target, "ann@example.com").endswith(":identity/ann@example.com")
    with pytest.raises(sesbook.ValidationError):
        sesbook.identity_arn(target, "a b")


def test_ensure_smtp_user_is_idempotent_and_rotates_the_key(target: sesbook.Target) -> None:
    policy = sesbook.send_policy([ARN])
    first = sesbook.ensure_smtp_user(target, "smtp-sender", policy)
    assert first.created_user and first.access_key_id and first.secret_access_key and not first.planned
    assert first.user_arn == "arn:aws:iam::123456789012:user/smtp-sender"
    second = sesbook.ensure_smtp_user(target, "smtp-sender", sesbook.send_policy([ARN], ["news@example.com"]))
    assert not second.created_user and second.deleted_keys == (first.access_key_id,)
    keys = target.iam.list_access_keys(UserName="smtp-sender")["AccessKeyMetadata"]
    assert [k["AccessKeyId"] for k in keys] == [second.access_key_id]
    stored = target.iam.get_user_policy(UserName="smtp-sender", PolicyName="sesbook-ses-send")["PolicyDocument"]
    stored = json.loads(stored) if isinstance(stored, str) else stored
    assert stored["Statement"][0]["Condition"]["StringLike"]["ses:FromAddress"] == ["news@example.com"]
    creds = second.credentials()
    assert creds.username == second.access_key_id and creds.region == "us-east-1"


def test_the_secret_is_never_shown(target: sesbook.Target) -> None:
    user = sesbook.ensure_smtp_user(target, "smtp-sender", sesbook.send_policy([ARN]))
    secret = user.secret_access_key
    assert secret
    for shown in (repr(user), str(user), user._repr_html_(), repr(user.credentials())):
        assert secret not in shown and user.credentials().password not in shown


@pytest.mark.parametrize(("kwargs", "field"), [
    ({"user_name": "bad name"}, "user_name"),
    ({"user_name": "ok", "policy": {"no": "statement"}}, "policy"),
    ({"user_name": "ok", "policy_name": "bad/name"}, "policy_name"),
])
def test_ensure_smtp_user_validates_first(target: sesbook.Target, kwargs: dict, field: str) -> None:
    args = {"policy": sesbook.send_policy([ARN]), **kwargs}
    with pytest.raises(sesbook.ValidationError) as refused:
        sesbook.ensure_smtp_user(target, **args)
    assert refused.value.field == field
    assert target.iam.list_users()["Users"] == []


def test_plan_only_creates_nothing(lab_info) -> None:  # type: ignore[no-untyped-def]
    planning = Target("aws", region="us-east-1", profile=None, apply=False, lab=lab_info)  # reads go to the lab
    user = sesbook.ensure_smtp_user(planning, "smtp-sender", sesbook.send_policy([ARN]))
    assert user.planned and user.access_key_id is None and user.secret_access_key is None
    assert [c.operation for c in planning.plan] == ["CreateUser", "PutUserPolicy", "CreateAccessKey"]
    assert "planned" in user._repr_html_()
    with pytest.raises(sesbook.ValidationError, match="planned"):
        user.credentials()
    assert planning.iam.list_users()["Users"] == []  # nothing reached the lab
