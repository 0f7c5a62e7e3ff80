"""The lab's clock: real time plus an offset that tests and notebooks can move forward.

Everything in the lab that depends on time (sending windows, review delays, verification) reads
:func:`now`, so a test can jump a day ahead with :func:`advance` instead of sleeping.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

_lock = threading.Lock()
_offset = 0.0
_frozen_at: float | None = None


def time_s() -> float:
    """Seconds since the epoch on the lab's clock."""
    if _frozen_at is not None:
        return _frozen_at + _offset
    return time.time() + _offset


def freeze() -> None:
    """Stop the clock where it is: from now on only :func:`advance` moves it (for exact timing tests)."""
    global _frozen_at
    with _lock:
        if _frozen_at is None:
            _frozen_at = time.time()


def unfreeze() -> None:
    """Let the clock run again from the lab time it shows now (no jump back or forward)."""
    global _frozen_at, _offset
    with _lock:
        if _frozen_at is not None:
            _offset += _frozen_at - time.time()
            _frozen_at = None


def frozen() -> bool:
    return _frozen_at is not None


def now() -> datetime:
    """The lab's current time, timezone-aware (UTC)."""
    return datetime.fromtimestamp(time_s(), tz=UTC)


def offset() -> float:
    return _offset


def advance(seconds: float) -> float:
    """Move the lab's clock forward by ``seconds`` (never backward); return the new offset."""
    global _offset
    if seconds < 0:
        raise ValueError("the lab's clock only moves forward")
    with _lock:
        _offset += seconds
        return _offset


def reset() -> None:
    """Put the lab's clock back on real time, running."""
    global _offset, _frozen_at
    with _lock:
        _offset = 0.0
        _frozen_at = None
