"""Clean up after the suite: find what the notebooks made (:func:`inventory`) and remove it (:func:`clean_up`).

- :mod:`~sesbook.cleanup.names`: :class:`SuiteNames`, the names and the marks by which the suite's resources
  are known, and the rules that tell a DNS value sesbook published from any other;
- :mod:`~sesbook.cleanup.inventory`: :func:`inventory`, read-only, lists only what clean-up would remove;
- :mod:`~sesbook.cleanup.remove`: :func:`clean_up`, removes it in a safe order, re-runnable, plan-safe.

The notebook-facing names are exported from :mod:`sesbook`.
"""
