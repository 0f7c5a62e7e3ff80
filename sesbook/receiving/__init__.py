"""Receiving mail with SES: receipt rule sets and rules, IP address filters, the policies that let SES
write, a dry run of what happens to a message, and an export as CloudFormation.

- :mod:`~sesbook.receiving.matching`: which filter and which rules apply to a message (pure; the lab's
  inbound SMTP server runs the same code, so a dry run and the lab cannot disagree).

This file imports nothing, so the lab can take :mod:`~sesbook.receiving.matching` without the rest.
The notebook-facing names are exported from :mod:`sesbook`.
"""
