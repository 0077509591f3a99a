"""The JWKS cache: keys built once per kid, cool-down limited single-flight re-fetch, max age."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey, RSAPublicNumbers

from app.tokens.errors import (
    JwkAlgMismatchError,
    JwkInvalidError,
    JwkInvalidKtyError,
    JwkInvalidUseError,
    JwksRefusedError,
    KeysUnavailableError,
    KidNotFoundError,
    TokenError,
)
from app.tokens.jws import ALGORITHM, b64url_decode

logger = logging.getLogger(__name__)

MAX_JWKS_BYTES = 1 << 20
MIN_RSA_BITS = 2048
# SHA-256 of the modulus of moto's built-in Cognito key (moto/cognitoidp/resources/
# jwks-public.json.gz, kid "dummy"). Its private key ships with moto, so anyone can mint tokens
# that verify against it: a production service must never trust it.
EMULATOR_KEY_FINGERPRINTS = frozenset(
    {"60ececf17e149ab77be01dedd94c3fb8a0c33c70d4a78b1c3807b097c7c506be"}
)


@dataclass(frozen=True, slots=True)
class KeyEntry:
    """One JWK of the set: a ready key object, or the reason it cannot verify anything."""

    jwk: Mapping[str, Any]
    key: RSAPublicKey | None
    error: TokenError | None = None

    def usable_key(self) -> RSAPublicKey:
        """Return the key object, or raise the reason this JWK is refused."""
        if self.key is None:
            raise self.error or JwkInvalidError()
        return self.key


def _b64_int(value: object) -> tuple[int, bytes]:
    if type(value) is not str or not value:
        raise JwkInvalidError("JWK n/e must be non-empty base64url strings")
    try:
        raw = b64url_decode(value)
    except TokenError:
        raise JwkInvalidError("JWK n/e is not base64url") from None
    return int.from_bytes(raw, "big"), raw.lstrip(b"\0")


def _build_key(jwk: Mapping[str, Any]) -> RSAPublicKey:
    if jwk.get("kty") != "RSA":
        raise JwkInvalidKtyError
    if jwk.get("use") != "sig":
        raise JwkInvalidUseError
    if jwk.get("alg") != ALGORITHM:
        raise JwkAlgMismatchError
    n, _ = _b64_int(jwk.get("n"))
    e, _ = _b64_int(jwk.get("e"))
    if n.bit_length() < MIN_RSA_BITS or e < 3 or e % 2 == 0:
        raise JwkInvalidError("RSA key too small or bad exponent")
    try:
        return RSAPublicNumbers(e, n).public_key()
    except ValueError:
        raise JwkInvalidError("RSA key rejected") from None


def is_emulator_key(jwk: Mapping[str, Any]) -> bool:
    """Tell whether a JWK is the emulator's publicly known signing key."""
    try:
        _, modulus = _b64_int(jwk.get("n"))
    except TokenError:
        return False
    return hashlib.sha256(modulus).hexdigest() in EMULATOR_KEY_FINGERPRINTS


