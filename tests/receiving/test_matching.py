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
