"""Receipt rules and rule sets (SES v1): the limits SES enforces and the calls moto 5.2.5 lacks.

moto stores rule sets and rules (``CreateReceiptRuleSet``, ``CreateReceiptRule`` with ``After``,
``UpdateReceiptRule``, ``DescribeReceiptRuleSet`` …) but has no ``DeleteReceiptRule``,
``ReorderReceiptRuleSet`` or ``SetReceiptRulePosition``, checks rule names for uniqueness by comparing the
whole rule (two rules with one name but different actions both get in), and enforces none of SES's limits.

SES's rules kept here (Developer Guide, "Service quotas in Amazon SES", https://docs.aws.amazon.com/ses/latest/dg/quotas.html,
and the API Reference pages of each call, checked 2026):

- at most 40 receipt rule sets per account and region, 200 rules per rule set, 10 actions per rule and
  100 recipients per rule; past a limit SES answers ``LimitExceeded``;
- rule names are unique within a rule set (``AlreadyExists``);
- a rule created without ``After`` goes first (moto does this already; kept as a tested fact);
- ``DeleteReceiptRule`` of a rule that does not exist succeeds (only a missing rule set is an error);
- ``ReorderReceiptRuleSet`` must name every rule of the set exactly once (``InvalidParameterValue``; a name
  that is not in the set is ``RuleDoesNotExist``);
- ``SetReceiptRulePosition`` without ``After`` puts the rule first;
- an ``AddHeaderAction``'s header name is 1-50 letters, digits and dashes, its value under 2048 characters
  without CR or LF ("Add header action", https://docs.aws.amazon.com/ses/latest/dg/receiving-email-action-add-header.html);
  anything else is ``InvalidParameterValue``;
- SES must be allowed to write to each S3 action's bucket and invoke each Lambda action's function
  (:mod:`.permissions`): ``InvalidS3Configuration`` / ``InvalidLambdaFunction`` otherwise.
"""

from __future__ import annotations

import re
from typing import Any

from moto.ses.exceptions import AlreadyExists, InvalidParameterValue, RuleDoesNotExist, RuleSetDoesNotExist

from sesbook.lab.registry import wrap
from sesbook.lab.ses._wire import SES_BACKEND
from sesbook.lab.ses.errors import LimitExceeded
from sesbook.lab.ses.receiving.permissions import check_rule as check_permissions

MAX_RULE_SETS = 40
MAX_RULES_PER_SET = 200
MAX_ACTIONS_PER_RULE = 10
MAX_RECIPIENTS_PER_RULE = 100
_HEADER_NAME = re.compile(r"^[A-Za-z0-9-]{1,50}$")


def rule_set(backend: Any, name: str) -> Any:
    """moto's rule set ``name`` or SES's ``RuleSetDoesNotExist``."""
    found = backend.receipt_rule_set.get(name)
    if found is None:
        raise RuleSetDoesNotExist(f"Rule set does not exist: {name}")
    return found


def check_rule_limits(rule: dict[str, Any]) -> None:
    """SES's per-rule limits: 10 actions, 100 recipients."""
    actions = rule.get("Actions") or []
    if len(actions) > MAX_ACTIONS_PER_RULE:
        raise LimitExceeded(f"A receipt rule can have at most {MAX_ACTIONS_PER_RULE} actions; "
                            f"rule {rule.get('Name')} has {len(actions)}.")
    recipients = rule.get("Recipients") or []
    if len(recipients) > MAX_RECIPIENTS_PER_RULE:
        raise LimitExceeded(f"A receipt rule can have at most {MAX_RECIPIENTS_PER_RULE} recipients; "
                            f"rule {rule.get('Name')} has {len(recipients)}.")
    for action in actions:
        header = action.get("AddHeaderAction") if isinstance(action, dict) else None
        if header is None:
            continue
        name, value = str(header.get("HeaderName", "")), str(header.get("HeaderValue", ""))
        if not _HEADER_NAME.match(name):
            raise InvalidParameterValue(f"Invalid header name <{name}>: use 1-50 letters, digits or dashes.")
        if len(value) >= 2048 or "\r" in value or "\n" in value:
            raise InvalidParameterValue("Invalid header value: it must be under 2048 characters, without CR or LF.")


