"""Real RSA keys for the lab's Easy DKIM tokens, made deterministically and only when first asked for.

SES publishes the public half of each Easy DKIM key at ``TOKEN.dkim.amazonses.com`` (TXT
``v=DKIM1; k=rsa; p=...``); domains point ``TOKEN._domainkey.DOMAIN`` there with a CNAME. The lab does
the same: :func:`zone` builds the zone ``dkim.amazonses.com`` from the tokens the lab has issued.

Keys are generated in pure Python from a ``random.Random`` seeded with the token and a per-identity
salt drawn from the lab's seeded source, so a seeded lab serves the same keys on every run (OpenSSL's
generator cannot be seeded). Primes are found with a gcd sieve, a Fermat test and Miller-Rabin; a
2048-bit key takes about 0.3 s, so keys are made lazily (only when the TXT record is asked for, or a
signer needs the private key) and cached for the process.
"""

from __future__ import annotations

import base64
import math
import random
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from sesbook.facts import DKIM_HOST

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

DKIM_ZONE = DKIM_HOST  # SES publishes Easy DKIM keys under it (sesbook.facts)
PUBLIC_EXPONENT = 65537
_SMALL_PRIMES = [p for p in range(3, 5000) if all(p % d for d in range(2, math.isqrt(p) + 1))]
_PRIMORIAL = math.prod(_SMALL_PRIMES)
_lock = threading.Lock()


def _miller_rabin(n: int, rng: random.Random, rounds: int) -> bool:
    d, s = n - 1, 0
    while d % 2 == 0:
        d //= 2
        s += 1
    for _ in range(rounds):
        x = pow(rng.randrange(2, n - 2), d, n)
        if x in (1, n - 1):
            continue
        for _ in range(s - 1):
            x = pow(x, 2, n)
            if x == n - 1:
                break
        else:
            return False
    return True


def _prime(bits: int, rng: random.Random) -> int:
    while True:
        n = rng.getrandbits(bits) | (3 << (bits - 2)) | 1  # top two bits set: p*q has exactly 2*bits bits
        if math.gcd(n, _PRIMORIAL) != 1 or (n - 1) % PUBLIC_EXPONENT == 0:
            continue
        if pow(2, n - 1, n) == 1 and _miller_rabin(n, rng, 8):
            return n


@lru_cache(maxsize=256)
def private_key(token: str, salt: int, bits: int = 2048) -> RSAPrivateKey:
    """The RSA private key behind a DKIM token (same token, salt and size: same key)."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    rng = random.Random(f"sesbook-dkim:{token}:{salt}:{bits}")
    with _lock:
        while True:
            p, q = _prime(bits // 2, rng), _prime(bits // 2, rng)
            if p == q:
                continue
            phi = (p - 1) * (q - 1)
            if math.gcd(PUBLIC_EXPONENT, phi) == 1:
                break
    if p < q:
        p, q = q, p
    d = pow(PUBLIC_EXPONENT, -1, phi)
    numbers = rsa.RSAPrivateNumbers(
        p=p, q=q, d=d, dmp1=d % (p - 1), dmq1=d % (q - 1), iqmp=pow(q, -1, p),
        public_numbers=rsa.RSAPublicNumbers(PUBLIC_EXPONENT, p * q),
    )
    return numbers.private_key()


def public_key_b64(key: Any) -> str:
    """The ``p=`` value of a DKIM record: base64 of the SubjectPublicKeyInfo DER of ``key``'s public half."""
    from cryptography.hazmat.primitives import serialization

    public = key.public_key() if hasattr(key, "public_key") else key
    der = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return base64.b64encode(der).decode()


class _LazyTxt(Sequence[str]):
    """One TXT value computed on first read, so serving the zone does not generate every key at once."""

    def __init__(self, token: str, salt: int, bits: int) -> None:
        self._args = (token, salt, bits)

    def _values(self) -> list[str]:
        key = private_key(*self._args)
        from sesbook.dns.records import quote_txt

        return [quote_txt(f"v=DKIM1; k=rsa; p={public_key_b64(key)}")]

    def __getitem__(self, index: Any) -> Any:
        return self._values()[index]

    def __len__(self) -> int:
        return 1

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())


def zone(tokens: dict[str, tuple[int, int]]) -> Any:
    """The zone ``dkim.amazonses.com`` with one TXT per token (``token -> (salt, bits)``), keys made lazily."""
    from sesbook.lab.dns.zones import Zone, absolute_name

    served = Zone(absolute_name(DKIM_ZONE))
    for token, (salt, bits) in tokens.items():
        served.records[(absolute_name(f"{token}.{DKIM_ZONE}"), "TXT")] = (1800, _LazyTxt(token, salt, bits))  # type: ignore[assignment]
    return served
