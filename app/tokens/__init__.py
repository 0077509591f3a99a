"""Cognito JWT verification: strict checks, JWKS policy, verified-token cache and FastAPI deps."""

from app.tokens.claims import AccessClaims, IdClaims
from app.tokens.deps import (
    AccessToken,
    IdToken,
    OptionalAccessToken,
    RequireAllGroups,
    RequireAllIdGroups,
    RequireAllScopes,
    RequireGroups,
    RequireIdGroups,
    RequireScopes,
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
from app.tokens.revocation import RevocationUnavailableError
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
    "RequireAllGroups",
    "RequireAllIdGroups",
    "RequireAllScopes",
    "RequireGroups",
    "RequireIdGroups",
    "RequireScopes",
    "RevocationUnavailableError",
    "TokenError",
    "TokenVerifier",
    "VerifiedAccessToken",
    "VerifiedIdToken",
    "bearer_token",
    "require_groups",
    "require_scopes",
]
