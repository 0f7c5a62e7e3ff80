"""``python -m sesbook``: see :mod:`sesbook.cli`."""

from sesbook.cli import main

raise SystemExit(main(prog="python -m sesbook"))
