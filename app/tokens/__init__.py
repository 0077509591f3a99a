"""Cognito JWT verification: strict checks, JWKS policy, verified-token cache and FastAPI deps."""

from app.tokens.claims import AccessClaims, IdClaims
from app.tokens.deps import (
    AccessToken,
    IdToken,
    OptionalAccessToken,
    VerifiedAccessToken,
    VerifiedIdToken,
    bearer_token,
    require_groups,
    require_scopes,
)
from app.tokens.errors import (
    InsufficientScopeError,
    KeysUnavailableError,
    MissingGroupError,
    MissingTokenError,
    TokenError,
)
from app.tokens.verifier import TokenVerifier

__all__ = [
    "AccessClaims",
    "AccessToken",
    "IdClaims",
    "IdToken",
    "InsufficientScopeError",
    "KeysUnavailableError",
    "MissingGroupError",
    "MissingTokenError",
    "OptionalAccessToken",
    "TokenError",
    "TokenVerifier",
    "VerifiedAccessToken",
    "VerifiedIdToken",
    "bearer_token",
    "require_groups",
    "require_scopes",
]
