"""Request and response bodies of the HTTP API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.cognito.gateway import normalize_email
from app.cognito.models import CodeDelivery
from app.profile import ProfileOut

# Deliberately loose (Cognito validates addresses itself): one @, no spaces, a dotted domain.
_EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s.]+(\.[^@\s.]+)+$"
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=_EMAIL_PATTERN),
    AfterValidator(normalize_email),
    Field(examples=["ada@example.com"]),
]
# Cognito's own bounds; the pool's policy (length, classes) is checked by Cognito.
Password = Annotated[str, Field(min_length=1, max_length=256, examples=["Corr3ct-Horse!"])]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=256)]
Code = Annotated[str, StringConstraints(pattern=r"^\S{1,64}$"), Field(examples=["123456"])]


class _Body(BaseModel):
    # Passwords and codes must never surface in a repr or an error: hide inputs everywhere.
    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)


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

    @classmethod
    def of(cls, delivery: CodeDelivery | None) -> CodeDeliveryOut | None:
        """The API's view of a delivery the gateway reported (None stays None)."""
        if delivery is None:
            return None
        return cls(
            destination=delivery.destination, medium=delivery.medium, attribute=delivery.attribute
        )


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


ChallengeName = Literal[
    "NEW_PASSWORD_REQUIRED",
    "SMS_MFA",
    "SOFTWARE_TOKEN_MFA",
    "EMAIL_OTP",
    "SELECT_MFA_TYPE",
    "MFA_SETUP",
    "CUSTOM_CHALLENGE",
]


class NextStep(BaseModel):
    """What the client must send to POST /auth/challenge to go on."""

    challenge_name: ChallengeName = Field(examples=["SOFTWARE_TOKEN_MFA"])
    session: str = Field(description="Opaque; send it back with the answer (valid 3 minutes).")
    username: str = Field(description="Send it back: the internal username the answer is for.")
    expected: list[str] = Field(
        description="Body fields of POST /auth/challenge this step needs.", examples=[["code"]]
    )
    required_attributes: list[str] = Field(
        default_factory=list,
        description="NEW_PASSWORD_REQUIRED: attributes to send in `attributes`.",
    )
    parameters: dict[str, str] = Field(
        description="Public challenge parameters (for CUSTOM_CHALLENGE, those of the trigger)."
    )


class ChallengeOut(BaseModel):
    """Cognito wants a challenge answered before it issues tokens."""

    status: Literal["CHALLENGE"] = "CHALLENGE"
    next_step: NextStep


class ChallengeIn(_Body):
    """An answer to the challenge named in `next_step`."""

    challenge_name: ChallengeName
    session: Annotated[str, Field(min_length=20, max_length=2048, repr=False)]
    username: Annotated[str, StringConstraints(pattern=r"^\S{1,128}$")]
    new_password: Password | None = None
    code: Annotated[str, StringConstraints(pattern=r"^\d{6,8}$")] | None = None
    answer: Annotated[str | None, Field(min_length=1, max_length=2048, repr=False)] = None
    mfa_type: Literal["SMS_MFA", "SOFTWARE_TOKEN_MFA", "EMAIL_OTP"] | None = None
    attributes: dict[str, Name] = Field(
        default_factory=dict, description="NEW_PASSWORD_REQUIRED's required attributes."
    )


class MfaSetupIn(_Body):
    """MFA_SETUP, first step: ask for an authenticator secret with the challenge's session."""

    session: Annotated[str, Field(min_length=20, max_length=2048, repr=False)]
    username: Annotated[str, StringConstraints(pattern=r"^\S{1,128}$")]
    account_name: Name | None = Field(
        default=None,
        description="What the authenticator app shows for this account (e.g. the email); "
        "defaults to `username`.",
    )


class MfaSetupOut(BaseModel):
    """A new authenticator secret; then answer MFA_SETUP with a code and this `session`."""

    secret: str = Field(repr=False)
    otpauth_uri: str
    session: str = Field(
        description="Send it with challenge_name MFA_SETUP and a code to POST /auth/challenge."
    )


class ForgotPasswordIn(_Body):
    """Whose password to reset."""

    email: Email


class AcceptedOut(BaseModel):
    """The request was taken; the answer does not say whether the account exists."""

    detail: str


class ResetPasswordIn(_Body):
    """The reset code and the new password."""

    email: Email
    code: Code
    new_password: Password


class ChangePasswordIn(_Body):
    """The current password and the new one."""

    current_password: Password
    new_password: Password


class SignOutIn(_Body):
    """Optionally, the refresh token to revoke as well."""

    refresh_token: Annotated[str | None, Field(min_length=1, max_length=8192, repr=False)] = None


class UpdateMeIn(_Body):
    """Writable attributes; a new email applies only after POST /me/verify-email."""

    email: Email | None = None
    given_name: Name | None = None
    family_name: Name | None = None


class UpdateMeOut(BaseModel):
    """The user after the update, and where a new email's verification code went."""

    user: MeOut
    email_verification: CodeDeliveryOut | None


class VerifyEmailIn(_Body):
    """The code sent to the new email."""

    code: Code


class TotpSetupOut(BaseModel):
    """A new authenticator-app secret; show `otpauth_uri` as a QR code."""

    secret: str = Field(repr=False)
    otpauth_uri: str


class TotpVerifyIn(_Body):
    """A code the authenticator app shows, to prove enrolment."""

    code: Annotated[str, StringConstraints(pattern=r"^\d{6}$")]
    device_name: Name = "Authenticator"


class MfaPreferenceIn(_Body):
    """Whether sign-in asks for an authenticator code."""

    totp_enabled: bool


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
    profile: ProfileOut | None = Field(
        default=None,
        description="The platform profile (preferences, statistics, last sign-in); null when "
        "the service has no platform table (PLATFORM_TABLE_NAME) or cannot read it just now.",
    )


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
