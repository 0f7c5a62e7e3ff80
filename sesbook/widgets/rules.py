"""A receipt-rule builder and the dry run beside it (notebook 04, Step 3).

The builder makes a :class:`~sesbook.receiving.model.Rule` from a recipient condition and one action,
and shows it as SES takes it (``CreateReceiptRule``'s ``Rule``) or the
:class:`~sesbook.errors.ValidationError` the model raises (the same checks as in code: SES API Reference,
``ReceiptRule`` and ``ReceiptAction``, checked 2026). It only builds: adding the rule to a set stays with
:func:`sesbook.ensure_rule_set`, where the notebook's code does it.

Explain calls :func:`sesbook.explain_receipt` for a recipient and a sender's IP address, as the code cell
beside it does: which IP filter lets the sender connect, which rules of the rule set take the recipient,
and their actions in order.
"""

from __future__ import annotations

import html
import json
from typing import TYPE_CHECKING, Any

from sesbook.receiving.explain import explain_receipt
from sesbook.receiving.model import (
    AddHeaderAction,
    BounceAction,
    LambdaAction,
    Rule,
    S3Action,
    SNSAction,
    StopAction,
)
from sesbook.widgets._base import FrontEnd, shown

if TYPE_CHECKING:
    from collections.abc import Sequence

    import ipywidgets

    from sesbook.receiving.explain import ReceiptExplanation
    from sesbook.receiving.model import Action
    from sesbook.target import Target

#: Each action the dropdown offers: its class and its fields (keyword, label, default).
ACTION_FIELDS: dict[str, tuple[type[Action], tuple[tuple[str, str, str], ...]]] = {
    "S3": (S3Action, (("bucket", "bucket", ""), ("prefix", "key prefix", ""))),
    "SNS": (SNSAction, (("topic_arn", "topic ARN", ""), ("encoding", "encoding", "UTF-8"))),
    "Lambda": (LambdaAction, (("function_arn", "function ARN", ""), ("invocation_type", "invocation", "Event"))),
    "Bounce": (BounceAction, (("smtp_reply_code", "SMTP code", "550"), ("status_code", "status code", "5.1.1"),
                              ("message", "message", "Mailbox does not exist"), ("sender", "bounce sender", ""))),
    "AddHeader": (AddHeaderAction, (("name", "header name", "X-Routed-By"), ("value", "header value", "sesbook"))),
    "Stop": (StopAction, ()),
}


