"""Plain result types the gateway returns, so nothing outside it handles boto3 dictionaries."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CodeDelivery:
    """Where Cognito sent a code (the destination is masked by Cognito)."""

    destination: str
    medium: str
    attribute: str


@dataclass(frozen=True, slots=True)
class SignUpResult:
    """The outcome of SignUp."""

    user_sub: str
    confirmed: bool
    delivery: CodeDelivery | None


@dataclass(frozen=True, slots=True)
class Tokens:
    """Tokens from a successful authentication; refresh_token is None after a refresh."""

    access_token: str
    id_token: str
    refresh_token: str | None
    expires_in: int
    token_type: str


@dataclass(frozen=True, slots=True)
class Challenge:
    """A challenge Cognito wants answered before it issues tokens."""

    name: str
    session: str
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class CognitoUser:
    """A user as GetUser describes them."""

    username: str
    attributes: dict[str, str]
