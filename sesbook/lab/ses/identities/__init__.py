"""Identities: verification through the lab DNS, Easy DKIM and BYODKIM, custom MAIL FROM."""
