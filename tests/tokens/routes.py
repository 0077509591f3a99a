"""A tiny FastAPI app mounting the token dependencies, with a minimal error mapping of its own."""

from __future__ import annotations

from typing import Any, Literal

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from app.tokens import (
    AccessToken,
    IdToken,
    InsufficientScopeError,
    KeysUnavailableError,
    MissingGroupError,
    MissingTokenError,
    OptionalAccessToken,
    RequireAllGroups,
    RequireAllIdGroups,
    RequireAllScopes,
    RequireGroups,
    RequireIdGroups,
    RequireScopes,
    TokenError,
    TokenVerifier,
    require_groups,
    require_scopes,
)


def _token_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TokenError)
    if isinstance(exc, InsufficientScopeError | MissingGroupError):
        return JSONResponse({"code": exc.code}, status_code=403)
    challenge = "Bearer" if isinstance(exc, MissingTokenError) else 'Bearer error="invalid_token"'
    return JSONResponse({"code": exc.code}, 401, headers={"WWW-Authenticate": challenge})


def _keys_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KeysUnavailableError)
    headers = {"Retry-After": str(int(exc.retry_after))}
    return JSONResponse({"code": exc.code}, 503, headers=headers)


def build_app(verifier: TokenVerifier) -> FastAPI:
    """An app whose routes return what the dependencies produced."""
    app = FastAPI()
    app.state.verifier = verifier
    app.add_exception_handler(TokenError, _token_error)
    app.add_exception_handler(KeysUnavailableError, _keys_unavailable)

    @app.get("/access")
    async def access(token: AccessToken) -> dict[str, Any]:
        return {"sub": token.claims.sub, "scope": list(token.claims.scope)}

    @app.get("/id")
    async def id_token(token: IdToken) -> dict[str, Any]:
        return {"sub": token.claims.sub, "email": token.claims.email}

    @app.get("/optional")
    async def optional(token: OptionalAccessToken) -> dict[str, Any]:
        return {"sub": None if token is None else token.claims.sub}

    @app.get("/admin-or-staff", dependencies=[require_groups("admins", "nobody")])
    async def grouped() -> dict[str, Any]:
        return {"ok": True}

    @app.get("/all-groups", dependencies=[require_groups("admins", "nobody", match="all")])
    async def all_groups() -> dict[str, Any]:
        return {"ok": True}

    @app.get("/admin-scope", dependencies=[require_scopes("aws.cognito.signin.user.admin")])
    async def scoped() -> dict[str, Any]:
        return {"ok": True}

    @app.get("/both-scopes", dependencies=[require_scopes("openid", "email", match="all")])
    async def both_scopes() -> dict[str, Any]:
        return {"ok": True}

    @app.get("/id-admins", dependencies=[require_groups("admins", kind="id")])
    async def id_admins() -> dict[str, Any]:
        return {"ok": True}

    @app.get("/alias/scope")
    async def alias_scope(
        token: RequireScopes[Literal["aws.cognito.signin.user.admin", "openid"]],
    ) -> dict[str, Any]:
        return {"sub": token.claims.sub}

    @app.get("/alias/all-scopes")
    async def alias_all_scopes(token: RequireAllScopes[Literal["openid", "email"]]) -> list[str]:
        return list(token.claims.scope)

    @app.get("/alias/groups")
    async def alias_groups(token: RequireGroups[Literal["admins", "nobody"]]) -> list[str]:
        return list(token.claims.groups)

    @app.get("/alias/all-groups")
    async def alias_all_groups(token: RequireAllGroups[Literal["admins", "nobody"]]) -> list[str]:
        return list(token.claims.groups)

    @app.get("/alias/id-groups")
    async def alias_id_groups(token: RequireIdGroups[Literal["admins"]]) -> dict[str, Any]:
        return {"email": token.claims.email}

    @app.get("/alias/id-all-groups")
    async def alias_id_all_groups(
        token: RequireAllIdGroups[Literal["admins", "staff"]],
    ) -> dict[str, Any]:
        return {"email": token.claims.email}

    return app
