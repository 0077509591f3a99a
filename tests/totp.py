"""RFC 6238 TOTP codes, as an authenticator app computes them (for tests)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct
import time


def totp(secret_base32: str, at: float | None = None, step: int = 30, digits: int = 6) -> str:
    """The code an authenticator app shows for `secret_base32` at time `at`."""
    key = base64.b32decode(secret_base32 + "=" * (-len(secret_base32) % 8), casefold=True)
    counter = int((time.time() if at is None else at) // step)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 10**digits:0{digits}d}"
