"""JWKS policy: prefetch, keys built once, cool-down, single flight, stale keys, max age."""

from __future__ import annotations

import asyncio
import gzip
import json
import logging
import socket
import threading
from collections.abc import Iterator
from importlib import resources
from typing import Any

import httpx
import pytest

from app.tokens.errors import (
    JwkInvalidError,
    JwksRefusedError,
    KeysUnavailableError,
    KidNotFoundError,
)
from app.tokens.jwks import JwksCache, is_emulator_key, parse_jwks
from app.tokens.verifier import TokenVerifier

from .factory import (
    CLIENT_ID,
    ISSUER,
    Clock,
    JwksEndpoint,
    KeyPair,
    access_payload,
    make_verifier,
)

pytestmark = pytest.mark.anyio


def _emulator_jwks() -> dict[str, Any]:
    blob = resources.files("moto.cognitoidp").joinpath("resources/jwks-public.json.gz")
    document: dict[str, Any] = json.loads(gzip.decompress(blob.read_bytes()))
    return document


async def test_prefetch_then_many_tokens_one_fetch(
    verifier: TokenVerifier, endpoint: JwksEndpoint, key: KeyPair
) -> None:
    await verifier.start()
    for index in range(20):
        claims = await verifier.verify_access(key.token(access_payload(jti=f"jti-{index}")))
        assert claims.jti == f"jti-{index}"
    assert endpoint.requests == 1


async def test_first_request_fetches_when_not_prefetched(
    verifier: TokenVerifier, endpoint: JwksEndpoint, key: KeyPair
) -> None:
    assert endpoint.requests == 0
    await verifier.verify_access(key.token(access_payload()))
    assert endpoint.requests == 1


async def test_key_objects_are_built_once_per_kid(
    verifier: TokenVerifier, endpoint: JwksEndpoint, key: KeyPair, monotonic: Clock
) -> None:
    await verifier.start()
    first = verifier.jwks.lookup(key.kid)
    monotonic.now += 11
    with pytest.raises(KidNotFoundError):
        await verifier.verify_access(key.token(access_payload(), {"alg": "RS256", "kid": "new"}))
    assert endpoint.requests == 2  # the unknown kid re-fetched an unchanged JWKS
    assert verifier.jwks.lookup(key.kid) is first


async def test_rotation_new_kid_fetched_after_cooldown(
    verifier: TokenVerifier, endpoint: JwksEndpoint, key: KeyPair, other_key: KeyPair,
    monotonic: Clock,
) -> None:  # fmt: skip
    await verifier.start()
    endpoint.document = {"keys": [key.jwk(), other_key.jwk()]}
    monotonic.now += 10
    claims = await verifier.verify_access(other_key.token(access_payload()))
    assert claims.sub == access_payload()["sub"]
    assert endpoint.requests == 2


async def test_unknown_kids_within_cooldown_do_not_fetch(
    verifier: TokenVerifier, endpoint: JwksEndpoint, key: KeyPair, monotonic: Clock
) -> None:
    await verifier.start()
    for index in range(30):
        header = {"alg": "RS256", "kid": f"random-{index}"}
        with pytest.raises(KidNotFoundError):
            await verifier.verify_access(key.token(access_payload(), header))
        monotonic.now += 0.3  # 9 s in all: still inside the 10 s window
    assert endpoint.requests == 1
    monotonic.now += 1.1
    with pytest.raises(KidNotFoundError):
        await verifier.verify_access(key.token(access_payload(), {"alg": "RS256", "kid": "late"}))
    assert endpoint.requests == 2


