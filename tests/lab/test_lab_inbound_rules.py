"""Receipt rules over the wire: the calls moto lacks (delete, reorder, set position), order and SES's limits."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError


def _names(target: Any, rule_set: str = "rs") -> list[str]:
    return [r["Name"] for r in target.ses.describe_receipt_rule_set(RuleSetName=rule_set)["Rules"]]


def _rule(name: str, **extra: Any) -> dict[str, Any]:
    return {"Name": name, "Enabled": True, **extra}


def test_rule_without_after_goes_first_and_after_is_respected(target: Any) -> None:
    target.ses.create_receipt_rule_set(RuleSetName="rs")
    target.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule("a"))
    target.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule("b"))
    target.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule("c"), After="b")
    assert _names(target) == ["b", "c", "a"]
    rule = target.ses.describe_receipt_rule(RuleSetName="rs", RuleName="c")["Rule"]
    assert rule["Enabled"] is True


def test_delete_reorder_and_set_position(target: Any) -> None:
    target.ses.create_receipt_rule_set(RuleSetName="rs")
    for name in ("c", "b", "a"):
        target.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule(name))
    assert _names(target) == ["a", "b", "c"]
    target.ses.set_receipt_rule_position(RuleSetName="rs", RuleName="a", After="c")
    assert _names(target) == ["b", "c", "a"]
    target.ses.set_receipt_rule_position(RuleSetName="rs", RuleName="a")
    assert _names(target) == ["a", "b", "c"]
    target.ses.reorder_receipt_rule_set(RuleSetName="rs", RuleNames=["c", "a", "b"])
    assert _names(target) == ["c", "a", "b"]
    with pytest.raises(ClientError) as partial:
        target.ses.reorder_receipt_rule_set(RuleSetName="rs", RuleNames=["c", "a"])
    assert partial.value.response["Error"]["Code"] == "InvalidParameterValue"
    with pytest.raises(ClientError) as unknown:
        target.ses.reorder_receipt_rule_set(RuleSetName="rs", RuleNames=["c", "a", "zz"])
    assert unknown.value.response["Error"]["Code"] == "RuleDoesNotExist"
    target.ses.delete_receipt_rule(RuleSetName="rs", RuleName="a")
    target.ses.delete_receipt_rule(RuleSetName="rs", RuleName="a")  # gone already: not an error
    assert _names(target) == ["c", "b"]
    with pytest.raises(ClientError) as no_set:
        target.ses.delete_receipt_rule(RuleSetName="nope", RuleName="a")
    assert no_set.value.response["Error"]["Code"] == "RuleSetDoesNotExist"


def test_limits_and_unique_names(target: Any) -> None:
    target.ses.create_receipt_rule_set(RuleSetName="rs")
    target.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule("a"))
    with pytest.raises(ClientError) as dup:
        target.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule("a", Recipients=["x@example.com"]))
    assert dup.value.response["Error"]["Code"] == "AlreadyExists"
    many = [{"AddHeaderAction": {"HeaderName": "X-A", "HeaderValue": str(i)}} for i in range(11)]
    with pytest.raises(ClientError) as actions:
        target.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule("b", Actions=many))
    assert actions.value.response["Error"]["Code"] == "LimitExceeded"
    with pytest.raises(ClientError) as recipients:
        target.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule(
            "b", Recipients=[f"u{i}@example.com" for i in range(101)]))
    assert recipients.value.response["Error"]["Code"] == "LimitExceeded"
    for i in range(39):
        target.ses.create_receipt_rule_set(RuleSetName=f"set{i}")
    with pytest.raises(ClientError) as sets:
        target.ses.create_receipt_rule_set(RuleSetName="one-too-many")
    assert sets.value.response["Error"]["Code"] == "LimitExceeded"


@pytest.mark.parametrize(("name", "value"), [("X Bad", "v"), ("X-" + "a" * 49, "v"), ("X-Ok", "a\r\nBcc: x"),
                                             ("X-Ok", "v" * 2048)])
def test_add_header_action_checked_when_the_rule_is_made(target: Any, name: str, value: str) -> None:
    target.ses.create_receipt_rule_set(RuleSetName="rs")
    with pytest.raises(ClientError) as bad:
        target.ses.create_receipt_rule(RuleSetName="rs", Rule=_rule(
            "h", Actions=[{"AddHeaderAction": {"HeaderName": name, "HeaderValue": value}}]))
    assert bad.value.response["Error"]["Code"] == "InvalidParameterValue"
