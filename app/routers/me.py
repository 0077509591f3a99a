"""The signed-in user: GET /me."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import State

from app.cognito.gateway import CognitoGateway
from app.cognito.models import CognitoUser
from app.deps import GatewayDep
from app.errors import ApiError, ErrorCode, error_responses
from app.profile import ProfileStore
from app.schemas import MeOut
from app.tokens.claims import AccessClaims
from app.tokens.deps import AccessToken, VerifiedAccessToken

E = ErrorCode

router = APIRouter(tags=["me"])


def me_from_user(user: CognitoUser, claims: AccessClaims) -> MeOut:
    """The MeOut view of a Cognito user and their access token's claims."""
    attributes = user.attributes
    return MeOut(
        sub=attributes.get("sub", claims.sub),
        username=user.username,
        email=attributes.get("email"),
        email_verified=attributes.get("email_verified", "false").lower() == "true",
        given_name=attributes.get("given_name"),
        family_name=attributes.get("family_name"),
        groups=list(claims.groups),
    )


@router.get(
    "/me",
    responses=error_responses(
        E.NOT_AUTHENTICATED,
        E.INVALID_TOKEN,
        E.TOKEN_KEYS_UNAVAILABLE,
        E.TOO_MANY_REQUESTS,
        E.SERVICE_UNAVAILABLE,
        E.UPSTREAM_ERROR,
    ),
)
async def read_me(token: AccessToken, gateway: GatewayDep, request: Request) -> MeOut:
    """The user behind the bearer access token: attributes, groups and platform profile."""
    # One threadpool hop for the blocking calls (boto3), none on the event loop.
    return await run_in_threadpool(_read_me, token, gateway, request.app.state)


def _read_me(token: VerifiedAccessToken, gateway: CognitoGateway, state: State) -> MeOut:
    # GetUser also makes Cognito re-check the token: a signed-out token is refused here.
    user = gateway.get_user(token.token)
    me = me_from_user(user, token.claims)
    profiles: ProfileStore | None = state.profiles  # built on first use (a boto3 client)
    if profiles is not None:
        try:
            # Users an administrator created never passed PostConfirmation: created on first sight.
            me.profile = profiles.get_or_create(me.sub, user.attributes)
        except ApiError:
            # Cognito answered; the profile table did not (logged by the store). The user is
            # still shown, with `profile: null`, rather than a 503 for the whole route.
            me.profile = None
    return me
