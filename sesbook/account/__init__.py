"""The SES account: its status and limits, leaving the sandbox, and checking it can send.

- :mod:`~sesbook.account.status`: ``GetAccount``, sending on/off, the sandbox-vs-production table;
- :mod:`~sesbook.account.access`: the production access request and its review;
- :mod:`~sesbook.account.check`: :func:`check_account`.

The notebook-facing names are exported from :mod:`sesbook`; these modules are the internal layout.
"""
