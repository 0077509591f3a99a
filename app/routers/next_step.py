"""The answer to a sign-in or a challenge: tokens, or the typed next step and what it needs."""

from __future__ import annotations

import json
import logging
from typing import cast, get_args

from jose import jwt

from app.cognito.models import Challenge, Tokens
from app.errors import ApiError, ErrorCode
from app.schemas import ChallengeName, ChallengeOut, NextStep, TokensOut

logger = logging.getLogger("app.auth")

# What POST /auth/challenge needs for each challenge, and the Cognito response key it maps to.
EXPECTED: dict[str, list[str]] = {
    "NEW_PASSWORD_REQUIRED": ["new_password"],
    "SMS_MFA": ["code"],
    "SOFTWARE_TOKEN_MFA": ["code"],
    "EMAIL_OTP": ["code"],
    "SELECT_MFA_TYPE": ["mfa_type"],
    # After POST /auth/challenge/mfa-setup, with the session that returned.
    "MFA_SETUP": ["code"],
    "CUSTOM_CHALLENGE": ["answer"],
}
_KNOWN_CHALLENGES = frozenset(get_args(ChallengeName))
# Challenge parameters that are protocol internals, not for clients.
_PRIVATE_PARAMETERS = {"SECRET_BLOCK", "SRP_B", "SALT", "USER_ID_FOR_SRP", "USERNAME"}


def internal_username(access_token: str) -> str:
    """The `username` claim: the name REFRESH_TOKEN_AUTH's SECRET_HASH is computed over."""
    # Just issued by Cognito; the claim tells the client which username REFRESH_TOKEN_AUTH's
    # SECRET_HASH must be computed over (the UUID, not the email).
    return str(jwt.get_unverified_claims(access_token).get("username", ""))


def known_challenge(name: str) -> ChallengeName:
    """The challenge's name, if this API can describe it; UPSTREAM_ERROR otherwise."""
    if name not in _KNOWN_CHALLENGES:
        # A challenge this API cannot describe (DEVICE_SRP_AUTH, a new AWS one): the client
        # could not answer it, so it is Cognito's unexpected answer, not a 500 or a half step.
        logger.warning("unsupported challenge", extra={"challenge_name": name[:64]})
        raise ApiError(ErrorCode.UPSTREAM_ERROR)
    return cast(ChallengeName, name)


def sign_in_answer(outcome: Tokens | Challenge) -> TokensOut | ChallengeOut:
    """The answer to a sign-in or challenge: the tokens, or the next step and what it needs."""
    if isinstance(outcome, Tokens):
        if outcome.refresh_token is None:  # sign-in always returns one; refuse to pretend
            raise ApiError(ErrorCode.UPSTREAM_ERROR)
        return TokensOut(
            access_token=outcome.access_token,
            id_token=outcome.id_token,
            refresh_token=outcome.refresh_token,
            token_type=outcome.token_type,
            expires_in=outcome.expires_in,
            username=internal_username(outcome.access_token),
        )
    params = outcome.parameters
    required: list[str] = []
    if "requiredAttributes" in params:
        try:
            names = json.loads(params["requiredAttributes"])
        except ValueError:
            names = []
        required = [str(n).removeprefix("userAttributes.") for n in names]
    return ChallengeOut(
        next_step=NextStep(
            challenge_name=known_challenge(outcome.name),
            session=outcome.session,
            username=params.get("USER_ID_FOR_SRP") or params.get("USERNAME") or "",
            expected=EXPECTED.get(outcome.name, []) + (["attributes"] if required else []),
            required_attributes=required,
            parameters={
                k: v
                for k, v in params.items()
                if k not in _PRIVATE_PARAMETERS and k != "requiredAttributes"
            },
        )
    )
