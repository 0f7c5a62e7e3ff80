"""DNS for SES: the records SES needs (pure builders), publishing them to Route 53, and checking them.

- :mod:`~sesbook.dns.records`: ``Record``, ``RecordSet`` and their renderings (pure);
- :mod:`~sesbook.dns.ses_records`: every record SES needs, built from tokens (pure);
- :mod:`~sesbook.dns.domains`: domain names and regions, checked and normalised (pure);
- :mod:`~sesbook.dns.route53`: publishing a ``RecordSet`` to Route 53;
- :mod:`~sesbook.dns.check`, :mod:`~sesbook.dns.spf`, :mod:`~sesbook.dns.dmarc`: what DNS answers;
- :mod:`~sesbook.dns._query`: one query with its outcome spelled out (dnspython).

Nothing here asks SES for anything: reading tokens from SES is :mod:`sesbook.identities`. This file
imports nothing, so the lab can take the pure builders without pulling in the rest.
"""
