"""ipywidgets front-ends for the notebooks: each calls the same sesbook function as the code cell beside it.

- :func:`record_table` (notebook 02): the DNS records with Check buttons (:func:`sesbook.check_records`);
- :func:`rule_builder` (notebook 04): a receipt rule from fields, checked by the rule model, and
  :func:`sesbook.explain_receipt`'s dry run;
- :func:`composer` (notebook 05): a message checked by :mod:`sesbook.sending.validate` and sent with
  :func:`sesbook.send_email`;
- :func:`watcher` (notebooks 01 and 03): :func:`sesbook.wait_for_verification` / :func:`sesbook.wait_for_review`
  polled on a background thread with a progress bar.

Each displays as a live widget in JupyterLab and, in the same output, as the plain text and HTML of the result
it shows (see :mod:`sesbook.widgets._base`), so papermill runs, nbval and the run report see a deterministic
rendering and nothing waits for a click.
"""

from __future__ import annotations

from sesbook.widgets.composer import Composer, composer
from sesbook.widgets.records import RecordTable, record_table
from sesbook.widgets.rules import RuleBuilder, rule_builder
from sesbook.widgets.watcher import Watcher, watcher

__all__ = ["Composer", "RecordTable", "RuleBuilder", "Watcher", "composer", "record_table", "rule_builder", "watcher"]
