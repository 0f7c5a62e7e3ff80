"""Which IP filter and which receipt rules apply: SES's documented rules, on the API's shapes."""

from __future__ import annotations

import pytest

from sesbook.receiving.matching import filter_verdict, match_rules, recipient_matches, rule_recipients


def _filter(name: str, policy: str, cidr: str) -> dict:
    return {"Name": name, "IpFilter": {"Policy": policy, "Cidr": cidr}}


@pytest.mark.parametrize(("condition", "address", "expected"), [
    ("aaa@example.com", "aaa@example.com", True),
    ("aaa@example.com", "AAA@Example.COM", True),
    ("aaa@example.com", "bbb@example.com", False),
    ("aaa@example.com", "aaa@sub.example.com", False),
    ("example.com", "anyone@example.com", True),
    ("example.com", "anyone@sub.example.com", False),
    (".example.com", "anyone@sub.example.com", True),
    (".example.com", "anyone@a.b.example.com", True),
    (".example.com", "anyone@example.com", False),
    (".example.com", "anyone@notexample.com", False),
    ("example.com", "no-at-sign", False),
])
def test_recipient_conditions(condition: str, address: str, expected: bool) -> None:
    assert recipient_matches(condition, address) is expected


def test_no_filter_accepts_everyone() -> None:
    verdict = filter_verdict([], "192.0.2.1")
    assert verdict.allowed and verdict.filter_name is None


def test_block_refuses_and_allow_wins_over_block() -> None:
    filters = [_filter("block-all", "Block", "0.0.0.0/0"), _filter("partner", "Allow", "127.0.0.2/32")]
    assert filter_verdict(filters, "127.0.0.2").allowed
    assert filter_verdict(filters, "127.0.0.2").filter_name == "partner"
    refused = filter_verdict(filters, "127.0.0.3")
    assert not refused.allowed and refused.filter_name == "block-all"
    assert "blocked by filter 'block-all'" in refused.reason


def test_allow_alone_refuses_no_one() -> None:
    assert filter_verdict([_filter("partner", "Allow", "10.0.0.0/8")], "192.0.2.1").allowed


def test_rule_without_recipients_matches_verified_domains_only() -> None:
    rule = {"Name": "all", "Enabled": True, "Recipients": []}
    assert rule_recipients(rule, ["a@example.com", "b@other.test"], ["example.com"]) == ["a@example.com"]


def test_rules_in_order_disabled_skipped_and_stop_ends_the_set() -> None:
    s3 = {"S3Action": {"BucketName": "b", "ObjectKeyPrefix": "aaa_emails/"}}
    stop = {"StopAction": {"Scope": "RuleSet"}}
    sns = {"SNSAction": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}}
    rules = [
        {"Name": "off", "Enabled": False, "Recipients": ["example.com"], "Actions": [sns]},
        {"Name": "aaa", "Enabled": True, "Recipients": ["aaa@example.com"], "Actions": [s3, stop, sns]},
        {"Name": "rest", "Enabled": True, "Recipients": ["example.com"], "Actions": [sns]},
    ]
    found = match_rules(rules, ["aaa@example.com"])
    assert [m.rule_name for m in found] == ["aaa"]
    assert found[0].action_types == ("S3Action", "StopAction")
    assert found[0].stops_here and found[0].skipped_actions == (sns,)
    assert [m.rule_name for m in match_rules(rules, ["bbb@example.com"])] == ["rest"]


def test_tls_required_rule_refuses_a_plain_session() -> None:
    rules = [{"Name": "secure", "Enabled": True, "TlsPolicy": "Require", "Recipients": ["example.com"],
              "Actions": [{"S3Action": {"BucketName": "b"}}]}]
    plain = match_rules(rules, ["x@example.com"], tls=False)
    assert plain[0].refused_for_tls and plain[0].actions == ()
    assert not match_rules(rules, ["x@example.com"], tls=True)[0].refused_for_tls


def test_request_response_lambda_may_stop() -> None:
    rules = [{"Name": "gate", "Enabled": True, "Recipients": [],
              "Actions": [{"LambdaAction": {"FunctionArn": "arn:aws:lambda:us-east-1:1:function:f",
                                            "InvocationType": "RequestResponse"}}]},
             {"Name": "after", "Enabled": True, "Recipients": [], "Actions": []}]
    found = match_rules(rules, ["x@example.com"], verified_domains=["example.com"])
    assert [m.rule_name for m in found] == ["gate", "after"] and found[0].may_stop


def test_replies_are_decided_here() -> None:
    from sesbook.receiving.matching import (
        SNS_TOO_BIG_REPLY,
        TLS_REQUIRED_REPLY,
        TOO_BIG_REPLY,
        UNKNOWN_RECIPIENT_REPLY,
        data_reply,
        identity_covers,
        recipient_reply,
    )

    rules = [
        {"Name": "tls", "Enabled": True, "Recipients": ["secure@example.com"], "TlsPolicy": "Require",
         "Actions": [{"StopAction": {"Scope": "RuleSet"}}]},
        {"Name": "sns", "Enabled": True, "Recipients": ["example.com", "other.org"],
         "Actions": [{"SNSAction": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t"}}]},
        {"Name": "gone", "Enabled": True, "Recipients": [".example.com"], "Actions": [{"BounceAction": {
            "SmtpReplyCode": "550", "Message": "no", "Sender": "m@example.com"}}]},
    ]
    verified = ["example.com", "me@other.org"]
    assert identity_covers("a@sub.example.com", verified) and identity_covers("ME@other.org", verified)
    assert not identity_covers("you@other.org", verified) and not identity_covers("a@example.com.evil", verified)
    assert recipient_reply(None, "a@example.com", tls=True, verified_identities=verified) == UNKNOWN_RECIPIENT_REPLY
    assert recipient_reply(rules, "a@example.com", tls=False, verified_identities=verified) is None
    assert recipient_reply(rules, "you@other.org", tls=True, verified_identities=verified) == UNKNOWN_RECIPIENT_REPLY
    assert recipient_reply(rules, "me@other.org", tls=True, verified_identities=verified) is None
    assert recipient_reply(rules, "secure@example.com", tls=False, verified_identities=verified) == TLS_REQUIRED_REPLY
    assert recipient_reply(rules, "secure@example.com", tls=True, verified_identities=verified) is None
    sns = match_rules(rules, ["a@example.com"])
    bounce_only = match_rules(rules, ["a@sub.example.com"])
    assert data_reply(sns, 150 * 1024) is None and data_reply(sns, 150 * 1024 + 1) == SNS_TOO_BIG_REPLY
    assert data_reply(bounce_only, 150 * 1024 + 1) is None  # a Bounce action never changes the reply
    assert data_reply(bounce_only, 40 * 1024 * 1024 + 1) == TOO_BIG_REPLY
    assert data_reply(match_rules(rules, ["secure@example.com"], tls=False), 10) == TLS_REQUIRED_REPLY
