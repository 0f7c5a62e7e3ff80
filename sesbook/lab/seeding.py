"""One source of randomness for the lab and moto, seeded on request so runs repeat exactly."""

from __future__ import annotations

import random
import uuid

#: The lab's own random source (tokens, keys' seeds, message ids it makes itself).
rng = random.Random()
#: Request ids only (one draw per response), apart from ``rng`` so that how many calls a run makes does not
#: shift the lab's other seeded values.
request_rng = random.Random()
#: Inbound mail only (message ids, X-SES-RECEIPT): a path of its own, so receiving mail does not shift the ids
#: the lab's other seeded paths draw.
inbound_rng = random.Random()
_seed: int | None = None


def seed(value: int | None) -> None:
    """Seed the lab's and moto's random sources; ``None`` seeds from the OS (a different run each time)."""
    global _seed
    from moto.moto_api._internal import mock_random

    _seed = value
    rng.seed(value)
    request_rng.seed(None if value is None else f"sesbook-requests:{value}")
    inbound_rng.seed(None if value is None else f"sesbook-inbound:{value}")
    mock_random.seed(value)


def current_seed() -> int | None:
    return _seed


def token(length: int, alphabet: str) -> str:
    """A random string from the lab's source."""
    return "".join(rng.choice(alphabet) for _ in range(length))


def request_id() -> str:
    """A request id as SES gives one: a lowercase UUID (version 4), from :data:`request_rng`."""
    return str(uuid.UUID(int=request_rng.getrandbits(128), version=4))


def ses_message_id(source: random.Random) -> str:
    """A message id in SES's documented shape, drawn from ``source`` with exactly two draws:
    ``0100`` + 12 hex, a lowercase UUID, ``-000000`` (60 characters), e.g.
    ``0100018c4d2a6b1e-9a483358-9170-4cb4-a269-f5dcdf415321-000000``.

    SES Developer Guide, "Amazon SES API responses"
    (https://docs.aws.amazon.com/ses/latest/DeveloperGuide/using-ses-api-responses.html) and the notification
    examples: 16 hex, a UUID, ``000000``. The 16-hex prefix looks like a 4-hex tag and a millisecond time in
    real ids (undocumented); the lab draws it so that seeded runs repeat.
    """
    prefix = f"0100{source.getrandbits(48):012x}"
    return f"{prefix}-{uuid.UUID(int=source.getrandbits(128), version=4)}-000000"


def inbound_message_id() -> str:
    """An inbound message id as SES gives one (the S3 object key after the prefix): 40 characters of lowercase
    letters and digits, e.g. ``o3vrnil0e2ic28trm7dfhrc2v0clambda4nbp0g1`` in the Developer Guide's receipt
    notification example ("Notification examples for receiving email"), from :data:`inbound_rng`."""
    alphabet = "abcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(inbound_rng.choice(alphabet) for _ in range(40))


def inbound_bytes(count: int) -> bytes:
    """Opaque random bytes for inbound mail (the ``X-SES-RECEIPT`` header), from :data:`inbound_rng`."""
    return inbound_rng.getrandbits(8 * count).to_bytes(count, "big")
