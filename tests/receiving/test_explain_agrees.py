"""explain() agrees with what the lab's inbound SMTP server really does on the same inputs.

Same sender address, same recipients: the dry run's verdict (accepted or refused) and the S3 prefixes its
steps name must be what an smtplib delivery to the inbound server produces. Skipped while the lab has no
inbound server (it lands with the lab's receiving branch).
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import TYPE_CHECKING

import pytest

from sesbook.receiving.explain import explain_receipt
from sesbook.receiving.filters import allow_only
from sesbook.receiving.model import Rule, S3Action, StopAction
from sesbook.receiving.rules import ensure_rule_set

from helpers import let_ses_write

if TYPE_CHECKING:
    import sesbook
    from sesbook.lab import LabInfo

BUCKET = "agree-inbox"


def _deliver(info: LabInfo, source: str, recipients: list[str]) -> bool:
    """Send one message from ``source``; True when the server accepted it (250 after DATA)."""
    assert info.inbound_smtp is not None
    host, _, port = info.inbound_smtp.rpartition(":")
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "alice@sender.test", ", ".join(recipients), "agree"
    message.set_content("Hello.\n")
    try:
        with smtplib.SMTP(host, int(port), source_address=(source, 0), timeout=30) as client:
            client.ehlo("mail.sender.test")
            refused = client.sendmail("alice@sender.test", recipients, message.as_bytes())
    except (smtplib.SMTPException, ConnectionError):
        return False
    return len(refused) < len(recipients)


def _prefixes(target: sesbook.Target) -> set[str]:
    found = target.s3.list_objects_v2(Bucket=BUCKET).get("Contents", [])
    return {o["Key"].split("/", 1)[0] + "/" for o in found}


@pytest.fixture
def live(sender: sesbook.Target, lab_info: LabInfo) -> sesbook.Target:
    if not lab_info.inbound_smtp:
        pytest.skip("the lab has no inbound SMTP server yet")
    sender.s3.create_bucket(Bucket=BUCKET)
    let_ses_write(sender, BUCKET)
    ensure_rule_set(sender, "agree", [
        Rule("First", recipients=["aaa@example.com"], actions=[S3Action(BUCKET, "first/")]),
        Rule("Stopper", recipients=["stop@example.com"], actions=[S3Action(BUCKET, "stopper/"), StopAction()]),
        Rule("All", actions=[S3Action(BUCKET, "all/")]),
    ])
    return sender


@pytest.mark.parametrize("source, recipients", [
    ("127.0.0.2", ["aaa@example.com"]),
    ("127.0.0.2", ["stop@example.com"]),
    ("127.0.0.2", ["other@example.com"]),
    ("127.0.0.2", ["who@example.org"]),
])
def test_explain_matches_delivery(live: sesbook.Target, lab_info: LabInfo, source: str,
                                  recipients: list[str]) -> None:
    explained = explain_receipt(live, sender_ip=source, recipients=recipients, tls=False)
    delivered = _deliver(lab_info, source, recipients)
    assert delivered == explained.accepted, repr(explained)
    expected = {s.what.split(f"s3://{BUCKET}/", 1)[1].split("<", 1)[0] for s in explained.steps
                if s.kind == "S3Action" and not s.note.startswith("skipped")}
    assert _prefixes(live) == expected, repr(explained)


def test_explain_matches_the_filter(live: sesbook.Target, lab_info: LabInfo) -> None:
    allow_only(live, ["127.0.0.2"])
    for source in ("127.0.0.2", "127.0.0.3"):
        explained = explain_receipt(live, sender_ip=source, recipients=["aaa@example.com"], tls=False)
        assert _deliver(lab_info, source, ["aaa@example.com"]) == explained.accepted, repr(explained)
