"""Remove what the suite made: :func:`clean_up`.

Takes :func:`~sesbook.cleanup.inventory.inventory` and removes each resource in its order, the way AWS
asks for it (SES API Reference and the S3, SNS, SQS, IAM, Route 53 references, checked 2026):

- the active receipt rule set is deactivated first (SES refuses ``DeleteReceiptRuleSet`` on it); deleting a
  set removes its rules;
- an S3 bucket is emptied (every object version and delete marker) before ``DeleteBucket``;
- an IAM user loses its access keys, inline policies and attached policies before ``DeleteUser``;
- a DNS value sesbook published is removed from its record; the record's other values stay (``UPSERT``
  of what is left, ``DELETE`` only when nothing is left);
- identities go after their records; the hosted zone last, when only its NS and SOA remain.

Safe to re-run: a resource gone between the inventory and its removal is ``absent``, which is success.
Against AWS without ``apply=True`` nothing is removed: every change is recorded in ``target.plan``
(the reads still happen) and each row says ``planned``.

IAM permissions for the aws target: the reads of the inventory, plus ``ses:SetActiveReceiptRuleSet``,
``ses:DeleteReceiptRuleSet``, ``ses:DeleteReceiptFilter``, ``ses:DeleteIdentity``, ``ses:DeleteTemplate``,
``ses:DeleteEmailTemplate``, ``ses:DeleteConfigurationSet``, ``ses:DeleteSuppressedDestination``,
``lambda:DeleteFunction``, ``iam:ListRolePolicies``, ``iam:DeleteRolePolicy``,
``iam:ListAttachedRolePolicies``, ``iam:DetachRolePolicy``, ``iam:DeleteRole``,
``s3:ListBucketVersions``, ``s3:DeleteObject``, ``s3:DeleteObjectVersion``,
``s3:DeleteBucket``, ``sns:Unsubscribe``, ``sns:DeleteTopic``, ``sqs:DeleteQueue``, ``iam:ListAccessKeys``,
``iam:DeleteAccessKey``, ``iam:ListUserPolicies``, ``iam:DeleteUserPolicy``, ``iam:ListAttachedUserPolicies``,
``iam:DetachUserPolicy``, ``iam:DeleteUser``, ``cloudwatch:DeleteAlarms``,
``route53:ChangeResourceRecordSets``, ``route53:DeleteHostedZone``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.cleanup.inventory import Inventory, Resource, inventory
from sesbook.errors import AwsError

if TYPE_CHECKING:
    from collections.abc import Callable

    from sesbook.cleanup.names import SuiteNames
    from sesbook.target import Target

log = logging.getLogger("sesbook")

#: What happened to one resource.
OUTCOMES = ("removed", "planned", "absent", "kept")


@dataclass(frozen=True)
class CleanupResult:
    """Each resource and what happened to it: ``removed``, ``planned`` (recorded, not sent), ``absent``
    (already gone: success) or ``kept`` (carries a suite name but not its mark)."""

    rows: tuple[tuple[str, str, str, str], ...]
    planned: bool

    def outcome(self, kind: str, name: str) -> str | None:
        return next((o for k, n, o, _ in self.rows if k == kind and n == name), None)

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for _, _, outcome, _ in self.rows:
            out[outcome] += 1
        return {k: v for k, v in out.items() if v}

    def _head(self) -> str:
        counts = ", ".join(f"{v} {k}" for k, v in self.counts().items()) or "nothing to do"
        return f"clean-up{' (plan only, nothing removed)' if self.planned else ''}: {counts}"

    def __repr__(self) -> str:
        if not self.rows:
            return self._head()
        return self._head() + "\n" + _html.text_table(["kind", "name", "outcome", "detail"], self.rows)

    def _repr_html_(self) -> str:
        if not self.rows:
            return f"<p>{_html.cell(self._head())}.</p>"
        return _html.table(["kind", "name", "outcome", "detail"], self.rows, caption=self._head())


_GONE = ("RuleSetDoesNotExist", "NotFoundException", "NoSuchEntity", "NoSuchBucket", "NotFound",
         "ResourceNotFoundException", "AWS.SimpleQueueService.NonExistentQueue", "QueueDoesNotExist",
         "NoSuchHostedZone", "TemplateDoesNotExist", "InvalidChangeBatch")


def _rule_set(target: Target, r: Resource, _: SuiteNames) -> None:
    from sesbook.receiving.rules import delete_rule_set

    delete_rule_set(target, r.name, deactivate=True)


def _filter(target: Target, r: Resource, _: SuiteNames) -> None:
    from sesbook.receiving.filters import delete_filter

    delete_filter(target, r.name)


def _one_call(service: str, client: str, operation: str,
              params: Callable[[Resource], dict[str, Any]]) -> Callable[[Target, Resource, SuiteNames], None]:
    """A remover that is one call: ``target.CLIENT.OPERATION(**params(resource))``."""
    def remove(target: Target, r: Resource, _: SuiteNames) -> None:
        with aws_errors(service):
            getattr(getattr(target, client), operation)(**params(r))
    return remove


def _role(target: Target, r: Resource, _: SuiteNames) -> None:
    iam = target.iam
    with aws_errors("iam"):
        for policy in iam.list_role_policies(RoleName=r.name).get("PolicyNames", []):
            iam.delete_role_policy(RoleName=r.name, PolicyName=policy)
        for policy in iam.list_attached_role_policies(RoleName=r.name).get("AttachedPolicies", []):
            iam.detach_role_policy(RoleName=r.name, PolicyArn=policy["PolicyArn"])
        iam.delete_role(RoleName=r.name)


def _bucket(target: Target, r: Resource, _: SuiteNames) -> None:
    s3 = target.s3
    with aws_errors("s3"):
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=r.name):
            doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                      for v in [*page.get("Versions", []), *page.get("DeleteMarkers", [])]]
            if doomed:
                s3.delete_objects(Bucket=r.name, Delete={"Objects": doomed, "Quiet": True})
        s3.delete_bucket(Bucket=r.name)


def _template(target: Target, r: Resource, _: SuiteNames) -> None:
    if "v2" in r.ref:  # v1 and v2 list the same templates (one store per region): one delete is enough
        with aws_errors("sesv2"):
            target.sesv2.delete_email_template(TemplateName=r.name)
    else:
        with aws_errors("ses"):
            target.ses.delete_template(TemplateName=r.name)


def _user(target: Target, r: Resource, _: SuiteNames) -> None:
    iam = target.iam
    with aws_errors("iam"):
        for key in iam.list_access_keys(UserName=r.name).get("AccessKeyMetadata", []):
            iam.delete_access_key(UserName=r.name, AccessKeyId=key["AccessKeyId"])
        for policy in iam.list_user_policies(UserName=r.name).get("PolicyNames", []):
            iam.delete_user_policy(UserName=r.name, PolicyName=policy)
        for policy in iam.list_attached_user_policies(UserName=r.name).get("AttachedPolicies", []):
            iam.detach_user_policy(UserName=r.name, PolicyArn=policy["PolicyArn"])
        iam.delete_user(UserName=r.name)


def _record(target: Target, r: Resource, _: SuiteNames) -> None:
    zone_id, rrset, ours = r.ref
    left = [v for v in rrset.get("ResourceRecords", []) if v["Value"] not in ours]
    if left:
        change = {"Action": "UPSERT", "ResourceRecordSet": {**rrset, "ResourceRecords": left}}
    else:
        change = {"Action": "DELETE", "ResourceRecordSet": rrset}
    with aws_errors("route53"):
        target.route53.change_resource_record_sets(
            HostedZoneId=zone_id, ChangeBatch={"Comment": "sesbook clean-up", "Changes": [change]})


REMOVERS: dict[str, Callable[[Target, Resource, SuiteNames], None]] = {
    "receipt rule set": _rule_set, "IP filter": _filter,
    "Lambda function": _one_call("lambda", "lambda_", "delete_function", lambda r: {"FunctionName": r.name}),
    "IAM role": _role, "S3 bucket": _bucket,
    "configuration set": _one_call("sesv2", "sesv2", "delete_configuration_set",
                                   lambda r: {"ConfigurationSetName": r.name}),
    "SNS subscription": _one_call("sns", "sns", "unsubscribe", lambda r: {"SubscriptionArn": r.ref}),
    "SNS topic": _one_call("sns", "sns", "delete_topic", lambda r: {"TopicArn": r.ref}),
    "SQS queue": _one_call("sqs", "sqs", "delete_queue", lambda r: {"QueueUrl": r.ref}),
    "template": _template,
    "suppressed address": _one_call("sesv2", "sesv2", "delete_suppressed_destination",
                                    lambda r: {"EmailAddress": r.name}),
    "IAM user": _user,
    "CloudWatch alarm": _one_call("cloudwatch", "cloudwatch", "delete_alarms", lambda r: {"AlarmNames": [r.name]}),
    "DNS record": _record,
    "identity": _one_call("ses", "ses", "delete_identity", lambda r: {"Identity": r.name}),
    "hosted zone": _one_call("route53", "route53", "delete_hosted_zone", lambda r: {"Id": r.ref}),
}


def _explicit_absent(names: SuiteNames, found: Inventory) -> list[tuple[str, str, str, str]]:
    """Rows for the names the notebooks use that are not there (already clean: success)."""
    present = {(r.kind, r.name) for r in found} | {(k, n) for k, n, _ in found.kept}
    wanted = [("identity", i) for i in names.identities] + [("template", t) for t in names.templates] + \
        [("IAM user", names.smtp_user)] + [("SNS topic", n) for n in names.feedback_names] + \
        [("SQS queue", q) for q in names.queues] + [("receipt rule set", s) for s in names.rule_sets] + \
        [("configuration set", c) for c in names.configuration_sets] + [("S3 bucket", b) for b in names.buckets] + \
        [("Lambda function", f) for f in names.functions]
    return [(kind, name, "absent", "not there") for kind, name in wanted if (kind, name) not in present]


def clean_up(target: Target, names: SuiteNames | None = None) -> CleanupResult:
    """Remove everything the suite made in ``target`` (see the module docstring); returns each row's outcome."""
    from sesbook.cleanup.names import SuiteNames

    names = names or SuiteNames()
    found = inventory(target, names)
    planning = target.planning
    rows: list[tuple[str, str, str, str]] = []
    for resource in found:
        try:
            REMOVERS[resource.kind](target, resource, names)
        except AwsError as exc:
            if exc.code not in _GONE:
                raise
            rows.append((resource.kind, resource.name, "absent", f"gone already ({exc.code})"))
            continue
        rows.append((resource.kind, resource.name, "planned" if planning else "removed", resource.detail))
        log.info("clean-up: %s %s %s", resource.kind, resource.name, "planned" if planning else "removed")
    rows += [(kind, name, "kept", why) for kind, name, why in found.kept]
    rows += _explicit_absent(names, found)
    return CleanupResult(tuple(rows), planning)


__all__ = ["OUTCOMES", "REMOVERS", "CleanupResult", "clean_up"]
