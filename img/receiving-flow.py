"""Draws img/receiving-flow.png: the way of a message sent to a domain that receives through SES.

Facts (SES Developer Guide, "Receiving email with Amazon SES", "IP address filters", "Receipt rules"; checked
in 2026): the domain's MX points at inbound-smtp.REGION.amazonaws.com; IP address filters act first, on the
connecting address; then the one active receipt rule set of the region runs its rules in order, each rule
matching recipients and running up to 10 actions in order; Stop (or a Lambda action that says so) ends the
set; a recipient no rule covers is refused (a rule without recipients covers every recipient
of the verified domains). Limits: 40 MB to S3, 150 KB through SNS.

Run: .venv/bin/python img/receiving-flow.py
"""

from __future__ import annotations

from _diagram import BAD, arrow, box, figure, frame, save, text, title

W, H = 10.0, 6.7


def main() -> None:
    fig, ax = figure(W, H)
    title(ax, W, H, "Receiving mail: from a sender on the internet to a receipt rule's actions")

    sender = box(ax, 0.2, 5.0, 1.8, 1.0, "Sender's server", body="anyone on\nthe internet", kind="actor")
    mx = box(ax, 2.45, 5.0, 2.65, 1.0, "MX of example.com", ja_term="受信メールの設定 (MXレコード)",
             body="10 inbound-smtp.REGION.amazonaws.com", kind="dns", size=10)
    inbound = box(ax, 5.55, 5.0, 1.95, 1.0, "SES inbound SMTP", body="port 25, in a region\nthat receives",
                  kind="ses")
    filters = box(ax, 7.95, 5.0, 1.85, 1.0, "IP address filters", ja_term="IPアドレスフィルター",
                  body="the connecting address", kind="check", size=10)
    arrow(ax, sender.right, mx.left, "1 look up", offset=(0.0, 0.22))
    arrow(ax, mx.right, inbound.left, "2 connect", offset=(0.0, 0.22))
    arrow(ax, inbound.right, filters.left)

    refused = box(ax, 7.95, 3.95, 1.85, 0.72, "refused at connect", body="554, no greeting", kind="stop",
                  size=10)
    arrow(ax, filters.bottom, refused.top, "blocked", colour=BAD, offset=(0.32, 0.0))

    rule_set = box(ax, 0.2, 2.45, 2.3, 1.75, "Active receipt\nrule set", ja_term="受信ルールセット",
                   body="one active set per\nregion; its rules\nrun in order", kind="ses")
    arrow(ax, filters.at(0.12, 0.0), rule_set.at(0.8, 1.0), "allowed, or no filter names it", at=0.3)

    rules = []
    for index, (name, condition) in enumerate([("rule 1", "recipients: aaa@example.com"),
                                               ("rule 2", "recipients: example.com"),
                                               ("rule 3", "recipients: .example.com\n(every subdomain)")]):
        rules.append(box(ax, 3.05, 3.45 - index * 0.95, 2.75, 0.72, name, ja_term="受信ルール" if index == 0 else "",
                         body=condition, kind="ses", size=10))
    arrow(ax, rule_set.right, rules[0].left)
    for upper, lower in zip(rules, rules[1:], strict=False):
        arrow(ax, upper.bottom, lower.top)
    text(ax, 4.52, 3.335, "next rule, unless stopped", size=8, colour="#475569", ha="left")

    nobody = box(ax, 3.05, 0.3, 2.75, 0.75, "no rule covers a recipient", body="550 at RCPT TO, before the data",
                 kind="stop", size=10)
    arrow(ax, rules[-1].bottom, nobody.top, colour=BAD)

    actions = [
        ("S3", "store the message\n(up to 40 MB)", "aws"),
        ("SNS", "notify, with the\nmessage (150 KB)", "aws"),
        ("Lambda", "run a function;\nit may stop the set", "aws"),
        ("Bounce", "reply to the sender\nwith an SMTP error", "stop"),
        ("AddHeader", "add a header for\nthe actions after it", "ses"),
        ("Stop", "end the rule set\nhere", "stop"),
    ]
    x0, y0 = 6.45, 2.9
    for index, (name, what, kind) in enumerate(actions):
        column, row = index % 2, index // 2
        box(ax, x0 + column * 1.72, y0 - row * 0.92, 1.6, 0.78, name, body=what, kind=kind, size=10)
    frame(ax, 6.35, 1.02, 3.52, 2.78, "actions of a matching rule, in order (≤ 10)", colour="#4338ca")
    arrow(ax, rules[0].right, (6.35, 3.35))
    text(ax, 8.1, 0.6, "S3, SNS and Lambda need a policy that lets\nses.amazonaws.com write, publish or invoke",
         size=8.5, colour="#475569")
    save(fig, __file__)


if __name__ == "__main__":
    main()
