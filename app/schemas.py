"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.cognito.gateway import normalize_email

# Deliberately loose (Cognito validates addresses itself): one @, no spaces, a dotted domain.
_EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$"
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=_EMAIL_PATTERN),
    AfterValidator(normalize_email),
    Field(examples=["ada@example.com"]),
]
# Cognito's own bounds; the pool's policy (length, classes) is checked by Cognito.
Password = Annotated[
    str, Field(min_length=1, max_length=256, examples=["Corr3ct-Horse!"], repr=False)
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]
Code = Annotated[str, StringConstraints(pattern=r"^\S{1,64}$"), Field(examples=["123456"])]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class RegisterIn(_Body):
    """A new account: email (the username), password and optional names."""

    email: Email
    password: Password
    given_name: Name | None = None
    family_name: Name | None = None


class CodeDeliveryOut(BaseModel):
    """Where a code was sent (masked by Cognito)."""

    destination: str = Field(examples=["a***@e***"])
    medium: str = Field(examples=["EMAIL"])
    attribute: str = Field(examples=["email"])


class RegisterOut(BaseModel):
    """The registered user and whether a confirmation code is on its way."""

    user_sub: str = Field(examples=["0f6a1e8e-6b0f-4c7e-9b1e-4b8e2f0c1a2b"])
    confirmed: bool = Field(description="True when a trigger auto-confirmed the account.")
    code_delivery: CodeDeliveryOut | None


class ConfirmIn(_Body):
    """The code emailed at registration."""

    email: Email
    code: Code


class ResendCodeIn(_Body):
    """Whose confirmation code to send again."""

    email: Email


class ResendCodeOut(BaseModel):
    """Where the new code was sent, when Cognito says."""

    code_delivery: CodeDeliveryOut | None


class SignInIn(_Body):
    """Email and password."""

    email: Email
    password: Password


class TokensOut(BaseModel):
    """Tokens after a successful sign-in."""

    status: Literal["SIGNED_IN"] = "SIGNED_IN"
    access_token: str
    id_token: str
    refresh_token: str
    token_type: str = Field(examples=["Bearer"])
    expires_in: int = Field(description="Lifetime of the access and ID tokens, in seconds.")
    username: str = Field(
        description=(
            "The user's internal Cognito username (a UUID). Keep it with the refresh token: "
            "POST /auth/refresh needs both."
        )
    )


class ChallengeOut(BaseModel):
    """Cognito wants a challenge answered before it issues tokens."""

    status: Literal["CHALLENGE"] = "CHALLENGE"
    challenge_name: str = Field(examples=["NEW_PASSWORD_REQUIRED"])
    session: str = Field(description="Opaque; send it back with the answer.")
    username: str = Field(description="The internal username the answer must be made for.")
    parameters: dict[str, str] = Field(
        description="Challenge parameters Cognito returned (no secrets)."
    )


SignInOut = Annotated[TokensOut | ChallengeOut, Field(discriminator="status")]


class RefreshIn(_Body):
    """What the client kept after sign-in."""

    refresh_token: Annotated[str, Field(min_length=1, max_length=8192, repr=False)]
    username: Annotated[
        str,
        StringConstraints(pattern=r"^[^\s@]{1,128}$"),
        Field(
            description="The `username` returned at sign-in (the internal UUID, not the email).",
            examples=["0f6a1e8e-6b0f-4c7e-9b1e-4b8e2f0c1a2b"],
        ),
    ]


class RefreshedTokensOut(BaseModel):
    """New access and ID tokens. Cognito issues no new refresh token here: keep the old one."""

    access_token: str
    id_token: str
    token_type: str = Field(examples=["Bearer"])
    expires_in: int


class MeOut(BaseModel):
    """The signed-in user."""

    sub: str
    username: str
    email: str | None
    email_verified: bool
    given_name: str | None
    family_name: str | None
    groups: list[str]


class Problem(BaseModel):
    """The one error shape (RFC 9457 problem details with a stable `code`)."""

    type: str = "about:blank"
    title: str
    status: int
    code: str = Field(description="Stable machine-readable error code.")
    detail: str = Field(description="Safe human-readable message.")
    request_id: str | None
    errors: list[dict[str, str]] | None = Field(
        default=None, description="Per-field problems, for VALIDATION_FAILED."
    )
