"""Cognito's SRP password check, the server's half, for the local CUSTOM_AUTH flow.

The arithmetic is the client's (app/cognito/srp.py, checked against pycognito); this side makes
the verifier from the user's password, answers SRP_A with B, and checks the client's signature.
"""

from __future__ import annotations

import base64
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass

from app.cognito.srp import G, K, N, claim_signature, password_x, scrambler, session_key


@dataclass(frozen=True, slots=True)
class SrpChallenge:
    """The server's half of one PASSWORD_VERIFIER challenge."""

    salt_hex: str
    small_b: int
    big_b: int
    verifier: int
    secret_block: str

    @classmethod
    def start(cls, pool_id: str, user_id: str, password: str | None) -> SrpChallenge:
        """Make B for the user's password; with no password (no such user) nothing can match."""
        salt_hex = secrets.token_hex(16)
        if password is None:
            verifier = secrets.randbelow(N - 2) + 2
        else:
            verifier = pow(G, password_x(pool_id, user_id, password, salt_hex), N)
        # A 256-bit secret exponent (RFC 5054 asks for at least that); a full-size one only slows
        # every sign-in down.
        small_b = secrets.randbits(256) | 1 << 255
        big_b = (K * verifier + pow(G, small_b, N)) % N
        block = base64.b64encode(secrets.token_bytes(64)).decode()
        return cls(salt_hex, small_b, big_b, verifier, block)

    def parameters(self, user_id: str) -> dict[str, str]:
        """The PASSWORD_VERIFIER ChallengeParameters."""
        return {
            "SALT": self.salt_hex,
            "SRP_B": f"{self.big_b:x}",
            "SECRET_BLOCK": self.secret_block,
            "USER_ID_FOR_SRP": user_id,
            "USERNAME": user_id,
        }

    def verify(self, pool_id: str, user_id: str, big_a: int, responses: Mapping[str, str]) -> bool:
        """True when the client's signature proves it knows the password."""
        block = str(responses.get("PASSWORD_CLAIM_SECRET_BLOCK", ""))
        if not hmac.compare_digest(block, self.secret_block):
            return False
        u = scrambler(big_a, self.big_b)
        if u == 0:
            return False
        shared = pow(big_a * pow(self.verifier, u, N), self.small_b, N)
        expected = claim_signature(
            session_key(shared, u), pool_id, user_id, block, str(responses.get("TIMESTAMP", ""))
        )
        return hmac.compare_digest(expected, str(responses.get("PASSWORD_CLAIM_SIGNATURE", "")))
