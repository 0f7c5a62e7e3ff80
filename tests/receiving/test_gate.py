"""The sender gate: its handler alone, and deployed to the lab's Lambda behind a RequestResponse rule."""

from __future__ import annotations

import io
import smtplib
import zipfile
from email.message import EmailMessage
from typing import TYPE_CHECKING

import pytest

from sesbook.errors import ValidationError
from sesbook.receiving.gate import deploy_sender_gate, sender_gate_package, sender_gate_source
from sesbook.receiving.inbox import ensure_bucket, stored_messages
from sesbook.receiving.lambdas import sender_gate
from sesbook.receiving.model import LambdaAction, Rule, S3Action
from sesbook.receiving.policies import grant_rule_access
from sesbook.receiving.rules import ensure_rule_set

from helpers import let_ses_invoke, let_ses_write

if TYPE_CHECKING:
    import sesbook
    from sesbook.lab import LabInfo

    from .conftest import WireLog


def _event(source: str) -> dict[str, object]:
    return {"Records": [{"eventSource": "aws:ses", "ses": {"mail": {"source": source, "messageId": "m1"}}}]}


def test_handler_lets_listed_senders_and_domains_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLOWED_SENDERS", "friend@partner.test, @trusted.test")
    assert sender_gate.handler(_event("Friend@Partner.test"), None) == {"disposition": "CONTINUE"}
    assert sender_gate.handler(_event("anyone@trusted.test"), None) == {"disposition": "CONTINUE"}
    assert sender_gate.handler(_event("stranger@partner.test"), None) == {"disposition": "STOP_RULE_SET"}
    assert sender_gate.handler(_event(""), None) == {"disposition": "STOP_RULE_SET"}
    monkeypatch.delenv("ALLOWED_SENDERS")
    assert sender_gate.handler(_event("friend@partner.test"), None) == {"disposition": "STOP_RULE_SET"}


def test_package_is_the_handler_and_always_the_same_bytes() -> None:
    package = sender_gate_package()
    assert package == sender_gate_package()
    with zipfile.ZipFile(io.BytesIO(package)) as archive:
        assert archive.namelist() == ["sender_gate.py"]
        assert archive.read("sender_gate.py").decode() == sender_gate_source()
    assert "def handler(event" in sender_gate_source()


@pytest.mark.parametrize("allowed, field", [("a@b.test", "allowed"), ([], "allowed"), (["not an address"],
                                             "allowed[0]"), (["@bad..domain"], "allowed[0]")])
def test_bad_lists_refused_before_any_call(target: sesbook.Target, allowed: object, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        deploy_sender_gate(target, allowed)  # type: ignore[arg-type]
    assert caught.value.field == field


def _send(info: LabInfo, source: str, subject: str) -> None:
    assert info.inbound_smtp is not None
    host, _, port = info.inbound_smtp.rpartition(":")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = source, "support@example.com", subject
    message.set_content("Hello.\n")
    with smtplib.SMTP(host, int(port), source_address=("127.0.0.2", 0), timeout=30) as client:
        assert client.send_message(message) == {}


def test_deployed_gate_stops_unlisted_senders(sender: sesbook.Target, lab_info: LabInfo) -> None:
    gate = deploy_sender_gate(sender, ["friend@partner.test"])
    assert gate.outcome == "created" and not gate.planned
    assert gate.function_arn == "arn:aws:lambda:us-east-1:123456789012:function:sesbook-sender-gate"
    assert deploy_sender_gate(sender, ["friend@partner.test"]).outcome == "unchanged"
    ensure_bucket(sender, "inbound-mail")
    let_ses_write(sender, "inbound-mail")
    let_ses_invoke(sender, gate.function_arn)
    rules = [Rule("gate", ["support@example.com"], [LambdaAction(gate.function_arn, "RequestResponse")]),
             Rule("keep", ["support@example.com"], [S3Action("inbound-mail", "support/")])]
    for rule in rules:
        grant_rule_access(sender, "main", rule)
    ensure_rule_set(sender, "main", rules)
    _send(lab_info, "stranger@elsewhere.test", "from a stranger")
    _send(lab_info, "friend@partner.test", "from a friend")
    assert [m.subject for m in stored_messages(sender, "inbound-mail", "support/")] == ["from a friend"]
    changed = deploy_sender_gate(sender, ["friend@partner.test", "@elsewhere.test"])
    assert changed.outcome == "updated" and changed.allowed == ("friend@partner.test", "@elsewhere.test")
    _send(lab_info, "stranger@elsewhere.test", "now allowed")
    assert sorted(m.subject for m in stored_messages(sender, "inbound-mail", "support/")) == ["from a friend",
                                                                                            "now allowed"]
    assert "sesbook-sender-gate" in repr(changed) and "<table" in changed._repr_html_()


def test_plan_only_deploy_sends_nothing(planning_aws: tuple[sesbook.Target, WireLog]) -> None:
    target, wire = planning_aws
    gate = deploy_sender_gate(target, ["friend@partner.test"], name="planned-gate")
    assert gate.planned and gate.outcome == "created"
    assert gate.function_arn.endswith(":function:planned-gate") and gate.role_arn.endswith(":role/planned-gate-role")
    assert wire.mutating == []
    assert [c.operation for c in target.plan] == ["CreateRole", "CreateFunction"]
