"""Draws img/spf-dkim-dmarc.png: which name in a message SPF, DKIM and DMARC each check, and alignment.

Facts (RFC 7208 SPF, RFC 6376 DKIM, RFC 9989 DMARC; SES Developer Guide, "Complying with DMARC
authentication protocol in Amazon SES"; checked in 2026): SPF checks the connecting address against the
record of the envelope sender's (MAIL FROM) domain; DKIM checks a signature with the key published under the
signing domain d=; DMARC, published at _dmarc.<header From domain>, passes when SPF passes with an aligned
MAIL FROM domain or DKIM passes with an aligned d=. Relaxed alignment (the default, aspf=r / adkim=r) asks
for the same organizational domain, strict (s) for the very same name. SES's default MAIL FROM domain is
amazonses.com, so without a custom MAIL FROM, DKIM alone can carry DMARC.

Run: .venv/bin/python img/spf-dkim-dmarc.py
"""

from __future__ import annotations

from _diagram import BAD, GOOD, arrow, box, figure, frame, save, text, title

W, H = 10.0, 6.6


def main() -> None:
    fig, ax = figure(W, H)
    title(ax, W, H, "SPF, DKIM and DMARC: three names in one message")

    frame(ax, 0.2, 2.55, 3.4, 3.2, "one message (from SES, with a custom MAIL FROM)", colour="#1d4ed8")
    envelope = box(ax, 0.32, 4.7, 3.16, 0.9, "envelope sender", ja_term="エンベロープFROM",
                   body="MAIL FROM:<bounce@mail.example.com>", kind="actor", size=10)
    header = box(ax, 0.32, 3.7, 3.16, 0.9, "header From", ja_term="ヘッダーFROM", body="From: news@example.com",
                 kind="actor", size=10)
    signature = box(ax, 0.32, 2.7, 3.16, 0.9, "DKIM-Signature header", body="d=example.com; s=selector",
                    kind="actor", size=10)

    spf = box(ax, 4.2, 4.5, 2.45, 1.25, "SPF", ja_term="送信元認証 (SPF)",
              body="may the connecting address\nsend for the MAIL FROM\ndomain? (its TXT v=spf1)", kind="check",
              size=10)
    dkim = box(ax, 4.2, 2.55, 2.45, 1.25, "DKIM", ja_term="改ざん防止 (DKIM)",
               body="does the signature verify\nwith the key at\nselector._domainkey.d?", kind="check", size=10)
    dmarc = box(ax, 7.2, 2.55, 2.6, 3.2, "DMARC", ja_term="送信ポリシー (DMARC)",
                body="TXT at _dmarc.example.com,\nthe header From's domain\n\npasses if\nSPF passes and aligns\n"
                     "or\nDKIM passes and aligns\n\nelse the policy p=:\nnone, quarantine, reject",
                kind="ses", size=10.5)
    arrow(ax, envelope.right, spf.left)
    arrow(ax, signature.right, dkim.left)
    arrow(ax, header.right, (dmarc.x, header.right[1]), "the domain DMARC protects", at=0.55)
    arrow(ax, spf.right, (dmarc.x, spf.right[1]), "pass?")
    arrow(ax, dkim.right, (dmarc.x, dkim.right[1]), "pass?")

    frame(ax, 0.2, 0.2, 9.6, 1.6, "alignment (整合性): is the domain that passed the header From's domain?",
          colour="#4338ca")
    box(ax, 0.35, 0.35, 4.55, 1.3, "relaxed: aspf=r, adkim=r (the default)",
        body="the same organizational domain (組織ドメイン)\nmail.example.com with example.com:", kind="ses",
        size=10)
    text(ax, 2.625, 0.52, "aligned", size=10, weight="bold", colour=GOOD)
    box(ax, 5.1, 0.35, 4.55, 1.3, "strict: aspf=s, adkim=s", body="the very same name\n"
        "mail.example.com with example.com:", kind="stop", size=10)
    text(ax, 7.375, 0.52, "not aligned", size=10, weight="bold", colour=BAD)
    text(ax, 3.75, 2.2, "SES's default MAIL FROM is amazonses.com: SPF passes there but never aligns,\n"
         "so without a custom MAIL FROM, DKIM alone carries DMARC.", size=8.5, colour="#475569", ha="left")
    save(fig, __file__)


if __name__ == "__main__":
    main()
