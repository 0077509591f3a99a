"""One-time codes as AWS issues them: random, checked, single-use, expiring."""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from enum import Enum

# AWS: sign-up confirmation codes last 24 hours, password-reset codes 1 hour.
LIFETIME_SECONDS = {"signup": 24 * 3600.0, "forgot_password": 3600.0, "attribute": 24 * 3600.0}
# AWS stops checking codes after a handful of wrong ones (LimitExceededException, "Attempt limit
# exceeded, please try after some time"): a six-digit code is otherwise guessable. Here the
# lockout lasts until a new code is sent.
MAX_FAILED_ATTEMPTS = 5


class CodeCheck(Enum):
    """The outcome of checking a code."""

    OK = "ok"
    MISMATCH = "mismatch"
    EXPIRED = "expired"
    LIMIT_EXCEEDED = "limit_exceeded"


@dataclass(slots=True)
class _Issued:
    code: str
    expires_at: float
    failures: int = 0


class CodeBook:
    """Codes per (pool, user, purpose); issuing a new one replaces the old."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._codes: dict[tuple[str, str, str], _Issued] = {}
        self.now = time.time

    def issue(self, pool_id: str, user_id: str, purpose: str) -> str:
        """Make a new six-digit code for a user and purpose."""
        with self._lock:
            previous = self._codes.get((pool_id, user_id, purpose))
            code = f"{secrets.randbelow(1_000_000):06d}"
            while previous is not None and code == previous.code:
                # A resend must visibly replace the old code, so tests can tell them apart.
                code = f"{secrets.randbelow(1_000_000):06d}"
            self._codes[(pool_id, user_id, purpose)] = _Issued(
                code, self.now() + LIFETIME_SECONDS[purpose]
            )
        return code

    def consume(self, pool_id: str, user_id: str, purpose: str, code: str) -> CodeCheck:
        """Check a code; a correct one is used up, and too many wrong ones lock it."""
        key = (pool_id, user_id, purpose)
        with self._lock:
            issued = self._codes.get(key)
            if issued is None:
                return CodeCheck.MISMATCH
            if issued.failures >= MAX_FAILED_ATTEMPTS:
                return CodeCheck.LIMIT_EXCEEDED
            if not hmac.compare_digest(issued.code, code):
                issued.failures += 1
                return CodeCheck.MISMATCH
            if issued.expires_at < self.now():
                return CodeCheck.EXPIRED
            del self._codes[key]
            return CodeCheck.OK

    def expire_all(self) -> None:
        """Make every outstanding code expired (for tests of the expiry path)."""
        with self._lock:
            for issued in self._codes.values():
                issued.expires_at = 0.0
