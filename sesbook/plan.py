"""The plan: the changes a run would make, recorded instead of sent when ``apply`` is off.

A plan is shown (repr, HTML, :meth:`Plan.to_json`) and logged, so it never holds a secret: every
parameter named like one (:data:`sesbook._redact.SECRET_NAME`: private keys, secret access keys, passwords,
credentials, session and auth tokens), at any depth, and every value that looks like a PEM private key
is replaced by :data:`~sesbook._redact.REDACTED` when the call is recorded. The real values are not kept: nothing reads
them back from a plan.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from sesbook import _html
from sesbook._redact import redact

#: The request id of the response a planned (unsent) call returns: empty apart from its metadata.
PLANNED_REQUEST_ID = "planned-not-sent"


def was_planned(response: dict[str, Any] | None) -> bool:
    """True when ``response`` is the stand-in the plan gate returned: the call was recorded, not sent."""
    return bool(response) and response.get("ResponseMetadata", {}).get("RequestId") == PLANNED_REQUEST_ID  # type: ignore[union-attr]


@dataclass(frozen=True)
class PlannedCall:
    """One change that was recorded, not sent: ``ses.VerifyDomainIdentity(Domain='example.com')``.

    ``params`` are the call's parameters with secrets replaced by ``REDACTED`` (see the module docstring).
    """

    service: str
    operation: str
    params: dict[str, Any]

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", redact(self.params))

    def to_dict(self) -> dict[str, Any]:
        return {"service": self.service, "operation": self.operation, "params": self.params}

    def __str__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params.items())
        return f"{self.service}.{self.operation}({args})"


@dataclass
class Plan:
    """The changes recorded while ``apply`` was off, in the order they were asked for."""

    calls: list[PlannedCall] = field(default_factory=list)

    def add(self, call: PlannedCall) -> None:
        self.calls.append(call)

    def clear(self) -> None:
        self.calls.clear()

    def __len__(self) -> int:
        return len(self.calls)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.calls)

    def __bool__(self) -> bool:
        return bool(self.calls)

    def __repr__(self) -> str:
        if not self.calls:
            return "Plan: no changes"
        lines = [f"Plan: {len(self.calls)} change(s) planned, not sent"]
        lines += [f"  {i}. {c}" for i, c in enumerate(self.calls, 1)]
        return "\n".join(lines)

    def to_json(self) -> str:
        """The plan as JSON (a list of ``{service, operation, params}``), secrets redacted, for a record."""
        return json.dumps([c.to_dict() for c in self.calls], default=str, sort_keys=True, indent=2)

    def _repr_html_(self) -> str:
        if not self.calls:
            return "<p>Plan: no changes.</p>"
        rows = [
            (i, f"{c.service}.{c.operation}", json.dumps(c.params, default=str, sort_keys=True))
            for i, c in enumerate(self.calls, 1)
        ]
        return _html.table(
            ["#", "call", "parameters"], rows,
            caption=f"Plan: {len(self.calls)} change(s) planned, not sent",
        )
