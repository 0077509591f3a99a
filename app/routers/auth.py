"""Registration, confirmation, sign-in and its challenges, refresh, password reset, sign-out."""

from __future__ import annotations

import json

from fastapi import APIRouter, Response, status
from jose import jwt
from starlette.concurrency import run_in_threadpool

from app.client_context import UserContextDep
from app.cognito.models import Challenge, CodeDelivery, Tokens
from app.deps import GatewayDep, SettingsDep, VerifierDep
from app.errors import ApiError, ErrorCode, error_responses
from app.password_policy import enforce_policy
from app.schemas import (
    AcceptedOut,
    ChallengeIn,
    ChallengeOut,
    CodeDeliveryOut,
    ConfirmIn,
    ForgotPasswordIn,
    NextStep,
    RefreshedTokensOut,
    RefreshIn,
    RegisterIn,
    RegisterOut,
    ResendCodeIn,
    ResendCodeOut,
    ResetPasswordIn,
    SignInIn,
    SignInOut,
    SignOutIn,
    TokensOut,
)
from app.tokens.deps import AccessToken

E = ErrorCode
_UNAVAILABLE = (E.TOO_MANY_REQUESTS, E.SERVICE_UNAVAILABLE, E.UPSTREAM_ERROR)
_TOKEN = (E.NOT_AUTHENTICATED, E.INVALID_TOKEN, E.TOKEN_KEYS_UNAVAILABLE)
RESET_ACCEPTED = "If an account with a verified email exists, a reset code was sent to it."

router = APIRouter(prefix="/auth", tags=["auth"])

# What POST /auth/challenge needs for each challenge, and the Cognito response key it maps to.
EXPECTED = {
    "NEW_PASSWORD_REQUIRED": ["new_password"],
    "SMS_MFA": ["code"],
    "SOFTWARE_TOKEN_MFA": ["code"],
    "EMAIL_OTP": ["code"],
    "SELECT_MFA_TYPE": ["mfa_type"],
    "MFA_SETUP": ["code"],
    "CUSTOM_CHALLENGE": ["answer"],
}
_CODE_KEYS = {
    "SMS_MFA": "SMS_MFA_CODE",
    "SOFTWARE_TOKEN_MFA": "SOFTWARE_TOKEN_MFA_CODE",
    "EMAIL_OTP": "EMAIL_OTP_CODE",
}
# Challenge parameters that are protocol internals, not for clients.
_PRIVATE_PARAMETERS = {"SECRET_BLOCK", "SRP_B", "SALT", "USER_ID_FOR_SRP", "USERNAME"}


def _delivery_out(delivery: CodeDelivery | None) -> CodeDeliveryOut | None:
    if delivery is None:
        return None
    return CodeDeliveryOut(
        destination=delivery.destination, medium=delivery.medium, attribute=delivery.attribute
    )


def _masked_email_delivery(email: str) -> CodeDeliveryOut:
    local, _, domain = email.partition("@")
    return CodeDeliveryOut(
        destination=f"{local[:1]}***@{domain[:1]}***", medium="EMAIL", attribute="email"
    )


def _internal_username(access_token: str) -> str:
    # Just issued by Cognito; the claim tells the client which username REFRESH_TOKEN_AUTH's
    # SECRET_HASH must be computed over (the UUID, not the email).
    return str(jwt.get_unverified_claims(access_token).get("username", ""))


def _sign_in_answer(outcome: Tokens | Challenge) -> TokensOut | ChallengeOut:
    if isinstance(outcome, Tokens):
        if outcome.refresh_token is None:  # sign-in always returns one; refuse to pretend
            raise ApiError(ErrorCode.UPSTREAM_ERROR)
        return TokensOut(
            access_token=outcome.access_token,
            id_token=outcome.id_token,
            refresh_token=outcome.refresh_token,
            token_type=outcome.token_type,
            expires_in=outcome.expires_in,
            username=_internal_username(outcome.access_token),
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
            challenge_name=outcome.name,
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


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        E.EMAIL_ALREADY_REGISTERED, E.PASSWORD_POLICY, E.INVALID_PARAMETER, *_UNAVAILABLE
    ),
)
def register(
    body: RegisterIn, gateway: GatewayDep, settings: SettingsDep, context: UserContextDep
) -> RegisterOut:
    """Create an account; Cognito emails a confirmation code unless a trigger auto-confirms."""
    enforce_policy(body.password, settings, "password")
    names = {"given_name": body.given_name, "family_name": body.family_name}
    result = gateway.sign_up(
        body.email, body.password, {k: v for k, v in names.items() if v is not None}, context
    )
    return RegisterOut(
        user_sub=result.user_sub,
        confirmed=result.confirmed,
        code_delivery=_delivery_out(result.delivery),
    )


