"""IdentityGateway: temporary AWS credentials from the identity pool for a verified ID token."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.cognito.error_map import translate

if TYPE_CHECKING:
    from mypy_boto3_cognito_identity import CognitoIdentityClient

    from app.settings import Settings

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class AwsCredentials:
    """Temporary credentials for the user's identity (scoped by the identity pool's role)."""

    identity_id: str
    access_key_id: str
    secret_access_key: str = field(repr=False)
    session_token: str = field(repr=False)
    expiration: datetime


class IdentityGateway:
    """The only code that calls cognito-identity."""

    def __init__(self, client: CognitoIdentityClient, identity_pool_id: str, provider: str) -> None:
        self._client = client
        self._pool_id = identity_pool_id
        self._provider = provider

    @classmethod
    def from_settings(cls, settings: Settings) -> IdentityGateway:
        """Build the gateway; the user pool is the identity pool's login provider."""
        config = Config(
            region_name=settings.cognito_region,
            connect_timeout=settings.cognito_connect_timeout_seconds,
            read_timeout=settings.cognito_read_timeout_seconds,
            retries={"max_attempts": settings.cognito_max_attempts, "mode": "standard"},
        )
        client = boto3.client(
            "cognito-identity", endpoint_url=settings.cognito_endpoint_url or None, config=config
        )
        provider = settings.cognito_issuer.removeprefix("https://")
        return cls(client, settings.cognito_identity_pool_id, provider)

    @staticmethod
    def _call(operation: str, call: Callable[[], T]) -> T:
        try:
            return call()
        except (ClientError, BotoCoreError) as exc:
            raise translate(operation, exc) from None

    def credentials_for(self, id_token: str) -> AwsCredentials:
        """GetId then GetCredentialsForIdentity, both with the ID token as the login."""
        logins = {self._provider: id_token}
        identity_id = self._call(
            "GetId", lambda: self._client.get_id(IdentityPoolId=self._pool_id, Logins=logins)
        )["IdentityId"]
        response = self._call(
            "GetCredentialsForIdentity",
            lambda: self._client.get_credentials_for_identity(
                IdentityId=identity_id, Logins=logins
            ),
        )
        credentials = response["Credentials"]
        return AwsCredentials(
            identity_id=identity_id,
            access_key_id=credentials.get("AccessKeyId", ""),
            secret_access_key=credentials.get("SecretKey", ""),
            session_token=credentials.get("SessionToken", ""),
            expiration=credentials["Expiration"],
        )
