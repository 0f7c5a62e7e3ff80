"""Validation before any send: each rule a ValidationError naming the field; nothing reaches the lab."""

from __future__ import annotations

from email.message import EmailMessage
from typing import TYPE_CHECKING

import pytest

import sesbook
from sesbook import mailbox
from sesbook.facts import MAX_MESSAGE_BYTES, REFUSED_ATTACHMENT_EXTENSIONS
from sesbook.sending.validate import check_address, check_size

if TYPE_CHECKING:
    from sesbook.target import Target

SENDER = "shop@example.com"


@pytest.mark.parametrize(("given", "expected"), [
    ("ann@example.net", "ann@example.net"),
    ("Ann <ann@example.net>", "Ann <ann@example.net>"),
    ("jo@bücher.example", "jo@xn--bcher-kva.example"),
    ("Jo <jo@BÜCHER.example>", "Jo <jo@xn--bcher-kva.example>"),
])
def test_addresses_are_normalised_with_a_labels(given: str, expected: str) -> None:
    assert check_address(given) == expected


@pytest.mark.parametrize("bad", ["not-an-address", "a@b", "ann@@example.net", "jörg@example.net", "a\r\nb@x.com",
                                 "", "two words@example.net"])
def test_bad_addresses_name_the_field(bad: str) -> None:
    with pytest.raises(sesbook.ValidationError) as caught:
        check_address(bad, field="to")
    assert caught.value.field == "to"


def test_refused_extensions_are_the_ninety() -> None:
    assert len(REFUSED_ATTACHMENT_EXTENSIONS) == 90
    assert {".exe", ".js", ".vbs", ".msh2xml", ".xnk"} <= REFUSED_ATTACHMENT_EXTENSIONS


