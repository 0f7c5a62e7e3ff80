"""Receipt rule sets in SES: make one look like a list of :class:`~sesbook.receiving.model.Rule` s, and delete.

:func:`ensure_rule_set` is idempotent: a second run with the same rules sends no change. It creates the set
when missing, creates or updates each rule, puts the set's rules in the list's order (rules it does not
list stay after them, or are deleted with ``prune=True``) and makes the set active. Against AWS with
``apply=False`` every change is recorded in ``target.plan`` and none is sent; the result says ``planned``.

SES's rules kept here (SES API Reference: ``CreateReceiptRule``, ``ReorderReceiptRuleSet``,
``DeleteReceiptRuleSet``, ``SetActiveReceiptRuleSet``; Developer Guide, "Creating receipt rules", checked 2026):

- A rule created without ``After`` goes first in its set; with ``After`` it goes right after that rule.
- ``ReorderReceiptRuleSet`` must name every rule of the set, in the new order.
- One rule set is active per region at a time; ``SetActiveReceiptRuleSet`` without a name deactivates it.
- SES refuses to delete the active rule set (``CannotDelete``): :func:`delete_rule_set` deactivates it first.
- Deleting a set or rule that does not exist is reported as "nothing to do" here (clean-up re-runs).
- At most 40 rule sets per account and region, 200 rules per set.

IAM: ``ses:CreateReceiptRuleSet``, ``ses:DescribeReceiptRuleSet``, ``ses:ListReceiptRuleSets``,
``ses:CreateReceiptRule``, ``ses:UpdateReceiptRule``, ``ses:DeleteReceiptRule``, ``ses:ReorderReceiptRuleSet``,
``ses:DescribeActiveReceiptRuleSet``, ``ses:SetActiveReceiptRuleSet``, ``ses:DeleteReceiptRuleSet``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import AwsError, ValidationError
from sesbook.facts import MAX_RECEIPT_RULE_SETS, MAX_RECEIPT_RULES_PER_SET
from sesbook.plan import was_planned
from sesbook.receiving.model import Rule, RuleSet, check_name, rule_from_api

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from sesbook.target import Target

__all__ = ["RuleSetChange", "active_rule_set", "delete_rule", "delete_rule_set", "describe_rule_set",
           "ensure_rule_set", "set_rule_position"]

log = logging.getLogger("sesbook")

_MISSING = ("RuleSetDoesNotExist", "RuleDoesNotExist")


@dataclass(frozen=True)
class RuleSetChange:
    """What :func:`ensure_rule_set` did: per rule ``created``, ``updated``, ``unchanged`` or ``deleted``;
    whether the set was created, reordered and activated. ``planned``: nothing was sent (aws, apply=False)."""

    rule_set: str
    set_created: bool
    rules: tuple[tuple[str, str], ...]
    order: tuple[str, ...]
    reordered: bool
    activated: bool
    planned: bool = False

    @property
    def changed(self) -> bool:
        return self.set_created or self.reordered or self.activated or \
            any(outcome != "unchanged" for _, outcome in self.rules)

    def outcome(self, rule: str) -> str:
        """``created``, ``updated``, ``unchanged`` or ``deleted`` for one rule."""
        return dict(self.rules)[rule]

    def _head(self) -> str:
        verb = "would change" if self.planned else "changed"
        parts = [("set created" if self.set_created else None), ("reordered" if self.reordered else None),
                 ("activated" if self.activated else None)]
        done = ", ".join(p for p in parts if p)
        what = f"{verb}: {done}" if self.changed else "no change"
        return f"rule set {self.rule_set!r}: {what}" + (" (planned, not sent)" if self.planned else "")

    def __repr__(self) -> str:
        rows = [(i, name, outcome) for i, (name, outcome) in enumerate(self.rules, 1)]
        return self._head() + "\n" + _html.text_table(["#", "rule", "outcome"], rows)

    def _repr_html_(self) -> str:
        rows = [(i, name, outcome) for i, (name, outcome) in enumerate(self.rules, 1)]
        return _html.table(["#", "rule", "outcome"], rows, caption=self._head())


def _code(exc: AwsError) -> str:
    return exc.code


def describe_rule_set(target: Target, name: str) -> list[dict[str, Any]] | None:
    """The rules of rule set ``name`` as SES lists them (``DescribeReceiptRuleSet`` ``Rules``), or None."""
    check_name(name, field="rule_set", what="a receipt rule set")
    try:
        with aws_errors("ses"):
            got = target.ses.describe_receipt_rule_set(RuleSetName=name)
    except AwsError as exc:
        if _code(exc) in _MISSING:
            return None
        raise
    return list(got.get("Rules") or [])


def active_rule_set(target: Target) -> tuple[str | None, list[dict[str, Any]]]:
    """The active rule set's name (None when no set is active) and its rules, in order."""
    with aws_errors("ses"):
        got = target.ses.describe_active_receipt_rule_set()
    metadata = got.get("Metadata") or {}
    return metadata.get("Name"), list(got.get("Rules") or [])