def parse_jwks(
    document: object, previous: Mapping[str, KeyEntry], *, production: bool
) -> dict[str, KeyEntry]:
    """Turn a JWKS document into entries by kid, reusing key objects of unchanged JWKs."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("not a JWKS document")  # noqa: TRY004  # a bad document, as bad JSON
    entries: dict[str, KeyEntry] = {}
    duplicates: set[str] = set()
    for jwk in document["keys"]:
        if not isinstance(jwk, dict) or type(jwk.get("kid")) is not str:
            continue
        kid = jwk["kid"]
        if production and is_emulator_key(jwk):
            raise JwksRefusedError("the JWKS holds the emulator's publicly known key")
        if kid in entries:
            duplicates.add(kid)
            continue
        old = previous.get(kid)
        if old is not None and old.jwk == jwk:
            entries[kid] = old
            continue
        try:
            entries[kid] = KeyEntry(jwk=jwk, key=_build_key(jwk))
        except TokenError as exc:
            entries[kid] = KeyEntry(jwk=jwk, key=None, error=exc)
    for kid in duplicates:
        # Two keys under one kid: no way to tell which one the issuer meant.
        entries[kid] = KeyEntry(
            jwk=entries[kid].jwk, key=None, error=JwkInvalidError("duplicate kid")
        )
    return entries


class JwksCache:
    """Signing keys by kid, from a static document or fetched (single-flight) from a URL."""

    def __init__(
        self,
        *,
        url: str = "",
        http_client: httpx.Client | None = None,
        static_document: object = None,
        fetch_timeout: float = 3.0,
        cooldown: float = 10.0,
        max_age: float = 86_400.0,
        production: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._url = url
        self._client = http_client
        self._timeout = fetch_timeout
        self._cooldown = cooldown
        self._max_age = max_age
        self._production = production
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, KeyEntry] = {}
        self._keys: dict[str, RSAPublicKey] = {}
        self._fetched_at = float("-inf")
        self._fresh_until = float("-inf")
        self._last_attempt = float("-inf")
        self._last_attempt_ok = True
        self._failure: type[KeysUnavailableError] = KeysUnavailableError
        self._generation = 0
        self._static = static_document is not None
        self.fetch_count = 0
        if self._static:
            self._install(parse_jwks(static_document, {}, production=production))
        elif not url or http_client is None:
            raise ValueError("a JWKS URL and an HTTP client are needed when no JWKS is given")

    @property
    def kids(self) -> tuple[str, ...]:
        """Key ids currently held."""
        return tuple(self._entries)

    def lookup(self, kid: str) -> RSAPublicKey | None:
        """Return the key for kid if held and fresh; raise if its JWK is refused; else None."""
        if self._static or self._clock() < self._fresh_until:
            key = self._keys.get(kid)
            if key is not None:
                return key
            entry = self._entries.get(kid)
            if entry is not None:
                entry.usable_key()  # raises the reason this JWK is refused
        return None

    def _install(self, entries: dict[str, KeyEntry]) -> None:
        # Replaced whole, never mutated: readers on other threads see the old or the new set.
        self._keys = {kid: entry.key for kid, entry in entries.items() if entry.key is not None}
        self._entries = entries

    def _refusal(self, kid: str) -> Exception | None:
        """The error to raise at once for a missing kid, or None when a fetch may help."""
        if self._static:
            return KidNotFoundError()
        if self._lock.locked():
            return None  # a fetch is in flight: wait for it
        wait = self._cooldown - (self._clock() - self._last_attempt)
        if wait <= 0:
            return None
        return self._outcome_error(kid, wait)

    def _outcome_error(self, kid: str, wait: float) -> Exception:
        fresh = self._clock() - self._fetched_at < self._max_age
        if not self._last_attempt_ok or not fresh:
            return self._failure("signing keys unavailable", retry_after=max(1.0, wait))
        return KidNotFoundError()

    async def get_key(self, kid: str) -> RSAPublicKey:
        """Return the key for kid, fetching the JWKS (off the event loop) when that may help."""
        key = self.lookup(kid)
        if key is not None:
            return key
        refusal = self._refusal(kid)
        if refusal is not None:
            raise refusal
        return await asyncio.to_thread(self.resolve, kid)

    def resolve(self, kid: str) -> RSAPublicKey:
        """Blocking: fetch the JWKS unless a concurrent or recent fetch already answered."""
        generation = self._generation
        # Bounded wait: the fetch holding the lock is bounded by its timeouts.
        if not self._lock.acquire(timeout=2 * self._timeout + 1):
            raise KeysUnavailableError("signing keys fetch timed out", retry_after=1.0)
        try:
            key = self.lookup(kid)
            if key is not None:
                return key
            wait = self._cooldown - (self._clock() - self._last_attempt)
            # Fetch only if nobody fetched while we waited and the cool-down allows it.
            if self._generation == generation and wait <= 0:
                self._refresh_locked()
                key = self.lookup(kid)
                if key is not None:
                    return key
                wait = self._cooldown
            raise self._outcome_error(kid, wait)
        finally:
            self._lock.release()

    def prefetch(self) -> None:
        """Blocking: fetch the JWKS now unless static (raises KeysUnavailableError on failure)."""
        if self._static:
            return
        with self._lock:
            self._refresh_locked()
        if not self._last_attempt_ok:
            raise self._failure("signing keys prefetch failed")

    def _refresh_locked(self) -> None:
        self._last_attempt = self._clock()
        self._generation += 1
        try:
            entries = self._download()
        except JwksRefusedError:
            self._last_attempt_ok = False
            self._failure = JwksRefusedError
            # The reason is the whole message; a traceback adds nothing.
            logger.error("JWKS refused: it holds the emulator's publicly known key")  # noqa: TRY400
            return
        except (httpx.HTTPError, ValueError, RecursionError) as exc:
            # Keep the keys we have: a JWKS outage must not take down verification. (A JWKS
            # nested too deep for the parser is as unusable as one that is not JSON.)
            self._last_attempt_ok = False
            self._failure = KeysUnavailableError
            logger.warning("JWKS fetch failed: %s", type(exc).__name__)
            return
        self._install(entries)
        self._fetched_at = self._clock()
        self._fresh_until = self._fetched_at + self._max_age
        self._last_attempt_ok = True
        logger.info("JWKS fetched: %d keys", len(entries))

    def _download(self) -> dict[str, KeyEntry]:
        assert self._client is not None  # checked in __init__
        for attempt in (1, 2):
            self.fetch_count += 1
            try:
                document = self._download_once(self._client)
                return parse_jwks(document, self._entries, production=self._production)
            except (httpx.HTTPError, ValueError, RecursionError):
                if attempt == 2:
                    raise
        raise AssertionError  # pragma: no cover

    def _download_once(self, client: httpx.Client) -> object:
        with client.stream(
            "GET", self._url, timeout=self._timeout, headers={"Accept": "application/json"}
        ) as response:
            if response.status_code != 200:
                raise ValueError(f"JWKS answered HTTP {response.status_code}")
            body = bytearray()
            for chunk in response.iter_bytes():
                body += chunk
                if len(body) > MAX_JWKS_BYTES:
                    raise ValueError("JWKS too large")
        return json.loads(body)
