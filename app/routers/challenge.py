"""Answering the challenges of a sign-in: POST /auth/challenge and the MFA_SETUP enrolment."""

from __future__ import annotations

from fastapi import APIRouter

from app.client_context import UserContextDep
from app.deps import GatewayDep, SettingsDep
from app.errors import ApiError, ErrorCode, error_responses
from app.password_policy import enforce_policy
from app.routers.next_step import sign_in_answer
from app.schemas import ChallengeIn, ChallengeOut, MfaSetupIn, MfaSetupOut, SignInOut, TokensOut
from app.sign_in_metadata import SignInMetadataDep
from app.totp_uri import otpauth_uri

E = ErrorCode
_UNAVAILABLE = (E.TOO_MANY_REQUESTS, E.SERVICE_UNAVAILABLE, E.UPSTREAM_ERROR)

router = APIRouter(prefix="/auth", tags=["auth"])

MFA_SETUP_DEVICE_NAME = "Authenticator"
_CODE_KEYS = {
    "SMS_MFA": "SMS_MFA_CODE",
    "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
    "EMAIL_OTP": "EMAIL_OTP_CODE",
}


@router.post(
    "/challenge",
    response_model=SignInOut,
    responses=error_responses(
        E.CHALLENGE_SESSION_INVALID,
        E.CHALLENGE_ANSWER_MISSING,
        E.INVALID_CODE,
        E.PASSWORD_POLICY,
        E.INVALID_PARAMETER,
        *_UNAVAILABLE,
    ),
)
def answer_challenge(
    body: ChallengeIn,
    gateway: GatewayDep,
    settings: SettingsDep,
    context: UserContextDep,
    metadata: SignInMetadataDep,
) -> TokensOut | ChallengeOut:
    """Answer the challenge in `next_step`: tokens, or the next step.

    MFA_SETUP: first POST /auth/challenge/mfa-setup, then send `code` (from the authenticator app)
    with the session that call returned.
    """
    answers = _challenge_answers(body, settings)
    session = body.session
    if body.challenge_name == "MFA_SETUP":
        # AWS's order: VerifySoftwareToken with the session proves the new authenticator, and
        # the session it returns answers MFA_SETUP.
        session = gateway.verify_totp_for_challenge(
            body.session, str(body.code), MFA_SETUP_DEVICE_NAME
        )
    outcome = gateway.respond_to_challenge(
        body.challenge_name, session, body.username, answers, context, metadata
    )
    return sign_in_answer(outcome)


@router.post(
    "/challenge/mfa-setup",
    responses=error_responses(E.CHALLENGE_SESSION_INVALID, *_UNAVAILABLE),
)
def start_mfa_setup(body: MfaSetupIn, gateway: GatewayDep) -> MfaSetupOut:
    """MFA_SETUP: a new authenticator-app secret for the user signing in, and the next session."""
    secret, session = gateway.associate_totp_for_challenge(body.session)
    account = body.account_name or body.username
    return MfaSetupOut(secret=secret, otpauth_uri=otpauth_uri(secret, account), session=session)


def _challenge_answers(body: ChallengeIn, settings: SettingsDep) -> dict[str, str]:
    name = body.challenge_name
    if name == "NEW_PASSWORD_REQUIRED":
        if body.new_password is None:
            raise ApiError(ErrorCode.CHALLENGE_ANSWER_MISSING)
        enforce_policy(body.new_password, settings, "new_password")
        answers = {"NEW_PASSWORD": body.new_password}
        answers |= {f"userAttributes.{k}": v for k, v in body.attributes.items()}
        return answers
    if name in _CODE_KEYS:
        if body.code is None:
            raise ApiError(ErrorCode.CHALLENGE_ANSWER_MISSING)
        return {_CODE_KEYS[name]: body.code}
    if name == "SELECT_MFA_TYPE":
        if body.mfa_type is None:
            raise ApiError(ErrorCode.CHALLENGE_ANSWER_MISSING)
        return {"ANSWER": body.mfa_type}
    if name == "CUSTOM_CHALLENGE":
        if body.answer is None:
            raise ApiError(ErrorCode.CHALLENGE_ANSWER_MISSING)
        return {"ANSWER": body.answer}
    if name == "MFA_SETUP":
        if body.code is None:
            raise ApiError(ErrorCode.CHALLENGE_ANSWER_MISSING)
        return {}  # the code goes to VerifySoftwareToken; MFA_SETUP itself takes USERNAME only
    raise ApiError(ErrorCode.INVALID_PARAMETER)
