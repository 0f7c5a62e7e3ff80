"""Sending mail through SES. Today: :mod:`~sesbook.sending.probe` (one test send, SES's answer explained).

The notebook-facing names are exported from :mod:`sesbook`; these modules are the internal layout.
"""
