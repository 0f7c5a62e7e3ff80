"""Draws img/ip-filtering.png: how SES decides between an allow and a block IP address filter.

Facts (SES Developer Guide, "Creating IP address filters"; checked in 2026): a filter names a CIDR range and
a policy, Block or Allow; filters belong to the account in a region (up to 100) and act on the connecting
server's address before any receipt rule; an address named by an Allow filter is accepted even when a Block
filter names it too; to take mail only from known servers, block 0.0.0.0/0 and allow the trusted ranges.

Run: .venv/bin/python img/ip-filtering.py
"""

from __future__ import annotations

from _diagram import BAD, GOOD, arrow, box, figure, frame, save, text, title

W, H = 10.0, 5.9


def main() -> None:
    fig, ax = figure(W, H)
    title(ax, W, H, "IP address filters: allow overrides block")

    # left: the decision for one connection
    conn = box(ax, 0.3, 4.35, 2.3, 0.75, "A server connects", body="from address X", kind="actor")
    allow_q = box(ax, 0.3, 3.0, 2.3, 0.8, "Does an Allow filter\nname X?", kind="check")
    block_q = box(ax, 0.3, 1.65, 2.3, 0.8, "Does a Block filter\nname X?", kind="check")
    accepted = box(ax, 3.25, 3.0, 2.0, 0.8, "accepted", body="the receipt rules\nrun next", kind="ses")
    refused = box(ax, 3.25, 1.65, 2.0, 0.8, "refused", body="554 at connect,\nbefore any rule", kind="stop")
    open_box = box(ax, 0.3, 0.3, 2.3, 0.8, "accepted", body="no filter names X", kind="ses")
    arrow(ax, conn.bottom, allow_q.top)
    arrow(ax, allow_q.right, accepted.left, "yes", colour=GOOD)
    arrow(ax, allow_q.bottom, block_q.top, "no", offset=(0.22, 0.0))
    arrow(ax, block_q.right, refused.left, "yes", colour=BAD)
    arrow(ax, block_q.bottom, open_box.top, "no", offset=(0.22, 0.0))
    text(ax, 3.25, 1.1, "An Allow is asked first:\nwhere both name X, Allow wins.", size=9, colour="#334155",
         ha="left", va="top")
    text(ax, 0.35, 5.3, "IPアドレスフィルター: checked for every connection", size=9.5, colour="#475569",
         ha="left")

    # right: the recipe of the notes
    frame(ax, 5.7, 0.3, 4.1, 4.75, "accept only known servers: block all, allow the trusted", colour="#4338ca")
    box(ax, 5.9, 3.95, 1.8, 0.82, "Block", body="0.0.0.0/0\nevery IPv4 address", kind="stop",
                    size=10)
    box(ax, 7.85, 3.95, 1.8, 0.82, "Allow", body="192.0.2.1/32\nthe partner's server", kind="ses",
                size=10)
    text(ax, 7.775, 4.36, "+", size=14, weight="bold", colour="#334155")

    partner = box(ax, 5.9, 2.45, 1.8, 0.72, "192.0.2.1", body="connects", kind="actor", size=10)
    stranger = box(ax, 5.9, 1.1, 1.8, 0.72, "198.51.100.7", body="connects", kind="actor", size=10)
    ok = box(ax, 7.95, 2.45, 1.7, 0.72, "accepted", body="Allow names it:\nit overrides Block", kind="ses",
             size=10)
    no = box(ax, 7.95, 1.1, 1.7, 0.72, "refused", body="only Block\nnames it", kind="stop", size=10)
    arrow(ax, partner.right, ok.left, colour=GOOD)
    arrow(ax, stranger.right, no.left, colour=BAD)
    text(ax, 7.75, 0.6, "Filters are the account's, per region, up to 100. Blocking\n"
         "0.0.0.0/0 refuses SES's own senders too, unless allowed.", size=8.5, colour="#475569")
    save(fig, __file__)


if __name__ == "__main__":
    main()
