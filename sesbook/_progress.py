"""One line of progress for a wait, shown the way the place it runs in can show it.

- In a notebook kernel: a tqdm line on **stdout**, rewritten in place with carriage returns. JupyterLab
  draws it as ordinary output (stderr is painted as an error box) and honours the ``\\r``; the runner
  coalesces stream outputs (:func:`sesbook.runbook.execute_in_place`, the run report's pages) so what
  is saved and rendered is the one final line, and nbval, which coalesces the same way, compares equal.
  Not a widget: papermill, nbval and the HTML pages would show a widget's text stand-in instead.
- In a terminal (stderr is a tty): the same tqdm line on stderr.
- Anywhere else (a pipe, a log file, CI): nothing while waiting, then the final line on stderr, so a
  log never holds ``example.com: checking\\rexample.com: SUCCESS`` run together.
"""

from __future__ import annotations

import sys
from typing import Any


def in_kernel() -> bool:
    """True when running inside a Jupyter kernel (JupyterLab, papermill, nbval)."""
    shell = sys.modules.get("IPython")
    if shell is None:
        return False
    ipython = shell.get_ipython()
    return ipython is not None and getattr(ipython, "kernel", None) is not None


class ProgressLine:
    """A one-line status that changes while something is awaited; ``close()`` leaves the last text."""

    def __init__(self, text: str, *, enabled: bool = True) -> None:
        self.text = text
        self._bar: Any = None
        self._quiet = not enabled
        if not enabled:
            return
        stream = sys.stdout if in_kernel() else sys.stderr
        if in_kernel() or stream.isatty():
            from tqdm import tqdm

            self._bar = tqdm(desc=text, bar_format="{desc}", file=stream, leave=True, mininterval=0.2)

    def update(self, text: str) -> None:
        """Show ``text`` instead of the current line (redrawn only when it changed)."""
        if text == self.text:
            return
        self.text = text
        if self._bar is not None:
            self._bar.set_description_str(text, refresh=True)

    def close(self) -> None:
        """End the line, leaving its last text."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None
        elif not self._quiet:
            print(self.text, file=sys.stderr, flush=True)
            self._quiet = True

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
