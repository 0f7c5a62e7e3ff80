"""Facts about SES that both the client and the lab need, written once.

Pure data and patterns, no imports from the rest of sesbook: the client uses them to build and check
what it sends, the lab (:mod:`sesbook.lab`) to enforce the same rules, since raw boto3 calls never pass
through the client. Each fact says where it comes from and when it was checked.
"""

from __future__ import annotations

import re

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