@wrap(SES_BACKEND, "create_receipt_rule_set")
def _create_rule_set(original: Any, self: Any, rule_set_name: str) -> None:
    if rule_set_name not in self.receipt_rule_set and len(self.receipt_rule_set) >= MAX_RULE_SETS:
        raise LimitExceeded(f"An account can have at most {MAX_RULE_SETS} receipt rule sets per region.")
    original(self, rule_set_name)


@wrap(SES_BACKEND, "create_receipt_rule")
def _create_rule(original: Any, self: Any, rule_set_name: str, rule: dict[str, Any], after: str | None) -> None:
    found = self.receipt_rule_set.get(rule_set_name)
    if found is not None and isinstance(rule, dict):
        if any(r.get("Name") == rule.get("Name") for r in found.rules):
            raise AlreadyExists(f"Rule already exists: {rule.get('Name')}")
        if len(found.rules) >= MAX_RULES_PER_SET:
            raise LimitExceeded(f"A receipt rule set can have at most {MAX_RULES_PER_SET} rules.")
        check_rule_limits(rule)
        check_permissions(self.region_name, rule_set_name, rule)
    original(self, rule_set_name, rule, after)


@wrap(SES_BACKEND, "update_receipt_rule")
def _update_rule(original: Any, self: Any, rule_set_name: str, rule: dict[str, Any]) -> None:
    check_rule_limits(rule)
    if rule_set_name in self.receipt_rule_set and isinstance(rule, dict):
        check_permissions(self.region_name, rule_set_name, rule)
    original(self, rule_set_name, rule)


def delete_rule(backend: Any, rule_set_name: str, rule_name: str) -> None:
    """Remove one rule; a rule that is not there is not an error (the set must exist)."""
    found = rule_set(backend, rule_set_name)
    found.rules[:] = [r for r in found.rules if r.get("Name") != rule_name]


def reorder_rules(backend: Any, rule_set_name: str, rule_names: list[str]) -> None:
    """Put the set's rules in the order given; every rule must be named exactly once."""
    found = rule_set(backend, rule_set_name)
    by_name = {r["Name"]: r for r in found.rules}
    for name in rule_names:
        if name not in by_name:
            raise RuleDoesNotExist(f"Rule does not exist: {name}")
    if len(rule_names) != len(set(rule_names)) or set(rule_names) != set(by_name):
        raise InvalidParameterValue(
            f"Reorder must name every rule of rule set {rule_set_name} exactly once: "
            f"{', '.join(by_name) or '(none)'}."
        )
    found.rules[:] = [by_name[name] for name in rule_names]


def set_rule_position(backend: Any, rule_set_name: str, rule_name: str, after: str | None) -> None:
    """Move one rule right after ``after`` (first when ``after`` is empty)."""
    found = rule_set(backend, rule_set_name)
    rule = next((r for r in found.rules if r.get("Name") == rule_name), None)
    if rule is None:
        raise RuleDoesNotExist(f"Rule does not exist: {rule_name}")
    if after and not any(r.get("Name") == after for r in found.rules):
        raise RuleDoesNotExist(f"Rule does not exist: {after}")
    rest = [r for r in found.rules if r is not rule]
    index = 0 if not after else next(i for i, r in enumerate(rest) if r.get("Name") == after) + 1
    rest.insert(index, rule)
    found.rules[:] = rest


def active_rules(backend: Any) -> list[dict[str, Any]] | None:
    """The active rule set's rules (``DescribeReceiptRuleSet`` shape, in order), or None when none is active."""
    active = backend.describe_active_receipt_rule_set()
    return None if active is None else list(active.rules)
