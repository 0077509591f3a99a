"""The local layer as AWS: RevokeToken, code attempt limits, UserContextData, MFA_SETUP."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.exceptions import ClientError

from app.cognito.secret_hash import secret_hash
from local_cognito.codes import MAX_FAILED_ATTEMPTS, CodeBook, CodeCheck
from local_cognito.pool import load_definition
from local_cognito.server import LocalCognito
from tests.local_cognito.support import (
    PASSWORD,
    confirmed_user,
    error_code,
    hash_for,
    new_email,
    sign_in,
)
from tests.totp import totp

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


def test_codes_lock_after_too_many_wrong_attempts() -> None:
    book = CodeBook()
    code = book.issue("pool", "user", "forgot_password")
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(MAX_FAILED_ATTEMPTS):
        assert book.consume("pool", "user", "forgot_password", wrong) is CodeCheck.MISMATCH
    assert book.consume("pool", "user", "forgot_password", code) is CodeCheck.LIMIT_EXCEEDED
    # Another user's or purpose's codes are not affected; a new code starts afresh.
    other = book.issue("pool", "user", "attribute")
    assert book.consume("pool", "user", "attribute", other) is CodeCheck.OK
    fresh = book.issue("pool", "user", "forgot_password")
    assert book.consume("pool", "user", "forgot_password", fresh) is CodeCheck.OK


def _revoke(
    layered: CognitoIdentityProviderClient, cognito: LocalCognito, token: str, secret: str = ""
) -> None:
    layered.revoke_token(
        Token=token,
        ClientId=cognito.pool.client_id,
        ClientSecret=secret or cognito.pool.client_secret,
    )


def test_revoke_token_answers_as_aws(
    layered: CognitoIdentityProviderClient, cognito: LocalCognito
) -> None:
    tokens = sign_in(layered, cognito, confirmed_user(layered, cognito))
    with pytest.raises(ClientError) as refused_client:
        _revoke(layered, cognito, tokens["RefreshToken"], secret="wrong" * 6)
    # The model declares UnauthorizedException for this, not NotAuthorizedException.
    assert error_code(refused_client) == "UnauthorizedException"
    with pytest.raises(ClientError) as not_refresh:
        _revoke(layered, cognito, tokens["AccessToken"])
    assert error_code(not_refresh) == "UnsupportedTokenTypeException"
    with pytest.raises(ClientError) as malformed:
        _revoke(layered, cognito, "not a token!")
    assert error_code(malformed) == "InvalidParameterException"

    _revoke(layered, cognito, tokens["RefreshToken"])
    _revoke(layered, cognito, tokens["RefreshToken"])  # already revoked: success, as on AWS
    _revoke(layered, cognito, "0f6a1e8e-6b0f-4c7e-9b1e-4b8e2f0c1a2b")  # unknown: success
    assert cognito.layer.revocations[-3:] == [
        (tokens["RefreshToken"], "revoked"),
        (tokens["RefreshToken"], "already_invalid"),
        ("0f6a1e8e-6b0f-4c7e-9b1e-4b8e2f0c1a2b", "unknown"),
    ]


def test_user_context_is_recorded_and_its_ip_checked(
    layered: CognitoIdentityProviderClient, cognito: LocalCognito
) -> None:
    email = new_email()

    def forgot(**context: dict[str, str]) -> None:
        layered.forgot_password(
            ClientId=cognito.pool.client_id,
            Username=email,
            SecretHash=hash_for(cognito, email),
            **context,  # type: ignore[arg-type]
        )

    forgot(UserContextData={"IpAddress": "2001:db8::7"})
    assert cognito.layer.user_contexts["ForgotPassword"] == {"IpAddress": "2001:db8::7"}
    forgot()
    assert cognito.layer.user_contexts["ForgotPassword"] is None
    with pytest.raises(ClientError) as refused:
        forgot(UserContextData={"IpAddress": "203.0.113.7:443"})
    assert error_code(refused) == "InvalidParameterException"


@pytest.fixture(scope="module")
def mfa_pool(cognito: LocalCognito) -> tuple[str, str, str]:
    """(pool id, client id, client secret) of a pool like the shipped one with MFA ON."""
    admin = boto3.client(
        "cognito-idp", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    )
    definition = load_definition()
    pool = admin.create_user_pool(
        **{**definition["UserPool"], "PoolName": "mfa-on", "MfaConfiguration": "ON"}
    )["UserPool"]
    admin.set_user_pool_mfa_config(
        UserPoolId=pool["Id"],
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )
    client = admin.create_user_pool_client(UserPoolId=pool["Id"], **definition["UserPoolClient"])
    app = client["UserPoolClient"]
    return pool["Id"], app["ClientId"], app["ClientSecret"]


def test_mfa_setup_follows_the_aws_sequence(
    layered: CognitoIdentityProviderClient, mfa_pool: tuple[str, str, str]
) -> None:
    pool_id, client_id, secret = mfa_pool
    email = new_email()
    layered.admin_create_user(
        UserPoolId=pool_id, Username=email, TemporaryPassword=PASSWORD, MessageAction="SUPPRESS"
    )
    layered.admin_set_user_password(
        UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True
    )
    started = layered.initiate_auth(
        ClientId=client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": PASSWORD,
            "SECRET_HASH": secret_hash(email, client_id, secret),
        },
    )
    # AWS: no tokens for a user without MFA in a pool that requires it (moto issues them).
    assert "AuthenticationResult" not in started
    assert started["ChallengeName"] == "MFA_SETUP"
    assert json.loads(started["ChallengeParameters"]["MFAS_CAN_SETUP"]) == ["SOFTWARE_TOKEN_MFA"]
    username = started["ChallengeParameters"]["USER_ID_FOR_SRP"]

    def answer(session: str) -> dict[str, object]:
        return dict(
            layered.respond_to_auth_challenge(
                ClientId=client_id,
                ChallengeName="MFA_SETUP",
                Session=session,
                ChallengeResponses={
                    "USERNAME": username,
                    "SECRET_HASH": secret_hash(username, client_id, secret),
                },
            )
        )

    associated = layered.associate_software_token(Session=started["Session"])
    assert associated["Session"] != started["Session"]
    with pytest.raises(ClientError) as unverified:
        answer(associated["Session"])  # moto would sign in without a verified authenticator
    assert error_code(unverified) == "NotAuthorizedException"
    verified = layered.verify_software_token(
        Session=associated["Session"], UserCode=totp(associated["SecretCode"])
    )
    assert verified["Status"] == "SUCCESS"
    assert "AuthenticationResult" in answer(verified["Session"])
    with pytest.raises(ClientError) as reused:
        answer(verified["Session"])  # single use
    assert error_code(reused) == "NotAuthorizedException"
