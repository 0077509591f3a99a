"""Each moto deviation the AWS behaviour layer corrects: raw moto deviates, the layer does not.

If a moto upgrade changes a raw behaviour, the "raw" half fails and the layer needs revisiting.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import ClientError
from werkzeug.serving import make_server

from app.cognito.secret_hash import secret_hash
from local_cognito.server import LocalCognito

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

PASSWORD = "Corr3ct-Horse!"


@pytest.fixture(scope="module")
def raw_endpoint(cognito: LocalCognito) -> Iterator[str]:
    """moto's server without the layer, sharing the same in-process backends (so the same pool)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    server = make_server(
        "127.0.0.1", 0, DomainDispatcherApplication(create_backend_app), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def _client(endpoint: str, region: str, *, signed: bool = True) -> CognitoIdentityProviderClient:
    config = Config(signature_version=UNSIGNED) if not signed else None
    return boto3.client("cognito-idp", endpoint_url=endpoint, region_name=region, config=config)


@pytest.fixture
def raw(raw_endpoint: str, cognito: LocalCognito) -> CognitoIdentityProviderClient:
    return _client(raw_endpoint, cognito.pool.region)


@pytest.fixture
def layered(cognito: LocalCognito) -> CognitoIdentityProviderClient:
    return _client(cognito.endpoint_url, cognito.pool.region)


def _email() -> str:
    return f"dev-{uuid.uuid4().hex[:10]}@example.com"


def _hash(cognito: LocalCognito, username: str) -> str:
    return secret_hash(username, cognito.pool.client_id, cognito.pool.client_secret)


def _sign_up(client: CognitoIdentityProviderClient, cognito: LocalCognito, email: str) -> str:
    return client.sign_up(
        ClientId=cognito.pool.client_id,
        Username=email,
        Password=PASSWORD,
        SecretHash=_hash(cognito, email),
        UserAttributes=[{"Name": "email", "Value": email}],
    )["UserSub"]


