"""Service settings: one pydantic-settings class, read once from the environment and passed in."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

Environment = Literal["local", "test", "development", "staging", "production"]
RevocationMode = Literal["off", "memory", "dynamodb"]
SignInFlow = Literal["password", "adaptive"]

_POOL_ID = re.compile(r"^(?P<region>[a-z]{2}(-[a-z]+)+-\d)_[0-9A-Za-z]+$")
_AWS_JWKS_HOST = re.compile(r"^cognito-idp\.[a-z0-9-]+\.amazonaws\.com$")
# Environments that run against real AWS: the emulator's endpoints and keys are refused there.
_DEPLOYED = frozenset({"production", "staging"})


class SettingsError(RuntimeError):
    """Raised when the environment does not describe a usable configuration."""


class Settings(BaseSettings):
    """Everything the service reads from its environment (names are the upper-case field names)."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    environment: Environment = "production"
    log_level: str = "INFO"

    cognito_user_pool_id: str
    cognito_client_id: str = Field(min_length=1, max_length=128)
    cognito_client_secret: SecretStr | None = None
    # "describe": read the secret from Cognito (DescribeUserPoolClient) once per process, so it
    # never sits in the deployment template or the environment.
    cognito_client_secret_source: Literal["env", "describe"] = "env"
    cognito_region: str = ""  # derived from the pool id when empty
    cognito_endpoint_url: str = ""  # empty = the real AWS endpoint
    cognito_identity_pool_id: str = ""  # empty = POST /auth/credentials is not offered
    cognito_connect_timeout_seconds: float = Field(default=2.0, gt=0)
    cognito_read_timeout_seconds: float = Field(default=5.0, gt=0)
    cognito_max_attempts: int = Field(default=3, ge=1, le=10)
    # "password": USER_PASSWORD_AUTH. "adaptive": CUSTOM_AUTH, the password proven by SRP, then
    # the DefineAuthChallenge trigger asks for an emailed code when the sign-in looks risky.
    sign_in_flow: SignInFlow = "password"

    # Token verification. Issuer and JWKS URL are derived from region + pool; the JWKS URL can be
    # overridden because the local emulator serves keys at its own address while its tokens
    # carry the AWS issuer.
    cognito_issuer: str = ""
    cognito_jwks_url: str = ""
    cognito_jwks_file: Path | None = None
    cognito_jwks_json: SecretStr | None = None
    extra_client_ids: Annotated[list[str], NoDecode] = []
    clock_leeway_seconds: float = Field(default=2.0, ge=0, le=300)
    jwks_fetch_timeout_seconds: float = Field(default=3.0, gt=0, le=30)
    jwks_cooldown_seconds: float = Field(default=10.0, ge=0)
    jwks_max_age_seconds: float = Field(default=86_400.0, gt=0)
    max_token_bytes: int = Field(default=16_384, ge=1024)
    token_cache_size: int = Field(default=10_000, ge=0)
    token_revocation: RevocationMode = "off"

    # The pool's password policy, enforced here too so the message can say which rule failed
    # (Cognito's is vague). Keep in step with deploy/user_pool.json.
    password_min_length: int = Field(default=8, ge=6, le=99)
    password_require_uppercase: bool = True
    password_require_lowercase: bool = True
    password_require_numbers: bool = True
    password_require_symbols: bool = True

    # Proxies whose X-Forwarded-For is believed (exact IPs or CIDRs); anyone else's is ignored.
    trusted_proxies: Annotated[list[str], NoDecode] = []

    platform_table_name: str = ""  # DynamoDB table shared with the image platform (profiles)

    cors_origins: Annotated[list[str], NoDecode] = []
    # "bundled": Swagger UI and ReDoc from the fastapi-offline package (the `local` extra), so
    # /docs works with no internet; "cdn": FastAPI's default pages.
    docs_assets: Literal["cdn", "bundled"] = "cdn"

    @field_validator("cors_origins", "extra_client_ids", "trusted_proxies", mode="before")
    @classmethod
    def _split_commas(cls, value: object) -> object:
        if isinstance(value, str):
            return [item.strip() for item in value.split(",") if item.strip()]
        return value

    @field_validator("cors_origins")
    @classmethod
    def _no_wildcard_origin(cls, origins: list[str]) -> list[str]:
        # Credentials travel in headers; a wildcard origin would let any site read them back.
        if "*" in origins:
            raise ValueError("'*' is not allowed; list the exact origins")
        return origins

    @model_validator(mode="after")
    def _derive_and_check(self) -> Settings:
        match = _POOL_ID.match(self.cognito_user_pool_id)
        if match is None:
            raise ValueError("COGNITO_USER_POOL_ID must look like '<region>_<id>'")
        pool_region = match.group("region")
        if not self.cognito_region:
            self.cognito_region = pool_region
        elif self.cognito_region != pool_region:
            raise ValueError(
                f"COGNITO_REGION ({self.cognito_region}) does not match the region of "
                f"COGNITO_USER_POOL_ID ({pool_region})"
            )
        if not self.cognito_issuer:
            self.cognito_issuer = (
                f"https://cognito-idp.{self.cognito_region}.amazonaws.com/"
                f"{self.cognito_user_pool_id}"
            )
        if not self.cognito_jwks_url:
            self.cognito_jwks_url = f"{self.cognito_issuer}/.well-known/jwks.json"
        if self.cognito_client_secret_source == "describe" and self.cognito_client_secret:
            raise ValueError(
                "COGNITO_CLIENT_SECRET must be empty when COGNITO_CLIENT_SECRET_SOURCE=describe"
            )
        if self.cognito_jwks_file is not None and self.cognito_jwks_json is not None:
            raise ValueError("set COGNITO_JWKS_FILE or COGNITO_JWKS_JSON, not both")
        if self.environment in _DEPLOYED:
            self._check_deployed(pool_region)
        return self

    def _check_deployed(self, pool_region: str) -> None:
        # The emulator signs with a publicly known key: a deployed service trusting its JWKS (or
        # any issuer but the pool's) would accept tokens anyone can mint.
        env = f"ENVIRONMENT={self.environment}"
        if self.cognito_endpoint_url:
            raise ValueError(f"COGNITO_ENDPOINT_URL must be empty when {env}")
        issuer = f"https://cognito-idp.{pool_region}.amazonaws.com/{self.cognito_user_pool_id}"
        if self.cognito_issuer != issuer:
            raise ValueError(f"COGNITO_ISSUER must be the pool's issuer ({issuer}) when {env}")
        jwks = urlsplit(self.cognito_jwks_url)
        if (
            jwks.scheme != "https"
            or not _AWS_JWKS_HOST.match(jwks.hostname or "")
            or self.cognito_jwks_url != f"{issuer}/.well-known/jwks.json"
        ):
            raise ValueError(
                f"COGNITO_JWKS_URL must be the pool's AWS JWKS ({issuer}/.well-known/jwks.json) "
                f"when {env}"
            )

    @property
    def deployed(self) -> bool:
        """True for the environments that run against real AWS (staging, production)."""
        return self.environment in _DEPLOYED

    @property
    def client_ids(self) -> tuple[str, ...]:
        """App client ids whose tokens this service accepts (the configured one first)."""
        return (self.cognito_client_id, *self.extra_client_ids)


def load_settings() -> Settings:
    """Read the settings from the environment, or raise SettingsError naming what is wrong."""
    try:
        return Settings()  # values come from the environment
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_input=False, include_url=False):
            location = ".".join(str(part) for part in error["loc"]).upper()
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{location}: {message}" if location else message)
        raise SettingsError("invalid settings: " + "; ".join(problems)) from None
