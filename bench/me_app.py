"""The /me throughput bench's app: GET /me behind the AccessToken dependency, and GET /bare.

Both routes return the same JSON from the same claims through the same serialisation; only /me
verifies the bearer token (a cache hit after the first request). This /me returns the verified
claims: the service's real /me also calls Cognito GetUser, which would measure Cognito, not
the verifier. The signing key's JWKS comes from BENCH_JWKS, the token from BENCH_TOKEN.
"""

from __future__ import annotations

import json
import os
from typing import Any

from fastapi import FastAPI

from app.tokens import AccessClaims, AccessToken, TokenVerifier
from app.tokens.jwks import JwksCache
from app.tokens.jws import decode_json_object, parse_compact
from bench._common import CLIENT_ID, ISSUER


def _body(claims: AccessClaims) -> dict[str, Any]:
    return {
        "sub": claims.sub,
        "username": claims.username,
        "groups": list(claims.groups),
        "scope": list(claims.scope),
        "client_id": claims.client_id,
    }


def _unverified_claims(token: str) -> AccessClaims:
    payload = decode_json_object(parse_compact(token).payload)
    return AccessClaims(
        sub=payload["sub"],
        username=payload["username"],
        client_id=payload["client_id"],
        iss=payload["iss"],
        exp=payload["exp"],
        iat=payload["iat"],
        scope=tuple(payload["scope"].split()),
        groups=tuple(payload["cognito:groups"]),
    )


def create_app() -> FastAPI:
    app = FastAPI()
    jwks = JwksCache(static_document=json.loads(os.environ["BENCH_JWKS"]))
    app.state.verifier = TokenVerifier(issuer=ISSUER, client_ids=(CLIENT_ID,), jwks=jwks)
    bare_claims = _unverified_claims(os.environ["BENCH_TOKEN"])

    @app.get("/bare")
    async def bare() -> dict[str, Any]:
        return _body(bare_claims)

    @app.get("/me")
    async def me(token: AccessToken) -> dict[str, Any]:
        return _body(token.claims)

    return app


app = create_app()
