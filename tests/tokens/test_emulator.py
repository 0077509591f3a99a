"""Real tokens from the emulator (moto server on loopback) pass the verifier and its deps."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from app.settings import Settings
from app.tokens.errors import TokenUseInvalidError
from app.tokens.verifier import TokenVerifier

from .routes import build_app

pytestmark = pytest.mark.anyio
EMAIL = "ada@example.com"
PASSWORD = "Corr3ct-Horse!"


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def signed_in(emulator: str, monkeypatch: pytest.MonkeyPatch) -> tuple[Settings, dict[str, str]]:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    idp = boto3.client("cognito-idp", region_name="eu-west-1", endpoint_url=emulator)
    pool_id = idp.create_user_pool(PoolName="tokens-test", UsernameAttributes=["email"])[
        "UserPool"
    ]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName="no-secret",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"],
    )["UserPoolClient"]["ClientId"]
    idp.sign_up(ClientId=client_id, Username=EMAIL, Password=PASSWORD)
    idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=EMAIL)
    result = idp.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": EMAIL, "PASSWORD": PASSWORD},
    )["AuthenticationResult"]
    settings = Settings(
        cognito_user_pool_id=pool_id,
        cognito_client_id=client_id,
        cognito_endpoint_url=emulator,
        cognito_jwks_url=f"{emulator}/{pool_id}/.well-known/jwks.json",
        environment="local",
    )
    return settings, {"access": result["AccessToken"], "id": result["IdToken"]}


async def test_emulator_tokens_verify(signed_in: tuple[Settings, dict[str, str]]) -> None:
    settings, tokens = signed_in
    verifier = TokenVerifier.from_settings(settings)
    await verifier.start()
    access = await verifier.verify_access(tokens["access"])
    id_claims = await verifier.verify_id(tokens["id"])
    with pytest.raises(TokenUseInvalidError):
        await verifier.verify_access(tokens["id"])
    verifier.close()
    assert access.client_id == settings.cognito_client_id
    assert access.iss == settings.cognito_issuer
    assert access.username == access.sub  # email-as-username pools: the internal UUID
    assert access.origin_jti == id_claims.origin_jti
    assert id_claims.email == EMAIL
    assert id_claims.aud == settings.cognito_client_id


async def test_emulator_token_through_a_route(signed_in: tuple[Settings, dict[str, str]]) -> None:
    settings, tokens = signed_in
    verifier = TokenVerifier.from_settings(settings)
    transport = httpx.ASGITransport(app=build_app(verifier))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        response = await http.get(
            "/access", headers={"Authorization": f"Bearer {tokens['access']}"}
        )
    verifier.close()
    assert response.status_code == 200
    assert response.json()["scope"] == ["aws.cognito.signin.user.admin"]
