"""Verified identities: ask SES to verify a domain or an address, read its tokens, wait, check.

- :mod:`~sesbook.identities.status`: what SES says about an identity now;
- :mod:`~sesbook.identities.verify`: start verification (v1 TXT or v2 Easy DKIM), delete;
- :mod:`~sesbook.identities.records`: the tokens read from SES, as the records to publish;
- :mod:`~sesbook.identities.wait` and :mod:`~sesbook.identities.check`: wait for SES, check DNS;
- :mod:`~sesbook.identities.dkim` (BYODKIM), :mod:`~sesbook.identities.mailfrom` (custom MAIL FROM);
- :mod:`~sesbook.identities.sender`: one call that makes sure a domain can send.

The notebook-facing names are exported from :mod:`sesbook`; these modules are the internal layout.
"""
