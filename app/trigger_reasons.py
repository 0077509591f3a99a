"""The reasons our Cognito triggers give for refusing, recognised in Cognito's wrapped error text.

A copy of triggers/reasons.py: the two are deployed as separate functions, and the API's package
holds app/ only. tests/api/test_trigger_rejections.py fails when the two lists or parsers drift
apart.
"""

from __future__ import annotations

import re
from typing import Final

EMAIL_DOMAIN_NOT_ALLOWED: Final = "EMAIL_DOMAIN_NOT_ALLOWED"  # PreSignUp: domain not allow-listed
USER_BLOCKED: Final = "USER_BLOCKED"  # PreAuthentication: user on the deny list
CHALLENGE_DELIVERY_FAILED: Final = "CHALLENGE_DELIVERY_FAILED"  # CreateAuthChallenge: code unsent

REASONS: Final = frozenset({EMAIL_DOMAIN_NOT_ALLOWED, USER_BLOCKED, CHALLENGE_DELIVERY_FAILED})

# The API's ErrorCode value for each reason. An unsent sign-in code is not the user's fault:
# the service is degraded and a retry may succeed.
ERROR_CODE_BY_REASON: Final = {
    EMAIL_DOMAIN_NOT_ALLOWED: "EMAIL_DOMAIN_NOT_ALLOWED",
    USER_BLOCKED: "USER_BLOCKED",
    CHALLENGE_DELIVERY_FAILED: "SERVICE_UNAVAILABLE",
}

# Cognito reports a raising trigger as UserLambdaValidationException with the message
# "<Trigger> failed with error <exception message>.", e.g.
# "PreAuthentication failed with error USER_BLOCKED."
_WRAPPED: Final = re.compile(r"failed with error (?P<reason>[A-Z][A-Z0-9_]*)\.?\s*$")


def parse_rejection(cognito_message: str) -> str | None:
    """Return the reason token inside Cognito's wrapped trigger error, or None if it is not ours."""
    text = cognito_message.strip()
    if text in REASONS:
        return text
    match = _WRAPPED.search(text)
    if match is not None and match.group("reason") in REASONS:
        return match.group("reason")
    return None


def reason_code(cognito_message: str) -> str | None:
    """The ErrorCode value for a trigger rejection in Cognito's message, or None if not ours."""
    reason = parse_rejection(cognito_message)
    return ERROR_CODE_BY_REASON[reason] if reason is not None else None
