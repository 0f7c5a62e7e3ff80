"""A picture of a receipt rule set, drawn from the live account: rules top to bottom in the order SES runs
them, each rule's actions left to right. Plain SVG (no plotting library), so it shows the same in JupyterLab,
in the HTML export of a notebook and in a file, and it compares equal between runs on the same data.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook.errors import ValidationError
from sesbook.receiving.explain import describe_action
from sesbook.receiving.matching import action_type
from sesbook.receiving.model import RuleSet
from sesbook.receiving.rules import active_rule_set, describe_rule_set

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence
    from pathlib import Path

    from sesbook.target import Target

__all__ = ["RuleSetDiagram", "draw_rule_set", "rule_set_diagram"]

_RULE_W, _ACTION_W, _ROW_H, _BOX_H, _GAP, _TOP = 250, 210, 78, 58, 26, 44
_COLOURS = {
    "S3Action": "#e8f1fb", "SNSAction": "#fdf3e1", "LambdaAction": "#eef8ea", "BounceAction": "#fde8e8",
    "AddHeaderAction": "#f1eefb", "StopAction": "#f6d5d5",
}
_LABEL = {"S3Action": "S3", "SNSAction": "SNS", "LambdaAction": "Lambda", "BounceAction": "Bounce",
          "AddHeaderAction": "AddHeader", "StopAction": "Stop"}


def _short(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


def _text(x: float, y: float, text: str, *, size: int = 12, weight: str = "normal", fill: str = "#222") -> str:
    return (f'<text x="{x:g}" y="{y:g}" font-family="sans-serif" font-size="{size}" font-weight="{weight}" '
            f'fill="{fill}">{html.escape(text)}</text>')


def _action_detail(action: Mapping[str, Any]) -> str:
    kind = action_type(action)
    body = action.get(kind) or {}
    if kind == "S3Action":
        return f"{body.get('BucketName')}/{body.get('ObjectKeyPrefix') or ''}"
    if kind in ("SNSAction",):
        return str(body.get("TopicArn", "")).rsplit(":", 1)[-1]
    if kind == "LambdaAction":
        name = str(body.get("FunctionArn", "")).split(":function:")[-1]
        return f"{name} ({body.get('InvocationType') or 'Event'})"
    if kind == "BounceAction":
        return f"{body.get('SmtpReplyCode')} {body.get('Message')}"
    if kind == "AddHeaderAction":
        return f"{body.get('HeaderName')}: {body.get('HeaderValue')}"
    if kind == "StopAction":
        return "end of rule set"
    return describe_action(action)


def draw_rule_set(name: str, rules: Sequence[Mapping[str, Any]], *, active: bool = True) -> str:
    """The SVG text for rule set ``name`` with ``rules`` (``DescribeReceiptRuleSet``'s ``Rules``, in order)."""
    widest = max([len(r.get("Actions") or []) for r in rules] + [1])
    width = 20 + _RULE_W + widest * (_ACTION_W + _GAP) + 10
    height = _TOP + max(len(rules), 1) * _ROW_H + 10
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" role="img" aria-label="receipt rule set {html.escape(name)}">',
             '<defs><marker id="arrow" markerWidth="8" markerHeight="8" refX="7" refY="4" orient="auto">'
             '<path d="M0,0 L8,4 L0,8 z" fill="#555"/></marker></defs>',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>',
             _text(10, 24, f"Rule set {name}" + (" (active)" if active else " (not active)"), size=15,
                   weight="bold")]
    if not rules:
        parts.append(_text(10, _TOP + 24, "(no rules: every message is refused)", fill="#777"))
    for row, rule in enumerate(rules):
        y = _TOP + row * _ROW_H
        enabled = bool(rule.get("Enabled", False))
        opacity = "" if enabled else ' opacity="0.45"'
        parts.append(f"<g{opacity}>")
        parts.append(f'<rect x="10" y="{y}" width="{_RULE_W}" height="{_BOX_H}" rx="6" fill="#f4f4f4" '
                     f'stroke="#444"/>')
        flags = [("enabled" if enabled else "disabled"), f"TLS {rule.get('TlsPolicy') or 'Optional'}"]
        if rule.get("ScanEnabled"):
            flags.append("scan")
        recipients = ", ".join(rule.get("Recipients") or []) or "every verified domain"
        parts.append(_text(18, y + 18, f"{row + 1}. {_short(str(rule.get('Name')), 28)}", weight="bold"))
        parts.append(_text(18, y + 34, _short(recipients, 36), size=11))
        parts.append(_text(18, y + 50, " · ".join(flags), size=10, fill="#555"))
        x = 10 + _RULE_W
        for action in rule.get("Actions") or []:
            kind = action_type(action)
            left = x + _GAP
            parts.append(f'<line x1="{x}" y1="{y + _BOX_H / 2:g}" x2="{left - 2}" y2="{y + _BOX_H / 2:g}" '
                         'stroke="#555" marker-end="url(#arrow)"/>')
            parts.append(f'<rect x="{left}" y="{y + 6}" width="{_ACTION_W}" height="{_BOX_H - 12}" rx="5" '
                         f'fill="{_COLOURS.get(kind, "#eee")}" stroke="#666"/>')
            parts.append(_text(left + 8, y + 24, _LABEL.get(kind, kind), weight="bold", size=12))
            parts.append(_text(left + 8, y + 40, _short(_action_detail(action), 30), size=11))
            x = left + _ACTION_W
        parts.append("</g>")
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True)
class RuleSetDiagram:
    """The picture of one rule set (``svg``), shown by JupyterLab and kept by nbconvert's HTML export."""

    rule_set: str
    svg: str

    def _repr_svg_(self) -> str:
        return self.svg

    def __repr__(self) -> str:
        return f"RuleSetDiagram({self.rule_set!r}: {self.svg.count('<g')} rule(s))"

    def save(self, path: str | Path) -> None:
        from pathlib import Path

        Path(path).write_text(self.svg, encoding="utf-8")


def rule_set_diagram(target: Target, rule_set: str | RuleSet | None = None) -> RuleSetDiagram:
    """Draw the active rule set (or ``rule_set``) as SES holds it now. Only reads.

    Given a :class:`~sesbook.receiving.model.RuleSet` (the rules a plan-only run would write), draws that
    instead, without asking SES (as not active when another set is active).

    Disabled rules are drawn faded; a Stop action ends the set only for the mail its rule matched.
    """
    active_name, rules = active_rule_set(target)
    if isinstance(rule_set, RuleSet):
        return RuleSetDiagram(rule_set.name, draw_rule_set(rule_set.name, rule_set.to_api(),
                                                           active=active_name in (None, rule_set.name)))
    if rule_set is None:
        if active_name is None:
            raise ValidationError("rule_set", None, "no rule set is active, so there is nothing to draw by default.",
                                  hint="Name one: rule_set_diagram(target, 'main').")
        name = active_name
    else:
        found = describe_rule_set(target, rule_set)
        if found is None:
            raise ValidationError("rule_set", rule_set, "does not exist in this account and region.")
        name, rules = rule_set, found
    return RuleSetDiagram(name, draw_rule_set(name, rules, active=name == active_name))
