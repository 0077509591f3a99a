"""Shared helpers of the benchmarks: keys, Cognito-shaped tokens, a loop-free coroutine runner."""

from __future__ import annotations

import base64
import json
import os
import shutil
import socket
import statistics
import time
import uuid
from collections.abc import Coroutine
from pathlib import Path
from typing import Any, TypeVar

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

T = TypeVar("T")
ROOT = Path(__file__).resolve().parent.parent
POOL_ID = "eu-west-1_BenchPool1"
ISSUER = f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL_ID}"
CLIENT_ID = "benchclient0123456789abcd"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


class Signer:
    """An RSA-2048 key publishing a Cognito-style JWK and minting Cognito-shaped tokens."""

    def __init__(self, kid: str = "bench-kid-1") -> None:
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def jwk(self) -> dict[str, Any]:
        numbers = self.private.public_key().public_numbers()
        return {
            "alg": "RS256",
            "e": b64(numbers.e.to_bytes(3, "big")),
            "kid": self.kid,
            "kty": "RSA",
            "n": b64(numbers.n.to_bytes(256, "big")),
            "use": "sig",
        }

    def access_token(self, *, kid: str | None = None, lifetime: int = 3600) -> str:
        """An access token as Cognito issues it: compact JSON, its claims in Cognito's order."""
        now = int(time.time())
        sub = str(uuid.uuid4())
        payload = {
            "sub": sub,
            "cognito:groups": ["members"],
            "iss": ISSUER,
            "version": 2,
            "client_id": CLIENT_ID,
            "origin_jti": str(uuid.uuid4()),
            "event_id": str(uuid.uuid4()),
            "token_use": "access",
            "scope": "aws.cognito.signin.user.admin",
            "auth_time": now,
            "exp": now + lifetime,
            "iat": now,
            "jti": str(uuid.uuid4()),
            "username": sub,
        }
        header = {"kid": kid or self.kid, "alg": "RS256"}
        signing_input = f"{b64(_compact(header))}.{b64(_compact(payload))}"
        signature = self.private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return f"{signing_input}.{b64(signature)}"


def _compact(value: dict[str, Any]) -> bytes:
    return json.dumps(value, separators=(",", ":")).encode()


def run(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends, without an event loop (pure CPU cost)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        result: T = done.value
        return result
    coroutine.close()
    raise RuntimeError("the coroutine suspended: it was not a pure CPU path")


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.2f}, min {min(values):.2f}, max {max(values):.2f}"


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def pinned(cpu: int) -> list[str]:
    """A taskset prefix keeping a process on one core (server and load apart on 2 cores)."""
    if shutil.which("taskset") and (os.cpu_count() or 1) >= 2:
        return ["taskset", "-c", str(cpu)]
    return []
