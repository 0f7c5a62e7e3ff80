"""The inbound mailbox record's Subject and bodies: the cheap path for a single text part gives exactly what the
``email`` package's modern API (``get_body`` / ``get_content``) gives, for every kind of message."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import default

import pytest

from sesbook.lab.ses.receiving.engine import _readable

CRLF = "\r\n"


def _modern(message: bytes) -> tuple[str | None, str | None, str | None]:
    parsed = BytesParser(policy=default).parsebytes(message)
    subject = None if parsed.get("Subject") is None else str(parsed.get("Subject"))
    found = []
    for preference in ("plain", "html"):
        try:
            body = parsed.get_body(preferencelist=(preference,))
            found.append(body.get_content() if body is not None else None)
        except (LookupError, ValueError, AttributeError):
            found.append(None)
    return subject, found[0], found[1]


def _mail(headers: list[str], body: str) -> bytes:
    return (CRLF.join(headers) + CRLF + CRLF + body).encode("utf-8", "surrogateescape")


MESSAGES = {
    "plain ascii": _mail(["Subject: hello", "Content-Type: text/plain"], "Hi.\r\nBye.\r\n"),
    "no content type": _mail(["Subject: bare"], "Just text.\r\n"),
    "html": _mail(["Subject: page", "Content-Type: text/html; charset=utf-8"], "<p>caf\u00e9</p>\r\n"),
    "base64 utf-8": _mail(["Subject: =?utf-8?b?5Y+X5L+h44Or44O844Or?=", "Content-Type: text/plain; charset=utf-8",
                           "Content-Transfer-Encoding: base64"], "5Y+X5L+h44Or44O844Or44Gn44GZ44CC\r\n"),
    "quoted-printable latin-1": _mail(["Subject: =?iso-8859-1?q?caf=E9?= et =?iso-8859-1?q?th=E9?=",
                                       "Content-Type: text/plain; charset=iso-8859-1",
                                       "Content-Transfer-Encoding: quoted-printable"], "caf=E9 au lait=\r\n!\r\n"),
    "folded subject": _mail(["Subject: a long subject\r\n that goes on", "Content-Type: text/plain"], "x\r\n"),
    "unknown charset": _mail(["Subject: odd", "Content-Type: text/plain; charset=x-no-such"], "x\r\n"),
    "rfc 2231 charset": _mail(["Subject: odd", "Content-Type: text/plain; charset*=utf-8''utf-8"], "x\r\n"),
    "text/calendar": _mail(["Subject: meet", "Content-Type: text/calendar"], "BEGIN:VCALENDAR\r\n"),
    "attachment disposition": _mail(["Subject: file", "Content-Type: text/plain",
                                     "Content-Disposition: attachment; filename=a.txt"], "data\r\n"),
    "inline disposition": _mail(["Subject: file", "Content-Type: text/plain", "Content-Disposition: inline"], "d\r\n"),
    "no subject": _mail(["Content-Type: text/plain"], "x\r\n"),
    "multipart alternative": _mail(
        ["Subject: both", "MIME-Version: 1.0", 'Content-Type: multipart/alternative; boundary="b"'],
        "--b\r\nContent-Type: text/plain\r\n\r\nplain\r\n"
        "--b\r\nContent-Type: text/html\r\n\r\n<b>html</b>\r\n--b--\r\n"),
}


@pytest.mark.parametrize("name", sorted(MESSAGES))
def test_readable_parts_match_the_modern_email_api(name: str) -> None:
    assert _readable(MESSAGES[name]) == _modern(MESSAGES[name])
