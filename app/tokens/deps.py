"""FastAPI dependencies: bearer parsing, verified access/ID tokens, scope and group guards."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Annotated, Any, Literal

from fastapi import Depends, Request
from fastapi.openapi.models import HTTPBearer as HTTPBearerModel
from fastapi.security.base import SecurityBase

from app.tokens.claims import AccessClaims, IdClaims
from app.tokens.errors import (
    DuplicateAuthorizationError,
    InsufficientScopeError,
    MissingGroupError,
    MissingTokenError,
    TokenMalformedError,
    UnsupportedSchemeError,
)

if TYPE_CHECKING:
    from app.tokens.verifier import TokenVerifier

Match = Literal["any", "all"]
SCHEME_NAME = "CognitoBearer"


@dataclass(frozen=True, slots=True)
class VerifiedAccessToken:
    """A verified access token and its claims (the token is kept out of repr and logs)."""

    token: str = field(repr=False)
    claims: AccessClaims


@dataclass(frozen=True, slots=True)
class VerifiedIdToken:
    """A verified ID token and its claims (the token is kept out of repr and logs)."""

    token: str = field(repr=False)
    claims: IdClaims


def bearer_token(request: Request) -> str | None:
    """Return the bearer token of a request, None without Authorization header; raise if bad.

    The scheme is matched case-insensitively (RFC 7235 section 2.1: "bearer x" is accepted).
    """
    values: list[bytes] = [
        value for name, value in request.scope["headers"] if name == b"authorization"
    ]
    if not values:
        return None
    # Two credentials (or a proxy-joined "a, b") are ambiguous: which one was meant?
    if len(values) > 1 or b"," in values[0]:
        raise DuplicateAuthorizationError
    scheme, _, credentials = values[0].decode("latin-1").strip().partition(" ")
    if scheme.lower() != "bearer":
        raise UnsupportedSchemeError
    credentials = credentials.lstrip(" ")
    if not credentials:
        raise MissingTokenError("empty bearer token")
    if " " in credentials or "\t" in credentials:
        raise TokenMalformedError("bearer token contains whitespace")
    return credentials


def _verifier(request: Request) -> TokenVerifier:
    verifier: TokenVerifier = request.app.state.verifier
    return verifier


class _BearerScheme(SecurityBase):
    """Shared OpenAPI description: every guarded route shows the Bearer scheme in /docs."""

    def __init__(self) -> None:
        self.model = HTTPBearerModel(
            bearerFormat="JWT", description="A Cognito access token (ID token where stated)."
        )
        self.scheme_name = SCHEME_NAME


class _AccessTokenDep(_BearerScheme):
    async def __call__(self, request: Request) -> VerifiedAccessToken:
        token = bearer_token(request)
        if token is None:
            raise MissingTokenError
        return VerifiedAccessToken(token, await _verifier(request).verify_access(token))


class _OptionalAccessTokenDep(_BearerScheme):
    async def __call__(self, request: Request) -> VerifiedAccessToken | None:
        token = bearer_token(request)
        if token is None:
            return None
        return VerifiedAccessToken(token, await _verifier(request).verify_access(token))


class _IdTokenDep(_BearerScheme):
    async def __call__(self, request: Request) -> VerifiedIdToken:
        token = bearer_token(request)
        if token is None:
            raise MissingTokenError
        return VerifiedIdToken(token, await _verifier(request).verify_id(token))


AccessToken = Annotated[VerifiedAccessToken, Depends(_AccessTokenDep())]
OptionalAccessToken = Annotated[VerifiedAccessToken | None, Depends(_OptionalAccessTokenDep())]
IdToken = Annotated[VerifiedIdToken, Depends(_IdTokenDep())]


def _matches(have: tuple[str, ...], wanted: tuple[str, ...], match: Match) -> bool:
    if match == "all":
        return all(item in have for item in wanted)
    return any(item in have for item in wanted)


def _checked(wanted: tuple[str, ...], match: str) -> None:
    if not wanted or any(not item for item in wanted):
        raise ValueError("name at least one non-empty value")
    if match not in ("any", "all"):
        raise ValueError("match must be 'any' or 'all'")


def require_scopes(*scopes: str, match: Match = "any") -> Any:  # noqa: ANN401  # a Depends
    """A dependency refusing access tokens without any (or all) of the scopes (403)."""
    _checked(scopes, match)

    async def check_scopes(token: AccessToken) -> VerifiedAccessToken:
        if not _matches(token.claims.scope, scopes, match):
            raise InsufficientScopeError(scopes, match)
        return token

    return Depends(check_scopes)


def require_groups(*groups: str, match: Match = "any") -> Any:  # noqa: ANN401  # a Depends
    """A dependency refusing users outside any (or all) of the Cognito groups (403)."""
    _checked(groups, match)

    async def check_groups(token: AccessToken) -> VerifiedAccessToken:
        if not _matches(token.claims.groups, groups, match):
            raise MissingGroupError(groups, match)
        return token

    return Depends(check_groups)
