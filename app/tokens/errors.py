"""Token verification failures: one class per failure mode, each with a stable code for logs."""

from __future__ import annotations


class TokenError(Exception):
    """A presented credential was refused; the HTTP layer answers 401 (never echo the token)."""

    code: str = "TOKEN_INVALID"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.__class__.__doc__ or self.code)


class MissingTokenError(TokenError):
    """No bearer credentials were presented (no header, another scheme, or an empty token)."""

    code = "TOKEN_MISSING"


class UnsupportedSchemeError(MissingTokenError):
    """The Authorization header uses a scheme other than Bearer."""

    code = "AUTH_SCHEME_UNSUPPORTED"


class DuplicateAuthorizationError(TokenError):
    """The request carries more than one Authorization header."""

    code = "AUTHORIZATION_HEADER_DUPLICATE"


class TokenTooLargeError(TokenError):
    """The token is longer than the configured limit."""

    code = "TOKEN_TOO_LARGE"


class TokenMalformedError(TokenError):
    """The token is not a well-formed compact JWS (segments, base64url or JSON)."""

    code = "TOKEN_MALFORMED"


class TokenNotJwsError(TokenError):
    """The token is a JWE, a nested JWT or another structure this service does not accept."""

    code = "TOKEN_NOT_JWS"


class DuplicateMemberError(TokenError):
    """The token header or payload repeats a member name."""

    code = "TOKEN_DUPLICATE_MEMBER"


class AlgorithmNotAllowedError(TokenError):
    """The header names an algorithm other than RS256."""

    code = "ALG_NOT_ALLOWED"


class CriticalHeaderError(TokenError):
    """The header lists critical extensions this service does not understand."""

    code = "CRIT_UNSUPPORTED"


class KidMissingError(TokenError):
    """The header has no usable key id."""

    code = "KID_MISSING"


class KidNotFoundError(TokenError):
    """No key in the configured JWKS has the token's key id."""

    code = "KID_NOT_FOUND"


class JwkInvalidError(TokenError):
    """The JWK for the token's key id is not a usable RSA signing key."""

    code = "JWK_INVALID"


class JwkInvalidKtyError(JwkInvalidError):
    """The JWK for the token's key id is not an RSA key."""

    code = "JWK_INVALID_KTY"


class JwkInvalidUseError(JwkInvalidError):
    """The JWK for the token's key id is not meant for signatures."""

    code = "JWK_INVALID_USE"


class JwkAlgMismatchError(JwkInvalidError):
    """The token's algorithm differs from the algorithm of its JWK."""

    code = "JWK_ALG_MISMATCH"


class SignatureInvalidError(TokenError):
    """The signature does not verify with the token's key."""

    code = "SIGNATURE_INVALID"


class ClaimTypeError(TokenError):
    """A claim has the wrong JSON type."""

    code = "CLAIM_TYPE_INVALID"


class ClaimMissingError(TokenError):
    """A required claim is absent."""

    code = "CLAIM_MISSING"


class IssuerInvalidError(TokenError):
    """The issuer is absent or not the configured user pool."""

    code = "ISSUER_INVALID"


class TokenUseInvalidError(TokenError):
    """The token_use claim is absent or not the kind of token this route requires."""

    code = "TOKEN_USE_INVALID"


class ClientIdInvalidError(TokenError):
    """The access token's client_id is absent or not a configured app client."""

    code = "CLIENT_ID_INVALID"


class AudienceInvalidError(TokenError):
    """The ID token's aud is absent or not a configured app client."""

    code = "AUDIENCE_INVALID"


class TokenExpiredError(TokenError):
    """The token has expired."""

    code = "TOKEN_EXPIRED"


class TokenNotYetValidError(TokenError):
    """The token's nbf lies in the future."""

    code = "TOKEN_NOT_YET_VALID"


class TokenIssuedInFutureError(TokenError):
    """The token's iat lies in the future."""

    code = "TOKEN_ISSUED_IN_FUTURE"


class AtHashInvalidError(TokenError):
    """The ID token's at_hash does not match the access token presented with it."""

    code = "AT_HASH_INVALID"


class TokenRevokedError(TokenError):
    """The token belongs to a session that signed out."""

    code = "TOKEN_REVOKED"


class InsufficientScopeError(TokenError):
    """The access token lacks a scope the route requires (answered with 403)."""

    code = "INSUFFICIENT_SCOPE"

    def __init__(self, required: tuple[str, ...], match: str = "any") -> None:
        self.required = required
        self.match = match
        super().__init__(f"requires {match} of scopes: {' '.join(required)}")


class MissingGroupError(TokenError):
    """The token's user is not in a group the route requires (answered with 403)."""

    code = "GROUP_REQUIRED"

    def __init__(self, required: tuple[str, ...], match: str = "any") -> None:
        self.required = required
        self.match = match
        super().__init__(f"requires {match} of groups: {', '.join(required)}")


class KeysUnavailableError(Exception):
    """The signing keys cannot be obtained; the HTTP layer answers 503 with Retry-After."""

    code: str = "JWKS_UNAVAILABLE"

    def __init__(self, message: str | None = None, retry_after: float = 10.0) -> None:
        self.retry_after = retry_after
        super().__init__(message or self.__class__.__doc__ or self.code)


class JwksRefusedError(KeysUnavailableError):
    """The JWKS holds the emulator's publicly known key while the environment is production."""

    code = "JWKS_EMULATOR_KEY_REFUSED"