@router.post(
    "/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(
        E.INVALID_CODE,
        E.CODE_EXPIRED,
        E.ALREADY_CONFIRMED,
        E.EMAIL_ALREADY_REGISTERED,
        *_UNAVAILABLE,
    ),
)
def confirm(body: ConfirmIn, gateway: GatewayDep, context: UserContextDep) -> Response:
    """Confirm an account with the emailed code."""
    gateway.confirm_sign_up(body.email, body.code, context)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/resend-code", responses=error_responses(*_UNAVAILABLE))
def resend_code(body: ResendCodeIn, gateway: GatewayDep, context: UserContextDep) -> ResendCodeOut:
    """Send a new confirmation code. The answer is the same whether or not the account exists."""
    try:
        gateway.resend_confirmation_code(body.email, context)
    except ApiError as exc:
        # A confirmed account must not be told apart from an unknown or unconfirmed one.
        if exc.code is not ErrorCode.ALREADY_CONFIRMED:
            raise
    return ResendCodeOut(code_delivery=_masked_email_delivery(body.email))


@router.post(
    "/signin",
    response_model=SignInOut,
    responses=error_responses(E.BAD_CREDENTIALS, E.USER_NOT_CONFIRMED, *_UNAVAILABLE),
)
def sign_in(
    body: SignInIn, gateway: GatewayDep, context: UserContextDep
) -> TokensOut | ChallengeOut:
    """Sign in with email and password: tokens, or the next step (a challenge to answer)."""
    return _sign_in_answer(gateway.sign_in_with_password(body.email, body.password, context))


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
    body: ChallengeIn, gateway: GatewayDep, settings: SettingsDep, context: UserContextDep
) -> TokensOut | ChallengeOut:
    """Answer the challenge in `next_step`: tokens, or the next step."""
    answers = _challenge_answers(body, settings)
    outcome = gateway.respond_to_challenge(
        body.challenge_name, body.session, body.username, answers, context
    )
    return _sign_in_answer(outcome)


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
    # MFA_SETUP needs an authenticator enrolled against the session first; this pool's MFA is
    # optional (users enrol while signed in, via /me/mfa), so Cognito never asks for it here.
    raise ApiError(ErrorCode.INVALID_PARAMETER)


@router.post(
    "/refresh",
    responses=error_responses(E.REFRESH_TOKEN_INVALID, *_UNAVAILABLE),
)
def refresh(body: RefreshIn, gateway: GatewayDep) -> RefreshedTokensOut:
    """New access and ID tokens from a refresh token (the refresh token itself is unchanged)."""
    tokens = gateway.refresh(body.username, body.refresh_token)
    return RefreshedTokensOut(
        access_token=tokens.access_token,
        id_token=tokens.id_token,
        token_type=tokens.token_type,
        expires_in=tokens.expires_in,
    )


@router.post(
    "/forgot-password",
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(*_UNAVAILABLE),
)
def forgot_password(
    body: ForgotPasswordIn, gateway: GatewayDep, context: UserContextDep
) -> AcceptedOut:
    """Email a reset code. The answer is the same whether or not the account exists."""
    try:
        gateway.forgot_password(body.email, context)
    except ApiError as exc:
        if exc.code is not ErrorCode.ACCOUNT_NOT_RESETTABLE:
            raise
    return AcceptedOut(detail=RESET_ACCEPTED)


@router.post(
    "/reset-password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(
        E.INVALID_CODE, E.CODE_EXPIRED, E.PASSWORD_POLICY, E.INVALID_PARAMETER, *_UNAVAILABLE
    ),
)
def reset_password(
    body: ResetPasswordIn, gateway: GatewayDep, settings: SettingsDep, context: UserContextDep
) -> Response:
    """Set a new password with the emailed reset code."""
    enforce_policy(body.new_password, settings, "new_password")
    gateway.confirm_forgot_password(body.email, body.code, body.new_password, context)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/signout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(*_TOKEN, *_UNAVAILABLE),
)
async def sign_out(
    token: AccessToken,
    gateway: GatewayDep,
    verifier: VerifierDep,
    body: SignOutIn | None = None,
) -> Response:
    """Sign out everywhere (all the user's refresh tokens), and revoke the given refresh token."""
    # GlobalSignOut first: RevokeToken also kills the access tokens minted from that refresh
    # token, and GlobalSignOut needs a live one.
    await run_in_threadpool(gateway.global_sign_out, token.token)
    if body is not None and body.refresh_token is not None:
        # An already-invalid refresh token is nothing to tell the client about.
        await run_in_threadpool(gateway.revoke_refresh_token, body.refresh_token)
    # Local verification would still accept the access token until it expires; with revocation
    # awareness on, this service refuses it from now on.
    await verifier.revoke(token.claims)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
