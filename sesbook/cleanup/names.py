"""How the suite's resources are recognised: by the names the notebooks use, a name prefix, and marks.

Clean-up must never remove what the suite did not make, so every kind of resource has one rule here:

- **exact names** the notebooks take as parameters: the domain and the identities under it (BYODKIM
  ``news.DOMAIN``), the verified addresses, the template (``sesbook-welcome``), the SMTP user
  (``sesbook-smtp``), the feedback topic and queues (``ses-feedback``, ``ses-feedback-dlq``);
- **the prefix** ``sesbook`` for what the suite names itself: receipt rule sets, IP filters
  (``sesbook-block-all``, ``sesbook-allow-*``), S3 buckets, Lambda functions and their IAM roles, SNS topics,
  SQS queues, configuration sets and templates;
- **marks** where AWS keeps them: the IAM user is removed only when it carries the tag ``purpose=ses-smtp``
  that :func:`~sesbook.sending.iam.ensure_smtp_user` gives it (a user of that name without it is kept);
  a hosted zone only when sesbook made it (its caller reference starts ``sesbook-``) and nothing but its
  own NS and SOA records is left in it;
- **DNS values**: only a value sesbook publishes is removed from a record (SES's verification TXT at
  ``_amazonses``, Easy DKIM CNAMEs pointing to ``dkim.amazonses.com``, the BYODKIM key at the suite's
  selector, the inbound MX, the MAIL FROM MX and SPF, the SPF and DMARC values sesbook builds); any other
  value of the same record stays, and records of other names are never touched;
- **suppressed addresses** at the suite's domain or at SES's mailbox simulator, and the listed addresses;
- **CloudWatch alarms** whose names start with the reputation alarms' prefix (``ses-reputation-``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sesbook import _html
from sesbook.dns.domains import normalize_domain
from sesbook.dns.ses_records import SES_SPF, default_dmarc
from sesbook.errors import ValidationError
from sesbook.facts import DKIM_HOST

#: The prefix the suite starts the names of its own resources with.
PREFIX = "sesbook"
#: The tag :func:`~sesbook.sending.iam.ensure_smtp_user` puts on the SMTP user.
SMTP_USER_TAG = ("purpose", "ses-smtp")
#: The caller reference :func:`~sesbook.dns.route53.apply_to_route53` gives a hosted zone it creates starts so.
ZONE_REFERENCE_PREFIX = "sesbook-"
#: SES's mailbox simulator domain (SES Developer Guide, "Using the mailbox simulator", checked 2026).
SIMULATOR_DOMAIN = "simulator.amazonses.com"

_INBOUND_MX = re.compile(r"^\d+ inbound-smtp\.[a-z0-9-]+\.amazonaws\.com\.?$")
_FEEDBACK_MX = re.compile(r"^\d+ feedback-smtp\.[a-z0-9-]+\.amazonses\.com\.?$")
_NAME_RE = re.compile(r"^[A-Za-z0-9._@+=,-]{1,128}$")


def _names(field: str, value: object) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else value
    if not isinstance(items, tuple | list) or not all(isinstance(v, str) and _NAME_RE.match(v) for v in items):
        raise ValidationError(field, value, "must be a list of resource names (letters, digits, . _ - @ + = ,).")
    return tuple(items)


@dataclass(frozen=True, repr=False)
class SuiteNames:
    """The names the notebooks use (their parameters' defaults); pass the values you ran them with."""

    domain: str = "example.com"
    addresses: tuple[str, ...] = ("you@example.net",)
    subdomains: tuple[str, ...] = ("news",)
    mail_from_subdomain: str = "mail"
    dkim_selectors: tuple[str, ...] = ("sesbook1",)
    templates: tuple[str, ...] = ("sesbook-welcome",)
    smtp_user: str = "sesbook-smtp"
    feedback_names: tuple[str, ...] = ("ses-feedback",)
    configuration_sets: tuple[str, ...] = ()
    rule_sets: tuple[str, ...] = ()
    buckets: tuple[str, ...] = ()
    functions: tuple[str, ...] = ()
    alarm_prefix: str = "ses-reputation-"
    prefix: str = PREFIX

    def __post_init__(self) -> None:
        object.__setattr__(self, "domain", normalize_domain(self.domain))
        for field in ("addresses", "subdomains", "dkim_selectors", "templates", "feedback_names",
                      "configuration_sets", "rule_sets", "buckets", "functions"):
            object.__setattr__(self, field, _names(field, getattr(self, field)))
        for field in ("mail_from_subdomain", "smtp_user", "alarm_prefix", "prefix"):
            _names(field, (getattr(self, field),))
        if len(self.prefix) < 3:
            raise ValidationError("prefix", self.prefix, "is too short to tell the suite's resources from others.",
                                  hint="Keep the default 'sesbook'.")

    def rows(self) -> list[tuple[str, str]]:
        return [("identities", ", ".join(self.identities)), ("MAIL FROM domain", self.mail_from),
                ("DKIM selectors", ", ".join(self.dkim_selectors)), ("templates", ", ".join(self.templates)),
                ("SMTP user", self.smtp_user), ("feedback topics", ", ".join(self.feedback_names)),
                ("feedback queues", ", ".join(self.queues)),
                ("also named", ", ".join(sorted({*self.rule_sets, *self.buckets, *self.configuration_sets,
                                                  *self.functions})) or "(none)"),
                ("any name starting", self.prefix), ("CloudWatch alarms starting", self.alarm_prefix)]

    def __repr__(self) -> str:
        return "the suite's names\n" + _html.text_table(["what", "names"], self.rows())

    def _repr_html_(self) -> str:
        return _html.table(["what", "names"], self.rows(), caption="the suite's names")

    # -- names ------------------------------------------------------------------------------------
    @property
    def domains(self) -> tuple[str, ...]:
        """The domain identities: the domain and each subdomain the notebooks verify."""
        return (self.domain, *(f"{s}.{self.domain}" for s in self.subdomains))

    @property
    def identities(self) -> tuple[str, ...]:
        return (*self.domains, *(a.lower() for a in self.addresses))

    @property
    def mail_from(self) -> str:
        return f"{self.mail_from_subdomain}.{self.domain}"

    @property
    def queues(self) -> tuple[str, ...]:
        """The feedback queues: each feedback name and its dead-letter queue."""
        return tuple(q for n in self.feedback_names for q in (n, f"{n}-dlq"))

    def ours(self, name: str, explicit: tuple[str, ...] = ()) -> bool:
        """Whether a resource named ``name`` is the suite's: listed, or starting with the prefix."""
        return name in explicit or name.startswith(self.prefix)

    def suppressed_is_ours(self, address: str) -> bool:
        address = address.lower()
        domain = address.rpartition("@")[2]
        return domain in (self.domain, SIMULATOR_DOMAIN) or address in {a.lower() for a in self.addresses}

    # -- DNS ----------------------------------------------------------------------------------------
    def dns_value_is_ours(self, name: str, rtype: str, value: str) -> bool:
        """Whether ``value`` of record ``name``/``rtype`` (Route 53's form) is one sesbook publishes."""
        name = name.rstrip(".").lower()
        text = txt_text(value) if rtype == "TXT" else value.rstrip(".").lower()
        if rtype == "TXT":
            if name in {f"_amazonses.{d}" for d in self.domains}:
                return True
            if name in {f"{s}._domainkey.{d}" for s in self.dkim_selectors for d in self.domains}:
                return text.startswith("v=DKIM1")
            if name in (self.domain, self.mail_from):
                return text == SES_SPF
            return name == f"_dmarc.{self.domain}" and text == default_dmarc(self.domain)
        if rtype == "CNAME":
            label, _, rest = name.partition(".")
            return rest in {f"_domainkey.{d}" for d in self.domains} and text == f"{label}.{DKIM_HOST}".lower()
        if rtype == "MX":
            if name == self.domain:
                return bool(_INBOUND_MX.match(text))
            return name == self.mail_from and bool(_FEEDBACK_MX.match(text))
        return False


def txt_text(value: str) -> str:
    """A Route 53 TXT value (``"part one" "part two"``) as the one string it carries."""
    parts = re.findall(r'"((?:[^"\\]|\\.)*)"', value)
    return "".join(parts) if parts else value


__all__ = ["PREFIX", "SIMULATOR_DOMAIN", "SMTP_USER_TAG", "ZONE_REFERENCE_PREFIX", "SuiteNames", "txt_text"]
