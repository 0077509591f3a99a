"""Registration, confirmation, sign-in, refresh, password reset and sign-out."""

from __future__ import annotations

import logging

from fastapi import APIRouter, Response, status
from starlette.concurrency import run_in_threadpool

from app.client_context import UserContextDep
from app.deps import GatewayDep, SettingsDep, VerifierDep
from app.errors import ApiError, ErrorCode, error_responses
from app.password_policy import enforce_policy
from app.routers.next_step import sign_in_answer
from app.schemas import (
    AcceptedOut,
    ChallengeOut,
    CodeDeliveryOut,
    ConfirmIn,
    ForgotPasswordIn,
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
from app.sign_in_metadata import SignInMetadataDep
from app.tokens.deps import AccessToken

E = ErrorCode
_UNAVAILABLE = (E.TOO_MANY_REQUESTS, E.SERVICE_UNAVAILABLE, E.UPSTREAM_ERROR)
_TOKEN = (E.NOT_AUTHENTICATED, E.INVALID_TOKEN, E.TOKEN_KEYS_UNAVAILABLE)
RESET_ACCEPTED = "If an account with a verified email exists, a reset code was sent to it."

router = APIRouter(prefix="/auth", tags=["auth"])
logger = logging.getLogger("app.auth")


def _masked_email_delivery(email: str) -> CodeDeliveryOut:
    local, _, domain = email.partition("@")
    return CodeDeliveryOut(
        destination=f"{local[:1]}***@{domain[:1]}***", medium="EMAIL", attribute="email"
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        E.EMAIL_ALREADY_REGISTERED,
        E.EMAIL_DOMAIN_NOT_ALLOWED,
        E.PASSWORD_POLICY,
        E.INVALID_PARAMETER,
        *_UNAVAILABLE,
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
        code_delivery=CodeDeliveryOut.of(result.delivery),
    )


@router.post(
    "/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(
        E.INVALID_CODE,
        E.CODE_EXPIRED,
        E.CODE_ATTEMPTS_EXCEEDED,
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
    responses=error_responses(
        E.BAD_CREDENTIALS,
        E.USER_NOT_CONFIRMED,
        E.USER_BLOCKED,
        E.PASSWORD_RESET_REQUIRED,
        *_UNAVAILABLE,
    ),
)
def sign_in(
    body: SignInIn,
    gateway: GatewayDep,
    settings: SettingsDep,
    context: UserContextDep,
    metadata: SignInMetadataDep,
) -> TokensOut | ChallengeOut:
    """Sign in with email and password: tokens, or the next step (a challenge to answer).

    With SIGN_IN_FLOW=adaptive, a sign-in from a new device or network, or at an unusual hour,
    answers with a CUSTOM_CHALLENGE: a one-time code emailed to the user. Send `X-Device-Id`
    (a stable opaque identifier of the browser or app) so that a known device is recognised.
    """
    if settings.sign_in_flow == "adaptive":
        outcome = gateway.sign_in_adaptive(body.email, body.password, context, metadata)
    else:
        outcome = gateway.sign_in_with_password(body.email, body.password, context)
    return sign_in_answer(outcome)


@router.post(
    "/refresh",
    responses=error_responses(E.REFRESH_TOKEN_INVALID, *_UNAVAILABLE),
)
def refresh(body: RefreshIn, gateway: GatewayDep, context: UserContextDep) -> RefreshedTokensOut:
    """New access and ID tokens from a refresh token (the refresh token itself is unchanged)."""
    tokens = gateway.refresh(body.username, body.refresh_token, context)
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
        E.INVALID_CODE,
        E.CODE_EXPIRED,
        E.CODE_ATTEMPTS_EXCEEDED,
        E.PASSWORD_POLICY,
        E.INVALID_PARAMETER,
        *_UNAVAILABLE,
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
