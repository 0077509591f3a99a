"""CognitoGateway: every cognito-idp call the service makes, with SECRET_HASH and error mapping."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from jose import jwt

from app.cognito.error_map import translate
from app.cognito.models import Challenge, CodeDelivery, CognitoUser, SignUpResult, Tokens
from app.cognito.secret_hash import secret_hash
from app.errors import ApiError, ErrorCode

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_cognito_idp.type_defs import (
        AuthenticationResultTypeTypeDef,
        CodeDeliveryDetailsTypeTypeDef,
    )

    from app.settings import Settings

T = TypeVar("T")


def normalize_email(email: str) -> str:
    """Trim and lower-case an email, the canonical form sent to Cognito."""
    return email.strip().lower()


def build_cognito_client(settings: Settings) -> CognitoIdentityProviderClient:
    """Build the process's one cognito-idp client, with explicit timeouts and retries."""
    config = Config(
        region_name=settings.cognito_region,
        connect_timeout=settings.cognito_connect_timeout_seconds,
        read_timeout=settings.cognito_read_timeout_seconds,
        retries={"max_attempts": settings.cognito_max_attempts, "mode": "standard"},
        tcp_keepalive=True,
    )
    return boto3.client(
        "cognito-idp", endpoint_url=settings.cognito_endpoint_url or None, config=config
    )


class CognitoGateway:
    """The only code that calls cognito-idp; returns plain types and raises ApiError only."""

    def __init__(
        self, client: CognitoIdentityProviderClient, client_id: str, client_secret: str | None
    ) -> None:
        self._client = client
        self._client_id = client_id
        self._client_secret = client_secret

    @classmethod
    def from_settings(cls, settings: Settings) -> CognitoGateway:
        """Build the gateway (and its boto3 client) from the settings."""
        secret = settings.cognito_client_secret
        return cls(
            build_cognito_client(settings),
            settings.cognito_client_id,
            secret.get_secret_value() if secret is not None else None,
        )

    def _hash(self, username: str) -> dict[str, str]:
        if self._client_secret is None:
            return {}
        return {"SECRET_HASH": secret_hash(username, self._client_id, self._client_secret)}

    @staticmethod
    def _call(operation: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except (ClientError, BotoCoreError) as exc:
            raise translate(operation, exc) from None

    def sign_up(self, email: str, password: str, attributes: dict[str, str]) -> SignUpResult:
        """Register a user whose username is their email."""
        username = normalize_email(email)
        user_attributes = [{"Name": "email", "Value": username}]
        user_attributes += [{"Name": k, "Value": v} for k, v in attributes.items()]
        kwargs: dict[str, Any] = {
            "ClientId": self._client_id,
            "Username": username,
            "Password": password,
            "UserAttributes": user_attributes,
        }
        if self._client_secret is not None:
            kwargs["SecretHash"] = self._hash(username)["SECRET_HASH"]
        response = self._call("SignUp", lambda: self._client.sign_up(**kwargs))
        return SignUpResult(
            user_sub=response["UserSub"],
            confirmed=response["UserConfirmed"],
            delivery=_delivery(response.get("CodeDeliveryDetails")),
        )

    def confirm_sign_up(self, email: str, code: str) -> None:
        """Confirm a registration with the emailed code."""
        username = normalize_email(email)
        kwargs: dict[str, Any] = {
            "ClientId": self._client_id,
            "Username": username,
            "ConfirmationCode": code,
        }
        if self._client_secret is not None:
            kwargs["SecretHash"] = self._hash(username)["SECRET_HASH"]
        self._call("ConfirmSignUp", lambda: self._client.confirm_sign_up(**kwargs))

    def resend_confirmation_code(self, email: str) -> CodeDelivery | None:
        """Send a new confirmation code."""
        username = normalize_email(email)
        kwargs: dict[str, Any] = {"ClientId": self._client_id, "Username": username}
        if self._client_secret is not None:
            kwargs["SecretHash"] = self._hash(username)["SECRET_HASH"]
        response = self._call(
            "ResendConfirmationCode", lambda: self._client.resend_confirmation_code(**kwargs)
        )
        return _delivery(response.get("CodeDeliveryDetails"))

    def sign_in_with_password(self, email: str, password: str) -> Tokens | Challenge:
        """USER_PASSWORD_AUTH: tokens, or the challenge Cognito asks for."""
        username = normalize_email(email)
        params = {"USERNAME": username, "PASSWORD": password, **self._hash(username)}
        response = self._call(
            "InitiateAuth:USER_PASSWORD_AUTH",
            lambda: self._client.initiate_auth(
                ClientId=self._client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
            ),
        )
        result = response.get("AuthenticationResult")
        if result is not None:
            return _tokens(result, expect_refresh=True)
        return Challenge(
            name=response.get("ChallengeName", ""),
            session=response.get("Session", ""),
            parameters=dict(response.get("ChallengeParameters", {})),
        )

    def refresh(self, username: str, refresh_token: str) -> Tokens:
        """REFRESH_TOKEN_AUTH; `username` is the internal username (UUID), as AWS hashes it."""
        params = {"REFRESH_TOKEN": refresh_token, **self._hash(username)}
        response = self._call(
            "InitiateAuth:REFRESH_TOKEN_AUTH",
            lambda: self._client.initiate_auth(
                ClientId=self._client_id, AuthFlow="REFRESH_TOKEN_AUTH", AuthParameters=params
            ),
        )
        result = response.get("AuthenticationResult")
        if result is None:
            # A challenge on refresh is not something this API offers to answer.
            raise ApiError(ErrorCode.UPSTREAM_ERROR)
        return _tokens(result, expect_refresh=False)

    def global_sign_out(self, access_token: str) -> None:
        """Revoke every refresh token of the token's user (access tokens stay valid locally)."""
        self._call("GlobalSignOut", lambda: self._client.global_sign_out(AccessToken=access_token))

    def get_user(self, access_token: str) -> CognitoUser:
        """The user behind an access token; Cognito rejects revoked tokens here."""
        response = self._call("GetUser", lambda: self._client.get_user(AccessToken=access_token))
        attributes = {a["Name"]: a.get("Value", "") for a in response.get("UserAttributes", [])}
        return CognitoUser(username=response["Username"], attributes=attributes)


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
    # just issued by Cognito over TLS, so reading its claims unverified is safe here.
    claims = jwt.get_unverified_claims(access_token)
    return int(claims.get("exp", 0)) - int(claims.get("iat", 0))
