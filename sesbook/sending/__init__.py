"""Sending mail through SES: :mod:`~sesbook.sending.probe` (one test send, SES's answer explained),
:mod:`~sesbook.sending.smtp_send` (the SMTP interface: STARTTLS, AUTH, SES's replies) and
:mod:`~sesbook.sending.iam` (the send policy and the IAM user behind SMTP credentials).

The notebook-facing names are exported from :mod:`sesbook`; these modules are the internal layout.
"""