async def test_concurrent_misses_share_one_fetch(
    verifier: TokenVerifier, endpoint: JwksEndpoint, key: KeyPair
) -> None:
    endpoint.gate = threading.Event()
    tokens = [key.token(access_payload(jti=f"c-{index}")) for index in range(50)]
    tasks = [asyncio.ensure_future(verifier.verify_access(token)) for token in tokens]
    while endpoint.requests == 0:
        await asyncio.sleep(0.005)
    await asyncio.sleep(0.05)  # let every task reach the in-flight fetch
    endpoint.gate.set()
    results = await asyncio.gather(*tasks)
    assert [claims.jti for claims in results] == [f"c-{index}" for index in range(50)]
    assert endpoint.requests == 1


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 500},
        {"status": 404},
        {"status": 302},
        {"error": httpx.ConnectError("refused")},
        {"error": httpx.ReadTimeout("slow")},
        {"document": {"not": "a jwks"}},
    ],
    ids=["http-500", "http-404", "redirect", "connect-error", "timeout", "not-a-jwks"],
)
async def test_stale_keys_keep_serving_when_refetch_fails(
    verifier: TokenVerifier, endpoint: JwksEndpoint, key: KeyPair, monotonic: Clock,
    failure: dict[str, Any],
) -> None:  # fmt: skip
    await verifier.start()
    for name, value in failure.items():
        setattr(endpoint, name, value)
    monotonic.now += 11
    with pytest.raises(KeysUnavailableError) as caught:
        await verifier.verify_access(key.token(access_payload(), {"alg": "RS256", "kid": "new"}))
    assert caught.value.code == "JWKS_UNAVAILABLE"
    assert endpoint.requests == 3  # the prefetch, then one fetch and its retry
    claims = await verifier.verify_access(key.token(access_payload()))
    assert claims.client_id == access_payload()["client_id"]
    assert endpoint.requests == 3


async def test_max_age_forces_a_refetch(
    verifier: TokenVerifier, endpoint: JwksEndpoint, key: KeyPair, other_key: KeyPair,
    monotonic: Clock,
) -> None:  # fmt: skip
    await verifier.start()
    endpoint.document = {"keys": [other_key.jwk()]}  # key-1 withdrawn
    monotonic.now += 86_400
    with pytest.raises(KidNotFoundError):
        await verifier.verify_access(key.token(access_payload(jti="after-max-age")))
    assert endpoint.requests == 2
    assert verifier.jwks.kids == (other_key.kid,)


async def test_keys_past_max_age_are_not_served_when_refetch_fails(
    verifier: TokenVerifier, endpoint: JwksEndpoint, key: KeyPair, monotonic: Clock
) -> None:
    await verifier.start()
    endpoint.status = 503
    monotonic.now += 86_400
    with pytest.raises(KeysUnavailableError):
        await verifier.verify_access(key.token(access_payload(jti="stale")))


async def test_fetch_uses_the_configured_timeout(
    key: KeyPair, jwks_document: dict[str, Any]
) -> None:
    seen: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.extensions["timeout"])
        return httpx.Response(200, json=jwks_document)

    client = httpx.Client(transport=httpx.MockTransport(handler))
    cache = JwksCache(url="https://jwks.test/keys", http_client=client, fetch_timeout=1.5)
    cache.prefetch()
    client.close()
    assert seen == [{"connect": 1.5, "read": 1.5, "write": 1.5, "pool": 1.5}]


async def test_one_retry_after_a_failed_attempt(
    verifier: TokenVerifier, endpoint: JwksEndpoint, key: KeyPair
) -> None:
    def fail_first(count: int) -> None:
        endpoint.error = httpx.ReadTimeout("slow") if count == 1 else None

    endpoint.on_request = fail_first
    claims = await verifier.verify_access(key.token(access_payload()))
    assert claims.username == access_payload()["username"]
    assert endpoint.requests == 2


@pytest.fixture
def silent_server() -> Iterator[tuple[str, list[socket.socket]]]:
    """A loopback server that accepts connections and never answers."""
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                connection, _ = listener.accept()
            except OSError:
                return
            accepted.append(connection)

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}/jwks.json", accepted
    listener.close()
    for connection in accepted:
        connection.close()
    thread.join(2)


async def test_a_silent_jwks_server_times_out_twice_then_503(
    silent_server: tuple[str, list[socket.socket]], key: KeyPair
) -> None:
    url, accepted = silent_server
    client = httpx.Client()
    cache = JwksCache(url=url, http_client=client, fetch_timeout=0.2)
    verifier = TokenVerifier(
        issuer=access_payload()["iss"], client_ids=("client1abc",), jwks=cache, owned_client=client
    )
    with pytest.raises(KeysUnavailableError):
        await verifier.verify_access(key.token(access_payload()))
    verifier.close()
    assert len(accepted) == 2


