"""ensure_rule_set / delete_rule_set / delete_rule over the wire (boto3 → the lab), and plan-only on aws."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from sesbook.errors import ValidationError
from sesbook.receiving.model import AddHeaderAction, BounceAction, Rule, S3Action, StopAction
from sesbook.receiving.rules import (
    active_rule_set,
    delete_rule,
    delete_rule_set,
    describe_rule_set,
    ensure_rule_set,
    set_rule_position,
)

from helpers import let_ses_write

if TYPE_CHECKING:
    import sesbook



def _rules() -> list[Rule]:
    return [
        Rule("EmailToS3", recipients=["aaa@example.com"], actions=[S3Action("inbound-mail", "aaa_emails/")]),
        Rule("Tag", recipients=["example.com"], actions=[AddHeaderAction("X-Seen", "yes")]),
        Rule("Refuse", recipients=[".example.com"],
             actions=[BounceAction("550", "No such user", "postmaster@example.com", "5.1.1"), StopAction()]),
    ]


@pytest.fixture
def bucket(target: sesbook.Target) -> str:
    target.s3.create_bucket(Bucket="inbound-mail")
    let_ses_write(target, "inbound-mail")
    return "inbound-mail"


def _names(target: sesbook.Target, name: str) -> list[str]:
    return [r["Name"] for r in describe_rule_set(target, name) or []]


def test_ensure_creates_in_order_and_activates(target: sesbook.Target, bucket: str) -> None:
    result = ensure_rule_set(target, "main", _rules())
    assert result.set_created and result.activated and not result.planned
    assert [o for _, o in result.rules] == ["created"] * 3
    assert _names(target, "main") == ["EmailToS3", "Tag", "Refuse"]
    assert active_rule_set(target)[0] == "main"
    stored = target.ses.describe_receipt_rule(RuleSetName="main", RuleName="Refuse")["Rule"]
    assert stored["Actions"][0]["BounceAction"]["SmtpReplyCode"] == "550"
    assert stored["Recipients"] == [".example.com"]
    assert "created" in repr(result) and "<table " in result._repr_html_()


def test_second_run_changes_nothing(target: sesbook.Target, bucket: str) -> None:
    from conftest import WireLog  # tests/receiving/conftest.py

    ensure_rule_set(target, "main", _rules())
    wire = WireLog()
    target.ses.meta.events.register("before-send.*.*", wire)  # the client exists: hook it, not the session
    again = ensure_rule_set(target, "main", _rules())
    assert wire.sent and wire.mutating == []  # it read, and sent no change
    assert not again.changed
    assert [o for _, o in again.rules] == ["unchanged"] * 3
    assert "no change" in repr(again)


def test_a_changed_rule_is_updated_only(target: sesbook.Target, bucket: str) -> None:
    ensure_rule_set(target, "main", _rules())
    rules = _rules()
    rules[1] = Rule("Tag", recipients=["example.com"], actions=[AddHeaderAction("X-Seen", "twice")])
    result = ensure_rule_set(target, "main", rules)
    assert result.outcome("Tag") == "updated" and result.outcome("EmailToS3") == "unchanged"
    assert not result.reordered and not result.activated
    stored = target.ses.describe_receipt_rule(RuleSetName="main", RuleName="Tag")["Rule"]
    assert stored["Actions"][0]["AddHeaderAction"]["HeaderValue"] == "twice"


def test_a_new_rule_lands_in_its_place(target: sesbook.Target, bucket: str) -> None:
    ensure_rule_set(target, "main", _rules())
    rules = _rules()
    rules.insert(1, Rule("Middle", recipients=["bbb@example.com"], actions=[StopAction()]))
    result = ensure_rule_set(target, "main", rules)
    assert result.outcome("Middle") == "created" and not result.reordered
    assert _names(target, "main") == ["EmailToS3", "Middle", "Tag", "Refuse"]


def test_unlisted_rules_are_kept_after_the_listed_ones(target: sesbook.Target, bucket: str) -> None:
    ensure_rule_set(target, "main", _rules())
    result = ensure_rule_set(target, "main", _rules()[:2])
    assert result.outcome("Refuse") == "unchanged" and not result.reordered
    assert _names(target, "main") == ["EmailToS3", "Tag", "Refuse"]


def test_reorder_puts_the_set_in_the_list_order(target: sesbook.Target, bucket: str) -> None:
    ensure_rule_set(target, "main", _rules())
    result = ensure_rule_set(target, "main", list(reversed(_rules())))
    assert result.reordered
    assert _names(target, "main") == ["Refuse", "Tag", "EmailToS3"]
    assert not ensure_rule_set(target, "main", list(reversed(_rules()))).changed


def test_prune_deletes_unlisted_rules(target: sesbook.Target, bucket: str) -> None:
    ensure_rule_set(target, "main", _rules())
    result = ensure_rule_set(target, "main", _rules()[:1], prune=True)
    assert result.outcome("Tag") == "deleted" and result.outcome("Refuse") == "deleted"
    assert _names(target, "main") == ["EmailToS3"]


def test_delete_rule(target: sesbook.Target, bucket: str) -> None:
    ensure_rule_set(target, "main", _rules())
    assert delete_rule(target, "main", "Tag") is True
    assert _names(target, "main") == ["EmailToS3", "Refuse"]
    assert delete_rule(target, "main", "Tag") is False


def test_set_rule_position(target: sesbook.Target, bucket: str) -> None:
    ensure_rule_set(target, "main", _rules())
    assert set_rule_position(target, "main", "Refuse") is True
    assert _names(target, "main") == ["Refuse", "EmailToS3", "Tag"]
    assert set_rule_position(target, "main", "Refuse", after="Tag") is True
    assert _names(target, "main") == ["EmailToS3", "Tag", "Refuse"]
    assert set_rule_position(target, "main", "Refuse", after="Tag") is False


def test_set_rule_position_checks_names(target: sesbook.Target, bucket: str) -> None:
    ensure_rule_set(target, "main", _rules())
    assert set_rule_position(target, "main", "EmailToS3") is False  # already first: nothing sent
    with pytest.raises(ValidationError, match="not a rule"):
        set_rule_position(target, "main", "Nope")
    with pytest.raises(ValidationError, match="itself"):
        set_rule_position(target, "main", "Tag", after="Tag")


def test_delete_rule_not_found_is_success(target: sesbook.Target) -> None:
    assert delete_rule(target, "nothing-here", "Tag") is False
    ensure_rule_set(target, "empty", [])
    assert delete_rule(target, "empty", "Tag") is False


def test_delete_active_set_deactivates_first(target: sesbook.Target, bucket: str) -> None:
    ensure_rule_set(target, "main", _rules())
    assert active_rule_set(target)[0] == "main"
    assert delete_rule_set(target, "main") is True
    assert active_rule_set(target)[0] is None
    assert describe_rule_set(target, "main") is None
    assert delete_rule_set(target, "main") is False  # not found = nothing to do


def test_delete_active_set_refused_when_asked_not_to_deactivate(target: sesbook.Target) -> None:
    ensure_rule_set(target, "main", [])
    with pytest.raises(ValidationError, match="active"):
        delete_rule_set(target, "main", deactivate=False)
    assert describe_rule_set(target, "main") == []


def test_inactive_set_is_deleted_and_active_one_left_alone(target: sesbook.Target) -> None:
    ensure_rule_set(target, "main", [])
    ensure_rule_set(target, "spare", [], active=False)
    assert delete_rule_set(target, "spare") is True
    assert active_rule_set(target)[0] == "main"


def test_bad_rules_refused_before_any_call(target: sesbook.Target) -> None:
    with pytest.raises(ValidationError):
        ensure_rule_set(target, "main", [Rule("a"), Rule("a")])
    with pytest.raises(ValidationError):
        ensure_rule_set(target, "bad name", [])
    assert target.ses.list_receipt_rule_sets()["RuleSets"] == []


def test_forty_rule_sets_is_the_limit(target: sesbook.Target) -> None:
    for i in range(40):
        target.ses.create_receipt_rule_set(RuleSetName=f"set{i}")
    with pytest.raises(ValidationError, match="40"):
        ensure_rule_set(target, "one-too-many", [])


def test_plan_only_on_aws_sends_no_change(planning_aws: tuple[sesbook.Target, Any]) -> None:
    aws, wire = planning_aws
    result = ensure_rule_set(aws, "main", _rules())
    assert result.planned and result.set_created and result.activated
    assert [o for _, o in result.rules] == ["created"] * 3
    assert wire.mutating == []
    assert "DescribeReceiptRuleSet" in wire.sent
    assert [c.operation for c in aws.plan] == ["CreateReceiptRuleSet", "CreateReceiptRule", "CreateReceiptRule",
                                               "CreateReceiptRule", "SetActiveReceiptRuleSet"]
    assert aws.plan.calls[2].params["After"] == "EmailToS3"
    assert "planned, not sent" in repr(result)


def test_plan_only_delete_on_aws(planning_aws: tuple[sesbook.Target, Any], target: sesbook.Target,
                                 bucket: str) -> None:
    ensure_rule_set(target, "main", _rules())  # really there (made through the lab target)
    aws, wire = planning_aws
    assert delete_rule_set(aws, "main") is True
    assert wire.mutating == []
    assert [c.operation for c in aws.plan] == ["SetActiveReceiptRuleSet", "DeleteReceiptRuleSet"]
    assert describe_rule_set(target, "main") is not None
