"""Receiving set-up as a CloudFormation template: the rule set, its rules in order, the IP filters and the
bucket policies, the form many teams (and the SES notes) keep SES configuration in.

Resource types (CloudFormation Template Reference, ``AWS::SES::ReceiptRuleSet``, ``AWS::SES::ReceiptRule``,
``AWS::SES::ReceiptFilter``, ``AWS::S3::BucketPolicy``, checked 2026):

- each rule is an ``AWS::SES::ReceiptRule`` whose ``After`` is a ``Ref`` to the rule before it (``Ref`` of a
  receipt rule is its name), so the set's order survives the deploy and the rules are made one after another;
- a rule that writes to S3 ``DependsOn`` that bucket's policy: SES checks that it may write when the rule is made;
- CloudFormation cannot make a rule set active: the template's ``Description`` says how to do it after deploying.

:func:`template_for` builds from values (pure); :func:`export_cloudformation` reads the live account.
The templates pass ``cfn-lint`` (tests/receiving/test_cloudformation.py).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sesbook import _html
from sesbook._aws import aws_errors
from sesbook.errors import AwsError, ValidationError
from sesbook.receiving.filters import list_filters
from sesbook.receiving.model import RuleSet, S3Action, rules_from_api
from sesbook.receiving.rules import active_rule_set, describe_rule_set

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from sesbook.receiving.filters import ReceiptFilter
    from sesbook.target import Target

__all__ = ["CfnTemplate", "export_cloudformation", "template_for"]


@dataclass(frozen=True)
class CfnTemplate:
    """A CloudFormation template as a dict (``template``), with its JSON and YAML texts."""

    template: dict[str, Any]

    def to_json(self) -> str:
        return json.dumps(self.template, indent=2)

    def to_yaml(self) -> str:
        import yaml

        return str(yaml.safe_dump(self.template, sort_keys=False, allow_unicode=True, width=120))

    @property
    def resources(self) -> dict[str, Any]:
        return dict(self.template["Resources"])

    def __repr__(self) -> str:
        return self.to_yaml()

    def _repr_html_(self) -> str:
        kinds = [(name, body["Type"]) for name, body in self.template["Resources"].items()]
        return _html.table(["logical id", "type"], kinds, caption="CloudFormation template") + \
            f"<pre>{_html.cell(self.to_yaml())}</pre>"


def _logical(prefix: str, name: str, taken: set[str]) -> str:
    base = prefix + "".join(p[:1].upper() + p[1:] for p in re.split(r"[^A-Za-z0-9]+", name))
    base = base[:250]
    candidate, n = base, 2
    while candidate in taken:
        candidate, n = f"{base}{n}", n + 1
    taken.add(candidate)
    return candidate


def template_for(rule_set: RuleSet, *, filters: Iterable[ReceiptFilter] = (),
                 bucket_policies: Mapping[str, Mapping[str, Any]] | None = None,
                 description: str | None = None) -> CfnTemplate:
    """A template holding ``rule_set`` (rules chained by ``After``), ``filters`` and ``bucket_policies``
    (bucket name -> policy document)."""
    if not isinstance(rule_set, RuleSet):
        raise ValidationError("rule_set", rule_set, "must be a RuleSet (sesbook.receiving.model).")
    taken: set[str] = set()
    resources: dict[str, Any] = {}
    policy_ids: dict[str, str] = {}
    for bucket, document in (bucket_policies or {}).items():
        logical = _logical("BucketPolicy", bucket, taken)
        policy_ids[bucket] = logical
        resources[logical] = {"Type": "AWS::S3::BucketPolicy",
                              "Properties": {"Bucket": bucket, "PolicyDocument": dict(document)}}
    for item in filters:
        resources[_logical("Filter", item.name, taken)] = {"Type": "AWS::SES::ReceiptFilter",
                                                            "Properties": {"Filter": item.to_api()}}
    set_id = _logical("RuleSet", rule_set.name, taken)
    resources[set_id] = {"Type": "AWS::SES::ReceiptRuleSet", "Properties": {"RuleSetName": rule_set.name}}
    previous: str | None = None
    for rule in rule_set.rules:
        logical = _logical("Rule", rule.name, taken)
        properties: dict[str, Any] = {"RuleSetName": {"Ref": set_id}, "Rule": rule.to_api()}
        if previous is not None:
            properties["After"] = {"Ref": previous}
        body: dict[str, Any] = {"Type": "AWS::SES::ReceiptRule", "Properties": properties}
        needs = [policy_ids[a.bucket] for a in rule.actions if isinstance(a, S3Action) and a.bucket in policy_ids]
        if needs:
            body["DependsOn"] = list(dict.fromkeys(needs))
        resources[logical] = body
        previous = logical
    text = description or (
        f"SES receiving: rule set {rule_set.name} ({len(rule_set.rules)} rules). CloudFormation cannot make a "
        f"rule set active; after deploying run: aws ses set-active-receipt-rule-set --rule-set-name {rule_set.name}")
    return CfnTemplate({"AWSTemplateFormatVersion": "2010-09-09", "Description": text[:1024],
                        "Resources": resources})


def export_cloudformation(target: Target, rule_set: str | None = None, *, include_filters: bool = True,
                          include_bucket_policies: bool = True) -> CfnTemplate:
    """Read rule set ``rule_set`` (default: the active one), the account's IP filters and the policies of
    the buckets its S3 actions write to, and return them as a template. Only reads."""
    if rule_set is None:
        name, raw = active_rule_set(target)
        if name is None:
            raise ValidationError("rule_set", None, "no rule set is active, so there is nothing to export by default.",
                                  hint="Name the rule set to export: export_cloudformation(target, 'main').")
    else:
        name, found = rule_set, describe_rule_set(target, rule_set)
        if found is None:
            raise ValidationError("rule_set", rule_set, "does not exist in this account and region.")
        raw = found
    model = RuleSet(name, rules_from_api(raw))
    policies: dict[str, Any] = {}
    if include_bucket_policies:
        buckets = dict.fromkeys(a.bucket for r in model.rules for a in r.actions if isinstance(a, S3Action))
        for bucket in buckets:
            try:
                with aws_errors("s3"):
                    policies[bucket] = json.loads(target.s3.get_bucket_policy(Bucket=bucket)["Policy"])
            except AwsError as exc:
                if exc.code != "NoSuchBucketPolicy":
                    raise
    return template_for(model, filters=list_filters(target) if include_filters else (), bucket_policies=policies)
