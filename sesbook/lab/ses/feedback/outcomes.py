"""What happens to one recipient after SES accepted the message: the mailbox simulator, the suppression list,
and outcomes the lab was told to script for ordinary addresses.

The mailbox simulator (SES Developer Guide, "Using the mailbox simulator":
https://docs.aws.amazon.com/ses/latest/dg/send-an-email-from-console.html#send-email-simulator, checked 2026):
the exact local parts ``success``, ``bounce``, ``ooto``, ``complaint`` and ``suppressionlist`` at
``simulator.amazonses.com``, with an optional ``+label`` (``bounce+test1@...``). An address that merely
*contains* one of these words (``my-bounce@example.com``, ``bounce@simulator.example.com``) is an ordinary
address (moto treats any address containing "bounce" as the simulator; the lab switches that off).

- ``success@``: delivered (a Delivery notification);
- ``bounce@``: a hard bounce, Permanent/General, SMTP ``550 5.1.1``; the address is *not* added to the
  account's suppression list (the simulator never changes the account's lists or reputation);
- ``ooto@``: delivered, then an out-of-office auto reply, which SES reports as a Transient/General bounce
  (a soft bounce: the address stays good);
- ``complaint@``: delivered, then a complaint (feedback type ``abuse``);
- ``suppressionlist@``: a hard bounce Permanent/Suppressed, as if the address were on SES's global
  suppression list.

A recipient on the account's suppression list is accepted and then bounces Permanent/OnAccountSuppressionList
without any delivery attempt (Developer Guide, "Using the Amazon SES account-level suppression list":
https://docs.aws.amazon.com/ses/latest/dg/sending-email-suppression-list.html, checked 2026). The
diagnostic wording of the ``Suppressed`` and ``OnAccountSuppressionList`` bounces follows what SES sends
(observed in notifications posted publicly; not documented word for word).
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import parseaddr

from sesbook.facts import SIMULATOR_RE

#: What SES's own MTA calls itself in bounces it makes without trying the recipient.
SES_REPORTING_MTA = "dns; amazonses.com"
#: The lab's stand-in for the recipient's mail server and for SES's outbound MTA.
REMOTE_MTA = "dns; inbound-smtp.lab.example"
OUTBOUND_MTA = "a0-1.smtp-out.amazonses.com"
REMOTE_MTA_IP = "127.0.0.1"

SUPPRESSED_TEXT = (
    "Amazon SES has suppressed sending to this address because it has a recent history of bouncing as an "
    "invalid address. To remove it, see https://docs.aws.amazon.com/ses/latest/dg/sending-email-global-suppression-list.html"
)
ON_ACCOUNT_LIST_TEXT = (
    "Amazon SES did not send the message to this address because it is on the suppression list for your "
    "account. To remove it, see https://docs.aws.amazon.com/ses/latest/dg/sending-email-suppression-list.html"
)


@dataclass(frozen=True)
class Outcome:
    """One recipient's fate. ``kind``: ``delivery`` | ``bounce`` | ``complaint`` | ``ooto`` | ``delay``.

    ``delivered``: SES handed the message over (Delivery notification and event); a complaint and an
    out-of-office reply come after a delivery. ``bounce_*`` describe the bounce (for ``bounce`` and the
    ``ooto`` soft bounce). ``simulator``: the address is the mailbox simulator's (never added to lists).
    """

    kind: str
    delivered: bool
    bounce_type: str | None = None
    bounce_subtype: str | None = None
    status: str | None = None
    diagnostic: str | None = None
    reporting_mta: str = REMOTE_MTA
    feedback_type: str | None = None  # complaints: abuse | auth-failure | fraud | not-spam | other | virus
    simulator: bool = False

    @property
    def hard_bounce(self) -> bool:
        return self.kind == "bounce" and self.bounce_type == "Permanent"


DELIVERED = Outcome("delivery", True)


def _bounce(type_: str, subtype: str, status: str, diagnostic: str, *, mta: str = REMOTE_MTA,
            simulator: bool = False, kind: str = "bounce", delivered: bool = False) -> Outcome:
    return Outcome(kind, delivered, type_, subtype, status, diagnostic, mta, simulator=simulator)


def simulator_outcome(address: str) -> Outcome | None:
    """The simulator's answer for ``address`` (display names allowed), or None for any other address."""
    bare = parseaddr(address)[1] or address
    match = SIMULATOR_RE.match(bare)
    if match is None:
        return None
    name = match.group(1).lower()
    if name == "success":
        return Outcome("delivery", True, simulator=True)
    if name == "bounce":
        return _bounce("Permanent", "General", "5.1.1", f"smtp; 550 5.1.1 user unknown <{bare}>", simulator=True)
    if name == "ooto":
        return _bounce("Transient", "General", "2.0.0",
                       "smtp; 250 2.0.0 OK (an automatic out-of-office reply followed)",
                       simulator=True, kind="ooto", delivered=True)
    if name == "complaint":
        return Outcome("complaint", True, feedback_type="abuse", simulator=True)
    return _bounce("Permanent", "Suppressed", "5.1.1", f"Amazon SES: {SUPPRESSED_TEXT}", mta=SES_REPORTING_MTA,
                   simulator=True)


def on_account_list() -> Outcome:
    """A recipient on the account's suppression list: accepted, not attempted, a hard bounce."""
    return _bounce("Permanent", "OnAccountSuppressionList", "5.1.1", f"Amazon SES: {ON_ACCOUNT_LIST_TEXT}",
                   mta=SES_REPORTING_MTA)


#: Outcomes the lab can be told to give an ordinary address (``/_sesbook/feedback/outcomes``).
SCRIPTED = {
    "delivery": DELIVERED,
    "bounce": _bounce("Permanent", "General", "5.1.1", "smtp; 550 5.1.1 user unknown"),
    "noemail": _bounce("Permanent", "NoEmail", "5.1.1", "smtp; 550 5.1.1 no such mailbox"),
    "softbounce": _bounce("Transient", "General", "4.0.0", "smtp; 450 4.0.0 try again later"),
    "mailboxfull": _bounce("Transient", "MailboxFull", "4.2.2", "smtp; 452 4.2.2 mailbox full"),
    "complaint": Outcome("complaint", True, feedback_type="abuse"),
    # delayed first (a DeliveryDelay event: the receiving server answered 421), then delivered
    "delay": Outcome("delay", True, status="4.4.1", diagnostic="smtp; 421 4.4.1 Unable to connect to the remote host"),
}
