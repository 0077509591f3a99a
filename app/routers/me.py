"""The signed-in user: GET /me."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool

from app.cognito.models import CognitoUser
from app.deps import GatewayDep
from app.errors import ApiError, ErrorCode, error_responses
from app.profile import ProfileStore
from app.schemas import MeOut
from app.tokens.claims import AccessClaims
from app.tokens.deps import AccessToken

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
    # GetUser also makes Cognito re-check the token: a signed-out token is refused here.
    user = await run_in_threadpool(gateway.get_user, token.token)
    me = me_from_user(user, token.claims)
    # Built on first use (a boto3 client): off the event loop.
    profiles: ProfileStore | None = await run_in_threadpool(lambda: request.app.state.profiles)
    if profiles is not None:
        try:
            # Users an administrator created never passed PostConfirmation: created on first sight.
            me.profile = await run_in_threadpool(profiles.get_or_create, me.sub, user.attributes)
        except ApiError:
            # Cognito answered; the profile table did not (logged by the store). The user is
            # still shown, with `profile: null`, rather than a 503 for the whole route.
            me.profile = None
    return me