class RuleBuilder(FrontEnd):
    """Rule name, recipient, action and its fields, a Build button; recipient, sender IP and Explain.

    From code: set ``builder.recipient.value``, ``builder.action.value`` and ``builder.fields[kind][key].value``,
    then ``builder.build_button.click()``; ``builder.explain_button.click()`` for the dry run.
    :attr:`rule` is the last rule built (None after an error), :attr:`explanation` the last dry run.
    """

    title = "rule_builder"

    def __init__(self, target: Target, *, rule_set: str | None = None, name: str = "NewRule",
                 recipient: str = "", action: str = "Stop", sender_ip: str = "",
                 recipients: Sequence[str] = ()) -> None:
        import ipywidgets

        super().__init__()
        self.target = target
        self.rule_set = rule_set
        self.rule: Rule | None = None
        self.explanation: ReceiptExplanation | None = None
        self.rule_shown = ("", "")
        self.explain_shown = ("", "")
        self.name = ipywidgets.Text(value=name, description="rule name")
        self.recipient = ipywidgets.Text(value=recipient, description="recipient",
                                         placeholder="aaa@example.com, example.com or .example.com")
        self.action = ipywidgets.Dropdown(options=list(ACTION_FIELDS), value=action, description="action")
        self.fields: dict[str, dict[str, ipywidgets.Text]] = {
            kind: {key: ipywidgets.Text(value=default, description=label) for key, label, default in spec}
            for kind, (_cls, spec) in ACTION_FIELDS.items()
        }
        self.field_box = ipywidgets.VBox()
        self.action.observe(lambda _change: self._show_fields(), names="value")
        self._show_fields()
        self.build_button = ipywidgets.Button(description="Build", icon="wrench", tooltip="ReceiptRule(...)")
        self.build_button.on_click(lambda _button: self.build())
        self.explain_recipient = ipywidgets.Text(value=", ".join(recipients), description="to",
                                                 placeholder="aaa@example.com")
        self.sender_ip = ipywidgets.Text(value=sender_ip, description="sender IP", placeholder="192.0.2.1")
        self.explain_button = ipywidgets.Button(description="Explain", icon="question",
                                                tooltip="explain_receipt(target, sender_ip=..., recipients=[...])")
        self.explain_button.on_click(lambda _button: self.explain())
        self.widget = ipywidgets.VBox([
            ipywidgets.HTML("<b>Build a rule</b>"), self.name, self.recipient, self.action, self.field_box,
            self.build_button,
            ipywidgets.HTML("<b>What SES would do</b>"), self.explain_recipient, self.sender_ip, self.explain_button,
            self.output,
        ])
        self._render()
        if sender_ip and recipients:
            self.explain()

    def _show_fields(self) -> None:
        self.field_box.children = tuple(self.fields[self.action.value].values())

    def _render(self) -> None:
        texts = [t for t, _h in (self.rule_shown, self.explain_shown) if t]
        htmls = [h for _t, h in (self.rule_shown, self.explain_shown) if h]
        self.show("\n".join(texts) or "rule_builder: nothing built or explained yet",
                  "".join(htmls) or "<p>rule_builder: nothing built or explained yet</p>")

    def _action(self) -> Action:
        cls, spec = ACTION_FIELDS[self.action.value]
        values: dict[str, Any] = {key: self.fields[self.action.value][key].value.strip() for key, _l, _d in spec}
        optional = {"status_code", "prefix"}
        values = {k: v for k, v in values.items() if v or k not in optional}
        if cls is S3Action:
            values.setdefault("prefix", "")
        return cls(**values)

    def build(self) -> Rule | None:
        """Build the rule from the fields; show it as the API takes it, or the validation error."""
        def make() -> Rule:
            text = self.recipient.value.strip()
            conditions = [part.strip() for part in text.split(",") if part.strip()]
            return Rule(self.name.value.strip(), recipients=tuple(conditions), actions=(self._action(),))

        self.rule = None
        rule = self.attempt(make)
        if rule is None:
            self.rule_shown = (self.text, self.html)
        else:
            self.rule = rule
            body = json.dumps(rule.to_api(), indent=2, ensure_ascii=False)
            self.rule_shown = (f"✅ rule {rule.name!r} is valid:\n{body}",
                               f"<p>✅ rule <code>{html.escape(rule.name)}</code> is valid; "
                               f"<code>CreateReceiptRule</code> takes it as:</p><pre>{html.escape(body)}</pre>")
        self._render()
        return self.rule

    def explain(self) -> ReceiptExplanation | None:
        """Run :func:`sesbook.explain_receipt` for the recipient(s) and sender IP in the fields."""
        recipients = [part.strip() for part in self.explain_recipient.value.split(",") if part.strip()]
        self.explanation = None
        found = self.attempt(lambda: explain_receipt(self.target, sender_ip=self.sender_ip.value.strip(),
                                                     recipients=recipients, rule_set=self.rule_set))
        if found is None:
            self.explain_shown = (self.text, self.html)
        else:
            self.explanation = found
            self.explain_shown = shown(found)
        self._render()
        return self.explanation


def rule_builder(target: Target, *, rule_set: str | None = None, name: str = "NewRule", recipient: str = "",
                 action: str = "Stop", sender_ip: str = "", recipients: Sequence[str] = ()) -> RuleBuilder:
    """A receipt-rule builder (recipient, action S3/SNS/Lambda/Bounce/AddHeader/Stop and its fields) that
    shows the rule or the model's validation error, and an Explain form that runs
    :func:`sesbook.explain_receipt` on the active rule set (or ``rule_set``).

    Given ``sender_ip`` and ``recipients``, it explains them once when made: without a live front-end it shows
    exactly what ``explain_receipt(target, sender_ip=..., recipients=...)`` shows.
    """
    return RuleBuilder(target, rule_set=rule_set, name=name, recipient=recipient, action=action,
                       sender_ip=sender_ip, recipients=recipients)
