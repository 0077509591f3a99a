"""Settings: derived values, and start-up refusing missing or inconsistent configuration."""

from __future__ import annotations

import pytest

from app.settings import Settings, SettingsError, load_settings

POOL = "eu-west-1_AbCdEf123"


def test_issuer_and_jwks_are_derived_from_the_pool() -> None:
    settings = Settings(cognito_user_pool_id=POOL, cognito_client_id="client")
    assert settings.cognito_region == "eu-west-1"
    assert settings.cognito_issuer == f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}"
    assert settings.cognito_jwks_url == f"{settings.cognito_issuer}/.well-known/jwks.json"
    assert settings.environment == "production"  # the safe default


def test_missing_settings_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert "COGNITO_USER_POOL_ID" in str(raised.value)
    assert "COGNITO_CLIENT_ID" in str(raised.value)


@pytest.mark.parametrize("environment", ["production", "staging"])
@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"COGNITO_USER_POOL_ID": "not-a-pool"}, "COGNITO_USER_POOL_ID"),
        ({"COGNITO_REGION": "us-east-1"}, "COGNITO_REGION"),
        ({"COGNITO_ENDPOINT_URL": "http://127.0.0.1:9229"}, "COGNITO_ENDPOINT_URL"),
        (
            {"COGNITO_JWKS_URL": "http://127.0.0.1:9229/pool/.well-known/jwks.json"},
            "COGNITO_JWKS_URL",
        ),
        (
            {
                "COGNITO_JWKS_URL": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other/"
                ".well-known/jwks.json"
            },
            "COGNITO_JWKS_URL",
        ),
        (
            {"COGNITO_ISSUER": "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Other"},
            "COGNITO_ISSUER",
        ),
        ({"CORS_ORIGINS": "*"}, "CORS_ORIGINS"),
        ({"CLOCK_LEEWAY_SECONDS": "-1"}, "CLOCK_LEEWAY_SECONDS"),
    ],
)
def test_inconsistent_settings_stop_start_up(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str, environment: str
) -> None:
    monkeypatch.setenv("COGNITO_USER_POOL_ID", POOL)
    monkeypatch.setenv("COGNITO_CLIENT_ID", "client")
    monkeypatch.setenv("ENVIRONMENT", environment)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert named in str(raised.value)


def test_the_emulator_jwks_is_fine_outside_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COGNITO_USER_POOL_ID", POOL)
    monkeypatch.setenv("COGNITO_CLIENT_ID", "client")
    monkeypatch.setenv("ENVIRONMENT", "local")
    monkeypatch.setenv("COGNITO_JWKS_URL", "http://127.0.0.1:9229/pool/.well-known/jwks.json")
    monkeypatch.setenv("CORS_ORIGINS", "http://localhost:3000, https://app.example.com")
    settings = load_settings()
    assert settings.cors_origins == ["http://localhost:3000", "https://app.example.com"]
    assert settings.client_ids == ("client",)


def test_a_deployed_service_accepts_the_pools_own_aws_endpoints(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    issuer = f"https://cognito-idp.eu-west-1.amazonaws.com/{POOL}"
    monkeypatch.setenv("COGNITO_USER_POOL_ID", POOL)
    monkeypatch.setenv("COGNITO_CLIENT_ID", "client")
    monkeypatch.setenv("ENVIRONMENT", "staging")
    monkeypatch.setenv("COGNITO_ISSUER", issuer)
    monkeypatch.setenv("COGNITO_JWKS_URL", f"{issuer}/.well-known/jwks.json")
    assert load_settings().cognito_issuer == issuer
