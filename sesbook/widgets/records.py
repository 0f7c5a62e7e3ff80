"""The DNS records table with a Check button per record and one for all (notebook 02, Step 6).

Every button calls :func:`sesbook.check_records`, the function the code cell beside it calls, with the
target as resolver (the lab's DNS server in the lab); a row shows the record's status (✅ ok, ❌ missing or
wrong, ⚠️ conflicting, ❓ no answer, ⏭️ placeholder) and the check's sentence for it. The plain rendering is
the :class:`~sesbook.dns.check.RecordsCheck` as ``check_records`` returns it, with each row as last checked.
"""

from __future__ import annotations

import html
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from sesbook.dns.check import RecordCheck, RecordsCheck, check_records
from sesbook.dns.records import RecordSet
from sesbook.errors import ValidationError
from sesbook.widgets._base import FrontEnd

if TYPE_CHECKING:
    from collections.abc import Iterable

    import ipywidgets

    from sesbook.dns.records import Record
    from sesbook.target import Target

_ICONS = {"ok": "✅", "missing": "❌", "wrong": "❌", "conflicting": "⚠️", "error": "❓", "skipped": "⏭️"}


class RecordTable(FrontEnd):
    """One row per record: type, name, value, a Check button and the outcome; a Check all button above.

    Drive it from code as a person would: ``table.buttons[i].click()`` or ``table.check_all.click()``;
    :attr:`result` is the combined :class:`~sesbook.dns.check.RecordsCheck`.
    """

    title = "record_table"

    def __init__(self, target: Target, records: Iterable[Record], *, check: bool = True) -> None:
        import ipywidgets

        super().__init__()
        self.target = target
        self.records = records if isinstance(records, RecordSet) else tuple(records)
        self.items: tuple[Record, ...] = tuple(self.records)
        if not self.items:
            raise ValidationError("records", [], "is empty; there is nothing to check.",
                                  hint="Pass records_for(target, domain) or required_records(...).")
        self.result: RecordsCheck | None = None
        #: The rows checked so far (by index); the others show "not checked yet".
        self.checked: set[int] = set()
        self.check_all = ipywidgets.Button(description="Check all", icon="check", tooltip="check_records(records)")
        self.check_all.on_click(lambda _button: self.check())
        self.buttons: list[ipywidgets.Button] = []
        self.outcomes: list[ipywidgets.HTML] = []
        rows: list[ipywidgets.Widget] = []
        cell = ipywidgets.Layout(width="auto")
        for index, record in enumerate(self.items):
            button = ipywidgets.Button(description="Check", layout=ipywidgets.Layout(width="6em"),
                                       tooltip=f"check_records([{record.type} {record.name}])")
            button.on_click(lambda _button, i=index: self.check(i))
            outcome = ipywidgets.HTML("not checked yet")
            value = record.value if len(record.value) <= 60 else record.value[:59] + "…"
            label = ipywidgets.HTML(f"<code>{html.escape(record.type)}</code> {html.escape(record.name)} "
                                    f"<small>{html.escape(value)}</small>", layout=cell)
            self.buttons.append(button)
            self.outcomes.append(outcome)
            rows.append(ipywidgets.HBox([button, label, outcome]))
        self.widget = ipywidgets.VBox([self.check_all, *rows, self.output])
        self.show("record_table: not checked yet", "<p>record_table: not checked yet</p>")
        if check:
            self.check()

    def _subset(self, record: Record) -> Any:
        if isinstance(self.records, RecordSet):
            return replace(self.records, records=(record,))
        return [record]

    def check(self, index: int | None = None) -> RecordsCheck | None:
        """Check every record (``index`` None) or the one at ``index``; update the rows and the rendering."""
        if index is None:
            fresh = self.attempt(lambda: check_records(self.records, resolver=self.target))
            if fresh is None:
                return None
            self.result = fresh
            self.checked = set(range(len(self.items)))
        else:
            self.checked.add(index)
            one = self.attempt(lambda: check_records(self._subset(self.items[index]), resolver=self.target))
            if one is None:
                return None
            if self.result is None:
                checks = [one.checks[0] if i == index else RecordCheck(r, "skipped", (), "not checked yet")
                          for i, r in enumerate(self.items)]
                self.result = replace(one, domain=getattr(self.records, "domain", one.domain), checks=tuple(checks))
            else:
                checks = list(self.result.checks)
                checks[index] = one.checks[0]
                spf = tuple(r for r in self.result.spf if r.domain != self.items[index].name) + one.spf
                self.result = replace(self.result, checks=tuple(checks), spf=spf)
        for i, (row, outcome) in enumerate(zip(self.result.checks, self.outcomes, strict=True)):
            if i in self.checked:
                outcome.value = html.escape(f"{_ICONS.get(row.status, '')} {row.describe()}")
        self.show_value(self.result)
        return self.result


def record_table(target: Target, records: Iterable[Record], *, check: bool = True) -> RecordTable:
    """The records as a table with a Check button per record and a Check all button, each calling
    :func:`sesbook.check_records` (with the target as resolver) as the cell beside it does.

    With ``check=True`` (default) every record is checked once when the table is made, so it opens showing
    what DNS says now; in a run without a live front-end (papermill, nbval, the run report) that is what it
    shows, exactly as ``check_records(records, resolver=target)`` would.
    """
    return RecordTable(target, records, check=check)
