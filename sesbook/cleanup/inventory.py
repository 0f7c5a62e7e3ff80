"""What the suite made, found with reads only: :func:`inventory`.

The inventory lists exactly what :func:`~sesbook.cleanup.remove.clean_up` would remove, in the order it
removes it (rule sets before the buckets, topics and functions their actions use; identities after their
records); how each kind is recognised is written in :mod:`sesbook.cleanup.names`. What carries a suite
name but not its mark (an IAM user without the tag, a hosted zone holding other records) is listed apart,
as ``kept``, with the reason.

IAM permissions for the aws target (reads): ``ses:ListReceiptRuleSets``, ``ses:DescribeReceiptRuleSet``,
``ses:ListReceiptFilters``, ``ses:ListIdentities``, ``ses:ListTemplates``, ``ses:ListEmailTemplates``,
``ses:ListConfigurationSets``, ``ses:ListSuppressedDestinations``, ``lambda:ListFunctions``,
``s3:ListAllMyBuckets``, ``sns:ListTopics``, ``sns:ListSubscriptionsByTopic``, ``sqs:ListQueues``,
``iam:GetUser``, ``iam:ListUserTags``, ``iam:ListRoles``, ``cloudwatch:DescribeAlarms``,
``route53:ListHostedZonesByName``, ``route53:GetHostedZone``, ``route53:ListResourceRecordSets``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.cleanup.names import SMTP_USER_TAG, ZONE_REFERENCE_PREFIX, SuiteNames
from sesbook.dns.route53 import find_zone
from sesbook.errors import AwsError

if TYPE_CHECKING:
    from sesbook.target import Target

#: The kinds of resource, in the order clean-up removes them.
KINDS = ("receipt rule set", "IP filter", "Lambda function", "IAM role", "S3 bucket", "configuration set",
         "SNS subscription", "SNS topic", "SQS queue", "template", "suppressed address", "IAM user",
         "CloudWatch alarm", "DNS record", "identity", "hosted zone")


@dataclass(frozen=True)
class Resource:
    """One thing the suite made: its kind, its name, a short detail, and what removing it needs (``ref``)."""

    kind: str
    name: str
    detail: str = ""
    ref: Any = field(default=None, compare=False, repr=False)


@dataclass(frozen=True)
class Inventory:
    """What the suite made in the target (``resources``), and what carries its names but is kept (``kept``)."""

    resources: tuple[Resource, ...]
    kept: tuple[tuple[str, str, str], ...] = ()

    def __len__(self) -> int:
        return len(self.resources)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.resources)

    @property
    def empty(self) -> bool:
        return not self.resources

    def names(self, kind: str | None = None) -> list[str]:
        """The names of the resources (of one ``kind``)."""
        return [r.name for r in self.resources if kind is None or r.kind == kind]

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.resources:
            out[r.kind] = out.get(r.kind, 0) + 1
        return out

    def rows(self) -> list[tuple[str, str, str]]:
        return [(r.kind, r.name, r.detail) for r in self.resources] + \
            [(kind, name, f"kept: {why}") for kind, name, why in self.kept]

    def _head(self) -> str:
        if self.empty:
            return "inventory: nothing the suite made" + (f" ({len(self.kept)} kept)" if self.kept else "")
        return f"inventory: {len(self.resources)} resource(s) the suite made" + \
            (f", {len(self.kept)} kept" if self.kept else "")

    def __repr__(self) -> str:
        rows = self.rows()
        return self._head() + ("\n" + _html.text_table(["kind", "name", "detail"], rows) if rows else "")

    def _repr_html_(self) -> str:
        rows = self.rows()
        if not rows:
            return f"<p>{_html.cell(self._head())}.</p>"
        return _html.table(["kind", "name", "detail"], rows, caption=self._head())


def _missing(exc: AwsError, *codes: str) -> bool:
    return exc.code in codes or exc.code.endswith("NotFound") or "NotFound" in exc.code or "NoSuch" in exc.code


def _rule_sets(target: Target, names: SuiteNames) -> list[Resource]:
    out = []
    with aws_errors("ses"):
        sets = [s["Name"] for s in target.ses.list_receipt_rule_sets().get("RuleSets") or []]
        active = (target.ses.describe_active_receipt_rule_set().get("Metadata") or {}).get("Name")
        for name in sets:
            if not names.ours(name, names.rule_sets):
                continue
            rules = [r["Name"] for r in target.ses.describe_receipt_rule_set(RuleSetName=name).get("Rules") or []]
            detail = f"{'active, ' if name == active else ''}rules: {', '.join(rules) or '(none)'}"
            out.append(Resource("receipt rule set", name, detail, ref=name == active))
    return out


def _filters(target: Target, names: SuiteNames) -> list[Resource]:
    with aws_errors("ses"):
        found = target.ses.list_receipt_filters().get("Filters") or []
    return [Resource("IP filter", f["Name"], f"{f['IpFilter']['Policy']} {f['IpFilter']['Cidr']}")
            for f in found if names.ours(f["Name"])]


def _functions(target: Target, names: SuiteNames) -> list[Resource]:
    out = []
    with aws_errors("lambda"):
        for page in target.lambda_.get_paginator("list_functions").paginate():
            out += [Resource("Lambda function", f["FunctionName"], f.get("Runtime", ""))
                    for f in page.get("Functions", []) if names.ours(f["FunctionName"], names.functions)]
    return out


def _roles(target: Target, names: SuiteNames) -> list[Resource]:
    out = []
    with aws_errors("iam"):
        for page in target.iam.get_paginator("list_roles").paginate():
            out += [Resource("IAM role", r["RoleName"], "policies first")
                    for r in page.get("Roles", []) if names.ours(r["RoleName"])]
    return out


def _buckets(target: Target, names: SuiteNames) -> list[Resource]:
    with aws_errors("s3"):
        found = target.s3.list_buckets().get("Buckets") or []
    return [Resource("S3 bucket", b["Name"], "emptied, then removed")
            for b in found if names.ours(b["Name"], names.buckets)]


def _configuration_sets(target: Target, names: SuiteNames) -> list[Resource]:
    out, token = [], None
    with aws_errors("sesv2"):
        while True:
            page = target.sesv2.list_configuration_sets(**({"NextToken": token} if token else {}))
            out += [Resource("configuration set", n, "with its event destinations")
                    for n in page.get("ConfigurationSets", []) if names.ours(n, names.configuration_sets)]
            token = page.get("NextToken")
            if not token:
                return out


def _topics_and_subscriptions(target: Target, names: SuiteNames) -> tuple[list[Resource], list[Resource]]:
    topics, subscriptions = [], []
    with aws_errors("sns"):
        for page in target.sns.get_paginator("list_topics").paginate():
            for topic in page.get("Topics", []):
                arn = topic["TopicArn"]
                name = arn.rsplit(":", 1)[-1]
                if not names.ours(name, names.feedback_names):
                    continue
                topics.append(Resource("SNS topic", name, arn, ref=arn))
                subs = target.sns.list_subscriptions_by_topic(TopicArn=arn).get("Subscriptions") or []
                for s in subs:
                    if not s.get("SubscriptionArn", "").startswith("arn:"):  # "PendingConfirmation"
                        continue
                    endpoint = s.get("Endpoint", "")
                    label = f"{name} → {s.get('Protocol')}:{endpoint.rsplit(':', 1)[-1]}"
                    subscriptions.append(Resource("SNS subscription", label, endpoint, ref=s["SubscriptionArn"]))
    return subscriptions, topics


def _queues(target: Target, names: SuiteNames) -> list[Resource]:
    out = []
    with aws_errors("sqs"):
        for page in target.sqs.get_paginator("list_queues").paginate():
            for url in page.get("QueueUrls", []):
                name = url.rstrip("/").rsplit("/", 1)[-1]
                if names.ours(name, names.queues):
                    arn = f"arn:aws:sqs:{target.region}:{target.account_id}:{name}"
                    out.append(Resource("SQS queue", name, arn, ref=url))
    return out


def _templates(target: Target, names: SuiteNames) -> list[Resource]:
    found: dict[str, list[str]] = {}
    with aws_errors("sesv2"):
        token = None
        while True:
            page = target.sesv2.list_email_templates(**({"NextToken": token} if token else {}))
            for t in page.get("TemplatesMetadata", []):
                found.setdefault(t["TemplateName"], []).append("v2")
            token = page.get("NextToken")
            if not token:
                break
    with aws_errors("ses"):
        for page in target.ses.get_paginator("list_templates").paginate():
            for t in page.get("TemplatesMetadata", []):
                found.setdefault(t["Name"], []).append("v1")
    return [Resource("template", name, "listed by " + " and ".join(apis), ref=tuple(apis))
            for name, apis in sorted(found.items()) if names.ours(name, names.templates)]


def _suppressed(target: Target, names: SuiteNames) -> list[Resource]:
    from sesbook.feedback.suppression import suppression_list

    return [Resource("suppressed address", address, reason)
            for address, reason, _ in suppression_list(target).entries if names.suppressed_is_ours(address)]


def _smtp_user(target: Target, names: SuiteNames) -> tuple[list[Resource], list[tuple[str, str, str]]]:
    iam = target.iam
    try:
        with aws_errors("iam"):
            iam.get_user(UserName=names.smtp_user)
            tags = {t["Key"]: t["Value"] for t in iam.list_user_tags(UserName=names.smtp_user).get("Tags", [])}
    except AwsError as exc:
        if _missing(exc):
            return [], []
        raise
    key, value = SMTP_USER_TAG
    if tags.get(key) != value:
        return [], [("IAM user", names.smtp_user, f"no tag {key}={value}: not made by the suite")]
    return [Resource("IAM user", names.smtp_user, "access keys and inline policies first")], []


def _alarms(target: Target, names: SuiteNames) -> list[Resource]:
    out = []
    with aws_errors("cloudwatch"):
        for page in target.cloudwatch.get_paginator("describe_alarms").paginate(AlarmNamePrefix=names.alarm_prefix):
            out += [Resource("CloudWatch alarm", a["AlarmName"], a.get("MetricName", ""))
                    for a in page.get("MetricAlarms", [])]
    return out


def _dns(target: Target, names: SuiteNames) -> tuple[list[Resource], list[tuple[str, str, str]]]:
    zone = find_zone(target, names.domain)
    if zone is None:
        return [], []
    zone_id = zone["Id"].rsplit("/", 1)[-1]
    records: list[Resource] = []
    others = 0
    kwargs: dict[str, Any] = {"HostedZoneId": zone_id}
    with aws_errors("route53"):
        while True:
            page = target.route53.list_resource_record_sets(**kwargs)
            for rrset in page.get("ResourceRecordSets", []):
                name, rtype = rrset["Name"].rstrip(".").lower(), rrset["Type"]
                values = [v["Value"] for v in rrset.get("ResourceRecords", [])]
                ours = [v for v in values if names.dns_value_is_ours(name, rtype, v)] \
                    if "AliasTarget" not in rrset else []
                if ours:
                    shown = "; ".join(v if len(v) <= 60 else v[:57] + "…" for v in ours)
                    detail = shown if len(ours) == len(values) else f"{shown} (other values kept)"
                    records.append(Resource("DNS record", f"{name} {rtype}", detail, ref=(zone_id, rrset, ours)))
                if len(ours) < len(values) and not (name == names.domain and rtype in ("NS", "SOA")):
                    others += 1
            if not page.get("IsTruncated"):
                break
            kwargs.update(StartRecordName=page["NextRecordName"], StartRecordType=page["NextRecordType"])
        reference = target.route53.get_hosted_zone(Id=zone_id)["HostedZone"].get("CallerReference", "")
    zone_name = zone["Name"].rstrip(".")
    if not reference.startswith(ZONE_REFERENCE_PREFIX):
        return records, [("hosted zone", zone_name, "not created by sesbook")]
    if others or zone_name != names.domain:
        return records, [("hosted zone", zone_name, f"holds {others} record(s) the suite did not publish")]
    return [*records, Resource("hosted zone", zone_name, "created by sesbook; only NS and SOA left", ref=zone_id)], []


def _identities(target: Target, names: SuiteNames) -> list[Resource]:
    present: set[str] = set()
    with aws_errors("ses"):
        for page in target.ses.get_paginator("list_identities").paginate():
            present.update(i.lower() for i in page.get("Identities", []))
    return [Resource("identity", i, "address" if "@" in i else "domain") for i in names.identities if i in present]


def inventory(target: Target, names: SuiteNames | None = None) -> Inventory:
    """List what the suite made in ``target`` (reads only; see the module docstring)."""
    names = names or SuiteNames()
    subscriptions, topics = _topics_and_subscriptions(target, names)
    user, user_kept = _smtp_user(target, names)
    records, zone_kept = _dns(target, names)
    zone = [r for r in records if r.kind == "hosted zone"]
    found = [*_rule_sets(target, names), *_filters(target, names), *_functions(target, names), *_roles(target, names),
             *_buckets(target, names), *_configuration_sets(target, names), *subscriptions, *topics,
             *_queues(target, names), *_templates(target, names), *_suppressed(target, names), *user,
             *_alarms(target, names), *[r for r in records if r.kind == "DNS record"],
             *_identities(target, names), *zone]
    return Inventory(tuple(found), tuple(user_kept + zone_kept))


__all__ = ["KINDS", "Inventory", "Resource", "inventory"]