def _same(existing: Mapping[str, Any], wanted: Rule) -> bool:
    """Whether a rule as SES returned it already says what ``wanted`` says."""
    try:
        return rule_from_api(existing) == wanted
    except ValidationError:  # holds something sesbook does not model (WorkMail, Connect): not ours
        return False


def ensure_rule_set(target: Target, name: str, rules: Iterable[Rule] = (), *, active: bool = True,
                    prune: bool = False) -> RuleSetChange:
    """Make rule set ``name`` hold ``rules`` in this order (and be the active set when ``active``).

    Every rule is checked first (:class:`~sesbook.receiving.model.RuleSet`); nothing is sent when one is
    wrong. Rules of the set that ``rules`` does not name are kept after the listed ones, or deleted when
    ``prune=True``. A second call with the same arguments changes nothing.

    In AWS, SES checks when a rule is created that it may use the rule's bucket, topic and function:
    apply their policies first (:func:`sesbook.receiving.policies.grant_rule_access`).
    """
    wanted = RuleSet(name, tuple(rules))
    if not isinstance(active, bool) or not isinstance(prune, bool):
        raise ValidationError("active/prune", (active, prune), "must be True or False.")
    existing = describe_rule_set(target, name)
    planned = False
    outcomes: dict[str, str] = {}
    set_created = False
    if existing is None:
        with aws_errors("ses"):
            count = len(target.ses.list_receipt_rule_sets().get("RuleSets") or [])
        if count >= MAX_RECEIPT_RULE_SETS:
            raise ValidationError("rule_set", name, f"would be rule set number {count + 1}; SES allows "
                                  f"{MAX_RECEIPT_RULE_SETS} per account and region.",
                                  hint="Delete a rule set you no longer use (delete_rule_set).")
        with aws_errors("ses"):
            planned = was_planned(target.ses.create_receipt_rule_set(RuleSetName=name)) or planned
        set_created = True
        existing = []
    current = {r["Name"]: r for r in existing}
    order = [r["Name"] for r in existing]
    extras = [n for n in order if n not in wanted.rule_names]
    if not prune and len(extras) + len(wanted.rules) > MAX_RECEIPT_RULES_PER_SET:
        raise ValidationError("rules", f"{len(extras)} kept + {len(wanted.rules)} listed",
                              f"would leave more than {MAX_RECEIPT_RULES_PER_SET} rules in rule set {name!r}.",
                              hint="Pass prune=True to delete the rules you did not list.")
    with aws_errors("ses"):
        if prune:
            for extra in extras:
                planned = was_planned(target.ses.delete_receipt_rule(RuleSetName=name, RuleName=extra)) or planned
                order.remove(extra)
                outcomes[extra] = "deleted"
            extras = []
        previous: str | None = None
        for rule in wanted.rules:
            if rule.name in current:
                if _same(current[rule.name], rule):
                    outcomes[rule.name] = "unchanged"
                else:
                    got = target.ses.update_receipt_rule(RuleSetName=name, Rule=rule.to_api())
                    planned = was_planned(got) or planned
                    outcomes[rule.name] = "updated"
            else:
                kwargs: dict[str, Any] = {"RuleSetName": name, "Rule": rule.to_api()}
                if previous is not None:
                    kwargs["After"] = previous
                planned = was_planned(target.ses.create_receipt_rule(**kwargs)) or planned
                order.insert(order.index(previous) + 1 if previous is not None else 0, rule.name)
                outcomes[rule.name] = "created"
            previous = rule.name
        final = [*wanted.rule_names, *extras]
        reordered = False
        if order != final:
            planned = was_planned(target.ses.reorder_receipt_rule_set(RuleSetName=name, RuleNames=final)) or planned
            reordered = True
        activated = False
        if active:
            active_name, _ = active_rule_set(target)
            if active_name != name:
                planned = was_planned(target.ses.set_active_receipt_rule_set(RuleSetName=name)) or planned
                activated = True
    ordered = [(n, outcomes[n]) for n in wanted.rule_names]
    ordered += [(n, outcomes.get(n, "unchanged")) for n in extras]
    ordered += [(n, o) for n, o in outcomes.items() if o == "deleted"]
    result = RuleSetChange(name, set_created, tuple(ordered), tuple(final), reordered, activated, planned)
    log.info("ensure_rule_set: %s", result._head())
    return result


