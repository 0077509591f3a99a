"""The client secret can come from Cognito itself instead of the environment."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from app.cognito.gateway import CognitoGateway, resolve_client_secret
from app.settings import Settings
from local_cognito.server import LocalCognito


def test_describe_is_asked_once_with_the_pool_and_client() -> None:
    client = boto3.client("cognito-idp", region_name="eu-west-1")
    with Stubber(client) as stubber:
        stubber.add_response(
            "describe_user_pool_client",
            {
                "UserPoolClient": {
                    "ClientId": "c" * 26,
                    "ClientSecret": "s3cret-0123456789abcdefghij",
                }
            },
            {"UserPoolId": "eu-west-1_AbCdEf123", "ClientId": "c" * 26},
        )
        assert (
            resolve_client_secret(client, "eu-west-1_AbCdEf123", "c" * 26)
            == "s3cret-0123456789abcdefghij"
        )
        stubber.add_client_error(
            "describe_user_pool_client", service_error_code="AccessDeniedException"
        )
        with pytest.raises(RuntimeError, match="AccessDeniedException") as raised:
            resolve_client_secret(client, "eu-west-1_AbCdEf123", "c" * 26)
        assert "s3cret-0123456789abcdefghij" not in str(raised.value)


def test_the_gateway_resolves_the_local_pools_secret(
    settings: Settings, cognito: LocalCognito
) -> None:
    described = settings.model_copy(
        update={"cognito_client_secret": None, "cognito_client_secret_source": "describe"}
    )
    gateway = CognitoGateway.from_settings(described)
    assert gateway._client_secret == cognito.pool.client_secret


def test_a_secret_in_the_environment_and_describe_do_not_mix(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.settings import SettingsError, load_settings

    monkeypatch.setenv("COGNITO_USER_POOL_ID", "eu-west-1_AbCdEf123")
    monkeypatch.setenv("COGNITO_CLIENT_ID", "client")
    monkeypatch.setenv("COGNITO_CLIENT_SECRET", "x")
    monkeypatch.setenv("COGNITO_CLIENT_SECRET_SOURCE", "describe")
    with pytest.raises(SettingsError, match="COGNITO_CLIENT_SECRET"):
        load_settings()
