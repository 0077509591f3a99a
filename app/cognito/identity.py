"""IdentityGateway: temporary AWS credentials from the identity pool for a verified ID token."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

import boto3

from app.cognito.error_map import call_translated
from app.cognito.gateway import cognito_client_config

if TYPE_CHECKING:
    from mypy_boto3_cognito_identity import CognitoIdentityClient

    from app.settings import Settings


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
        client = boto3.client(
            "cognito-identity",
            endpoint_url=settings.cognito_endpoint_url or None,
            config=cognito_client_config(settings),
        )
        provider = settings.cognito_issuer.removeprefix("https://")
        return cls(client, settings.cognito_identity_pool_id, provider)

    _call = staticmethod(call_translated)

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
