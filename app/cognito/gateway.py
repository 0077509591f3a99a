"""CognitoGateway: every cognito-idp call the service makes, with SECRET_HASH and error mapping."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.cognito.context import UserContext
from app.cognito.error_map import call_translated, token_operation, translate
from app.cognito.models import Challenge, CodeDelivery, CognitoUser, SignUpResult, Tokens
from app.cognito.secret_hash import secret_hash
from app.cognito.srp import SrpClient
from app.errors import ApiError, ErrorCode

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import (
        AuthenticationResultTypeTypeDef,
        CodeDeliveryDetailsTypeTypeDef,
    )

    from app.settings import Settings

T = TypeVar("T")
logger = logging.getLogger("app.cognito")
AuthOutcome = Tokens | Challenge


def normalize_email(email: str) -> str:
    """Trim and lower-case an email, the canonical form sent to Cognito."""
    return email.strip().lower()


def cognito_client_config(settings: Settings) -> Config:
    """The botocore config of the Cognito clients: the pool's region, timeouts, retries."""
    return Config(
        region_name=settings.cognito_region,
        connect_timeout=settings.cognito_connect_timeout_seconds,
        read_timeout=settings.cognito_read_timeout_seconds,
        retries={"max_attempts": settings.cognito_max_attempts, "mode": "standard"},
        tcp_keepalive=True,
    )


def build_cognito_client(settings: Settings) -> CognitoIdentityProviderClient:
    """Build the process's one cognito-idp client, with explicit timeouts and retries."""
    return boto3.client(
        "cognito-idp",
        endpoint_url=settings.cognito_endpoint_url or None,
        config=cognito_client_config(settings),
    )


def resolve_client_secret(
    client: CognitoIdentityProviderClient, pool_id: str, client_id: str
) -> str | None:
    """The app client's secret, read from Cognito (needs cognito-idp:DescribeUserPoolClient)."""
    try:
        described = client.describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    except (ClientError, BotoCoreError) as exc:
        # Start-up must fail loudly: without the secret no public-client call can succeed.
        code = exc.response.get("Error", {}).get("Code") if isinstance(exc, ClientError) else None
        reason = code or type(exc).__name__
        raise RuntimeError(
            f"DescribeUserPoolClient failed ({reason}): no app client secret"
        ) from None
    return described["UserPoolClient"].get("ClientSecret")


