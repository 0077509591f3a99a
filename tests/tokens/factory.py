"""In-test keys, JWKS documents, token minting and a counting JWKS transport."""

from __future__ import annotations

import base64
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from app.tokens.jwks import JwksCache
from app.tokens.verifier import TokenVerifier

REGION = "eu-west-1"
POOL_ID = "eu-west-1_TestPool1"
ISSUER = f"https://cognito-idp.{REGION}.amazonaws.com/{POOL_ID}"
JWKS_URL = f"{ISSUER}/.well-known/jwks.json"
CLIENT_ID = "client1abc"
OTHER_CLIENT_ID = "client2xyz"
NOW = 1_800_000_000.0


def b64(data: bytes) -> str:
    """Unpadded base64url."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def segment(value: dict[str, Any] | list[Any] | bytes | str) -> str:
    """Encode a JOSE segment from a JSON value, raw bytes, or raw JSON text."""
    if isinstance(value, bytes):
        return b64(value)
    if isinstance(value, str):
        return b64(value.encode())
    return b64(json.dumps(value, separators=(",", ":")).encode())


@dataclass
class KeyPair:
    """An RSA signing key with its kid."""

    kid: str
    private: rsa.RSAPrivateKey

    @classmethod
    def generate(cls, kid: str, bits: int = 2048) -> KeyPair:
        """A fresh key (in-test only)."""
        return cls(kid, rsa.generate_private_key(public_exponent=65537, key_size=bits))

    def jwk(self, **overrides: Any) -> dict[str, Any]:
        """The public JWK as Cognito publishes it, with optional overrides (None removes)."""
        numbers = self.private.public_key().public_numbers()
        jwk: dict[str, Any] = {
            "alg": "RS256",
            "e": b64(numbers.e.to_bytes((numbers.e.bit_length() + 7) // 8, "big")),
            "kid": self.kid,
            "kty": "RSA",
            "n": b64(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
            "use": "sig",
        }
        for name, value in overrides.items():
            if value is None:
                jwk.pop(name, None)
            else:
                jwk[name] = value
        return jwk

    def rs_sign(self, signing_input: bytes, hash_alg: hashes.HashAlgorithm | None = None) -> str:
        """PKCS#1 v1.5 signature over the signing input (SHA-256 unless told)."""
        signature = self.private.sign(
            signing_input, padding.PKCS1v15(), hash_alg or hashes.SHA256()
        )
        return b64(signature)

    def token(
        self,
        payload: dict[str, Any] | list[Any] | bytes | str,
        header: dict[str, Any] | None = None,
        **header_extra: Any,
    ) -> str:
        """A compact JWS signed with RS256 over the given header and payload."""
        head = header if header is not None else {"kid": self.kid, "alg": "RS256"}
        head = {**head, **header_extra}
        signing_input = f"{segment(head)}.{segment(payload)}"
        return f"{signing_input}.{self.rs_sign(signing_input.encode())}"


def access_payload(now: float = NOW, **overrides: Any) -> dict[str, Any]:
    """Claims shaped like a Cognito access token (None removes a claim)."""
    payload: dict[str, Any] = {
        "sub": "7d8ca528-4931-4254-9273-ea5ee853f271",
        "cognito:groups": ["admins", "staff"],
        "iss": ISSUER,
        "client_id": CLIENT_ID,
        "origin_jti": "a0b4c4f4-1111-4c1b-9a4e-6b7f1e0c8a01",
        "event_id": "4d3e4f5a-2222-4c1b-9a4e-6b7f1e0c8a02",
        "token_use": "access",
        "scope": "aws.cognito.signin.user.admin",
        "auth_time": int(now) - 10,
        "exp": int(now) + 3600,
        "iat": int(now) - 10,
        "jti": "f1e2d3c4-3333-4c1b-9a4e-6b7f1e0c8a03",
        "username": "7d8ca528-4931-4254-9273-ea5ee853f271",
    }
    return _apply(payload, overrides)


def id_payload(now: float = NOW, **overrides: Any) -> dict[str, Any]:
    """Claims shaped like a Cognito ID token (None removes a claim)."""
    payload: dict[str, Any] = {
        "sub": "7d8ca528-4931-4254-9273-ea5ee853f271",
        "cognito:groups": ["admins"],
        "email_verified": True,
        "iss": ISSUER,
        "cognito:username": "7d8ca528-4931-4254-9273-ea5ee853f271",
        "given_name": "Ada",
        "family_name": "Lovelace",
        "origin_jti": "a0b4c4f4-1111-4c1b-9a4e-6b7f1e0c8a01",
        "aud": CLIENT_ID,
        "event_id": "4d3e4f5a-2222-4c1b-9a4e-6b7f1e0c8a02",
        "token_use": "id",
        "auth_time": int(now) - 10,
        "exp": int(now) + 3600,
        "iat": int(now) - 10,
        "jti": "b1e2d3c4-4444-4c1b-9a4e-6b7f1e0c8a04",
        "email": "ada@example.com",
    }
    return _apply(payload, overrides)


def _apply(payload: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    for name, value in overrides.items():
        key = name.replace("__", ":")
        if value is None:
            payload.pop(key, None)
        else:
            payload[key] = value
    return payload


class Clock:
    """A settable clock for wall time and monotonic time."""

    def __init__(self, now: float = NOW) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@dataclass
class JwksEndpoint:
    """A JWKS served through httpx.MockTransport, counting requests; can fail or stall."""

    document: dict[str, Any]
    status: int = 200
    error: Exception | None = None
    delay: float = 0.0
    requests: int = 0
    gate: threading.Event | None = None
    on_request: Callable[[int], None] | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def handler(self, request: httpx.Request) -> httpx.Response:
        """Answer one JWKS request."""
        with self._lock:
            self.requests += 1
            count = self.requests
        if self.on_request is not None:
            self.on_request(count)
        if self.gate is not None:
            self.gate.wait(5)
        if self.delay:
            time.sleep(self.delay)
        if self.error is not None:
            raise self.error
        return httpx.Response(self.status, json=self.document)

    def client(self) -> httpx.Client:
        """A sync client whose every request reaches this endpoint."""
        return httpx.Client(transport=httpx.MockTransport(self.handler))


def make_verifier(
    endpoint: JwksEndpoint | None = None,
    *,
    static: dict[str, Any] | None = None,
    clock: Clock | None = None,
    monotonic: Clock | None = None,
    cooldown: float = 10.0,
    max_age: float = 86_400.0,
    fetch_timeout: float = 3.0,
    production: bool = False,
    **options: Any,
) -> TokenVerifier:
    """A verifier for ISSUER and CLIENT_ID over an endpoint or a static JWKS."""
    client = None if endpoint is None else endpoint.client()
    jwks = JwksCache(
        url=JWKS_URL,
        http_client=client,
        static_document=static,
        fetch_timeout=fetch_timeout,
        cooldown=cooldown,
        max_age=max_age,
        production=production,
        clock=monotonic or Clock(1000.0),
    )
    return TokenVerifier(
        issuer=ISSUER,
        client_ids=(CLIENT_ID, OTHER_CLIENT_ID),
        jwks=jwks,
        clock=clock or Clock(),
        owned_client=client,
        **options,
    )
