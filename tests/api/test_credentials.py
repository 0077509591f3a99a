"""POST /auth/credentials: an ID token for the identity pool's temporary AWS credentials."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import boto3
import httpx
import pytest
from botocore.stub import Stubber

from app.cognito.identity import IdentityGateway
from app.errors import ApiError, ErrorCode
from app.main import create_app
from app.settings import Settings
from tests.conftest import SignedInUser

IDENTITY_POOL = "eu-west-1:0f6a1e8e-6b0f-4c7e-9b1e-4b8e2f0c1a2b"
IDENTITY = "eu-west-1:11111111-2222-3333-4444-555555555555"
PROVIDER = "cognito-idp.eu-west-1.amazonaws.com/eu-west-1_AbCdEf123"


def test_id_token_gets_stable_identity_and_credentials(
    client: httpx.Client, user: SignedInUser
) -> None:
    id_auth = {"Authorization": f"Bearer {user.tokens['id_token']}"}
    first = client.post("/auth/credentials", headers=id_auth)
    assert first.status_code == 200, first.text
    body = first.json()
    assert body["identity_id"].startswith("eu-west-1:")
    assert body["access_key_id"]
    assert body["secret_access_key"]
    assert body["session_token"]
    expiration = datetime.fromisoformat(body["expiration"])
    assert expiration.tzinfo is not None
    assert datetime.now(UTC) < expiration <= datetime.now(UTC) + timedelta(hours=12)
    assert first.headers["cache-control"] == "no-store"
    second = client.post("/auth/credentials", headers=id_auth).json()
    assert second["identity_id"] == body["identity_id"]  # one identity per user


def test_access_token_is_not_an_id_token(client: httpx.Client, user: SignedInUser) -> None:
    response = client.post("/auth/credentials", headers=user.auth)
    assert response.status_code == 401
    assert response.json()["code"] == "INVALID_TOKEN"
    assert client.post("/auth/credentials").json()["code"] == "NOT_AUTHENTICATED"


async def test_without_an_identity_pool_the_route_says_so(
    settings: Settings, user: SignedInUser
) -> None:
    app = create_app(settings.model_copy(update={"cognito_identity_pool_id": ""}))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.post(
            "/auth/credentials", headers={"Authorization": f"Bearer {user.tokens['id_token']}"}
        )
    assert response.status_code == 501
    assert response.json()["code"] == "CREDENTIALS_NOT_CONFIGURED"


def test_get_id_then_credentials_with_the_user_pool_login() -> None:
    client = boto3.client(
        "cognito-identity",
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    settings = Settings(
        cognito_user_pool_id="eu-west-1_AbCdEf123",
        cognito_client_id="c",
        cognito_identity_pool_id=IDENTITY_POOL,
    )
    # The login key is the user pool's provider name, derived from the issuer, not configured.
    provider = settings.cognito_issuer.removeprefix("https://")
    assert provider == PROVIDER
    gateway = IdentityGateway(client, IDENTITY_POOL, provider)
    expires = datetime(2030, 1, 1, tzinfo=UTC)
    with Stubber(client) as stubber:
        logins = {PROVIDER: "id-token"}
        stubber.add_response(
            "get_id", {"IdentityId": IDENTITY}, {"IdentityPoolId": IDENTITY_POOL, "Logins": logins}
        )
        stubber.add_response(
            "get_credentials_for_identity",
            {
                "IdentityId": IDENTITY,
                "Credentials": {
                    "AccessKeyId": "ASIAEXAMPLE",
                    "SecretKey": "secret",
                    "SessionToken": "session",
                    "Expiration": expires,
                },
            },
            {"IdentityId": IDENTITY, "Logins": logins},
        )
        credentials = gateway.credentials_for("id-token")
        stubber.assert_no_pending_responses()
    assert (credentials.identity_id, credentials.access_key_id) == (IDENTITY, "ASIAEXAMPLE")
    assert credentials.expiration == expires
    assert "secret" not in repr(credentials)


@pytest.mark.parametrize(
    ("aws_code", "expected"),
    [
        ("NotAuthorizedException", ErrorCode.INVALID_TOKEN),
        ("ResourceNotFoundException", ErrorCode.CREDENTIALS_NOT_CONFIGURED),
        ("TooManyRequestsException", ErrorCode.TOO_MANY_REQUESTS),
    ],
)
def test_identity_errors_are_translated(aws_code: str, expected: ErrorCode) -> None:
    client = boto3.client(
        "cognito-identity",
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    with Stubber(client) as stubber:
        stubber.add_client_error("get_id", service_error_code=aws_code)
        with pytest.raises(ApiError) as raised:
            IdentityGateway(client, IDENTITY_POOL, PROVIDER).credentials_for("id-token")
    assert raised.value.code is expected