def _error(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_secret_hash_on_sign_up(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    raw.sign_up(ClientId=cognito.pool.client_id, Username=_email(), Password=PASSWORD)  # moto: fine
    with pytest.raises(ClientError) as missing:
        layered.sign_up(ClientId=cognito.pool.client_id, Username=_email(), Password=PASSWORD)
    assert _error(missing) == "NotAuthorizedException"
    with pytest.raises(ClientError) as wrong:
        layered.sign_up(
            ClientId=cognito.pool.client_id,
            Username=_email(),
            Password=PASSWORD,
            SecretHash="d3Jvbmc=",
        )
    assert _error(wrong) == "NotAuthorizedException"


def test_secret_hash_on_password_sign_in(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = _email()
    sub = _sign_up(layered, cognito, email)
    boto3.client(
        "cognito-idp", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    ).admin_confirm_sign_up(UserPoolId=cognito.pool.pool_id, Username=sub)
    params = {"USERNAME": email, "PASSWORD": PASSWORD}
    raw.initiate_auth(
        ClientId=cognito.pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
    )
    with pytest.raises(ClientError) as missing:
        layered.initiate_auth(
            ClientId=cognito.pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
        )
    assert _error(missing) == "NotAuthorizedException"


def test_refresh_secret_hash_is_over_the_internal_username(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = _email()
    sub = _sign_up(layered, cognito, email)
    layered.admin_confirm_sign_up(UserPoolId=cognito.pool.pool_id, Username=sub)
    signed_in = layered.initiate_auth(
        ClientId=cognito.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": _hash(cognito, email),
        },
    )["AuthenticationResult"]
    refresh = signed_in["RefreshToken"]

    def attempt(client: CognitoIdentityProviderClient, username: str) -> str:
        try:
            client.initiate_auth(
                ClientId=cognito.pool.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh, "SECRET_HASH": _hash(cognito, username)},
            )
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "ok"

    assert (attempt(raw, email), attempt(raw, sub)) == ("ok", "NotAuthorizedException")  # moto
    assert (attempt(layered, email), attempt(layered, sub)) == (
        "NotAuthorizedException",
        "ok",
    )  # AWS


def test_usernames_are_case_insensitive(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = _email()
    _sign_up(raw, cognito, email)
    _sign_up(raw, cognito, email.upper())  # moto: a second user
    other = _email()
    _sign_up(layered, cognito, other)
    with pytest.raises(ClientError) as duplicate:
        _sign_up(layered, cognito, other.upper())
    assert _error(duplicate) == "UsernameExistsException"


def test_unknown_user_at_sign_in_is_not_revealed(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = _email()
    params = {"USERNAME": email, "PASSWORD": PASSWORD, "SECRET_HASH": _hash(cognito, email)}
    with pytest.raises(ClientError) as raw_error:
        raw.initiate_auth(
            ClientId=cognito.pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
        )
    assert _error(raw_error) == "UserNotFoundException"
    with pytest.raises(ClientError) as layered_error:
        layered.initiate_auth(
            ClientId=cognito.pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
        )
    assert _error(layered_error) == "NotAuthorizedException"


def test_confirmation_codes_are_generated_and_checked(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = _email()
    _sign_up(layered, cognito, email)
    raw_email = _email()
    _sign_up(raw, cognito, raw_email)
    raw.confirm_sign_up(
        ClientId=cognito.pool.client_id, Username=raw_email, ConfirmationCode="anything"
    )
    assert cognito.outbox.latest(raw_email) is None  # moto sends nothing

    message = cognito.outbox.latest(email)
    assert message is not None
    with pytest.raises(ClientError) as wrong:
        layered.confirm_sign_up(
            ClientId=cognito.pool.client_id,
            Username=email,
            ConfirmationCode="anything",
            SecretHash=_hash(cognito, email),
        )
    assert _error(wrong) == "CodeMismatchException"
    layered.confirm_sign_up(
        ClientId=cognito.pool.client_id,
        Username=email,
        ConfirmationCode=message.code,
        SecretHash=_hash(cognito, email),
    )
    user = layered.admin_get_user(UserPoolId=cognito.pool.pool_id, Username=email)
    attributes = {a["Name"]: a["Value"] for a in user["UserAttributes"]}
    assert attributes["email_verified"] == "true"  # AWS verifies the address on confirmation
    raw_user = raw.admin_get_user(UserPoolId=cognito.pool.pool_id, Username=raw_email)
    assert "email_verified" not in {a["Name"] for a in raw_user["UserAttributes"]}


def test_resend_confirmation_code_exists(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = _email()
    _sign_up(layered, cognito, email)
    with pytest.raises(ClientError) as missing:
        raw.resend_confirmation_code(ClientId=cognito.pool.client_id, Username=email)
    assert exc_status(missing) == 500  # moto: not implemented
    delivered = layered.resend_confirmation_code(
        ClientId=cognito.pool.client_id, Username=email, SecretHash=_hash(cognito, email)
    )
    assert delivered["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


def exc_status(exc: pytest.ExceptionInfo[ClientError]) -> int:
    return int(exc.value.response["ResponseMetadata"]["HTTPStatusCode"])


def test_unsigned_calls_reach_the_pools_region(raw_endpoint: str, cognito: LocalCognito) -> None:
    email = _email()
    layered = _client(cognito.endpoint_url, cognito.pool.region)
    sub = _sign_up(layered, cognito, email)
    layered.admin_confirm_sign_up(UserPoolId=cognito.pool.pool_id, Username=sub)
    tokens = layered.initiate_auth(
        ClientId=cognito.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": _hash(cognito, email),
        },
    )["AuthenticationResult"]
    unsigned_raw = _client(raw_endpoint, cognito.pool.region, signed=False)
    with pytest.raises(ClientError) as lost:
        unsigned_raw.global_sign_out(AccessToken=tokens["AccessToken"])  # moto: wrong region
    assert _error(lost) == "NotAuthorizedException"
    _client(cognito.endpoint_url, cognito.pool.region, signed=False).global_sign_out(
        AccessToken=tokens["AccessToken"]
    )
