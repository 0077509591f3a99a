"""Each moto deviation the AWS behaviour layer corrects: raw moto deviates, the layer does not.

If a moto upgrade changes a raw behaviour, the "raw" half fails and the layer needs revisiting.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.exceptions import ClientError

from local_cognito.server import LocalCognito
from tests.local_cognito.support import (
    PASSWORD,
    client_for,
    error_code,
    hash_for,
    http_status,
    new_email,
    sign_in,
    sign_up,
)

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


def test_secret_hash_on_sign_up(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    raw.sign_up(
        ClientId=cognito.pool.client_id, Username=new_email(), Password=PASSWORD
    )  # moto: fine
    with pytest.raises(ClientError) as missing:
        layered.sign_up(ClientId=cognito.pool.client_id, Username=new_email(), Password=PASSWORD)
    assert error_code(missing) == "NotAuthorizedException"
    with pytest.raises(ClientError) as wrong:
        layered.sign_up(
            ClientId=cognito.pool.client_id,
            Username=new_email(),
            Password=PASSWORD,
            SecretHash="d3Jvbmc=",
        )
    assert error_code(wrong) == "NotAuthorizedException"


def test_secret_hash_on_password_sign_in(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = new_email()
    sub = sign_up(layered, cognito, email)
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
    assert error_code(missing) == "NotAuthorizedException"


def test_refresh_secret_hash_is_over_the_internal_username(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = new_email()
    sub = sign_up(layered, cognito, email)
    layered.admin_confirm_sign_up(UserPoolId=cognito.pool.pool_id, Username=sub)
    signed_in = sign_in(layered, cognito, email)
    refresh = signed_in["RefreshToken"]

    def attempt(client: CognitoIdentityProviderClient, username: str) -> str:
        try:
            client.initiate_auth(
                ClientId=cognito.pool.client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={
                    "REFRESH_TOKEN": refresh,
                    "SECRET_HASH": hash_for(cognito, username),
                },
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
    email = new_email()
    sign_up(raw, cognito, email)
    sign_up(raw, cognito, email.upper())  # moto: a second user
    other = new_email()
    sign_up(layered, cognito, other)
    with pytest.raises(ClientError) as duplicate:
        sign_up(layered, cognito, other.upper())
    assert error_code(duplicate) == "UsernameExistsException"


def test_unknown_user_at_sign_in_is_not_revealed(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = new_email()
    params = {"USERNAME": email, "PASSWORD": PASSWORD, "SECRET_HASH": hash_for(cognito, email)}
    with pytest.raises(ClientError) as raw_error:
        raw.initiate_auth(
            ClientId=cognito.pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
        )
    assert error_code(raw_error) == "UserNotFoundException"
    with pytest.raises(ClientError) as layered_error:
        layered.initiate_auth(
            ClientId=cognito.pool.client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters=params
        )
    assert error_code(layered_error) == "NotAuthorizedException"


def test_confirmation_codes_are_generated_and_checked(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = new_email()
    sign_up(layered, cognito, email)
    raw_email = new_email()
    sign_up(raw, cognito, raw_email)
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
            SecretHash=hash_for(cognito, email),
        )
    assert error_code(wrong) == "CodeMismatchException"
    layered.confirm_sign_up(
        ClientId=cognito.pool.client_id,
        Username=email,
        ConfirmationCode=message.code,
        SecretHash=hash_for(cognito, email),
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
    email = new_email()
    sign_up(layered, cognito, email)
    with pytest.raises(ClientError) as missing:
        raw.resend_confirmation_code(ClientId=cognito.pool.client_id, Username=email)
    assert http_status(missing) == 500  # moto: not implemented
    delivered = layered.resend_confirmation_code(
        ClientId=cognito.pool.client_id, Username=email, SecretHash=hash_for(cognito, email)
    )
    assert delivered["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"


def test_unsigned_calls_reach_the_pools_region(raw_endpoint: str, cognito: LocalCognito) -> None:
    email = new_email()
    layered = client_for(cognito.endpoint_url, cognito.pool.region)
    sub = sign_up(layered, cognito, email)
    layered.admin_confirm_sign_up(UserPoolId=cognito.pool.pool_id, Username=sub)
    tokens = sign_in(layered, cognito, email)
    unsigned_raw = client_for(raw_endpoint, cognito.pool.region, signed=False)
    with pytest.raises(ClientError) as lost:
        unsigned_raw.global_sign_out(AccessToken=tokens["AccessToken"])  # moto: wrong region
    assert error_code(lost) == "NotAuthorizedException"
    client_for(cognito.endpoint_url, cognito.pool.region, signed=False).global_sign_out(
        AccessToken=tokens["AccessToken"]
    )
