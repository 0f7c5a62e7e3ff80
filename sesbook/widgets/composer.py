"""A message composer (notebook 05, Step 2): to, subject, text and an optional attachment, checked as
sending checks them, and a Send button.

The checks are :mod:`sesbook.sending.validate`'s, the ones :func:`sesbook.send_email` and
:func:`sesbook.send_raw` make before any call: addresses with email-validator (the domain as A-labels, an
ASCII local part), at least one and at most 50 recipients, the size after base64, and no attachment whose
name ends in one of the 90 extensions SES refuses (SES Developer Guide, "Email format in Amazon SES",
"Service quotas in Amazon SES" and "Unsupported attachment types"; checked 2026). Send calls
:func:`sesbook.send_email` (no attachment) or :func:`sesbook.send_raw` with
:func:`sesbook.build_message` (with one); a refused message is shown as the error's text and nothing is sent.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from sesbook._html import table, text_table
from sesbook.errors import ValidationError
from sesbook.sending.mime import Attachment, build_message
from sesbook.sending.send import message_bytes, send_email, send_raw
from sesbook.sending.validate import (
    check_address,
    check_addresses,
    check_raw,
    check_recipient_count,
    check_structured,
)
from sesbook.widgets._base import FrontEnd, error_text

if TYPE_CHECKING:
    from email.message import EmailMessage

    from sesbook.sending.send import SendResult
    from sesbook.target import Target


class Composer(FrontEnd):
    """From (fixed), to, subject, text, attachment name and content; a Send button.

    From code: set ``composer.to.value`` (and the others), then ``composer.send_button.click()``;
    :attr:`sent` lists the :class:`~sesbook.sending.send.SendResult` of every send, :attr:`error` the last
    refusal (None when the message passes the checks).
    """

    title = "composer"

    def __init__(self, target: Target, *, source: str, to: str = "", subject: str = "", text: str = "",
                 attachment: str = "", api: str = "v2") -> None:
        import ipywidgets

        super().__init__()
        self.target = target
        self.api = api
        self.source = check_address(source, field="source")
        self.sent: list[SendResult] = []
        self.error: ValidationError | None = None
        self.to = ipywidgets.Text(value=to, description="to", placeholder="reader@example.com, other@example.com")
        self.subject = ipywidgets.Text(value=subject, description="subject")
        self.body = ipywidgets.Textarea(value=text, description="text")
        self.attachment = ipywidgets.Text(value=attachment, description="attachment", placeholder="report.csv")
        self.attachment_text = ipywidgets.Textarea(value="", description="its content",
                                                   placeholder="the attachment's text")
        self.send_button = ipywidgets.Button(description="Send", icon="paper-plane", button_style="primary",
                                             tooltip="send_email(target, source=..., to=..., ...)")
        self.send_button.on_click(lambda _button: self.send())
        self.status = ipywidgets.HTML()
        for field in (self.to, self.subject, self.body, self.attachment):
            field.observe(lambda _change: self.validate(), names="value")
        self.widget = ipywidgets.VBox([ipywidgets.HTML(f"from <code>{html.escape(self.source)}</code>"), self.to,
                                       self.subject, self.body, self.attachment, self.attachment_text,
                                       self.send_button, self.status, self.output])
        self.validate()

    def _recipients(self) -> list[str]:
        return check_addresses([p.strip() for p in self.to.value.split(",") if p.strip()], field="to")

    def _message(self, to: list[str]) -> EmailMessage:
        content = self.attachment_text.value.encode()
        return build_message(source=self.source, to=to, subject=self.subject.value, text=self.body.value,
                             attachments=[Attachment(self.attachment.value.strip(), content, "text/plain")])

    def _check(self) -> tuple[list[str], EmailMessage | None]:
        """The recipients and (with an attachment) the MIME message, once every check passes."""
        to = self._recipients()
        check_recipient_count(to)
        subject = self.subject.value
        if "\r" in subject or "\n" in subject:
            raise ValidationError("subject", subject, "must be one line of text.")
        if not self.body.value:
            raise ValidationError("text", "", "a message needs a text part.", hint="Write a few words.")
        if not self.attachment.value.strip():
            check_structured(source=self.source, to=to, cc=[], bcc=[], api=self.api,
                             parts=(subject, self.body.value, None))
            return to, None
        message = self._message(to)
        data, parsed = message_bytes(message)
        check_raw(data, parsed, recipients=len(to), api=self.api)
        return to, message

    def _rows(self) -> list[tuple[str, str]]:
        rows = [("from", self.source), ("to", self.to.value), ("subject", self.subject.value),
                ("text", self.body.value if len(self.body.value) <= 60 else self.body.value[:59] + "…")]
        if self.attachment.value.strip():
            rows.append(("attachment", self.attachment.value.strip()))
        return rows

    def validate(self) -> ValidationError | None:
        """Check the fields as sending would; show the message with ✅ or the refusal. Returns the error."""
        try:
            self._check()
        except ValidationError as error:
            self.error = error
        else:
            self.error = None
        verdict = "✅ passes SES's checks; Send sends it" if self.error is None else error_text(self.error)[0]
        self.status.value = html.escape(verdict, quote=False)
        rows = [*self._rows(), ("check", verdict)]
        self.show("composer\n" + text_table(["", "message"], rows), table(["", "message"], rows, caption="composer"))
        return self.error

    def send(self) -> SendResult | None:
        """Send the message if it passes the checks (:func:`sesbook.send_email`, or :func:`sesbook.send_raw`
        with an attachment); show the result or the error. Nothing is sent after a refusal."""
        if self.validate() is not None:
            return None

        def go() -> SendResult:
            to, message = self._check()
            if message is None:
                return send_email(self.target, source=self.source, to=to, subject=self.subject.value,
                                  text=self.body.value, api=self.api)
            return send_raw(self.target, message, api=self.api)

        result = self.attempt(go)
        if result is not None:
            self.sent.append(result)
            self.show_value(result)
        return result


def composer(target: Target, *, source: str, to: str = "", subject: str = "", text: str = "",
             attachment: str = "", api: str = "v2") -> Composer:
    """A message composer from ``source``: to (comma-separated), subject, text and an attachment's name,
    checked as :func:`sesbook.send_email` checks them, and a Send button that calls it.

    Made, it sends nothing: without a live front-end it shows the message and whether it passes the checks.
    """
    return Composer(target, source=source, to=to, subject=subject, text=text, attachment=attachment, api=api)
