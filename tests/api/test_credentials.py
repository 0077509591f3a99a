"""POST /auth/credentials: an ID token for the identity pool's temporary AWS credentials."""

from __future__ import annotations

import httpx

from app.main import create_app
from app.settings import Settings
from tests.conftest import SignedInUser


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
