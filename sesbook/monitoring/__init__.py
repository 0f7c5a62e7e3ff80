"""Monitoring and reputation: SES's sending metrics and statistics (:mod:`.metrics`), the reputation state
(:mod:`.reputation`), alarms on the rates (:mod:`.alarms`) and plots (:mod:`.plots`). Notebooks import the
names from :mod:`sesbook`."""
