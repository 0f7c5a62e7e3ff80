"""Faults mid-run: what SES does, the lab does, and nothing acknowledged is silently lost.

- **An S3 bucket removed mid-run.** SES checks when a rule is created or updated that it may write to the
  bucket (``CreateReceiptRule`` / ``UpdateReceiptRule`` answer ``InvalidS3Configuration``, "the S3 Bucket
  was not found"; SES API Reference, checked 2026; the lab does not check this yet). What SES does with a
  message when the write fails later is not documented; the lab accepts the message (the sender got its
  answer from the rules), records the action as failed with the reason on the message's inbound record,
  keeps the message there, runs the actions after it, and logs a warning on the ``sesbook`` logger.
- **A Lambda function failing.** "If the function fails or times out, SES continues with the next action"
  (Developer Guide, "Invoke Lambda function action", checked 2026): the failure is recorded and logged and
  the S3 action after it still stores the message.
- **An SNS topic deleted with notifications pending.** SES publishes feedback notifications after it
  accepted the send; a topic that is gone drops the notification, the send stands (Developer Guide,
  "Notifications through Amazon SNS", checked 2026).
- **The lab stopped and restarted.** A new lab writes the state file again; ``connect("lab")`` in a new
  process finds the new lab, never the stopped one.
"""

from __future__ import annotations

import json
import logging
import os
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

import sesbook

from helpers import let_ses_invoke, let_ses_write, verify_domain_now

if TYPE_CHECKING:
    from sesbook.lab.runtime import Lab

pytestmark = pytest.mark.lab
ROOT = Path(__file__).resolve().parents[1]


def _send_inbound(target: sesbook.Target, subject: str) -> tuple[int, str, bytes]:
    assert target.lab is not None and target.lab.inbound_smtp
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "a@sender.test", "aaa@example.com", subject
    message.set_content(f"body of {subject}\n")
    raw = message.as_bytes(policy=message.policy.clone(linesep="\r\n"))
    host, _, port = target.lab.inbound_smtp.rpartition(":")
    with smtplib.SMTP(host, int(port), source_address=("127.0.0.2", 0), timeout=30) as client:
        client.ehlo("mail.sender.test")
        client.mail("a@sender.test")
        client.rcpt("aaa@example.com")
        code, text = client.data(raw)
    return code, text.decode(), raw


def _records(target: sesbook.Target) -> list[dict[str, Any]]:
    assert target.lab is not None
    return [m for m in target.lab.request("GET", "/_aws/ses")["messages"] if m.get("Kind") == "inbound"]


@pytest.fixture
def receiving(lab: Lab) -> sesbook.Target:
    lab.reset()
    target = sesbook.connect("lab")
    verify_domain_now(target, "example.com")
    target.s3.create_bucket(Bucket="inbox")
    let_ses_write(target, "inbox")
    return target


def test_a_bucket_removed_mid_run(receiving: sesbook.Target, caplog: pytest.LogCaptureFixture) -> None:
    t = receiving
    t.s3.create_bucket(Bucket="second")
    let_ses_write(t, "second")
    t.ses.create_receipt_rule_set(RuleSetName="rs")
    t.ses.create_receipt_rule(RuleSetName="rs", Rule={"Name": "all", "Enabled": True, "Recipients": ["example.com"],
                                                      "Actions": [{"S3Action": {"BucketName": "inbox"}},
                                                                  {"S3Action": {"BucketName": "second"}}]})
    t.ses.set_active_receipt_rule_set(RuleSetName="rs")
    assert _send_inbound(t, "before")[0] == 250
    for obj in t.s3.list_objects_v2(Bucket="inbox")["Contents"]:
        t.s3.delete_object(Bucket="inbox", Key=obj["Key"])
    t.s3.delete_bucket(Bucket="inbox")

    with caplog.at_level(logging.WARNING, logger="sesbook"):
        code, text, raw = _send_inbound(t, "after")
    assert code == 250, text
    message_id = text.split()[1]
    record = next(r for r in _records(t) if r["Id"] == message_id)
    first, second = record["Inbound"]["rules"][0]["actions"]
    assert first["ok"] is False and "inbox" in first["detail"]
    assert second["ok"] is True  # the actions after the failed one still ran: the message is in "second"
    stored = t.s3.get_object(Bucket="second", Key=message_id)["Body"].read()
    assert stored.endswith(raw)
    assert any(message_id in r.getMessage() and "inbox" in r.getMessage() for r in caplog.records), caplog.text



