"""Reason tokens with which triggers refuse an operation, and their recognition in Cognito's errors.

Dependency-free on purpose: the API keeps a copy of ``REASONS`` and ``parse_rejection`` (it cannot
import this package) and a test there checks that both lists agree.
"""

from __future__ import annotations

import re
from typing import Final

EMAIL_DOMAIN_NOT_ALLOWED: Final = "EMAIL_DOMAIN_NOT_ALLOWED"  # PreSignUp: domain not allow-listed
USER_BLOCKED: Final = "USER_BLOCKED"  # PreAuthentication: user on the deny list
CHALLENGE_DELIVERY_FAILED: Final = "CHALLENGE_DELIVERY_FAILED"  # CreateAuthChallenge: code unsent

REASONS: Final = frozenset({EMAIL_DOMAIN_NOT_ALLOWED, USER_BLOCKED, CHALLENGE_DELIVERY_FAILED})

# Cognito reports a raising trigger as UserLambdaValidationException with the message
# "<Trigger> failed with error <exception message>.", e.g.
# "PreAuthentication failed with error USER_BLOCKED."
_WRAPPED: Final = re.compile(r"failed with error (?P<reason>[A-Z][A-Z0-9_]*)\.?\s*$")


class TriggerRejection(Exception):  # noqa: N818  # it is a refusal, not an error of the trigger
    """Raised by a trigger to refuse the operation; the message is exactly one reason token."""

    def __init__(self, reason: str) -> None:
        if reason not in REASONS:
            raise ValueError(f"unknown rejection reason {reason!r}")
        super().__init__(reason)
        self.reason = reason


def parse_rejection(cognito_message: str) -> str | None:
    """Return the reason token inside Cognito's wrapped trigger error, or None if it is not ours."""
    text = cognito_message.strip()
    if text in REASONS:
        return text
    match = _WRAPPED.search(text)
    if match is not None and match.group("reason") in REASONS:
        return match.group("reason")
    return None
