"""Facts about SES that both the client and the lab need, written once.

Pure data and patterns, no imports from the rest of sesbook: the client uses them to build and check
what it sends, the lab (:mod:`sesbook.lab`) to enforce the same rules, since raw boto3 calls never pass
through the client. Each fact says where it comes from and when it was checked.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from email.message import Message

# -- the sandbox ------------------------------------------------------------------------------------------
#: SES's sandbox limits (Developer Guide, "Request production access", checked 2023): 200 messages per
#: 24 hours, 1 message per second.
SANDBOX_MAX_24_HOUR_SEND = 200
SANDBOX_MAX_SEND_RATE = 1

# -- regions ----------------------------------------------------------------------------------------------
#: Regions where SES receives mail (MX ``10 inbound-smtp.REGION.amazonaws.com``).
#: Source: SES Developer Guide, "Email receiving endpoints" (archived 2023) and later regional
#: announcements, as collected in shared/research/ses-facts.md. As of: 2026-11-28.
RECEIVING_REGIONS: tuple[str, ...] = (
    "us-east-1", "us-west-2", "eu-west-1",  # the original three
    "eu-central-1", "eu-west-2", "us-east-2", "ca-central-1",  # added 2023
    "ap-northeast-1", "ap-southeast-1", "ap-southeast-2",  # added 2023
    "ap-southeast-3", "ap-northeast-3",  # reported later
)
RECEIVING_REGIONS_AS_OF = "2026-11-28"

#: Regions with an SES (v1 and v2) API endpoint: the commercial partition plus AWS GovCloud (US).
#: Source: the SES endpoints page of the AWS General Reference
#: (https://docs.aws.amazon.com/general/latest/gr/ses.html), cross-checked against botocore 1.44.8's
#: endpoint data (``boto3.session.Session().get_available_regions("sesv2")``, and ``"aws-us-gov"`` for
#: GovCloud); tests/test_facts.py repeats the cross-check against the installed botocore.
#: Not every AWS region has SES. As of: 2026-12-02.
SES_REGIONS: tuple[str, ...] = (
    "us-east-1", "us-east-2", "us-west-1", "us-west-2",
    "af-south-1",
    "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
    "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4", "ap-southeast-5",
    "ap-southeast-6", "ap-southeast-7",
    "ca-central-1", "ca-west-1",
    "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2",
    "eu-west-3",
    "il-central-1", "me-central-1", "me-south-1", "mx-central-1", "sa-east-1",
    "us-gov-east-1", "us-gov-west-1",
)
SES_REGIONS_AS_OF = "2026-12-02"
#: What a region error tells the reader to do.
SES_REGIONS_HINT = (
    "Use a region where SES runs, such as 'us-east-1'. sesbook knows {count} (as of {as_of}): "
    "sesbook.facts.SES_REGIONS. To see the current list: the SES endpoints page "
    "(https://docs.aws.amazon.com/general/latest/gr/ses.html) or "
    "`python -c \"import boto3; print(boto3.session.Session().get_available_regions('sesv2'))\"`."
)


def ses_regions_hint() -> str:
    """The hint of every region error: where the valid names are."""
    return SES_REGIONS_HINT.format(count=len(SES_REGIONS), as_of=SES_REGIONS_AS_OF)

# -- host names SES's DNS records point at ----------------------------------------------------------------
#: Easy DKIM: ``TOKEN._domainkey.DOMAIN`` is a CNAME to ``TOKEN.dkim.amazonses.com``.
DKIM_HOST = "dkim.amazonses.com"
#: The domain whose SPF record authorises SES's senders (``include:amazonses.com``).
SPF_INCLUDE = "amazonses.com"
#: Where SES receives mail for a domain in a region (the domain's MX host).
INBOUND_MX_HOST = "inbound-smtp.{region}.amazonaws.com"
#: Where bounces and complaints return for a custom MAIL FROM domain (its only MX host).
FEEDBACK_MX_HOST = "feedback-smtp.{region}.amazonses.com"
#: The MX preference the SES notes publish for both.
MX_PREFERENCE = 10


def inbound_mx_host(region: str) -> str:
    """``inbound-smtp.REGION.amazonaws.com``."""
    return INBOUND_MX_HOST.format(region=region)


def feedback_mx_host(region: str) -> str:
    """``feedback-smtp.REGION.amazonses.com``."""
    return FEEDBACK_MX_HOST.format(region=region)


# -- patterns ---------------------------------------------------------------------------------------------
#: An AWS region name (``us-east-1``, ``us-gov-west-1``, ``us-isob-east-1``).
REGION_RE = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$")
#: A web site as SES's production access request takes it (``WebsiteURL``).
URL_RE = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+([/?#]\S*)?$", re.IGNORECASE)
#: An email address, loosely, as SES's ``AdditionalContactEmailAddresses`` takes it.
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


# -- the mailbox simulator ------------------------------------------------------------------------------
#: The SES mailbox simulator's addresses (``success@``, ``bounce@``, ``ooto@``, ``complaint@``,
#: ``suppressionlist@simulator.amazonses.com``, with an optional ``+label``): mail to them reaches nobody;
#: SES answers as the address's name says (Developer Guide, "Using the mailbox simulator").
SIMULATOR_DOMAIN = "simulator.amazonses.com"
SIMULATOR_RE = re.compile(
    r"^(success|bounce|ooto|complaint|suppressionlist)(\+[^@]*)?@simulator\.amazonses\.com$", re.IGNORECASE
)


def is_simulator(address: str) -> bool:
    """True for a mailbox simulator address (display names allowed: ``"X" <bounce@simulator...>``)."""
    from email.utils import parseaddr

    return bool(SIMULATOR_RE.match(parseaddr(address)[1] or address))



# -- PutAccountDetails, as SES itself checks it ---------------------------------------------------------------
#: The patterns of the botocore SESv2 model (shapes ``WebsiteURL`` and ``AdditionalContactEmailAddress``,
#: botocore 1.44, checked 2026; SESv2 API Reference, PutAccountDetails:
#: https://docs.aws.amazon.com/ses/latest/APIReference-V2/API_PutAccountDetails.html). They are what SES
#: accepts, looser than :data:`URL_RE` / :data:`EMAIL_RE` (the client's advice): the URL pattern is RFC 3986's
#: generic parse and matches any text; the length limits do the refusing (1-1000 characters).
SES_WEBSITE_URL_RE = re.compile(r"^(([^:/?#]+):)?(//([^/?#]*))?([^?#]*)(\?([^#]*))?(#(.*))?")
SES_WEBSITE_URL_LENGTH = (1, 1000)
#: Each of 1-4 ``AdditionalContactEmailAddresses``: 6-254 characters matching this.
SES_CONTACT_EMAIL_RE = re.compile(r"^(.+)@(.+)$")
SES_CONTACT_EMAIL_LENGTH = (6, 254)
SES_CONTACT_EMAILS_COUNT = (1, 4)


#: Where :data:`SES_REGIONS` comes from (cited in the lab's unknown-region error).
SES_REGIONS_SOURCE = "https://docs.aws.amazon.com/general/latest/gr/ses.html"


# -- what one message may hold ------------------------------------------------------------------------------
#: The largest message SES takes, in bytes *after base64 encoding*, per way in (Developer Guide, "Service
#: quotas in Amazon SES", https://docs.aws.amazon.com/ses/latest/dg/quotas.html, checked 2026): 10 MB through
#: the v1 API, 40 MB through the v2 API and the SMTP interface. MiB: the v1 error names 10485760 bytes.
MAX_MESSAGE_BYTES: dict[str, int] = {"v1": 10 * 1024 * 1024, "v2": 40 * 1024 * 1024, "smtp": 40 * 1024 * 1024}
#: At most 50 recipients per message, To, Cc and Bcc together (same page); also the most destinations
#: of one bulk send (SendBulkTemplatedEmail / SendBulkEmail).
MAX_RECIPIENTS = 50

#: The attachment file name extensions SES refuses (Developer Guide, "Unsupported attachment types",
#: https://docs.aws.amazon.com/ses/latest/dg/attachments.html, as collected in shared/research/ses-facts.md;
#: checked 2026). Compared case-insensitively; SES applies it to every part's file name, nested parts and
#: attached messages included. 90 entries.
REFUSED_ATTACHMENT_EXTENSIONS: frozenset[str] = frozenset("""
.ade .adp .app .asp .bas .bat .cer .chm .cmd .com .cpl .crt .csh .der .exe .fxp .gadget .hlp .hta .inf .ins
.isp .its .js .jse .ksh .lib .lnk .mad .maf .mag .mam .maq .mar .mas .mat .mau .mav .maw .mda .mdb .mde .mdt
.mdw .mdz .msc .msh .msh1 .msh2 .mshxml .msh1xml .msh2xml .msi .msp .mst .ops .pcd .pif .plg .prf .prg .reg
.scf .scr .sct .shb .shs .sys .ps1 .ps1xml .ps2 .ps2xml .psc1 .psc2 .tmp .url .vb .vbe .vbs .vps .vsmacros
.vss .vst .vsw .vxd .ws .wsc .wsf .wsh .xnk
""".split())


def refused_extension(filename: str | None) -> str | None:
    """The refused extension ``filename`` ends with (lower case, with its dot), or None."""
    if not filename or "." not in filename:
        return None
    ext = "." + filename.rsplit(".", 1)[1].strip().lower()
    return ext if ext in REFUSED_ATTACHMENT_EXTENSIONS else None


def _decoded_name(value: object) -> str | None:
    """A file name parameter as a reader sees it: RFC 2231 (``filename*=UTF-8''...``, continuations) and
    RFC 2047 encoded words (``"=?UTF-8?B?...?="``, which mail programs put in parameters too) decoded."""
    from email.errors import HeaderParseError
    from email.header import decode_header, make_header
    from email.utils import collapse_rfc2231_value

    if value is None:
        return None
    text = collapse_rfc2231_value(value) if isinstance(value, tuple) else str(value)  # type: ignore[arg-type]
    if "=?" in text:
        try:
            text = str(make_header(decode_header(text)))
        except (HeaderParseError, LookupError, UnicodeDecodeError):
            pass  # not a well-formed encoded word: judge the name as written
    return text.strip() or None


def attachment_names(message: Message) -> list[str]:
    """Every file name the parts of ``message`` carry, at any depth (nested multiparts, attached
    ``message/rfc822`` messages and their parts): the ``Content-Disposition`` ``filename`` and the
    ``Content-Type`` ``name`` of each part (both: a mail program may show either), decoded."""
    names: list[str] = []
    for part in message.walk():
        for param, header in (("filename", "content-disposition"), ("name", "content-type")):
            name = _decoded_name(part.get_param(param, header=header))
            if name is not None and name not in names:
                names.append(name)
    return names


def refused_attachment(message: Message) -> tuple[str, str] | None:
    """The first file name in ``message`` (:func:`attachment_names`) that SES refuses, with its refused
    extension (lower case): ``("setup.EXE", ".exe")``; None when every name is accepted."""
    for name in attachment_names(message):
        ext = refused_extension(name)
        if ext is not None:
            return name, ext
    return None


def base64_size(n: int) -> int:
    """Bytes that ``n`` bytes take base64-encoded in 76-character lines ending in CRLF (MIME's encoding)."""
    return 4 * -(-n // 3) + 2 * -(-n // 57)


#: What SES adds around the parts of a message it builds from structured content (Date, Message-ID,
#: MIME-Version, boundaries, part headers): a fair allowance, not a measurement.
BUILT_MIME_OVERHEAD = 1024


def built_message_size(source: str | None, addresses: list[str] | tuple[str, ...], *parts: str | None) -> int:
    """The size SES's limit counts for a message it builds (simple or templated content): each part
    (subject, text, HTML, template data) base64-encoded, the address headers, and :data:`BUILT_MIME_OVERHEAD`.
    The client's validation and the lab's send pipeline both count with this."""
    headers = len((source or "").encode()) + sum(len(a.encode()) + 2 for a in addresses)
    return BUILT_MIME_OVERHEAD + headers + sum(base64_size(len(p.encode())) for p in parts if p)


# -- receiving: receipt rule sets, rules and IP address filters ---------------------------------------------
#: SES's receiving quotas (Developer Guide, "Service quotas for email receiving",
#: https://docs.aws.amazon.com/ses/latest/dg/quotas.html#receiving-quotas, checked 2026): per account and
#: region 40 rule sets and 100 IP address filters; per rule set 200 rules; per rule 10 actions and 100
#: recipient conditions. Only one rule set is active at a time.
MAX_RECEIPT_RULE_SETS = 40
MAX_RECEIPT_RULES_PER_SET = 200
MAX_RECEIPT_ACTIONS_PER_RULE = 10
MAX_RECEIPT_RECIPIENTS_PER_RULE = 100
MAX_RECEIPT_FILTERS = 100
#: Rule set and rule names (SES API Reference, ``ReceiptRule.Name`` / ``CreateReceiptRuleSet``, checked 2026):
#: ASCII letters, digits, ``_``, ``-`` and ``.``; starting and ending with a letter or digit; 64 or fewer.
RECEIPT_NAME_RE = re.compile(r"^(?=.{1,64}$)[A-Za-z0-9](?:[A-Za-z0-9_.-]*[A-Za-z0-9])?$")
#: IP address filter names (SES API Reference, ``ReceiptFilter.Name``, checked 2026): letters, digits,
#: ``_`` and ``-`` (no period), starting and ending with a letter or digit; 64 or fewer.
RECEIPT_FILTER_NAME_RE = re.compile(r"^(?=.{1,64}$)[A-Za-z0-9](?:[A-Za-z0-9_-]*[A-Za-z0-9])?$")
#: The SNS action's limit: a message larger than this is not delivered through SNS (use S3).
SNS_ACTION_MAX_BYTES = 150 * 1024


# -- monitoring and reputation ----------------------------------------------------------------------------
#: The CloudWatch namespace SES publishes its sending metrics in, and the metrics it publishes there
#: (CloudWatch User Guide, "Amazon SES metrics and dimensions":
#: https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/ses-metricscollected.html; event types in
#: the SES Developer Guide, "Monitoring your Amazon SES sending activity":
#: https://docs.aws.amazon.com/ses/latest/dg/monitor-sending-activity.html; checked 2026-12-02).
SES_METRICS_NAMESPACE = "AWS/SES"
SES_EVENT_METRICS: tuple[str, ...] = (
    "Send", "Delivery", "Bounce", "Complaint", "Reject", "Open", "Click", "RenderingFailure", "DeliveryDelay",
)
SES_BOUNCE_RATE_METRIC = "Reputation.BounceRate"
SES_COMPLAINT_RATE_METRIC = "Reputation.ComplaintRate"
#: The auto-tag (and CloudWatch dimension name) SES gives mail sent with a configuration set (SES Developer
#: Guide, "Set up a CloudWatch event destination for event publishing": "type the auto-tag name as the
#: dimension name (such as ses:configuration-set)"; checked 2026-12-02). Account-level metrics have no dimension.
SES_CONFIGURATION_SET_DIMENSION = "ses:configuration-set"

#: SES's reputation thresholds, as fractions (the ``Reputation.*`` metrics are published as fractions:
#: 0.05 is 5 %). At or above the review level the account goes under review (``EnforcementStatus``
#: ``PROBATION``); at or above the pause level SES may pause sending (``SHUTDOWN``).
#: Sources: SES Developer Guide, "Reputation metrics messages"
#: (https://docs.aws.amazon.com/ses/latest/dg/reputationdashboardmessages.html) and AWS re:Post, "Why is my
#: Amazon SES sending account under review or paused?" (https://repost.aws/knowledge-center/ses-resolve-account-review-pause:
#: "a bounce rate of 10% or greater", "a complaint rate of 0.5% or greater"). As of: 2026-12-02.
BOUNCE_RATE_REVIEW = 0.05
BOUNCE_RATE_PAUSE = 0.10
COMPLAINT_RATE_REVIEW = 0.001
COMPLAINT_RATE_PAUSE = 0.005
REPUTATION_THRESHOLDS_AS_OF = "2026-12-02"
REPUTATION_THRESHOLDS_SOURCE = "https://docs.aws.amazon.com/ses/latest/dg/reputationdashboardmessages.html"
#: GetAccount ``EnforcementStatus`` values (SESv2 API Reference, GetAccount; checked 2026-12-02).
ENFORCEMENT_STATUSES: tuple[str, ...] = ("HEALTHY", "PROBATION", "SHUTDOWN")
#: GetSendStatistics: one data point per 15 minutes of sending, over the last two weeks (SES API Reference,
#: GetSendStatistics: https://docs.aws.amazon.com/ses/latest/APIReference/API_GetSendStatistics.html).
SEND_STATISTICS_PERIOD_SECONDS = 15 * 60
SEND_STATISTICS_HISTORY_SECONDS = 14 * 24 * 3600


#: The error codes SES answers a send refused for the rate or the daily quota with: v1 ``Throttling``, v2
#: ``TooManyRequestsException`` (``ThrottlingException`` from other AWS services). The message tells which limit.
THROTTLING_CODES: tuple[str, ...] = ("Throttling", "ThrottlingException", "TooManyRequestsException")
