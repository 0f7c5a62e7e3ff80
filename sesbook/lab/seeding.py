"""One source of randomness for the lab and moto, seeded on request so runs repeat exactly."""

from __future__ import annotations

import random

#: The lab's own random source (tokens, keys' seeds, message ids it makes itself).
rng = random.Random()
_seed: int | None = None


def seed(value: int | None) -> None:
    """Seed the lab's and moto's random sources; ``None`` seeds from the OS (a different run each time)."""
    global _seed
    from moto.moto_api._internal import mock_random

    _seed = value
    rng.seed(value)
    mock_random.seed(value)


def current_seed() -> int | None:
    return _seed


def token(length: int, alphabet: str) -> str:
    """A random string from the lab's source."""
    return "".join(rng.choice(alphabet) for _ in range(length))