async def test_prefetch_failure_is_logged_not_raised(
    key: KeyPair, jwks_document: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    endpoint = JwksEndpoint(document=jwks_document, error=httpx.ConnectError("down"))
    monotonic = Clock(1000.0)
    verifier = make_verifier(endpoint, monotonic=monotonic)
    with caplog.at_level(logging.WARNING, logger="app.tokens"):
        await verifier.start()
    assert "JWKS prefetch failed" in caplog.text
    endpoint.error = None
    monotonic.now += 10
    claims = await verifier.verify_access(key.token(access_payload()))
    verifier.close()
    assert claims.sub == access_payload()["sub"]
    assert endpoint.requests == 3


async def test_jwks_larger_than_a_mebibyte_is_refused(key: KeyPair) -> None:
    endpoint = JwksEndpoint(document={"keys": [key.jwk()], "padding": "x" * (1 << 20)})
    verifier = make_verifier(endpoint)
    with pytest.raises(KeysUnavailableError):
        await verifier.verify_access(key.token(access_payload()))
    verifier.close()


def test_duplicate_kid_is_refused(key: KeyPair, other_key: KeyPair) -> None:
    entries = parse_jwks({"keys": [key.jwk(), other_key.jwk(kid=key.kid)]}, {}, production=False)
    with pytest.raises(JwkInvalidError):
        entries[key.kid].usable_key()


@pytest.mark.parametrize(
    "overrides",
    [{"n": None}, {"e": None}, {"n": "***"}, {"e": "AAAC"}, {"n": 12345}],
    ids=["no-n", "no-e", "n-not-base64", "even-exponent", "n-not-string"],
)
def test_malformed_rsa_jwks_are_refused(key: KeyPair, overrides: dict[str, Any]) -> None:
    entries = parse_jwks({"keys": [key.jwk(**overrides)]}, {}, production=False)
    with pytest.raises(JwkInvalidError):
        entries[key.kid].usable_key()


def test_the_emulator_key_fingerprint_matches_moto() -> None:
    (jwk,) = _emulator_jwks()["keys"]
    assert is_emulator_key(jwk)


def test_emulator_key_refused_in_production_static() -> None:
    with pytest.raises(JwksRefusedError):
        JwksCache(static_document=_emulator_jwks(), production=True)
    assert JwksCache(static_document=_emulator_jwks(), production=False).kids == ("dummy",)


async def test_emulator_key_refused_in_production_fetched(key: KeyPair) -> None:
    document = {"keys": [key.jwk(), *_emulator_jwks()["keys"]]}
    verifier = make_verifier(JwksEndpoint(document=document), production=True)
    with pytest.raises(JwksRefusedError) as caught:
        await verifier.verify_access(key.token(access_payload()))
    verifier.close()
    assert caught.value.code == "JWKS_EMULATOR_KEY_REFUSED"


async def test_static_jwks_never_fetches(key: KeyPair, jwks_document: dict[str, Any]) -> None:
    verifier = make_verifier(static=jwks_document)
    await verifier.start()
    assert (await verifier.verify_access(key.token(access_payload()))).sub
    with pytest.raises(KidNotFoundError):
        await verifier.verify_access(key.token(access_payload(), {"alg": "RS256", "kid": "zz"}))


@pytest.mark.parametrize(
    "body",
    [b"[" * 50_000 + b"]" * 50_000, b'{"keys": [' + b"[" * 20_000, b"\xff\xfe", b"null"],
    ids=["nested-50000", "unclosed", "not-utf8", "null"],
)
async def test_unusable_jwks_body_is_a_keys_outage(body: bytes, key: KeyPair) -> None:
    """Whatever the JWKS URL answers, the verifier says 503, never 500."""
    requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, content=body)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        jwks = JwksCache(url="https://jwks.example/keys", http_client=client)
        verifier = TokenVerifier(issuer=ISSUER, client_ids=(CLIENT_ID,), jwks=jwks, clock=Clock())
        with pytest.raises(KeysUnavailableError):
            await verifier.verify_access(key.token(access_payload()))
    assert len(requests) == 2  # one fetch and its retry