def set_rule_position(target: Target, rule_set: str, rule: str, *, after: str | None = None) -> bool:
    """Move one rule right after rule ``after`` (``None``: to the top), with ``SetReceiptRulePosition``.

    Returns False when it is already there (nothing sent). Both rules must exist in the set.
    """
    check_name(rule, field="rule", what="a receipt rule")
    if after is not None:
        check_name(after, field="after", what="a receipt rule")
        if after == rule:
            raise ValidationError("after", after, "names the rule being moved; a rule cannot follow itself.")
    names = [r["Name"] for r in describe_rule_set(target, rule_set) or []]
    for name, field_name in ((rule, "rule"), (after, "after")):
        if name is not None and name not in names:
            raise ValidationError(field_name, name, f"is not a rule of rule set {rule_set!r}.",
                                  hint=f"Its rules are: {', '.join(names) or '(none)'}.")
    position = names.index(rule)
    if (after is None and position == 0) or (after is not None and position > 0 and names[position - 1] == after):
        return False
    kwargs: dict[str, Any] = {"RuleSetName": rule_set, "RuleName": rule}
    if after is not None:
        kwargs["After"] = after
    with aws_errors("ses"):
        target.ses.set_receipt_rule_position(**kwargs)
    return True


def delete_rule(target: Target, rule_set: str, rule: str) -> bool:
    """Delete one rule. Returns False when the set or the rule was not there (nothing to do)."""
    check_name(rule_set, field="rule_set", what="a receipt rule set")
    check_name(rule, field="rule", what="a receipt rule")
    try:
        with aws_errors("ses"):
            target.ses.describe_receipt_rule(RuleSetName=rule_set, RuleName=rule)
    except AwsError as exc:
        if _code(exc) in _MISSING:
            return False
        raise
    with aws_errors("ses"):
        target.ses.delete_receipt_rule(RuleSetName=rule_set, RuleName=rule)
    return True


def delete_rule_set(target: Target, name: str, *, deactivate: bool = True) -> bool:
    """Delete rule set ``name`` with its rules. Returns False when it was not there.

    SES refuses to delete the active set; with ``deactivate=True`` (the default) it is deactivated first,
    which means the region stops receiving mail until another set is made active.
    """
    check_name(name, field="rule_set", what="a receipt rule set")
    if describe_rule_set(target, name) is None:
        return False
    active_name, _ = active_rule_set(target)
    with aws_errors("ses"):
        if active_name == name:
            if not deactivate:
                raise ValidationError("deactivate", deactivate, f"rule set {name!r} is the active one and SES "
                                      "refuses to delete the active rule set.",
                                      hint="Pass deactivate=True, or make another set active first.")
            log.info("delete_rule_set: deactivating %s first (SES keeps the active set)", name)
            target.ses.set_active_receipt_rule_set()
        target.ses.delete_receipt_rule_set(RuleSetName=name)
    return True
