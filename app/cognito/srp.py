"""The client side of Cognito's SRP password proof (USER_SRP_AUTH / CUSTOM_AUTH with SRP_A).

Cognito's variant of SRP-6a (3072-bit group, SHA-256, an HKDF-derived 16-byte key), as AWS's own
SDKs compute it (amazon-cognito-identity-js `AuthenticationHelper`, the Android and iOS SDKs). The
password never leaves the service: Cognito checks a signature made with the shared key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Final

_N_HEX: Final = (
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD129024E088A67CC74020BBEA63B139B22514A08798E3404DD"
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED"
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3DC2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F"
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B"
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9DE2BCBF6955817183995497CEA956AE515D2261898FA0510"
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7"
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6BF12FFA06D98A0864D87602733EC86A64521F2B18177B200C"
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB3143DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF"
)
N: Final = int(_N_HEX, 16)
G: Final = 2
_INFO: Final = b"Caldera Derived Key\x01"


class SrpError(ValueError):
    """Cognito's challenge parameters cannot be used (a B or u that would leak the password)."""


def pad_hex(value: int | str) -> str:
    """Hex with an even number of digits and a leading 00 when the top bit is set (as AWS pads)."""
    text = value if isinstance(value, str) else f"{value:x}"
    if len(text) % 2:
        text = f"0{text}"
    return f"00{text}" if text[0] in "89abcdefABCDEF" else text


def hash_hex(hex_text: str) -> str:
    """SHA-256 of the bytes a hex string spells, as 64 hex digits."""
    return hashlib.sha256(bytes.fromhex(hex_text)).hexdigest().rjust(64, "0")


K: Final = int(hash_hex(f"00{_N_HEX}0{G}"), 16)


def password_x(pool_id: str, user_id: str, password: str, salt_hex: str) -> int:
    """The private value x = H(salt | H(poolName | userId | ":" | password))."""
    identity = hashlib.sha256(f"{pool_id.split('_', 1)[1]}{user_id}:{password}".encode())
    return int(hash_hex(pad_hex(salt_hex) + identity.hexdigest().rjust(64, "0")), 16)


def scrambler(big_a: int, big_b: int) -> int:
    """The scrambling parameter u = H(A | B)."""
    return int(hash_hex(pad_hex(big_a) + pad_hex(big_b)), 16)


def session_key(shared: int, u: int) -> bytes:
    """Cognito's 16-byte HKDF of the shared secret S, salted with u."""
    prk = hmac.new(bytes.fromhex(pad_hex(f"{u:x}")), bytes.fromhex(pad_hex(shared)), "sha256")
    return hmac.new(prk.digest(), _INFO, "sha256").digest()[:16]


def claim_signature(
    key: bytes, pool_id: str, user_id: str, secret_block: str, timestamp: str
) -> str:
    """PASSWORD_CLAIM_SIGNATURE = base64(HMAC(key, poolName | userId | secretBlock | timestamp))."""
    message = (
        pool_id.split("_", 1)[1].encode()
        + user_id.encode()
        + base64.b64decode(secret_block)
        + timestamp.encode()
    )
    return base64.b64encode(hmac.new(key, message, "sha256").digest()).decode()


_DAYS: Final = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS: Final = (
    "Jan",
    "Feb",
    "Mar",
    "Apr",
    "May",
    "Jun",
    "Jul",
    "Aug",
    "Sep",
    "Oct",
    "Nov",
    "Dec",
)


def cognito_timestamp(now: datetime) -> str:
    """TIMESTAMP as Cognito expects it: `Tue Mar 3 09:05:07 UTC 2026` (day not zero-padded)."""
    # English names whatever the process locale (strftime's %a and %b follow LC_TIME).
    moment = now.astimezone(UTC)
    day, month = _DAYS[moment.weekday()], _MONTHS[moment.month - 1]
    return f"{day} {month} {moment.day} {moment:%H:%M:%S} UTC {moment.year}"


@dataclass(frozen=True, slots=True)
class SrpClient:
    """One sign-in's secret `a` and public `A`."""

    small_a: int = field(repr=False)  # the ephemeral secret
    big_a: int

    @classmethod
    def start(cls, small_a: int | None = None) -> SrpClient:
        """A fresh ephemeral key pair (`small_a` only for test vectors)."""
        a = small_a if small_a is not None else secrets.randbits(1024) | 1
        return cls(a, pow(G, a, N))

    @property
    def srp_a(self) -> str:
        """SRP_A for InitiateAuth's AuthParameters."""
        return f"{self.big_a:x}"

    def password_claim(
        self,
        *,
        pool_id: str,
        user_id_for_srp: str,
        password: str,
        salt_hex: str,
        srp_b_hex: str,
        secret_block: str,
        now: datetime,
    ) -> dict[str, str]:
        """The PASSWORD_VERIFIER ChallengeResponses (without USERNAME and SECRET_HASH).

        Raises:
            SrpError: B or u is zero modulo N (a hostile or broken server).
        """
        big_b = int(srp_b_hex, 16)
        if big_b % N == 0:
            raise SrpError("SRP_B is zero modulo N")
        u = scrambler(self.big_a, big_b)
        if u == 0:
            raise SrpError("u is zero")
        x = password_x(pool_id, user_id_for_srp, password, salt_hex)
        shared = pow(big_b - K * pow(G, x, N), self.small_a + u * x, N)
        timestamp = cognito_timestamp(now)
        signature = claim_signature(
            session_key(shared, u), pool_id, user_id_for_srp, secret_block, timestamp
        )
        return {
            "PASSWORD_CLAIM_SECRET_BLOCK": secret_block,
            "PASSWORD_CLAIM_SIGNATURE": signature,
            "TIMESTAMP": timestamp,
        }
