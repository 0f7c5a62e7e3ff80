"""Draws img/custom-mail-from.png: SES's default MAIL FROM domain beside a custom one, and why not the apex.

Facts (SES Developer Guide, "Using a custom MAIL FROM domain"; checked in 2026): by default SES sends with
an envelope sender (MAIL FROM) in amazonses.com, whose SPF record AWS publishes, so SPF passes but does not
align with your From domain. A custom MAIL FROM domain is a subdomain of the verified identity, used for
nothing else, with exactly one MX, 10 feedback-smtp.REGION.amazonses.com (bounces and complaints come back
to SES through it), and an SPF record including amazonses.com. The apex cannot serve: its MX already
receives mail (inbound-smtp.REGION.amazonaws.com, or another mail server), and SPF then aligns only relaxed.

Run: .venv/bin/python img/custom-mail-from.py
"""

from __future__ import annotations

from _diagram import BAD, GOOD, arrow, box, figure, frame, save, text, title

W, H = 10.0, 6.5


def main() -> None:
    fig, ax = figure(W, H)
    title(ax, W, H, "Custom MAIL FROM: a subdomain for the envelope sender")

    frame(ax, 0.2, 2.3, 4.6, 3.4, "default: SES's own MAIL FROM domain", colour="#475569")
    default_msg = box(ax, 0.35, 4.55, 4.3, 0.95, "a message SES sends for example.com",
                      body="From: news@example.com\nMAIL FROM:<…@amazonses.com>", kind="actor", size=10)
    default_spf = box(ax, 0.35, 3.45, 4.3, 0.8, "SPF of amazonses.com: pass",
                      body="AWS publishes that record for you", kind="check", size=10)
    default_dmarc = box(ax, 0.35, 2.45, 4.3, 0.75, "no SPF alignment",
                        body="amazonses.com is not example.com: only DKIM can align", kind="stop", size=10)
    arrow(ax, default_msg.bottom, default_spf.top)
    arrow(ax, default_spf.bottom, default_dmarc.top, colour=BAD)

    frame(ax, 5.2, 2.3, 4.6, 3.4, "custom MAIL FROM (カスタムメールFROM): mail.example.com", colour="#15803d")
    custom_msg = box(ax, 5.35, 4.55, 4.3, 0.95, "the same message, custom MAIL FROM",
                     body="From: news@example.com\nMAIL FROM:<bounce@mail.example.com>", kind="actor", size=10)
    records = box(ax, 5.35, 3.3, 4.3, 1.0, "DNS records at mail.example.com",
                  body="MX   10 feedback-smtp.REGION.amazonses.com\nTXT  \"v=spf1 include:amazonses.com -all\"\n"
                       "(bounces and complaints come back to SES by the MX)",
                  kind="dns", size=10)
    custom_dmarc = box(ax, 5.35, 2.45, 4.3, 0.62, "SPF passes and aligns (relaxed)",
                       body="mail.example.com is under example.com", kind="ses", size=10)
    arrow(ax, custom_msg.bottom, records.top)
    arrow(ax, records.bottom, custom_dmarc.top, colour=GOOD)

    frame(ax, 0.2, 0.2, 9.6, 1.75, "why not example.com itself?", colour=BAD)
    apex = box(ax, 0.35, 0.35, 3.9, 1.4, "example.com already has an MX",
               body="10 inbound-smtp.REGION.amazonaws.com\n(SES receives its mail: notebook 04),\nor another mail "
                    "server", kind="dns", size=10)
    needs = box(ax, 5.75, 0.35, 3.9, 1.4, "a MAIL FROM domain needs",
                body="exactly one MX,\n10 feedback-smtp.REGION.amazonses.com,\nand no other use",
                kind="dns", size=10)
    arrow(ax, apex.right, needs.left, "conflict", colour=BAD, both=True)
    text(ax, 5.0, 0.5, "so: a subdomain,\nand DMARC aspf=r", size=8.5, colour="#475569")
    save(fig, __file__)


if __name__ == "__main__":
    main()
