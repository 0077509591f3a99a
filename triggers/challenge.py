"""The emailed one-time code of the custom auth flow: generation, delivery, and checking.

The code travels in three places, none of them the client's: the email (through the SNS topic
``CHALLENGE_TOPIC_ARN``, whose subscriber sends it), ``privateChallengeParameters`` (read by the
verify trigger only) and ``challengeMetadata`` (``EMAIL_OTP:<code>``, which Cognito keeps in the
session for the next create trigger, so that a wrong answer re-asks for the same code instead of
mailing a new one). It is never logged.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from mypy_boto3_sns import SNSClient

CUSTOM_CHALLENGE: Final = "CUSTOM_CHALLENGE"
EMAIL_OTP: Final = "EMAIL_OTP"
CODE_KEY: Final = "code"
CODE_LENGTH: Final = 6
MAX_WRONG_ANSWERS: Final = 3
CODE_SUBJECT: Final = "Your sign-in code"

_METADATA_PREFIX: Final = f"{EMAIL_OTP}:"


def new_code() -> str:
    """A fresh uniformly random numeric code."""
    return f"{secrets.randbelow(10**CODE_LENGTH):0{CODE_LENGTH}d}"


def metadata_for(code: str) -> str:
    """The ``challengeMetadata`` that carries the code to the next create-challenge call."""
    return f"{_METADATA_PREFIX}{code}"


def code_from_metadata(metadata: str | None) -> str | None:
    """The code carried by our ``challengeMetadata``, or None."""
    if metadata and metadata.startswith(_METADATA_PREFIX):
        code = metadata.removeprefix(_METADATA_PREFIX)
        if len(code) == CODE_LENGTH and code.isdigit():
            return code
    return None


def mask_email(email: str) -> str:
    """Show where the code went without revealing the address: ``j***@example.com``."""
    local, at, domain = email.rpartition("@")
    if not at or not local:
        return "***"
    return f"{local[0]}***@{domain}"


def answer_matches(answer: object, code: str) -> bool:
    """Compare the user's answer with the code in constant time (surrounding spaces ignored)."""
    if not isinstance(answer, str) or not code:
        return False
    return hmac.compare_digest(answer.strip().encode(), code.encode())


def send_code(client: SNSClient, topic_arn: str, *, user_id: str, email: str, code: str) -> None:
    """Publish the code for emailing to the user."""
    client.publish(
        TopicArn=topic_arn,
        Subject=CODE_SUBJECT,
        Message=json.dumps(
            {"type": "sign_in_code", "userId": user_id, "email": email, "code": code}
        ),
        MessageAttributes={"type": {"DataType": "String", "StringValue": "sign_in_code"}},
    )