class CognitoGateway:
    """The only code that calls cognito-idp; returns plain types and raises ApiError only."""

    def __init__(
        self,
        client: CognitoIdentityProviderClient,
        client_id: str,
        client_secret: str | None,
        *,
        pool_id: str = "",
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._client_id = client_id
        self._client_secret = client_secret
        self._pool_id = pool_id  # the SRP proof signs over it
        self._clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> CognitoGateway:
        """Build the gateway (and its boto3 client); resolve the client secret if so configured."""
        client = build_cognito_client(settings)
        if settings.cognito_client_secret_source == "describe":  # noqa: S105  # a mode name
            secret = resolve_client_secret(
                client, settings.cognito_user_pool_id, settings.cognito_client_id
            )
        else:
            configured = settings.cognito_client_secret
            secret = configured.get_secret_value() if configured is not None else None
        return cls(
            client, settings.cognito_client_id, secret, pool_id=settings.cognito_user_pool_id
        )

    # --- helpers --------------------------------------------------------------------------------

    def _hash(self, username: str) -> dict[str, str]:
        if self._client_secret is None:
            return {}
        return {"SECRET_HASH": secret_hash(username, self._client_id, self._client_secret)}

    def _public(self, username: str, context: UserContext | None) -> dict[str, Any]:
        """ClientId, SecretHash and UserContextData, as the public-client calls take them."""
        kwargs: dict[str, Any] = {"ClientId": self._client_id, "Username": username}
        if self._client_secret is not None:
            kwargs["SecretHash"] = self._hash(username)["SECRET_HASH"]
        if context is not None:
            kwargs["UserContextData"] = context.as_param()
        return kwargs

    _call = staticmethod(call_translated)

    @staticmethod
    def _call_as_user(operation: str, call: Callable[[], T]) -> T:
        """_call for access-token calls whose NotAuthorizedException may be the token's refusal."""
        try:
            return call()
        except (ClientError, BotoCoreError) as exc:
            raise translate(token_operation(operation, exc), exc) from None

    # --- registration ---------------------------------------------------------------------------

    def sign_up(
        self,
        email: str,
        password: str,
        attributes: dict[str, str],
        context: UserContext | None = None,
    ) -> SignUpResult:
        """Register a user whose username is their email."""
        kwargs = self._public(normalize_email(email), context)
        kwargs["Password"] = password
        kwargs["UserAttributes"] = [{"Name": "email", "Value": kwargs["Username"]}] + [
            {"Name": k, "Value": v} for k, v in attributes.items()
        ]
        response = self._call("SignUp", lambda: self._client.sign_up(**kwargs))
        return SignUpResult(
            user_sub=response["UserSub"],
            confirmed=response["UserConfirmed"],
            delivery=_delivery(response.get("CodeDeliveryDetails")),
        )

    def confirm_sign_up(self, email: str, code: str, context: UserContext | None = None) -> None:
        """Confirm a registration with the emailed code."""
        kwargs = self._public(normalize_email(email), context)
        kwargs["ConfirmationCode"] = code
        self._call("ConfirmSignUp", lambda: self._client.confirm_sign_up(**kwargs))

    def resend_confirmation_code(
        self, email: str, context: UserContext | None = None
    ) -> CodeDelivery | None:
        """Send a new confirmation code."""
        kwargs = self._public(normalize_email(email), context)
        response = self._call(
            "ResendConfirmationCode", lambda: self._client.resend_confirmation_code(**kwargs)
        )
        return _delivery(response.get("CodeDeliveryDetails"))

    # --- authentication -------------------------------------------------------------------------

    def sign_in_with_password(
        self, email: str, password: str, context: UserContext | None = None
    ) -> AuthOutcome:
        """USER_PASSWORD_AUTH: tokens, or the challenge Cognito asks for."""
        username = normalize_email(email)
        kwargs: dict[str, Any] = {
            "ClientId": self._client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": username, "PASSWORD": password, **self._hash(username)},
        }
        if context is not None:
            kwargs["UserContextData"] = context.as_param()
        response = self._call(
            "InitiateAuth:USER_PASSWORD_AUTH", lambda: self._client.initiate_auth(**kwargs)
        )
        return _outcome(response)

    def sign_in_adaptive(
        self,
        email: str,
        password: str,
        context: UserContext | None = None,
        metadata: dict[str, str] | None = None,
    ) -> AuthOutcome:
        """CUSTOM_AUTH: prove the password by SRP; then tokens, or the risk trigger's challenge.

        `metadata` (sourceIp, deviceId) goes with the password proof, the call whose
        ClientMetadata Cognito hands to the define/create/verify and post-authentication triggers.
        """
        username = normalize_email(email)
        srp = SrpClient.start()
        kwargs: dict[str, Any] = {
            "ClientId": self._client_id,
            "AuthFlow": "CUSTOM_AUTH",
            "AuthParameters": {
                "USERNAME": username,
                "CHALLENGE_NAME": "SRP_A",
                "SRP_A": srp.srp_a,
                **self._hash(username),
            },
        }
        if context is not None:
            kwargs["UserContextData"] = context.as_param()
        started = self._call(
            "InitiateAuth:CUSTOM_AUTH", lambda: self._client.initiate_auth(**kwargs)
        )
        params = started.get("ChallengeParameters", {})
        user_id = params.get("USER_ID_FOR_SRP", "")
        if started.get("ChallengeName") != "PASSWORD_VERIFIER" or not user_id:
            # The DefineAuthChallenge trigger must ask for the password first; tokens or another
            # challenge here would be a sign-in without it (a wrong or outdated trigger).
            logger.error(
                "adaptive sign-in: Cognito did not ask for the password proof",
                extra={"challenge_name": str(started.get("ChallengeName", ""))[:64]},
            )
            raise ApiError(ErrorCode.UPSTREAM_ERROR)
        try:
            claim = srp.password_claim(
                pool_id=self._pool_id,
                user_id_for_srp=user_id,
                password=password,
                salt_hex=params["SALT"],
                srp_b_hex=params["SRP_B"],
                secret_block=params["SECRET_BLOCK"],
                now=self._clock(),
            )
        except (KeyError, ValueError):
            # Parameters no real Cognito sends: never answer them with a guess.
            raise ApiError(ErrorCode.UPSTREAM_ERROR) from None
        # AWS hashes the answer over the internal username the challenge named, not the email.
        answer: dict[str, Any] = {
            "ClientId": self._client_id,
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": started.get("Session", ""),
            "ChallengeResponses": {"USERNAME": user_id, **claim, **self._hash(user_id)},
        }
        if context is not None:
            answer["UserContextData"] = context.as_param()
        if metadata:
            answer["ClientMetadata"] = metadata
        response = self._call(
            "RespondToAuthChallenge:PASSWORD_VERIFIER",
            lambda: self._client.respond_to_auth_challenge(**answer),
        )
        return _outcome(response)

    def respond_to_challenge(
        self,
        challenge_name: str,
        session: str,
        username: str,
        answers: dict[str, str],
        context: UserContext | None = None,
        metadata: dict[str, str] | None = None,
    ) -> AuthOutcome:
        """Answer a challenge; SECRET_HASH is over the internal username the challenge named."""
        kwargs: dict[str, Any] = {
            "ClientId": self._client_id,
            "ChallengeName": challenge_name,
            "Session": session,
            "ChallengeResponses": {"USERNAME": username, **answers, **self._hash(username)},
        }
        if context is not None:
            kwargs["UserContextData"] = context.as_param()
        if metadata:
            kwargs["ClientMetadata"] = metadata
        response = self._call(
            "RespondToAuthChallenge", lambda: self._client.respond_to_auth_challenge(**kwargs)
        )
        return _outcome(response)

    def refresh(
        self, username: str, refresh_token: str, context: UserContext | None = None
    ) -> Tokens:
        """REFRESH_TOKEN_AUTH; `username` is the internal username (UUID), as AWS hashes it."""
        kwargs: dict[str, Any] = {
            "ClientId": self._client_id,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {"REFRESH_TOKEN": refresh_token, **self._hash(username)},
        }
        if context is not None:
            kwargs["UserContextData"] = context.as_param()
        response = self._call(
            "InitiateAuth:REFRESH_TOKEN_AUTH", lambda: self._client.initiate_auth(**kwargs)
        )
        result = response.get("AuthenticationResult")
        if result is None:
            # A challenge on refresh is not something this API offers to answer.
            raise ApiError(ErrorCode.UPSTREAM_ERROR)
        return _tokens(result, expect_refresh=False)

    def global_sign_out(self, access_token: str) -> None:
        """Revoke every refresh token of the token's user (access tokens stay valid locally)."""
        self._call("GlobalSignOut", lambda: self._client.global_sign_out(AccessToken=access_token))

    def revoke_refresh_token(self, refresh_token: str) -> bool:
        """RevokeToken; False when nothing was revoked (already invalid), which callers ignore."""
        kwargs: dict[str, Any] = {"Token": refresh_token, "ClientId": self._client_id}
        if self._client_secret is not None:
            kwargs["ClientSecret"] = self._client_secret
        try:
            self._client.revoke_token(**kwargs)
        except ClientError as exc:
            error = exc.response.get("Error", {})
            if error.get("Code") == "UnauthorizedException":
                # Cognito refused this app client's own credentials: a wrong or rotated client
                # secret, which breaks every call that needs it. The user is still signed out
                # (GlobalSignOut ran first), so only the operator is told; no traceback, which
                # would add nothing but request data.
                logger.error(  # noqa: TRY400
                    "RevokeToken refused the app client's credentials; check the client secret",
                    extra={
                        "operation": "RevokeToken",
                        "aws_error": "UnauthorizedException",
                        "aws_request_id": exc.response.get("ResponseMetadata", {}).get("RequestId"),
                    },
                )
                return False
            translated = translate("RevokeToken", exc)
            if translated.code is ErrorCode.REFRESH_TOKEN_INVALID:
                return False
            raise translated from None
        except BotoCoreError as exc:
            raise translate("RevokeToken", exc) from None
        return True

    # --- passwords ------------------------------------------------------------------------------

    def forgot_password(
        self, email: str, context: UserContext | None = None
    ) -> CodeDelivery | None:
        """Email a password-reset code."""
        kwargs = self._public(normalize_email(email), context)
        response = self._call("ForgotPassword", lambda: self._client.forgot_password(**kwargs))
        return _delivery(response.get("CodeDeliveryDetails"))

    def confirm_forgot_password(
        self, email: str, code: str, new_password: str, context: UserContext | None = None
    ) -> None:
        """Set a new password with the reset code."""
        kwargs = self._public(normalize_email(email), context)
        kwargs["ConfirmationCode"] = code
        kwargs["Password"] = new_password
        self._call("ConfirmForgotPassword", lambda: self._client.confirm_forgot_password(**kwargs))

    def change_password(self, access_token: str, previous: str, proposed: str) -> None:
        """Change the signed-in user's password."""
        self._call_as_user(
            "ChangePassword",
            lambda: self._client.change_password(
                AccessToken=access_token, PreviousPassword=previous, ProposedPassword=proposed
            ),
        )

    # --- the signed-in user ---------------------------------------------------------------------

    def get_user(self, access_token: str) -> CognitoUser:
        """The user behind an access token; Cognito rejects revoked tokens here."""
        response = self._call("GetUser", lambda: self._client.get_user(AccessToken=access_token))
        attributes = {a["Name"]: a.get("Value", "") for a in response.get("UserAttributes", [])}
        return CognitoUser(username=response["Username"], attributes=attributes)

    def update_attributes(
        self, access_token: str, attributes: dict[str, str]
    ) -> list[CodeDelivery]:
        """Update attributes; a new email gets a verification code (and applies once verified)."""
        response = self._call_as_user(
            "UpdateUserAttributes",
            lambda: self._client.update_user_attributes(
                AccessToken=access_token,
                UserAttributes=[{"Name": k, "Value": v} for k, v in attributes.items()],
            ),
        )
        deliveries = [_delivery(d) for d in response.get("CodeDeliveryDetailsList", [])]
        return [d for d in deliveries if d is not None]

    def verify_email(self, access_token: str, code: str) -> None:
        """Verify the (new) email with its code."""
        self._call(
            "VerifyUserAttribute",
            lambda: self._client.verify_user_attribute(
                AccessToken=access_token, AttributeName="email", Code=code
            ),
        )

    def associate_totp(self, access_token: str) -> str:
        """Start enrolling an authenticator app; returns the shared secret."""
        response = self._call(
            "AssociateSoftwareToken",
            lambda: self._client.associate_software_token(AccessToken=access_token),
        )
        return response["SecretCode"]

    def verify_totp(self, access_token: str, code: str, device_name: str) -> None:
        """Finish enrolling an authenticator app with a code it shows."""
        response = self._call(
            "VerifySoftwareToken",
            lambda: self._client.verify_software_token(
                AccessToken=access_token, UserCode=code, FriendlyDeviceName=device_name
            ),
        )
        if response.get("Status") != "SUCCESS":
            raise ApiError(ErrorCode.INVALID_CODE)

    def set_totp_preference(self, access_token: str, *, enabled: bool) -> None:
        """Turn authenticator-app MFA on (preferred) or off for the user."""
        self._call(
            "SetUserMFAPreference",
            lambda: self._client.set_user_mfa_preference(
                AccessToken=access_token,
                SoftwareTokenMfaSettings={"Enabled": enabled, "PreferredMfa": enabled},
            ),
        )

    def delete_user(self, access_token: str) -> None:
        """Delete the signed-in user's account."""
        self._call("DeleteUser", lambda: self._client.delete_user(AccessToken=access_token))

    def resend_email_verification(self, access_token: str) -> CodeDelivery | None:
        """Send a new code to verify the email (the pending new one, if any)."""
        response = self._call(
            "GetUserAttributeVerificationCode",
            lambda: self._client.get_user_attribute_verification_code(
                AccessToken=access_token, AttributeName="email"
            ),
        )
        return _delivery(response.get("CodeDeliveryDetails"))

    # --- MFA_SETUP: enrolling an authenticator during sign-in -----------------------------------

    def associate_totp_for_challenge(self, session: str) -> tuple[str, str]:
        """AssociateSoftwareToken with an MFA_SETUP session: (secret, the session to go on with)."""
        response = self._call(
            "AssociateSoftwareToken:Session",
            lambda: self._client.associate_software_token(Session=session),
        )
        # AWS hands back a new session; use it for VerifySoftwareToken.
        return response["SecretCode"], response.get("Session") or session

    def verify_totp_for_challenge(self, session: str, code: str, device_name: str) -> str:
        """VerifySoftwareToken with the session; returns the session to answer MFA_SETUP with."""
        response = self._call(
            "VerifySoftwareToken:Session",
            lambda: self._client.verify_software_token(
                Session=session, UserCode=code, FriendlyDeviceName=device_name
            ),
        )
        if response.get("Status") != "SUCCESS":
            raise ApiError(ErrorCode.INVALID_CODE)
        next_session = response.get("Session")
        if not next_session:
            # RespondToAuthChallenge(MFA_SETUP) needs the session VerifySoftwareToken returns.
            raise ApiError(ErrorCode.UPSTREAM_ERROR)
        return next_session


def _outcome(response: Any) -> AuthOutcome:  # noqa: ANN401  # InitiateAuth/RespondToAuthChallenge
    result = response.get("AuthenticationResult")
    if result is not None:
        return _tokens(result, expect_refresh=True)
    return Challenge(
        name=response.get("ChallengeName", ""),
        session=response.get("Session", ""),
        parameters={k: str(v) for k, v in response.get("ChallengeParameters", {}).items()},
    )


def _delivery(details: CodeDeliveryDetailsTypeTypeDef | None) -> CodeDelivery | None:
    if not details:
        return None
    return CodeDelivery(
        destination=details.get("Destination", ""),
        medium=details.get("DeliveryMedium", ""),
        attribute=details.get("AttributeName", ""),
    )


def _tokens(result: AuthenticationResultTypeTypeDef, *, expect_refresh: bool) -> Tokens:
    access = result.get("AccessToken", "")
    expires_in = result.get("ExpiresIn") or _lifetime(access)
    return Tokens(
        access_token=access,
        id_token=result.get("IdToken", ""),
        refresh_token=result.get("RefreshToken") if expect_refresh else None,
        expires_in=int(expires_in),
        token_type=result.get("TokenType", "Bearer") or "Bearer",
    )


def _lifetime(access_token: str) -> int:
    # Some backends omit ExpiresIn; the token's own exp - iat is then the lifetime. The token was
    # just issued by Cognito over TLS, so reading its claims unverified is safe here. Imported
    # here: python-jose loads cryptography's X.509 modules, a cold-start cost for a rare path.
    from jose import jwt

    claims = jwt.get_unverified_claims(access_token)
    return int(claims.get("exp", 0)) - int(claims.get("iat", 0))
