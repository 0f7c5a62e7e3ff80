"""Receiving mail with SES: receipt rule sets and rules, IP address filters, the policies that let SES
write, a dry run of what happens to a message, and an export as CloudFormation.

- :mod:`~sesbook.receiving.matching`: which filter and which rules apply to a message (pure; the lab's
  inbound SMTP server runs the same code, so a dry run and the lab cannot disagree).
- :mod:`~sesbook.receiving.model`: rule sets, rules and actions as checked values (SES's names and limits).
- :mod:`~sesbook.receiving.rules`: ``ensure_rule_set`` (idempotent, ordered, plan-safe), deleting.
- :mod:`~sesbook.receiving.filters`: IP address filters; ``allow_only``.
- :mod:`~sesbook.receiving.policies`: the S3, SNS and Lambda grants SES needs, and ``lint_policy``.
- :mod:`~sesbook.receiving.cloudformation`: the set-up as a CloudFormation template.
- :mod:`~sesbook.receiving.explain` and :mod:`~sesbook.receiving.diagram`: the dry run and the picture.

This file imports nothing, so the lab can take :mod:`~sesbook.receiving.matching` without the rest (every
other module here is in the "lab" contract's forbidden list in pyproject.toml).
The notebook-facing names are exported from :mod:`sesbook`.
"""
