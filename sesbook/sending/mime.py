"""Build a MIME message for SES with the standard library's :mod:`email` package.

:func:`build_message` makes what SES's raw send takes (v1 ``SendRawEmail``, v2 ``SendEmail`` with ``Raw``
content, SMTP): a text part and an HTML part as alternatives, images the HTML shows inline
(``<img src="cid:logo">``, SES Developer Guide, "Sending raw email using the Amazon SES API v2",
https://docs.aws.amazon.com/ses/latest/dg/send-email-raw.html, checked 2026), attachments, ``Reply-To`` and
custom headers. Through the API the configuration set and message tags are options of the send call
(:func:`sesbook.sending.send.send_raw`); through SMTP they can only travel as SES's own headers
``X-SES-CONFIGURATION-SET`` and ``X-SES-MESSAGE-TAGS``, which SES takes out before delivery
(:func:`sesbook.send_bulk` with ``api="smtp"`` writes them with ``headers=``).

Nothing here checks the SES rules: :mod:`sesbook.sending.validate` does, before any send.
"""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path
from typing import TYPE_CHECKING

from sesbook.errors import ValidationError

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence


@dataclass(frozen=True)
class Attachment:
    """A file to attach: its name as the recipient sees it, its bytes and its content type."""

    filename: str
    data: bytes
    content_type: str = "application/octet-stream"

    @classmethod
    def from_path(cls, path: str | Path, *, filename: str | None = None) -> Attachment:
        """The file at ``path``, its content type guessed from its name."""
        path = Path(path)
        kind = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return cls(filename or path.name, path.read_bytes(), kind)

    def __repr__(self) -> str:
        return f"Attachment({self.filename!r}, {self.content_type}, {len(self.data)} bytes)"


@dataclass(frozen=True)
class InlineImage:
    """An image the HTML part shows with ``<img src="cid:CID">``."""

    cid: str
    data: bytes
    content_type: str = "image/png"
    filename: str | None = None

    def __repr__(self) -> str:
        return f"InlineImage(cid={self.cid!r}, {self.content_type}, {len(self.data)} bytes)"


AttachmentLike = Attachment | str | Path


def _attachment(item: AttachmentLike) -> Attachment:
    if isinstance(item, Attachment):
        return item
    if isinstance(item, str | Path):
        if not Path(item).is_file():
            raise ValidationError("attachments", str(item), "is a path to no file.",
                                  hint="Give the path of an existing file, or Attachment(name, data, content_type).")
        return Attachment.from_path(item)
    raise ValidationError("attachments", item, "each must be an Attachment or a file path.",
                          hint="E.g. Attachment('report.pdf', data, 'application/pdf').")


def _one_line(field: str, value: str) -> str:
    if not isinstance(value, str) or "\r" in value or "\n" in value:
        raise ValidationError(field, value, "must be one line of text (a line break would start a new header).",
                              hint="Remove the CR/LF characters.")
    return value


def _split(kind: str) -> tuple[str, str]:
    main, _, sub = kind.partition("/")
    if not main or not sub:
        raise ValidationError("content_type", kind, "must be a MIME type such as 'application/pdf'.")
    return main, sub


def build_message(
    *,
    source: str,
    to: str | Sequence[str],
    subject: str,
    text: str | None = None,
    html: str | None = None,
    cc: Sequence[str] = (),
    reply_to: str | Sequence[str] | None = None,
    attachments: Sequence[AttachmentLike] = (),
    inline_images: Sequence[InlineImage] = (),
    headers: Mapping[str, str] | None = None,
    date: str | None = None,
) -> EmailMessage:
    """A MIME message: ``multipart/mixed`` ( ``multipart/related`` ( ``multipart/alternative`` (text, html),
    inline images ), attachments ), with each layer only when it is needed.

    There is no ``bcc``: a Bcc header would show every recipient who is blind-copied. Pass them to the send
    as destinations instead (``send_raw(..., bcc=[...])``).
    ``Message-ID`` is left to SES, which writes its own. ``date`` defaults to now.
    """
    if text is None and html is None:
        raise ValidationError("text", None, "a message needs a text part, an HTML part or both.",
                              hint="Pass text='...' and/or html='...'.")
    if inline_images and html is None:
        raise ValidationError("inline_images", inline_images, "inline images need an HTML part that shows them.",
                              hint="Pass html='<img src=\"cid:logo\">' or attach the image instead.")
    to_list = [to] if isinstance(to, str) else list(to)
    msg = EmailMessage()
    msg["From"] = _one_line("source", source)
    msg["To"] = ", ".join(_one_line("to", a) for a in to_list)
    if cc:
        msg["Cc"] = ", ".join(_one_line("cc", a) for a in cc)
    if reply_to:
        replies = [reply_to] if isinstance(reply_to, str) else list(reply_to)
        msg["Reply-To"] = ", ".join(_one_line("reply_to", a) for a in replies)
    msg["Subject"] = _one_line("subject", subject)
    msg["Date"] = date or formatdate(usegmt=True)
    for name, value in (headers or {}).items():
        if not isinstance(name, str) or not name or any(c in name for c in ": \r\n"):
            raise ValidationError("headers", name, "a header name is letters, digits and dashes, no colon or space.")
        msg[name] = _one_line(f"headers[{name!r}]", value)
    if text is not None:
        msg.set_content(text)
        if html is not None:
            msg.add_alternative(html, subtype="html")
    else:
        msg.set_content(html or "", subtype="html")
    if inline_images:
        html_part = msg if not msg.is_multipart() else msg.get_payload()[-1]  # type: ignore[index]
        for image in inline_images:
            main, sub = _split(image.content_type)
            cid = image.cid.strip("<>")
            html_part.add_related(image.data, maintype=main, subtype=sub, cid=f"<{cid}>",  # type: ignore[union-attr]
                                  filename=image.filename, disposition="inline")
    for item in attachments:
        att = _attachment(item)
        main, sub = _split(att.content_type)
        if main == "message" and sub == "rfc822":
            from email import message_from_bytes
            from email.policy import default

            msg.add_attachment(message_from_bytes(att.data, policy=default), filename=att.filename)
        else:
            msg.add_attachment(att.data, maintype=main, subtype=sub, filename=att.filename)
    return msg


def recipients_of(message: EmailMessage, *, bcc: Sequence[str] = ()) -> list[str]:
    """Everyone ``message`` goes to: its To and Cc headers, and ``bcc`` (not written in the message)."""
    from email.utils import getaddresses

    found = getaddresses([str(v) for k in ("To", "Cc") for v in message.get_all(k, [])])
    return [a for _, a in found if a] + list(bcc)
