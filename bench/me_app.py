"""The /me throughput bench's app: the service's own create_app, plus three routes side by side.

`GET /bench/me` is the service's GET /me without its Cognito call: the real AccessToken
dependency (a cache hit after the first request), then the MeOut built from the verified
claims. `GET /bench/bare` returns the same MeOut, built from the same token's claims decoded
once at start-up, with no dependency; `GET /bench/noop` too, behind a dependency that does
nothing (what FastAPI itself charges for one). All sit in the real app, behind its real
middleware (request id, Cache-Control, error handlers), registered one after the other;
BENCH_ORDER=me registers them in the reverse order (routing tries routes in turn, a few µs
each, so the bench runs both orders). The service's own GET /me also calls Cognito GetUser,
which would measure Cognito, not this service. Production settings with the JWKS inline
(BENCH_JWKS), so nothing goes to the network; the token comes in BENCH_TOKEN.
Serve: uvicorn --factory bench.me_app:create_app
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI

from app.main import create_app as create_service_app
from app.schemas import MeOut
from app.settings import Settings
from app.tokens import AccessClaims, AccessToken
from app.tokens.claims import build_access_claims
from app.tokens.jws import decode_json_object, parse_compact
from bench._common import CLIENT_ID, POOL_ID


def me_out(claims: AccessClaims) -> MeOut:
    """What GET /me answers, from the access token's claims alone."""
    return MeOut(
        sub=claims.sub,
        username=claims.username,
        email=None,
        email_verified=False,
        given_name=None,
        family_name=None,
        groups=list(claims.groups),
    )


async def _nothing() -> None:
    """A dependency with no work: FastAPI's own cost of resolving one."""


def _unverified_claims(token: str) -> AccessClaims:
    payload = decode_json_object(parse_compact(token.encode()).payload)
    return build_access_claims(payload, payload["exp"], payload["iat"])


def create_app() -> FastAPI:
    """The service app (production settings, inline JWKS) with the two bench routes added."""
    settings = Settings(
        environment="production",
        cognito_user_pool_id=POOL_ID,
        cognito_client_id=CLIENT_ID,
        cognito_jwks_json=os.environ["BENCH_JWKS"],
        log_level="WARNING",
    )
    app = create_service_app(settings)
    bare_claims = _unverified_claims(os.environ["BENCH_TOKEN"])
    router = APIRouter(prefix="/bench")

    async def bare() -> MeOut:
        return me_out(bare_claims)

    async def me(token: AccessToken) -> MeOut:
        return me_out(token.claims)

    async def noop(_: Annotated[None, Depends(_nothing)]) -> MeOut:
        return me_out(bare_claims)

    routes: list[tuple[str, Callable[..., Awaitable[MeOut]]]] = [
        ("/bare", bare),
        ("/noop", noop),
        ("/me", me),
    ]
    for path, endpoint in routes[::-1] if os.environ.get("BENCH_ORDER") == "me" else routes:
        router.add_api_route(path, endpoint, methods=["GET"])
    app.include_router(router)
    return app
