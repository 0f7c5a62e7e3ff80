"""Plumbing: checks for values that enter from outside (parameters, CLI flags, environment, YAML).

Each function either returns the value, normalised, or raises :class:`ValidationError` naming the field,
the bad value and the rule. Imports only :mod:`sesbook.errors` and the standard library, so every layer
can use it.
"""

from __future__ import annotations

import math
import numbers
import re
from typing import Any

from sesbook.errors import ValidationError

_TRUE = frozenset({"true", "yes", "on", "1"})
_FALSE = frozenset({"false", "no", "off", "0"})
_ASCII_INT = re.compile(r"[0-9]+")
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def parse_bool(field: str, value: Any) -> bool:
    """``value`` as a bool: a real bool, or one of true/false, yes/no, on/off, 1/0 (any case, spaces ignored).

    Never ``bool(text)``: the string ``"false"`` is False here, and anything else is refused.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
    raise ValidationError(
        field, value, "is not a yes/no value.",
        hint="Use true or false (also accepted: yes/no, on/off, 1/0).",
    )


def check_seconds(field: str, value: Any, *, zero_ok: bool = False) -> float:
    """A timeout or interval given to a function: an int or float (not bool, not str), finite, above 0.

    ``zero_ok`` allows exactly 0 (for waits, where it means "look once, do not wait").
    """
    rule = "0 or more" if zero_ok else "more than 0"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise ValidationError(
            field, value, f"must be a number of seconds ({rule}), not {type(value).__name__}.",
            hint=f"Pass a number such as {field}=10 (convert text with float() first).",
        )
    seconds = float(value)
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not zero_ok):
        raise ValidationError(
            field, value, f"must be a finite number of seconds, {rule}.",
            hint=f"Pass a number such as {field}=10.",
        )
    return seconds


_ABSENT: Any = object()


def check_timing(*, timeout: Any = _ABSENT, interval: Any = _ABSENT, waiting: bool = False,
                 none_ok: bool = False) -> None:
    """Check a function's ``timeout`` and ``interval`` up front (pass only those it takes).

    Each must be an int or float (not bool, not str), finite and above 0; NaN would make a wait loop
    spin forever and a negative one time out at once. ``waiting`` allows ``timeout=0`` (look once, do
    not wait); ``none_ok`` allows None (the function's default).
    """
    for field, value in (("timeout", timeout), ("interval", interval)):
        if value is _ABSENT or (value is None and none_ok):
            continue
        check_seconds(field, value, zero_ok=waiting and field == "timeout")


def parse_seconds(field: str, value: Any, *, zero_ok: bool = False) -> float:
    """Like :func:`check_seconds`, for text from a CLI flag or a YAML file: ``"10"`` and ``"1e3"`` are numbers."""
    if isinstance(value, str):
        text = value.strip()
        if not _NUMBER.fullmatch(text):
            raise ValidationError(field, value, "is not a number of seconds.", hint=f"Use a number such as {field}=10.")
        value = float(text)
    return check_seconds(field, value, zero_ok=zero_ok)


def parse_whole_number(field: str, text: str, *, hint: str | None = None) -> int:
    """``text`` as a whole number of ASCII digits 0-9 (``str.isdigit`` also accepts ``²``, which ``int`` refuses)."""
    stripped = text.strip()
    if not _ASCII_INT.fullmatch(stripped):
        raise ValidationError(
            field, text, "must be a whole number written with the digits 0-9.", hint=hint or "For example 1.",
        )
    return int(stripped)