FAILING = "def handler(event, context):\n    raise RuntimeError('the function broke')\n"


def test_a_failing_lambda_lets_the_next_action_run(receiving: sesbook.Target,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    import io
    import zipfile

    t = receiving
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("broken.py", FAILING)
    role = t.iam.create_role(RoleName="broken", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
                                               "Action": "sts:AssumeRole"}]}))["Role"]["Arn"]
    arn = t.lambda_.create_function(FunctionName="broken", Runtime="python3.11", Role=role, Handler="broken.handler",
                                    Code={"ZipFile": buffer.getvalue()}, Timeout=10)["FunctionArn"]
    let_ses_invoke(t, arn)
    t.ses.create_receipt_rule_set(RuleSetName="rs")
    t.ses.create_receipt_rule(RuleSetName="rs", Rule={"Name": "all", "Enabled": True, "Recipients": ["example.com"],
                                                      "Actions": [{"LambdaAction": {
                                                          "FunctionArn": arn, "InvocationType": "RequestResponse"}},
                                                          {"S3Action": {"BucketName": "inbox"}}]})
    t.ses.set_active_receipt_rule_set(RuleSetName="rs")
    with caplog.at_level(logging.WARNING, logger="sesbook"):
        code, text, raw = _send_inbound(t, "to a broken function")
    assert code == 250, text
    message_id = text.split()[1]
    lam, s3 = next(r for r in _records(t) if r["Id"] == message_id)["Inbound"]["rules"][0]["actions"]
    assert lam["ok"] is False and "failed" in lam["detail"]
    assert s3["ok"] is True
    assert t.s3.get_object(Bucket="inbox", Key=message_id)["Body"].read().endswith(raw)
    assert any("failed" in r.getMessage() and message_id in r.getMessage() for r in caplog.records), caplog.text


def test_a_deleted_topic_drops_the_notification_not_the_send(lab: Lab, caplog: pytest.LogCaptureFixture) -> None:
    lab.reset()
    t = sesbook.connect("lab")
    verify_domain_now(t, "example.com")
    topic = t.sns.create_topic(Name="feedback")["TopicArn"]
    for kind in ("Bounce", "Complaint", "Delivery"):
        t.ses.set_identity_notification_topic(Identity="example.com", NotificationType=kind, SnsTopic=topic)
    t.sns.delete_topic(TopicArn=topic)
    with caplog.at_level(logging.DEBUG, logger="sesbook"):
        sent = t.sesv2.send_email(FromEmailAddress="shop@example.com",
                                  Destination={"ToAddresses": ["ann@example.com"]},
                                  Content={"Simple": {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}})
    message_id = sent["MessageId"]
    assert t.lab is not None
    assert t.lab.request("GET", f"/_aws/ses?id={message_id}")["messages"], "the send stands"
    assert t.ses.get_send_quota()["SentLast24Hours"] == 1
    assert any("feedback" in r.getMessage() or "topic" in r.getMessage().lower() for r in caplog.records), \
        caplog.text


def _start_lab(state: Path) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    env = {**os.environ, "SESBOOK_LAB_STATE": str(state), "PYTHONPATH": str(ROOT)}
    env.pop("SESBOOK_LAB", None)
    proc = subprocess.Popen([sys.executable, "-m", "sesbook", "lab"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT)
    assert proc.stdout is not None
    line = proc.stdout.readline()
    assert line, "the lab did not start"
    return proc, json.loads(line)


def test_a_restarted_lab_is_the_one_connect_finds(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two labs one after the other with one state file: the second is found, the stopped one never.
    (``from_state_file`` is the step ``connect("lab")`` takes in a process without a lab of its own.)"""
    from sesbook.lab import StaleLabStateWarning, from_state_file

    state = tmp_path / "lab.json"
    monkeypatch.setenv("SESBOOK_LAB_STATE", str(state))
    first, info_1 = _start_lab(state)
    first.terminate()
    first.wait(timeout=30)
    if state.exists():  # a lab killed without cleaning up: the file names a lab that does not answer
        with pytest.warns(StaleLabStateWarning):
            assert from_state_file() is None
    second, info_2 = _start_lab(state)
    try:
        assert info_2["pid"] != info_1["pid"]
        found = from_state_file()
        assert found is not None
        assert (found.aws_endpoint, found.pid) == (info_2["aws_endpoint"], info_2["pid"])
        assert found.alive()
        quota = found.request("GET", "/_sesbook/info")
        assert quota["pid"] == info_2["pid"]
    finally:
        second.terminate()
        second.wait(timeout=30)