@pytest.mark.lab
class TestBeforeAnySend:
    """Each refusal is raised by the client: the lab mailbox stays empty and no send is counted."""

    @pytest.fixture
    def t(self, sender: Target) -> Target:
        return sender

    def _nothing_sent(self, t: Target) -> None:
        assert mailbox.messages(t) == ()
        assert t.ses.get_send_quota()["SentLast24Hours"] == 0

    def test_bad_recipient(self, t: Target) -> None:
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_email(t, source=SENDER, to=["ann@example.net", "bob@"], subject="s", text="t")
        assert caught.value.field == "to"
        self._nothing_sent(t)

    def test_bad_sender(self, t: Target) -> None:
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_email(t, source="shop", to="ann@example.net", subject="s", text="t")
        assert caught.value.field == "source"

    def test_more_than_fifty_recipients_to_cc_and_bcc_together(self, t: Target) -> None:
        to = [f"u{i}@example.net" for i in range(30)]
        bcc = [f"b{i}@example.net" for i in range(21)]
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_email(t, source=SENDER, to=to, bcc=bcc, subject="s", text="t")
        assert caught.value.field == "recipients" and caught.value.value == 51 and "50" in str(caught.value)
        self._nothing_sent(t)

    def test_raw_message_with_more_than_fifty_header_recipients(self, t: Target) -> None:
        msg = sesbook.build_message(source=SENDER, to=[f"u{i}@example.net" for i in range(51)], subject="s",
                                    text="t")
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_raw(t, msg)
        assert caught.value.field == "recipients"

    @pytest.mark.parametrize("api", ["v1", "v2"])
    def test_size_after_base64_per_api(self, t: Target, api: str) -> None:
        big = b"\0" * (8 * 1024 * 1024)  # 8 MB of data is ~10.8 MB in base64: over v1's 10 MB, under v2's 40
        msg = sesbook.build_message(source=SENDER, to="ann@example.net", subject="s", text="t",
                                    attachments=[sesbook.Attachment("data.bin", big)])
        if api == "v1":
            with pytest.raises(sesbook.ValidationError) as caught:
                sesbook.send_raw(t, msg, api="v1")
            assert caught.value.field == "message" and "10 MB" in str(caught.value) and "v2" in str(caught.value)
            self._nothing_sent(t)
        else:
            assert sesbook.send_raw(t, msg, api="v2").message_id

    def test_simple_content_counted_as_ses_builds_it(self, t: Target) -> None:
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_email(t, source=SENDER, to="ann@example.net", subject="s", text="x" * (8 * 1024 * 1024),
                               api="v1")
        assert caught.value.field == "message"

    @pytest.mark.parametrize("name", ["setup.exe", "SETUP.EXE", "macro.VbS", "report.pdf.js", "x.Msh2Xml"])
    def test_refused_attachment_extension_any_case(self, t: Target, name: str) -> None:
        msg = sesbook.build_message(source=SENDER, to="ann@example.net", subject="s", text="t",
                                    attachments=[sesbook.Attachment(name, b"MZ")])
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_raw(t, msg)
        assert caught.value.field == "attachments" and caught.value.value == name
        self._nothing_sent(t)

    def test_refused_extension_inside_an_attached_message(self, t: Target) -> None:
        inner = sesbook.build_message(source=SENDER, to="ann@example.net", subject="fwd", text="see",
                                      attachments=[sesbook.Attachment("tool.bat", b"echo", "text/plain")])
        outer = sesbook.build_message(source=SENDER, to="ann@example.net", subject="Fwd", text="forwarded",
                                      attachments=[sesbook.Attachment("fwd.eml", inner.as_bytes(),
                                                                      "message/rfc822")])
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_raw(t, outer)
        assert caught.value.value == "tool.bat"

    def test_refused_extension_in_a_nested_multipart_of_raw_bytes(self, t: Target) -> None:
        inner = EmailMessage()
        inner.set_content("hello")
        inner.add_attachment(b"x", maintype="application", subtype="octet-stream", filename="run.CMD")
        outer = EmailMessage()
        outer["From"], outer["To"], outer["Subject"] = SENDER, "ann@example.net", "nested"
        outer.set_content("body")
        outer.add_attachment(inner)  # a multipart/mixed nested inside, as bytes below
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_raw(t, outer.as_bytes())
        assert caught.value.value == "run.CMD"

    def test_allowed_attachment_passes(self, t: Target) -> None:
        msg = sesbook.build_message(source=SENDER, to="ann@example.net", subject="s", text="t",
                                    attachments=[sesbook.Attachment("notes.txt", b"hi", "text/plain")])
        assert sesbook.send_raw(t, msg).message_id

    def test_unknown_api(self, t: Target) -> None:
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_email(t, source=SENDER, to="ann@example.net", subject="s", text="t", api="v3")
        assert caught.value.field == "api"

    def test_subject_with_a_line_break(self, t: Target) -> None:
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_email(t, source=SENDER, to="ann@example.net", subject="s\r\nBcc: x@y.z", text="t")
        assert caught.value.field == "subject"

    def test_bad_tag(self, t: Target) -> None:
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_email(t, source=SENDER, to="ann@example.net", subject="s", text="t",
                               tags={"campaign": "spring sale"})
        assert caught.value.field == "tags"

    def test_template_data_must_be_an_object(self, t: Target) -> None:
        with pytest.raises(sesbook.ValidationError) as caught:
            sesbook.send_templated(t, source=SENDER, to="ann@example.net", template="x", data="[1, 2]")
        assert caught.value.field == "data"


def test_size_limits_come_from_facts() -> None:
    assert MAX_MESSAGE_BYTES == {"v1": 10485760, "v2": 41943040, "smtp": 41943040}
    check_size(MAX_MESSAGE_BYTES["v1"], "v1")
    with pytest.raises(sesbook.ValidationError):
        check_size(MAX_MESSAGE_BYTES["v1"] + 1, "v1")


def test_lab_pipeline_uses_the_same_constants() -> None:
    from sesbook.lab.ses.sending import pipeline

    assert pipeline.SIZE_LIMITS is MAX_MESSAGE_BYTES
