"""Registration, confirmation, sign-in, refresh and sign-out."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from jose import jwt
from starlette.concurrency import run_in_threadpool

from app.cognito.models import CodeDelivery, Tokens
from app.deps import GatewayDep, VerifierDep
from app.errors import ErrorCode, error_responses
from app.schemas import (
    ChallengeOut,
    CodeDeliveryOut,
    ConfirmIn,
    RefreshedTokensOut,
    RefreshIn,
    RegisterIn,
    RegisterOut,
    ResendCodeIn,
    ResendCodeOut,
    SignInIn,
    SignInOut,
    TokensOut,
)
from app.tokens.deps import AccessToken

E = ErrorCode
_UNAVAILABLE = (E.TOO_MANY_REQUESTS, E.SERVICE_UNAVAILABLE, E.UPSTREAM_ERROR)

router = APIRouter(prefix="/auth", tags=["auth"])


def _delivery_out(delivery: CodeDelivery | None) -> CodeDeliveryOut | None:
    if delivery is None:
        return None
    return CodeDeliveryOut(
        destination=delivery.destination, medium=delivery.medium, attribute=delivery.attribute
    )


@router.post(
    "/register",
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(
        E.EMAIL_ALREADY_REGISTERED, E.PASSWORD_POLICY, E.INVALID_PARAMETER, *_UNAVAILABLE
    ),
)
def register(body: RegisterIn, gateway: GatewayDep) -> RegisterOut:
    """Create an account; Cognito emails a confirmation code unless a trigger auto-confirms."""
    names = {"given_name": body.given_name, "family_name": body.family_name}
    result = gateway.sign_up(
        body.email, body.password, {k: v for k, v in names.items() if v is not None}
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
def confirm(body: ConfirmIn, gateway: GatewayDep) -> Response:
    """Confirm an account with the emailed code."""
    gateway.confirm_sign_up(body.email, body.code)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/resend-code",
    responses=error_responses(E.ALREADY_CONFIRMED, *_UNAVAILABLE),
)
def resend_code(body: ResendCodeIn, gateway: GatewayDep) -> ResendCodeOut:
    """Send a new confirmation code (the previous one stops working)."""
    return ResendCodeOut(code_delivery=_delivery_out(gateway.resend_confirmation_code(body.email)))


@router.post(
    "/signin",
    response_model=SignInOut,
    responses=error_responses(E.BAD_CREDENTIALS, E.USER_NOT_CONFIRMED, *_UNAVAILABLE),
)
def sign_in(body: SignInIn, gateway: GatewayDep) -> TokensOut | ChallengeOut:
    """Sign in with email and password: tokens, or the challenge to answer next."""
    outcome = gateway.sign_in_with_password(body.email, body.password)
    if isinstance(outcome, Tokens):
        assert outcome.refresh_token is not None  # password sign-in always returns one
        return TokensOut(
            access_token=outcome.access_token,
            id_token=outcome.id_token,
            refresh_token=outcome.refresh_token,
            token_type=outcome.token_type,
            expires_in=outcome.expires_in,
            username=_internal_username(outcome.access_token),
        )
    params = outcome.parameters
    username = params.get("USER_ID_FOR_SRP") or params.get("USERNAME") or ""
    return ChallengeOut(
        challenge_name=outcome.name,
        session=outcome.session,
        username=username,
        parameters={k: v for k, v in params.items() if k not in {"SECRET_BLOCK", "SRP_B", "SALT"}},
    )


def _internal_username(access_token: str) -> str:
    # Just issued by Cognito; the claim tells the client which username REFRESH_TOKEN_AUTH's
    # SECRET_HASH must be computed over (the UUID, not the email).
    return str(jwt.get_unverified_claims(access_token).get("username", ""))


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
    "/signout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(
        E.NOT_AUTHENTICATED, E.INVALID_TOKEN, E.TOKEN_KEYS_UNAVAILABLE, *_UNAVAILABLE
    ),
)
async def sign_out(token: AccessToken, gateway: GatewayDep, verifier: VerifierDep) -> Response:
    """Sign out everywhere: Cognito revokes the user's refresh tokens."""
    await run_in_threadpool(gateway.global_sign_out, token.token)
    # Local verification would still accept the access token until it expires; with revocation
    # awareness on, this service refuses it from now on.
    await verifier.revoke(token.claims)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
