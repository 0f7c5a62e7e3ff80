"""The DNS names SES itself publishes, served by the lab's DNS so SPF and MX checks can follow them.

- zone ``amazonses.com``: its SPF record (what ``include:amazonses.com`` pulls in) and an A record for
  every ``feedback-smtp.REGION.amazonses.com`` (the custom MAIL FROM's MX target);
- one zone per ``inbound-smtp.REGION.amazonaws.com`` for the regions that receive mail (the inbound MX
  target), so nothing else under ``amazonaws.com`` is claimed.

The addresses are loopback (127.0.0.1): the lab's servers listen there. ``dkim.amazonses.com`` is not
served here: :mod:`sesbook.lab.ses.identities.state` serves it, from the tokens it issued.
"""

from __future__ import annotations

from sesbook.facts import RECEIVING_REGIONS, SES_REGIONS, SPF_INCLUDE, feedback_mx_host, inbound_mx_host
from sesbook.lab.dns.zones import Zone, absolute_name
from sesbook.lab.registry import zone_provider

LAB_ADDRESS = "127.0.0.1"
#: amazonses.com's SPF record as published by AWS (value recorded 2023, as of 2026-11-28), plus the lab's own
#: address: in the lab, SES's outbound servers are the lab itself on 127.0.0.1, so mail SES sends to a domain
#: the lab receives for passes SPF for ``amazonses.com`` (or a custom MAIL FROM that includes it), as SES's
#: mail does in AWS.
AMAZONSES_SPF = (
    "v=spf1 ip4:199.255.192.0/22 ip4:199.127.232.0/22 ip4:54.240.0.0/18 ip4:69.169.224.0/20 "
    "ip4:23.249.208.0/20 ip4:23.251.224.0/19 ip4:76.223.176.0/20 ip4:54.240.64.0/19 ip4:54.240.96.0/19 "
    f"ip4:52.82.172.0/22 ip4:{LAB_ADDRESS} -all"
)


def _txt(text: str) -> str:
    from sesbook.dns.records import quote_txt

    return quote_txt(text)


def _build() -> list[Zone]:
    ses = Zone(absolute_name(SPF_INCLUDE))
    ses.add(SPF_INCLUDE, "TXT", 3600, [_txt(AMAZONSES_SPF)])
    for region in SES_REGIONS:  # every SES region (sesbook.facts, dated) has a feedback endpoint
        ses.add(feedback_mx_host(region), "A", 300, [LAB_ADDRESS])
    zones = [ses]
    for region in RECEIVING_REGIONS:
        host = inbound_mx_host(region)
        zone = Zone(absolute_name(host))
        zone.add(host, "A", 300, [LAB_ADDRESS])
        zones.append(zone)
    return zones


_ZONES = _build()


@zone_provider
def ses_zones() -> list[Zone]:
    """``amazonses.com`` (SPF, feedback-smtp hosts) and the inbound-smtp hosts (built once: they never change)."""
    return _ZONES
