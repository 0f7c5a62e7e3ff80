"""Receipt IP filter actions (SES v1): ``CreateReceiptFilter``, ``ListReceiptFilters``, ``DeleteReceiptFilter``."""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult, EmptyResult

from sesbook.lab.registry import v1_action
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
