"""The verified-token cache: bounded, one entry per exact token, time checks on every hit."""

from __future__ import annotations

import pytest

from app.tokens.cache import CacheEntry, TokenCache
from app.tokens.errors import (
    SignatureInvalidError,
    TokenExpiredError,
    TokenIssuedInFutureError,
    TokenNotYetValidError,
    TokenUseInvalidError,
)
from app.tokens.verifier import TokenVerifier

from .factory import NOW, Clock, JwksEndpoint, KeyPair, access_payload, id_payload, make_verifier

pytestmark = pytest.mark.anyio


async def test_a_hit_returns_the_cached_claims(verifier: TokenVerifier, key: KeyPair) -> None:
    token = key.token(access_payload())
    first = await verifier.verify_access(token)
    assert await verifier.verify_access(token) is first
    assert verifier.cached_tokens == 1


async def test_cache_disabled_with_size_zero(endpoint: JwksEndpoint, key: KeyPair) -> None:
    verifier = make_verifier(endpoint, cache_size=0)
    token = key.token(access_payload())
    first = await verifier.verify_access(token)
    second = await verifier.verify_access(token)
    verifier.close()
    assert first == second
    assert first is not second
    assert verifier.cached_tokens == 0


async def test_cache_is_bounded(endpoint: JwksEndpoint, key: KeyPair) -> None:
    verifier = make_verifier(endpoint, cache_size=5)
    tokens = [key.token(access_payload(jti=f"t-{index}")) for index in range(40)]
    for token in tokens:
        await verifier.verify_access(token)
    assert verifier.cached_tokens == 5
    kept = await verifier.verify_access(tokens[-1])
    assert await verifier.verify_access(tokens[-1]) is kept
    verifier.close()


def test_least_recently_used_is_evicted() -> None:
    cache: TokenCache[str] = TokenCache(2)
    cache.put(b"a", CacheEntry("A", 1.0, 0.0, 0.0, 0.0))
    cache.put(b"b", CacheEntry("B", 1.0, 0.0, 0.0, 0.0))
    assert cache.get(b"a") is not None  # "a" is now the most recent
    cache.put(b"c", CacheEntry("C", 1.0, 0.0, 0.0, 0.0))
    assert cache.get(b"b") is None
    assert [cache.get(k) is not None for k in (b"a", b"c")] == [True, True]


async def test_a_hit_repeats_the_expiry_check(
    verifier: TokenVerifier, key: KeyPair, clock: Clock
) -> None:
    token = key.token(access_payload(exp=int(NOW) + 60))
    await verifier.verify_access(token)
    clock.now = NOW + 61  # inside the 2 s leeway
    assert (await verifier.verify_access(token)).exp == int(NOW) + 60
    clock.now = NOW + 62
    with pytest.raises(TokenExpiredError):
        await verifier.verify_access(token)
    assert verifier.cached_tokens == 0


async def test_a_hit_repeats_the_not_before_checks(
    verifier: TokenVerifier, key: KeyPair, clock: Clock
) -> None:
    """A clock stepping backwards makes a cached token not yet valid again."""
    token = key.token(access_payload(nbf=int(NOW) - 5))
    await verifier.verify_access(token)
    clock.now = NOW - 60
    with pytest.raises(TokenNotYetValidError):
        await verifier.verify_access(token)
    without_nbf = key.token(access_payload(jti="no-nbf"))
    clock.now = NOW
    await verifier.verify_access(without_nbf)
    clock.now = NOW - 60
    with pytest.raises(TokenIssuedInFutureError):
        await verifier.verify_access(without_nbf)


async def test_leeway_applies_to_expiry(endpoint: JwksEndpoint, key: KeyPair) -> None:
    verifier = make_verifier(endpoint, leeway=0)
    with pytest.raises(TokenExpiredError):
        await verifier.verify_access(key.token(access_payload(exp=int(NOW))))
    lenient = make_verifier(endpoint, leeway=30)
    claims = await lenient.verify_access(key.token(access_payload(exp=int(NOW) - 29)))
    assert claims.exp == int(NOW) - 29
    verifier.close()
    lenient.close()


async def test_cache_never_serves_a_different_token(verifier: TokenVerifier, key: KeyPair) -> None:
    token = key.token(access_payload())
    await verifier.verify_access(token)
    header, _, signature = token.split(".")
    forged = key.token(access_payload(sub="intruder")).split(".")[1]
    with pytest.raises(SignatureInvalidError):
        await verifier.verify_access(f"{header}.{forged}.{signature}")


async def test_same_signed_part_with_another_signature_is_not_a_hit(
    verifier: TokenVerifier, key: KeyPair
) -> None:
    """The key is the digest of header.payload; the signature must match the cached one too."""
    token = key.token(access_payload())
    cached = await verifier.verify_access(token)
    signed_part = token.rsplit(".", 1)[0]
    for signature in (key.rs_sign(b"another message"), "AAAA", token.rsplit(".", 1)[1][:-4]):
        with pytest.raises(SignatureInvalidError):
            await verifier.verify_access(f"{signed_part}.{signature}")
    assert await verifier.verify_access(token) is cached


async def test_cached_id_token_is_still_refused_as_access(
    verifier: TokenVerifier, key: KeyPair
) -> None:
    token = key.token(id_payload())
    assert (await verifier.verify_id(token)).email == "ada@example.com"
    with pytest.raises(TokenUseInvalidError):
        await verifier.verify_access(token)
    access = key.token(access_payload())
    await verifier.verify_access(access)
    with pytest.raises(TokenUseInvalidError):
        await verifier.verify_id(access)
