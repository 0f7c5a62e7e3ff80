"""The send pipeline: stages in their written order, one patch per send action, and SMTP-style submission."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import pytest

from sesbook.lab import registry
from sesbook.lab.ses._wire import SES_BACKEND, SESV2_BACKEND, ses_backend_for
from sesbook.lab.ses.errors import WireError
from sesbook.lab.ses.sending import pipeline
from sesbook.lab.ses.sending.message import from_raw

if TYPE_CHECKING:
    import sesbook

pytestmark = pytest.mark.lab

SEND_METHODS = ("send_email", "send_raw_email", "send_templated_email", "send_bulk_templated_email")


def _raw(to: str, sender: str = "shop@example.com") -> str:
    return (f"From: Shop <{sender}>\r\nTo: {to}\r\nSubject: By SMTP\r\nMIME-Version: 1.0\r\n"
            "Content-Type: text/plain; charset=utf-8\r\n\r\nsubmitted words\r\n")


def test_stages_run_in_the_written_order() -> None:
    assert [stage.__name__ for stage in pipeline.STAGES] == [
        "validate", "check_list_management", "check_identity_and_mail_from", "apply_sandbox_and_quotas", "accept",
        "count_metrics", "render", "decide_outcomes", "apply_list_management", "add_tracking", "deliver",
        "publish_feedback",
    ]


@pytest.mark.parametrize("name", SEND_METHODS)
def test_each_send_method_holds_at_most_one_lab_patch(lab: Any, name: str) -> None:
    assert registry.patch_depth(SES_BACKEND, name) <= 1
    assert registry.patch_depth(SESV2_BACKEND, name) <= 1 if name in ("send_email", "send_raw_email") else True
    assert registry.patch_depth(registry.V1_RESPONSE, name) == 1  # the action: message -> pipeline
    assert sum(1 for p in registry.PATCHES if p.name == name and p.owner in (SES_BACKEND, SESV2_BACKEND)) <= 1


def test_v2_send_action_is_patched_once(lab: Any) -> None:
    assert registry.patch_depth(registry.V2_RESPONSE, "send_email") == 1


def test_no_moto_name_is_patched_twice(lab: Any) -> None:
    owners = [(p.owner, p.name) for p in registry.PATCHES]
    assert len(owners) == len(set(owners))


def test_raw_mime_submitted_to_the_pipeline_obeys_the_sandbox_and_lands(target: sesbook.Target) -> None:
    from helpers import verify_domain_now

    verify_domain_now(target, "example.com")
    target.lab.freeze_clock()  # type: ignore[union-attr]
    backend = ses_backend_for("us-east-1")
    quota_before = target.ses.get_send_quota()["SentLast24Hours"]

    with pytest.raises(WireError) as refused:  # the sandbox: an unverified recipient
        pipeline.submit(backend, from_raw(_raw("ann@elsewhere.example.net")))
    assert refused.value.code == "MessageRejected" and refused.value.kind == "unverified"  # type: ignore[attr-defined]
    assert "ann@elsewhere.example.net" in refused.value.message

    message_id = pipeline.submit(backend, from_raw(_raw("ann@example.com"), source="shop@example.com",
                                                  envelope=["ann@example.com", "hidden@example.com"]))
    box = target.lab.request("GET", f"/_aws/ses?id={message_id}")["messages"]  # type: ignore[union-attr]
    assert len(box) == 1
    assert box[0]["Destination"] == {"ToAddresses": ["ann@example.com"], "CcAddresses": [],
                                     "BccAddresses": ["hidden@example.com"]}
    assert box[0]["Body"]["text_part"].strip() == "submitted words"
    assert target.ses.get_send_quota()["SentLast24Hours"] == quota_before + 2

    with pytest.raises(WireError) as throttled:  # same lab second: the rate
        pipeline.submit(backend, from_raw(_raw("ann@example.com")))
    assert throttled.value.code == "Throttling" and throttled.value.kind == "rate"  # type: ignore[attr-defined]


def test_a_failure_after_the_sandbox_gives_the_quota_back(target: sesbook.Target,
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from helpers import verify_domain_now

    verify_domain_now(target, "example.com")
    target.lab.freeze_clock()  # type: ignore[union-attr]
    backend = ses_backend_for("us-east-1")

    def refuse(sub: pipeline.Submission) -> None:  # a later stage (say, suppression) says no
        raise WireError("MessageRejected", "refused after the sandbox")

    stages = list(pipeline.STAGES)
    monkeypatch.setattr(pipeline, "STAGES", (*stages[:3], refuse, *stages[3:]))
    with pytest.raises(WireError, match="refused after the sandbox"):
        pipeline.submit(backend, from_raw(_raw("ann@example.com")))
    monkeypatch.undo()
    assert target.ses.get_send_quota()["SentLast24Hours"] == 0
    assert pipeline.submit(backend, from_raw(_raw("ann@example.com")))  # the rate token came back too


def test_bulk_sends_land_one_message_per_destination(target: sesbook.Target) -> None:
    from helpers import verify_domain_now

    verify_domain_now(target, "example.com")
    target.lab.freeze_clock()  # type: ignore[union-attr]
    target.ses.create_template(Template={"TemplateName": "t", "SubjectPart": "Hi {{n}}", "TextPart": "x"})
    sent = target.ses.send_bulk_templated_email(
        Source="shop@example.com", Template="t", DefaultTemplateData='{"n": "you"}',
        Destinations=[{"Destination": {"ToAddresses": ["a@example.com"]}, "ReplacementTemplateData": '{"n": "A"}'},
                      {"Destination": {"ToAddresses": ["b@example.com"]}}])
    ids = [s["MessageId"] for s in sent["Status"]]
    box = {m["Id"]: m for m in target.lab.request("GET", "/_aws/ses")["messages"]}  # type: ignore[union-attr]
    assert [box[i]["Destination"]["ToAddresses"] for i in ids] == [["a@example.com"], ["b@example.com"]]
    assert [box[i]["TemplateData"] for i in ids] == ['{"n": "A"}', '{"n": "you"}']


# -- size and recipient limits (over the wire) ---------------------------------------------------------------
SIM = "success@simulator.amazonses.com"


def _client_error(call: Any) -> tuple[str, str]:
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


def _big_raw(megabytes: int) -> bytes:
    head = "From: shop@example.com\r\nTo: success@simulator.amazonses.com\r\nSubject: big\r\nMIME-Version: 1.0\r\n" \
           "Content-Type: text/plain\r\n\r\n"
    line = "x" * 998 + "\r\n"
    return (head + line * (megabytes * 1024 * 1024 // len(line))).encode()


def test_a_15_mb_v1_text_body_is_refused(target: sesbook.Target) -> None:
    from helpers import verify_domain_now

    verify_domain_now(target, "example.com")
    code, message = _client_error(lambda: target.ses.send_email(
        Source="shop@example.com", Destination={"ToAddresses": [SIM]},
        Message={"Subject": {"Data": "big"}, "Body": {"Text": {"Data": "x" * (15 * 1024 * 1024)}}}))
    assert code == "InvalidParameterValue"
    assert re.fullmatch(r"Message length is more than 10485760 bytes long: '\d+'\.", message)


def test_a_12_mb_raw_message_goes_through_v2_but_not_v1(target: sesbook.Target) -> None:
    from helpers import verify_domain_now

    verify_domain_now(target, "example.com")
    raw = _big_raw(12)
    code, message = _client_error(lambda: target.ses.send_raw_email(RawMessage={"Data": raw}))
    assert code == "InvalidParameterValue"
    assert message == f"Message length is more than 10485760 bytes long: '{len(raw)}'."
    target.lab.advance_clock(1)  # type: ignore[union-attr]
    assert target.sesv2.send_email(Content={"Raw": {"Data": raw}})["MessageId"]


@pytest.mark.parametrize("api", ["v1", "v2"])
def test_more_than_50_recipients_are_refused(target: sesbook.Target, api: str) -> None:
    from helpers import verify_domain_now

    verify_domain_now(target, "example.com")
    to = [f"success+{i}@simulator.amazonses.com" for i in range(51)]
    content = {"Subject": {"Data": "s"}, "Body": {"Text": {"Data": "b"}}}
    if api == "v1":
        code, message = _client_error(lambda: target.ses.send_email(
            Source="shop@example.com", Destination={"ToAddresses": to}, Message=content))
    else:
        code, message = _client_error(lambda: target.sesv2.send_email(
            FromEmailAddress="shop@example.com", Destination={"ToAddresses": to}, Content={"Simple": content}))
    assert (code, message) == ("InvalidParameterValue" if api == "v1" else "BadRequestException",
                               "Recipient count exceeds 50.")


# -- attachments SES refuses --------------------------------------------------------------------------------
def _with_part(part: str, *, to: str = "ann@example.net") -> bytes:
    """A multipart/mixed message with a text part and ``part`` (headers, blank line, body) after it."""
    return (f"From: shop@example.com\r\nTo: {to}\r\nSubject: files\r\nMIME-Version: 1.0\r\n"
            'Content-Type: multipart/mixed; boundary="OUTER"\r\n\r\n'
            "--OUTER\r\nContent-Type: text/plain\r\n\r\nsee attached\r\n"
            f"--OUTER\r\n{part}\r\n--OUTER--\r\n").encode()


REFUSED_PARTS = {
    "disposition filename, upper case": (
        'Content-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="setup.EXE"\r\n\r\nMZ',
        "setup.EXE"),
    "content-type name only": ("Content-Type: application/x-msdownload; name=Tool.Scr\r\n\r\nMZ", "Tool.Scr"),
    "a harmless filename, a refused name": (
        'Content-Type: application/octet-stream; name="run.bat"\r\n'
        'Content-Disposition: attachment; filename="run.txt"\r\n\r\necho', "run.bat"),
    "RFC 2231 with a charset": (
        "Content-Type: application/octet-stream\r\n"
        "Content-Disposition: attachment; filename*=UTF-8''r%C3%A9sum%C3%A9.Bat\r\n\r\necho", "résumé.Bat"),
    "RFC 2231 continuations": (
        "Content-Type: application/octet-stream\r\n"
        'Content-Disposition: attachment; filename*0="invoice.v"; filename*1="bs"\r\n\r\nx', "invoice.vbs"),
    "encoded word": (
        'Content-Type: application/octet-stream; name="=?UTF-8?B?c2V0dXAuZXhl?="\r\n'
        "Content-Disposition: attachment\r\n\r\nMZ", "setup.exe"),
    "nested multipart": (
        'Content-Type: multipart/mixed; boundary="INNER"\r\n\r\n'
        "--INNER\r\nContent-Type: text/plain\r\n\r\ninner\r\n"
        '--INNER\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="x.Ps1"\r\n'
        "\r\nWrite-Host\r\n--INNER--", "x.Ps1"),
    "attached message": (
        "Content-Type: message/rfc822\r\n\r\n"
        "From: a@example.org\r\nSubject: fwd\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/mixed; boundary="FWD"\r\n\r\n'
        '--FWD\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename="p.JS"\r\n'
        "\r\nalert(1)\r\n--FWD--", "p.JS"),
}


@pytest.mark.parametrize("case", sorted(REFUSED_PARTS))
@pytest.mark.parametrize("api", ["v1", "v2"])
def test_a_raw_message_with_a_refused_attachment_is_rejected(target: sesbook.Target, api: str, case: str) -> None:
    from helpers import verify_domain_now

    verify_domain_now(target, "example.com")
    verify_domain_now(target, "example.net")
    part, name = REFUSED_PARTS[case]
    raw = _with_part(part)
    if api == "v1":
        code, message = _client_error(lambda: target.ses.send_raw_email(RawMessage={"Data": raw}))
    else:
        code, message = _client_error(lambda: target.sesv2.send_email(Content={"Raw": {"Data": raw}}))
    assert code == "MessageRejected"
    assert message.startswith(f"Unsupported attachment type: the file name '{name}' ends in .")
    assert target.lab.request("GET", "/_aws/ses")["messages"] == []  # type: ignore[union-attr]
    assert target.ses.get_send_quota()["SentLast24Hours"] == 0  # refused before it counted


def test_an_allowed_attachment_goes_through(target: sesbook.Target) -> None:
    from helpers import verify_domain_now

    verify_domain_now(target, "example.com")
    verify_domain_now(target, "example.net")
    raw = _with_part('Content-Type: text/plain; name="exe.notes.txt"\r\n'
                     'Content-Disposition: attachment; filename="exe.notes.txt"\r\n\r\nfine')
    message_id = target.sesv2.send_email(Content={"Raw": {"Data": raw}})["MessageId"]
    box = target.lab.request("GET", f"/_aws/ses?id={message_id}")["messages"]  # type: ignore[union-attr]
    assert [a["Filename"] for a in box[0]["Attachments"]] == ["exe.notes.txt"]
