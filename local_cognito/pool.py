"""Create the user pool and app client from deploy/user_pool.json, the one shared definition."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_cognito_identity import CognitoIdentityClient
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

DEFINITION = Path(__file__).resolve().parent.parent / "deploy" / "user_pool.json"


@dataclass(frozen=True, slots=True)
class LocalPool:
    """What the API needs to know about the local pool."""

    region: str
    pool_id: str
    client_id: str
    client_secret: str
    endpoint_url: str

    @property
    def jwks_url(self) -> str:
        """Where the emulator serves the pool's keys (its tokens carry the AWS issuer)."""
        return f"{self.endpoint_url}/{self.pool_id}/.well-known/jwks.json"


def load_definition(path: Path = DEFINITION) -> dict[str, Any]:
    """The pool and client definition, without the deploy-only and comment entries."""
    definition: dict[str, Any] = json.loads(path.read_text())
    return {"UserPool": definition["UserPool"], "UserPoolClient": definition["UserPoolClient"]}


def create_pool(client: CognitoIdentityProviderClient, endpoint_url: str) -> LocalPool:
    """Create the pool and its app client exactly as defined."""
    definition = load_definition()
    pool = client.create_user_pool(**definition["UserPool"])["UserPool"]
    if definition["UserPool"].get("MfaConfiguration") in ("OPTIONAL", "ON"):
        client.set_user_pool_mfa_config(
            UserPoolId=pool["Id"],
            SoftwareTokenMfaConfiguration={"Enabled": True},
            MfaConfiguration=definition["UserPool"]["MfaConfiguration"],
        )
    app_client = client.create_user_pool_client(
        UserPoolId=pool["Id"], **definition["UserPoolClient"]
    )["UserPoolClient"]
    return LocalPool(
        region=client.meta.region_name,
        pool_id=pool["Id"],
        client_id=app_client["ClientId"],
        client_secret=app_client["ClientSecret"],
        endpoint_url=endpoint_url,
    )


def create_identity_pool(client: CognitoIdentityClient, pool: LocalPool) -> str:
    """The identity pool that turns the user pool's ID tokens into AWS credentials."""
    identity_pool = client.create_identity_pool(
        IdentityPoolName="image_platform_identity_pool",
        AllowUnauthenticatedIdentities=False,
        CognitoIdentityProviders=[
            {
                "ProviderName": f"cognito-idp.{pool.region}.amazonaws.com/{pool.pool_id}",
                "ClientId": pool.client_id,
                "ServerSideTokenCheck": False,
            }
        ],
    )
    return identity_pool["IdentityPoolId"]
