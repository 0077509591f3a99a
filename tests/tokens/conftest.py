"""Fixtures of the token tests: keys generated once per session, a JWKS endpoint, a verifier."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec

from app.tokens.verifier import TokenVerifier

from .factory import Clock, JwksEndpoint, KeyPair, make_verifier


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="session")
def key() -> KeyPair:
    return KeyPair.generate("key-1")


@pytest.fixture(scope="session")
def other_key() -> KeyPair:
    """A second key, used by attackers and by rotation."""
    return KeyPair.generate("key-2")


@pytest.fixture(scope="session")
def weak_key() -> KeyPair:
    return KeyPair.generate("weak", bits=1024)


@pytest.fixture(scope="session")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="session")
def jwks_document(key: KeyPair, other_key: KeyPair, weak_key: KeyPair) -> dict[str, Any]:
    """The pool's JWKS plus keys that must never verify anything."""
    return {
        "keys": [
            key.jwk(),
            other_key.jwk(kid="ec-kid", kty="EC"),
            other_key.jwk(kid="enc-kid", use="enc"),
            other_key.jwk(kid="rs512-kid", alg="RS512"),
            other_key.jwk(kid="no-alg-kid", alg=None),
            weak_key.jwk(),
        ]
    }


@pytest.fixture
def endpoint(jwks_document: dict[str, Any]) -> JwksEndpoint:
    return JwksEndpoint(document=jwks_document)


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def monotonic() -> Clock:
    return Clock(1000.0)


@pytest.fixture
def verifier(endpoint: JwksEndpoint, clock: Clock, monotonic: Clock) -> Iterator[TokenVerifier]:
    built = make_verifier(endpoint, clock=clock, monotonic=monotonic)
    yield built
    built.close()
