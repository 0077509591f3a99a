"""Helpers of the deviation tests: clients on the raw or the layered emulator, users, errors."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError

from app.cognito.secret_hash import secret_hash
from local_cognito.server import LocalCognito

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

PASSWORD = "Corr3ct-Horse!"


def client_for(endpoint: str, region: str, *, signed: bool = True) -> CognitoIdentityProviderClient:
    """A cognito-idp client on an endpoint (unsigned, as a public client's calls travel)."""
    config = Config(signature_version=UNSIGNED) if not signed else None
    return boto3.client("cognito-idp", endpoint_url=endpoint, region_name=region, config=config)


def new_email() -> str:
    """A fresh address."""
    return f"dev-{uuid.uuid4().hex[:10]}@example.com"


def hash_for(cognito: LocalCognito, username: str) -> str:
    """SECRET_HASH of the local app client over `username`."""
    return secret_hash(username, cognito.pool.client_id, cognito.pool.client_secret)


def sign_up(client: CognitoIdentityProviderClient, cognito: LocalCognito, email: str) -> str:
    """Register `email` with the right SECRET_HASH; return the user's sub."""
    return client.sign_up(
        ClientId=cognito.pool.client_id,
        Username=email,
        Password=PASSWORD,
        SecretHash=hash_for(cognito, email),
        UserAttributes=[{"Name": "email", "Value": email}],
    )["UserSub"]


def confirmed_user(layered: CognitoIdentityProviderClient, cognito: LocalCognito) -> str:
    """A confirmed user with a verified email; return the email."""
    email = new_email()
    sub = sign_up(layered, cognito, email)
    layered.admin_update_user_attributes(
        UserPoolId=cognito.pool.pool_id,
        Username=sub,
        UserAttributes=[{"Name": "email_verified", "Value": "true"}],
    )
    layered.admin_confirm_sign_up(UserPoolId=cognito.pool.pool_id, Username=sub)
    return email


def sign_in(
    client: CognitoIdentityProviderClient, cognito: LocalCognito, email: str
) -> dict[str, Any]:
    """USER_PASSWORD_AUTH with the right SECRET_HASH; return the AuthenticationResult."""
    result: dict[str, Any] = client.initiate_auth(  # type: ignore[assignment]
        ClientId=cognito.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": hash_for(cognito, email),
        },
    )["AuthenticationResult"]
    return result


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    """The AWS error code of a failed call."""
    return str(exc.value.response["Error"]["Code"])


def http_status(exc: pytest.ExceptionInfo[ClientError]) -> int:
    """The HTTP status of a failed call."""
    return int(exc.value.response["ResponseMetadata"]["HTTPStatusCode"])
