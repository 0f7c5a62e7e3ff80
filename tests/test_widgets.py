"""The widget front-ends, driven as a person would (values set, buttons clicked), against the lab."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

import sesbook
from sesbook.widgets import Composer, RecordTable, RuleBuilder, Watcher

if TYPE_CHECKING:
    from pathlib import Path

    from sesbook.widgets._base import FrontEnd

WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
REQUEST = {"mail_type": "TRANSACTIONAL", "website_url": "https://example.com",
           "use_case": "Receipts for users of example.com who sign up on the site."}


def bundle(front: FrontEnd) -> dict[str, object]:
    data = front._repr_mimebundle_()
    assert set(data) == {WIDGET_VIEW, "text/plain", "text/html"}
    return data


# -- record_table ---------------------------------------------------------------------------------------------
def test_record_table_checks_each_record_against_the_lab_dns(target: sesbook.Target) -> None:
    sesbook.verify_domain(target, "example.com", method="v2")
    records = sesbook.records_for(target, "example.com", mail_from="mail", receive=True)
    table = sesbook.record_table(target, records, check=False)
    assert isinstance(table, RecordTable) and table.result is None
    assert [o.value for o in table.outcomes] == ["not checked yet"] * len(records)
    table.buttons[0].click()
    assert table.outcomes[0].value.startswith("❌") and "missing" in table.outcomes[0].value
    assert table.outcomes[1].value == "not checked yet"
    sesbook.apply_to_route53(target, records)
    table.buttons[0].click()
    assert table.outcomes[0].value.startswith("✅")
    assert table.result is not None and table.result.checks[0].status == "ok"
    table.check_all.click()
    statuses = [c.status for c in table.result.checks]
    assert all(o.value.startswith("✅") for o, s in zip(table.outcomes, statuses, strict=True) if s == "ok")
    assert table.result.ok and "ok" in statuses


def test_record_table_shows_a_wrong_record_with_its_finding(target: sesbook.Target) -> None:
    sesbook.verify_domain(target, "example.com", method="v2")
    records = sesbook.records_for(target, "example.com", mail_from="mail", receive=False)
    sesbook.apply_to_route53(target, records)
    mail_from = records.mail_from
    backup = sesbook.RecordSet("example.com", target.region, (
        sesbook.Record(mail_from, "MX", f"10 feedback-smtp.{target.region}.amazonses.com"),
        sesbook.Record(mail_from, "MX", "20 backup-mx.example.net")))
    sesbook.apply_to_route53(target, backup, allow_replace=True)
    table = sesbook.record_table(target, records)
    index = next(i for i, r in enumerate(records) if r.type == "MX" and r.name == mail_from)
    assert table.outcomes[index].value.startswith("⚠️")
    assert "a MAIL FROM domain must have exactly one MX" in table.outcomes[index].value
    assert not table.result.ok  # type: ignore[union-attr]


def test_record_table_fallback_is_the_check_records_table(target: sesbook.Target) -> None:
    sesbook.verify_domain(target, "example.com", method="v2")
    records = sesbook.records_for(target, "example.com", mail_from="mail", receive=True)
    sesbook.apply_to_route53(target, records)
    expected = sesbook.check_records(records, resolver=target)
    first, second = bundle(sesbook.record_table(target, records)), bundle(sesbook.record_table(target, records))
    assert first["text/plain"] == second["text/plain"] == repr(expected)
    assert first["text/html"] == second["text/html"] == expected._repr_html_()
    assert first[WIDGET_VIEW] != second[WIDGET_VIEW]  # a model id each: nbval does not compare this type
    for record in records:
        assert record.name in str(first["text/plain"])


# -- rule_builder -----------------------------------------------------------------------------------------------
@pytest.fixture
def receiving(sender: sesbook.Target) -> sesbook.Target:
    sesbook.ensure_rule_set(sender, "main", [
        sesbook.ReceiptRule("Gone", recipients=["gone@example.com"], actions=[
            sesbook.BounceAction("550", "Mailbox does not exist", "mailer-daemon@example.com", status_code="5.1.1")]),
    ])
    return sender


def test_rule_builder_shows_the_models_validation_error(receiving: sesbook.Target) -> None:
    builder = sesbook.rule_builder(receiving)
    assert isinstance(builder, RuleBuilder)
    builder.recipient.value = "aaa@example.com"
    builder.action.value = "Bounce"
    assert [w.description for w in builder.field_box.children] == ["SMTP code", "status code", "message",
                                                                   "bounce sender"]
    builder.fields["Bounce"]["smtp_reply_code"].value = "250"
    builder.fields["Bounce"]["sender"].value = "postmaster@example.com"
    builder.build_button.click()
    assert builder.rule is None
    assert "BounceAction.smtp_reply_code='250': must be an SMTP reply code" in builder.text
    assert "Traceback" not in builder.text and builder.text.startswith("❌ ValidationError")
    builder.fields["Bounce"]["smtp_reply_code"].value = "550"
    builder.build_button.click()
    assert builder.rule is not None and builder.rule.actions[0].to_api()["BounceAction"]["SmtpReplyCode"] == "550"
    assert "'Recipients': ['aaa@example.com']" in repr(builder.rule.to_api()) and "is valid" in builder.text


@pytest.mark.parametrize(("kind", "values", "api"), [
    ("S3", {"bucket": "inbound-mail", "prefix": "aaa/"}, {"S3Action": {"BucketName": "inbound-mail",
                                                                      "ObjectKeyPrefix": "aaa/"}}),
    ("SNS", {"topic_arn": "arn:aws:sns:us-east-1:123456789012:t"},
     {"SNSAction": {"TopicArn": "arn:aws:sns:us-east-1:123456789012:t", "Encoding": "UTF-8"}}),
    ("Lambda", {"function_arn": "arn:aws:lambda:us-east-1:123456789012:function:f"},
     {"LambdaAction": {"FunctionArn": "arn:aws:lambda:us-east-1:123456789012:function:f",
                       "InvocationType": "Event"}}),
    ("AddHeader", {}, {"AddHeaderAction": {"HeaderName": "X-Routed-By", "HeaderValue": "sesbook"}}),
    ("Stop", {}, {"StopAction": {"Scope": "RuleSet"}}),
])
def test_rule_builder_builds_each_action(target: sesbook.Target, kind: str, values: dict[str, str],
                                         api: dict[str, object]) -> None:
    builder = sesbook.rule_builder(target, recipient="example.com", action=kind)
    for key, value in values.items():
        builder.fields[kind][key].value = value
    builder.build_button.click()
    assert builder.rule is not None and builder.rule.to_api()["Actions"] == [api]


def test_rule_builder_bad_field_names_the_field(target: sesbook.Target) -> None:
    builder = sesbook.rule_builder(target, recipient="aaa@example.com, not an address@", action="S3")
    builder.fields["S3"]["bucket"].value = "inbound-mail"
    builder.build_button.click()
    assert builder.rule is None
    assert builder.text.startswith("❌ ValidationError: rule 'NewRule': recipients[1]='not an address@'")
    builder.recipient.value = "aaa@example.com"
    builder.fields["S3"]["bucket"].value = "Bad_Bucket"
    builder.build_button.click()
    assert builder.rule is None and "S3Action.bucket='Bad_Bucket': is not a valid S3 bucket name" in builder.text


def test_rule_builder_explains_as_explain_receipt(receiving: sesbook.Target) -> None:
    builder = sesbook.rule_builder(receiving, sender_ip="127.0.0.2", recipients=["gone@example.com"])
    expected = sesbook.explain_receipt(receiving, sender_ip="127.0.0.2", recipients=["gone@example.com"])
    data = bundle(builder)
    assert data["text/plain"] == repr(expected) and data["text/html"] == expected._repr_html_()
    builder.explain_recipient.value = "bbb@example.com"
    builder.explain_button.click()
    assert builder.explanation is not None and not builder.explanation.accepted
    assert "refused at RCPT TO" in builder.text
    builder.sender_ip.value = "not-an-ip"
    builder.explain_button.click()
    assert builder.explanation is None and "sender_ip='not-an-ip': is not an IP address" in builder.text


# -- composer --------------------------------------------------------------------------------------------------
def test_composer_refuses_a_bad_address_and_sends_nothing(sender: sesbook.Target) -> None:
    before = len(sesbook.mailbox_messages(sender))
    form = sesbook.composer(sender, source="sender@example.com", to="bob@@example.net", subject="Hi", text="Hello")
    assert isinstance(form, Composer) and form.error is not None
    form.send_button.click()
    assert form.sent == [] and "to='bob@@example.net': is not an email address" in form.text
    assert "❌ ValidationError" in form.status.value
    form.to.value = "bob@example.net"
    form.attachment.value = "setup.EXE"
    form.send_button.click()
    assert form.sent == [] and "SES refuses attachments ending in .exe" in form.text
    assert len(sesbook.mailbox_messages(sender)) == before


def test_composer_sends_through_send_email_into_the_lab_mailbox(sender: sesbook.Target) -> None:
    form = sesbook.composer(sender, source="sender@example.com")
    form.to.value = "bob@example.net"
    form.subject.value = "From the composer"
    form.body.value = "Sent by clicking."
    assert form.error is None and "passes SES's checks" in form.status.value
    form.send_button.click()
    assert len(form.sent) == 1 and form.sent[0].message_id
    mail = sesbook.last_message(sender, to="bob@example.net")
    assert (mail.subject, mail.api) == ("From the composer", "v2")
    assert form.sent[0].message_id in form.text


def test_composer_sends_an_attachment_raw(sender: sesbook.Target) -> None:
    form = sesbook.composer(sender, source="sender@example.com", to="bob@example.net", subject="Report",
                            text="Attached.", attachment="report.csv")
    form.attachment_text.value = "month,sent\n"
    form.send_button.click()
    mail = sesbook.last_message(sender, to="bob@example.net")
    assert mail.subject == "Report" and [a.filename for a in mail.attachments] == ["report.csv"]


def test_composer_fallback_is_deterministic_and_sends_nothing(sender: sesbook.Target) -> None:
    before = len(sesbook.mailbox_messages(sender))
    make = lambda: sesbook.composer(sender, source="sender@example.com", to="bob@example.net",  # noqa: E731
                                    subject="Hi", text="Hello")
    first, second = bundle(make()), bundle(make())
    assert first["text/plain"] == second["text/plain"] and first["text/html"] == second["text/html"]
    assert "bob@example.net" in str(first["text/plain"]) and "passes SES's checks" in str(first["text/plain"])
    assert len(sesbook.mailbox_messages(sender)) == before


# -- watcher ---------------------------------------------------------------------------------------------------
def test_watcher_sees_a_domain_verified_once_its_records_are_published(target: sesbook.Target) -> None:
    verification = sesbook.verify_domain(target, "example.com", method="v2")
    watch = sesbook.watcher(target, "example.com", dkim=True)
    assert isinstance(watch, Watcher) and watch.bar.max == 2
    assert watch.poll() == "pending" and watch.bar.value == 0
    assert "verification PENDING" in watch.label.value
    sesbook.publish_records(target, "example.com", verification.records)
    assert watch.poll() == "done" and watch.bar.value == 2
    assert watch.label.value == "example.com: verification SUCCESS, DKIM SUCCESS"
    status = sesbook.wait_for_verification(target, "example.com", dkim=True, progress=False)
    assert bundle(watch)["text/plain"] == repr(status)


def test_watcher_follows_the_review_on_the_lab_clock(target: sesbook.Target) -> None:
    sesbook.ensure_verified_sender(target, domain="example.com")
    target.lab.freeze_clock()  # type: ignore[union-attr]
    sesbook.set_lab_review(target, outcome="GRANTED", delay_seconds=90)
    sesbook.request_production_access(target, **REQUEST)
    watch = sesbook.watcher(target, review=True, interval=30)
    assert watch.label.value == "review: PENDING after 0 s" and watch.bar.value == 0
    assert watch.poll() == "pending" and watch.waited == 30
    watch.watch_button.click()
    assert watch.join(timeout=60) == "done"
    assert watch.label.value == "review: GRANTED" and watch.bar.value == 100
    assert watch.status is not None and watch.status.production  # type: ignore[union-attr]
    assert not watch.watch_button.disabled and watch.stop_button.disabled


def test_watcher_shows_an_error_as_text(target: sesbook.Target) -> None:
    watch = sesbook.watcher(target, review=True)
    assert watch.poll() == "failed" and "NotAppliedError" in watch.text and "Traceback" not in watch.text
    with pytest.raises(sesbook.ValidationError, match="watch one thing"):
        sesbook.watcher(target)
    nobody = sesbook.watcher(target, "nobody.example")
    assert nobody.poll() == "failed" and "is not an SES identity" in nobody.text


def test_watcher_stop_ends_the_thread(target: sesbook.Target) -> None:
    sesbook.verify_domain(target, "example.com", method="v2")
    watch = sesbook.watcher(target, "example.com", dkim=True)
    watch.watch_button.click()
    watch.stop_button.click()
    assert watch.join(timeout=60) == "pending" and "(stopped)" in watch.label.value


# -- headless: the run report and the committed notebook ------------------------------------------------------
def test_report_page_shows_the_fallback_and_run_metadata_drops_widget_state(target: sesbook.Target,
                                                                            tmp_path: Path) -> None:
    import nbformat

    from sesbook.report import render_html
    from sesbook.runbook import strip_run_metadata

    form = sesbook.composer(target, source="sender@example.com", to="bob@example.net", subject="Hi", text="Hello")
    data = form._repr_mimebundle_()
    model = data[WIDGET_VIEW]["model_id"]  # type: ignore[index]
    cell = nbformat.v4.new_code_cell("sesbook.composer(...)", outputs=[nbformat.v4.new_output("display_data", data)])
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Widgets"), cell])
    nb.metadata["widgets"] = {"application/vnd.jupyter.widget-state+json": {
        "version_major": 2, "version_minor": 0, "state": {model: {"model_name": "VBoxModel", "state": {}}}}}
    path = tmp_path / "05-widgets.ipynb"
    nbformat.write(nb, str(path))
    page = render_html(path).read_text(encoding="utf-8")
    assert "passes SES" in page and "bob@example.net" in page and WIDGET_VIEW not in page
    assert "widgets" not in strip_run_metadata(nb).metadata
