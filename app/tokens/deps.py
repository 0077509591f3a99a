"""FastAPI dependencies: bearer parsing, verified access/ID tokens, scope and group guards.

Every alias is one FastAPI dependency (no chain of sub-dependencies: FastAPI charges some 15 µs
for each) and async (a sync one would run in the threadpool); a cache hit does no I/O.
"""

from __future__ import annotations

import typing
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Annotated, Any, Generic, Literal, TypeVar

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
TokenKind = Literal["access", "id"]
SCHEME_NAME = "CognitoBearer"
S = TypeVar("S", bound=str)


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
    value = values[0]
    # Two credentials (or a proxy-joined "a, b") are ambiguous: which one was meant?
    if len(values) > 1 or b"," in value:
        raise DuplicateAuthorizationError
    if value[:7] == b"Bearer ":  # what clients send: one decode, no split (0.5 µs under load)
        credentials = value[7:].decode("latin-1")
        if credentials and " " not in credentials and "\t" not in credentials:
            return credentials
    scheme, _, credentials = value.decode("latin-1").strip().partition(" ")
    if scheme.lower() != "bearer":
        raise UnsupportedSchemeError
    credentials = credentials.lstrip(" ")
    if not credentials:
        raise MissingTokenError("empty bearer token")
    if " " in credentials or "\t" in credentials:
        raise TokenMalformedError("bearer token contains whitespace")
    return credentials


_last_app: tuple[object, TokenVerifier | None] = (None, None)


def _verifier(request: Request) -> TokenVerifier:
    # app.state is read once per app: its lookup (a Python __getattr__) costs more than the
    # cache hit itself. Services set app.state.verifier when the app is built, never after.
    global _last_app
    app = request.scope["app"]
    last, verifier = _last_app
    if last is not app or verifier is None:
        verifier = app.state.verifier
        _last_app = (app, verifier)
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
    if not wanted or any(type(item) is not str or not item for item in wanted):
        raise ValueError("name at least one non-empty string")
    if match not in ("any", "all"):
        raise ValueError("match must be 'any' or 'all'")


class _ScopeGuard(_BearerScheme):
    def __init__(self, scopes: tuple[str, ...], match: Match) -> None:
        super().__init__()
        self.scopes, self.match = scopes, match

    async def __call__(self, request: Request) -> VerifiedAccessToken:
        token = bearer_token(request)
        if token is None:
            raise MissingTokenError
        claims = await _verifier(request).verify_access(token)
        if not _matches(claims.scope, self.scopes, self.match):
            raise InsufficientScopeError(self.scopes, self.match)
        return VerifiedAccessToken(token, claims)


class _GroupGuard(_BearerScheme):
    def __init__(self, groups: tuple[str, ...], match: Match) -> None:
        super().__init__()
        self.groups, self.match = groups, match

    async def __call__(self, request: Request) -> VerifiedAccessToken:
        token = bearer_token(request)
        if token is None:
            raise MissingTokenError
        claims = await _verifier(request).verify_access(token)
        if not _matches(claims.groups, self.groups, self.match):
            raise MissingGroupError(self.groups, self.match)
        return VerifiedAccessToken(token, claims)


class _IdGroupGuard(_BearerScheme):
    def __init__(self, groups: tuple[str, ...], match: Match) -> None:
        super().__init__()
        self.groups, self.match = groups, match

    async def __call__(self, request: Request) -> VerifiedIdToken:
        token = bearer_token(request)
        if token is None:
            raise MissingTokenError
        claims = await _verifier(request).verify_id(token)
        if not _matches(claims.groups, self.groups, self.match):
            raise MissingGroupError(self.groups, self.match)
        return VerifiedIdToken(token, claims)


_GUARDS: dict[str, type[_ScopeGuard] | type[_GroupGuard] | type[_IdGroupGuard]] = {
    "scopes": _ScopeGuard,
    "groups": _GroupGuard,
    "id-groups": _IdGroupGuard,
}


@cache
def _guard(what: str, wanted: tuple[str, ...], match: Match) -> Any:  # noqa: ANN401  # Depends
    # One dependency object per distinct guard: FastAPI then verifies a token once per request
    # even when a route repeats the same guard.
    _checked(wanted, match)
    return Depends(_GUARDS[what](wanted, match))


def require_scopes(*scopes: str, match: Match = "any") -> Any:  # noqa: ANN401  # a Depends
    """A dependency refusing access tokens without any (or all) of the scopes (403)."""
    return _guard("scopes", scopes, match)


def require_groups(
    *groups: str,
    match: Match = "any",
    kind: TokenKind = "access",
) -> Any:  # noqa: ANN401  # a Depends
    """A dependency refusing users outside any (or all) of the Cognito groups (403).

    `kind="id"` checks the groups of an ID token (for routes that take one) instead.
    """
    if kind not in ("access", "id"):
        raise ValueError("kind must be 'access' or 'id'")
    return _guard("groups" if kind == "access" else "id-groups", groups, match)


def _names(params: object) -> tuple[str, ...]:
    """The strings of `Literal["a", "b"]` (or of plain strings, for callers without mypy)."""
    items = params if isinstance(params, tuple) else (params,)
    names: list[str] = []
    for item in items:
        origin: object = typing.get_origin(item)
        if origin is Literal:
            names.extend(typing.get_args(item))
        else:
            names.append(item)
    return tuple(names)


class _Alias:
    """Subscripted at runtime into `Annotated[<verified token>, Depends(<guard>)]`."""

    _what = "scopes"
    _match: Match = "any"

    def __class_getitem__(cls, params: object) -> Any:  # noqa: ANN401  # an Annotated type
        guard = _guard(cls._what, _names(params), cls._match)
        kind = VerifiedIdToken if cls._what == "id-groups" else VerifiedAccessToken
        return Annotated[kind, guard]


# Typed aliases: `token: RequireScopes[Literal["aws.cognito.signin.user.admin"]]`. mypy sees a
# VerifiedAccessToken (or VerifiedIdToken) subclass; FastAPI sees Annotated[..., Depends(guard)].
# Never instantiated: the value a route receives is the VerifiedAccessToken itself.
class RequireScopes(_Alias, VerifiedAccessToken, Generic[S]):
    """An access token holding any of the scopes (403 INSUFFICIENT_SCOPE otherwise)."""

    _what = "scopes"
    _match: Match = "any"


class RequireAllScopes(_Alias, VerifiedAccessToken, Generic[S]):
    """An access token holding every one of the scopes (403 INSUFFICIENT_SCOPE otherwise)."""

    _what = "scopes"
    _match: Match = "all"


class RequireGroups(_Alias, VerifiedAccessToken, Generic[S]):
    """An access token whose user is in any of the Cognito groups (403 FORBIDDEN otherwise)."""

    _what = "groups"
    _match: Match = "any"


class RequireAllGroups(_Alias, VerifiedAccessToken, Generic[S]):
    """An access token whose user is in every one of the groups (403 FORBIDDEN otherwise)."""

    _what = "groups"
    _match: Match = "all"


class RequireIdGroups(_Alias, VerifiedIdToken, Generic[S]):
    """An ID token whose user is in any of the Cognito groups (403 FORBIDDEN otherwise)."""

    _what = "id-groups"
    _match: Match = "any"


class RequireAllIdGroups(_Alias, VerifiedIdToken, Generic[S]):
    """An ID token whose user is in every one of the groups (403 FORBIDDEN otherwise)."""

    _what = "id-groups"
    _match: Match = "all"
