"""The signed-in user's account: profile updates, email verification, password, MFA, deletion."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from starlette.concurrency import run_in_threadpool

from app.deps import GatewayDep, SettingsDep
from app.errors import ErrorCode, error_responses
from app.password_policy import enforce_policy
from app.routers.me import me_from_user
from app.schemas import (
    ChangePasswordIn,
    CodeDeliveryOut,
    MfaPreferenceIn,
    ResendCodeOut,
    TotpSetupOut,
    TotpVerifyIn,
    UpdateMeIn,
    UpdateMeOut,
    VerifyEmailIn,
)
from app.tokens.deps import AccessToken
from app.totp_uri import otpauth_uri

E = ErrorCode
_COMMON = (
    E.NOT_AUTHENTICATED,
    E.INVALID_TOKEN,
    E.TOKEN_KEYS_UNAVAILABLE,
    E.TOO_MANY_REQUESTS,
    E.SERVICE_UNAVAILABLE,
    E.UPSTREAM_ERROR,
)

router = APIRouter(prefix="/me", tags=["me"])


@router.patch(
    "", responses=error_responses(E.EMAIL_ALREADY_REGISTERED, E.INVALID_PARAMETER, *_COMMON)
)
async def update_me(body: UpdateMeIn, token: AccessToken, gateway: GatewayDep) -> UpdateMeOut:
    """Update names and/or the email; a new email applies once verified (POST /me/verify-email)."""
    changes = body.model_dump(exclude_none=True)
    deliveries = []
    if changes:
        deliveries = await run_in_threadpool(gateway.update_attributes, token.token, changes)
    user = await run_in_threadpool(gateway.get_user, token.token)
    return UpdateMeOut(
        user=me_from_user(user, token.claims),
        email_verification=CodeDeliveryOut.of(deliveries[0] if deliveries else None),
    )


@router.post(
    "/verify-email",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(
        E.INVALID_CODE,
        E.CODE_EXPIRED,
        E.CODE_ATTEMPTS_EXCEEDED,
        E.EMAIL_ALREADY_REGISTERED,
        *_COMMON,
    ),
)
async def verify_email(body: VerifyEmailIn, token: AccessToken, gateway: GatewayDep) -> Response:
    """Verify the new email with the code sent to it; it becomes the sign-in email."""
    await run_in_threadpool(gateway.verify_email, token.token, body.code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/verify-email/resend", responses=error_responses(E.INVALID_PARAMETER, *_COMMON))
async def resend_email_verification(token: AccessToken, gateway: GatewayDep) -> ResendCodeOut:
    """Send a new verification code to the new email (or, with none pending, to the current one)."""
    delivery = await run_in_threadpool(gateway.resend_email_verification, token.token)
    return ResendCodeOut(code_delivery=CodeDeliveryOut.of(delivery))


@router.post(
    "/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(E.CURRENT_PASSWORD_INCORRECT, E.PASSWORD_POLICY, *_COMMON),
)
async def change_password(
    body: ChangePasswordIn, token: AccessToken, gateway: GatewayDep, settings: SettingsDep
) -> Response:
    """Change the password; the current one is required."""
    enforce_policy(body.new_password, settings, "new_password")
    await run_in_threadpool(
        gateway.change_password, token.token, body.current_password, body.new_password
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/mfa/totp", responses=error_responses(*_COMMON))
async def start_totp(token: AccessToken, gateway: GatewayDep) -> TotpSetupOut:
    """Start enrolling an authenticator app: its secret and an otpauth:// URI for a QR code."""
    secret = await run_in_threadpool(gateway.associate_totp, token.token)
    user = await run_in_threadpool(gateway.get_user, token.token)
    uri = otpauth_uri(secret, user.attributes.get("email", user.username))
    return TotpSetupOut(secret=secret, otpauth_uri=uri)


@router.post(
    "/mfa/totp/verify",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(E.INVALID_CODE, *_COMMON),
)
async def verify_totp(body: TotpVerifyIn, token: AccessToken, gateway: GatewayDep) -> Response:
    """Finish enrolling with a code the app shows."""
    await run_in_threadpool(gateway.verify_totp, token.token, body.code, body.device_name)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/mfa",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(E.MFA_NOT_ENROLLED, *_COMMON),
)
async def set_mfa(body: MfaPreferenceIn, token: AccessToken, gateway: GatewayDep) -> Response:
    """Ask (or stop asking) for an authenticator code at sign-in."""
    await run_in_threadpool(gateway.set_totp_preference, token.token, enabled=body.totp_enabled)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.delete("", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(*_COMMON))
async def delete_me(token: AccessToken, gateway: GatewayDep) -> Response:
    """Delete the account for good (the access token was verified first)."""
    await run_in_threadpool(gateway.delete_user, token.token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
