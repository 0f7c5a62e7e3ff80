"""Receiving actions moto lacks (SES v1): ``CreateReceiptFilter``, ``ListReceiptFilters``,
``DeleteReceiptFilter``, ``DeleteReceiptRule``, ``ReorderReceiptRuleSet``, ``SetReceiptRulePosition``
(the rules: :mod:`.state`, :mod:`.rules`)."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult

from sesbook.lab.registry import v1_action
from sesbook.lab.ses.receiving.rules import delete_rule, reorder_rules, set_rule_position
from sesbook.lab.ses.receiving.state import add_receipt_filter, receipt_filters
from sesbook.lab.ses.receiving.state import delete_receipt_filter as forget_receipt_filter


@v1_action("create_receipt_filter")
def create_receipt_filter(self: Any) -> ActionResult:
    add_receipt_filter(
        self.backend,
        self._get_param("Filter.Name") or "",
        self._get_param("Filter.IpFilter.Policy") or "",
        self._get_param("Filter.IpFilter.Cidr") or "",
    )
    return EmptyResult()


@v1_action("list_receipt_filters")
def list_receipt_filters(self: Any) -> ActionResult:
    return ActionResult({"Filters": list(receipt_filters(self.backend).values())})


@v1_action("delete_receipt_filter")
def delete_receipt_filter(self: Any) -> ActionResult:
    forget_receipt_filter(self.backend, self._get_param("FilterName") or "")
    return EmptyResult()


@v1_action("delete_receipt_rule")
def delete_receipt_rule(self: Any) -> ActionResult:
    delete_rule(self.backend, self._get_param("RuleSetName") or "", self._get_param("RuleName") or "")
    return EmptyResult()


@v1_action("reorder_receipt_rule_set")
def reorder_receipt_rule_set(self: Any) -> ActionResult:
    reorder_rules(self.backend, self._get_param("RuleSetName") or "", list(self._get_param("RuleNames") or []))
    return EmptyResult()


@v1_action("set_receipt_rule_position")
def set_receipt_rule_position(self: Any) -> ActionResult:
    set_rule_position(self.backend, self._get_param("RuleSetName") or "", self._get_param("RuleName") or "",
                      self._get_param("After") or None)
    return EmptyResult()
