"""More moto deviations the layer corrects (account flows, sessions, identities, triggers).

As in test_deviations.py, each test shows raw moto deviating and the layer answering as AWS does,
so that a moto upgrade which changes a raw behaviour fails here first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local_cognito.server import LocalCognito
from tests.local_cognito.support import (
    confirmed_user,
    error_code,
    hash_for,
    http_status,
    new_email,
    sign_in,
    sign_up,
)
from triggers.config import get_config

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

WEAK = "weakpass"
NEW_PASSWORD = "N3w-Horse-Battery!"


def test_reset_codes_are_emailed_checked_and_single_use(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = confirmed_user(layered, cognito)
    raw_answer = raw.forgot_password(ClientId=cognito.pool.client_id, Username=email)
    headers = raw_answer["ResponseMetadata"]["HTTPHeaders"]
    assert "x-moto-forgot-password-confirmation-code" in headers  # moto: the code in the answer

    answer = layered.forgot_password(
        ClientId=cognito.pool.client_id, Username=email, SecretHash=hash_for(cognito, email)
    )
    assert (
        "x-moto-forgot-password-confirmation-code" not in answer["ResponseMetadata"]["HTTPHeaders"]
    )
    message = cognito.outbox.latest(email, "forgot_password")
    assert message is not None

    def confirm(code: str, password: str = NEW_PASSWORD) -> str:
        try:
            layered.confirm_forgot_password(
                ClientId=cognito.pool.client_id,
                Username=email,
                ConfirmationCode=code,
                Password=password,
                SecretHash=hash_for(cognito, email),
            )
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "ok"

    wrong = "000000" if message.code != "000000" else "111111"
    assert confirm(wrong) == "CodeMismatchException"
    assert confirm(message.code, WEAK) == "InvalidPasswordException"  # the policy applies
    assert confirm(message.code) == "ok"
    assert confirm(message.code) == "CodeMismatchException"  # used up


def test_raw_moto_skips_the_password_policy_on_reset(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = confirmed_user(layered, cognito)
    headers = raw.forgot_password(ClientId=cognito.pool.client_id, Username=email)[
        "ResponseMetadata"
    ]["HTTPHeaders"]
    raw.confirm_forgot_password(
        ClientId=cognito.pool.client_id,
        Username=email,
        ConfirmationCode=headers["x-moto-forgot-password-confirmation-code"],
        Password=WEAK,
    )  # moto: accepted


def test_revoke_token_and_delete_user_exist(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = confirmed_user(layered, cognito)
    tokens = sign_in(layered, cognito, email)
    with pytest.raises(ClientError) as raw_revoke:
        raw.revoke_token(
            Token=tokens["RefreshToken"],
            ClientId=cognito.pool.client_id,
            ClientSecret=cognito.pool.client_secret,
        )
    assert http_status(raw_revoke) == 500  # moto: not implemented
    with pytest.raises(ClientError) as raw_delete:
        raw.delete_user(AccessToken=tokens["AccessToken"])
    assert http_status(raw_delete) == 500

    layered.revoke_token(
        Token=tokens["RefreshToken"],
        ClientId=cognito.pool.client_id,
        ClientSecret=cognito.pool.client_secret,
    )
    with pytest.raises(ClientError) as refused:
        layered.get_user(AccessToken=tokens["AccessToken"])  # minted from the revoked token
    assert error_code(refused) == "NotAuthorizedException"
    fresh = sign_in(layered, cognito, email)
    layered.delete_user(AccessToken=fresh["AccessToken"])
    with pytest.raises(ClientError) as gone:
        layered.admin_get_user(UserPoolId=cognito.pool.pool_id, Username=email)
    assert error_code(gone) == "UserNotFoundException"


@pytest.fixture
def admin_created(layered: CognitoIdentityProviderClient, cognito: LocalCognito) -> str:
    email = new_email()
    layered.admin_create_user(
        UserPoolId=cognito.pool.pool_id,
        Username=email,
        TemporaryPassword="Temp0rary-Pass!",
        MessageAction="SUPPRESS",
    )
    return email


def _new_password_challenge(
    client: CognitoIdentityProviderClient, cognito: LocalCognito, email: str
) -> dict[str, Any]:
    challenge: dict[str, Any] = client.initiate_auth(  # type: ignore[assignment]
        ClientId=cognito.pool.client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={
            "USERNAME": email,
            "PASSWORD": "Temp0rary-Pass!",
            "SECRET_HASH": hash_for(cognito, email),
        },
    )
    assert challenge["ChallengeName"] == "NEW_PASSWORD_REQUIRED"
    return challenge


def test_challenge_answers_are_hashed_over_the_internal_username(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
    admin_created: str,
) -> None:
    email = admin_created
    raw_challenge = _new_password_challenge(raw, cognito, email)
    raw.respond_to_auth_challenge(  # moto: no SECRET_HASH needed at all
        ClientId=cognito.pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=raw_challenge["Session"],
        ChallengeResponses={"USERNAME": email, "NEW_PASSWORD": NEW_PASSWORD},
    )
    other = new_email()
    layered.admin_create_user(
        UserPoolId=cognito.pool.pool_id,
        Username=other,
        TemporaryPassword="Temp0rary-Pass!",
        MessageAction="SUPPRESS",
    )
    challenge = _new_password_challenge(layered, cognito, other)
    internal = challenge["ChallengeParameters"]["USER_ID_FOR_SRP"]

    def answer(hashed_over: str) -> str:
        try:
            layered.respond_to_auth_challenge(
                ClientId=cognito.pool.client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=challenge["Session"],
                ChallengeResponses={
                    "USERNAME": internal,
                    "NEW_PASSWORD": NEW_PASSWORD,
                    "SECRET_HASH": hash_for(cognito, hashed_over),
                },
            )
        except ClientError as exc:
            return str(exc.response["Error"]["Code"])
        return "ok"

    assert answer(other) == "NotAuthorizedException"  # the email: refused, as on AWS
    assert answer(internal) == "ok"


def test_challenge_sessions_expire(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
    admin_created: str,
) -> None:
    challenge = _new_password_challenge(layered, cognito, admin_created)
    internal = challenge["ChallengeParameters"]["USER_ID_FOR_SRP"]
    cognito.layer.expire_sessions()
    responses = {
        "USERNAME": internal,
        "NEW_PASSWORD": NEW_PASSWORD,
        "SECRET_HASH": hash_for(cognito, internal),
    }
    with pytest.raises(ClientError) as expired:
        layered.respond_to_auth_challenge(
            ClientId=cognito.pool.client_id,
            ChallengeName="NEW_PASSWORD_REQUIRED",
            Session=challenge["Session"],
            ChallengeResponses=responses,
        )
    assert error_code(expired) == "NotAuthorizedException"
    raw.respond_to_auth_challenge(  # moto: the same session still works
        ClientId=cognito.pool.client_id,
        ChallengeName="NEW_PASSWORD_REQUIRED",
        Session=challenge["Session"],
        ChallengeResponses=responses,
    )


def _email_of(client: CognitoIdentityProviderClient, cognito: LocalCognito, sub: str) -> str:
    user = client.admin_get_user(UserPoolId=cognito.pool.pool_id, Username=sub)
    return next(a["Value"] for a in user["UserAttributes"] if a["Name"] == "email")


def test_an_email_change_applies_once_verified(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = confirmed_user(layered, cognito)
    tokens = sign_in(layered, cognito, email)
    sub = layered.get_user(AccessToken=tokens["AccessToken"])["Username"]
    new = new_email()
    layered.update_user_attributes(
        AccessToken=tokens["AccessToken"], UserAttributes=[{"Name": "email", "Value": new}]
    )
    assert _email_of(layered, cognito, sub) == email  # not yet
    message = cognito.outbox.latest(new, "attribute")
    assert message is not None
    layered.verify_user_attribute(
        AccessToken=tokens["AccessToken"], AttributeName="email", Code=message.code
    )
    assert _email_of(layered, cognito, sub) == new

    raw_email = confirmed_user(layered, cognito)
    raw_tokens = sign_in(layered, cognito, raw_email)
    raw_sub = layered.get_user(AccessToken=raw_tokens["AccessToken"])["Username"]
    changed = new_email()
    raw.update_user_attributes(
        AccessToken=raw_tokens["AccessToken"], UserAttributes=[{"Name": "email", "Value": changed}]
    )
    assert _email_of(raw, cognito, raw_sub) == changed  # moto: at once


@pytest.fixture
def identity_clients(raw_endpoint: str, cognito: LocalCognito) -> tuple[Any, Any]:
    return (
        boto3.client(
            "cognito-identity", endpoint_url=raw_endpoint, region_name=cognito.pool.region
        ),
        boto3.client(
            "cognito-identity", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
        ),
    )


def test_one_identity_per_user_and_the_login_is_checked(
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
    identity_clients: tuple[Any, Any],
) -> None:
    raw_identity, layered_identity = identity_clients
    email = confirmed_user(layered, cognito)
    id_token = sign_in(layered, cognito, email)["IdToken"]
    logins = {f"cognito-idp.{cognito.pool.region}.amazonaws.com/{cognito.pool.pool_id}": id_token}
    pool = cognito.identity_pool_id

    def ids(client: Any) -> set[str]:
        return {client.get_id(IdentityPoolId=pool, Logins=logins)["IdentityId"] for _ in range(2)}

    assert len(ids(raw_identity)) == 2  # moto: a new identity on every call
    assert len(ids(layered_identity)) == 1
    forged = {next(iter(logins)): "not-a-token"}
    with pytest.raises(ClientError) as refused:
        layered_identity.get_id(IdentityPoolId=pool, Logins=forged)
    assert error_code(refused) == "NotAuthorizedException"


def test_the_pools_triggers_run(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ALLOWED_EMAIL_DOMAINS", "example.org")
    get_config.cache_clear()
    try:
        sign_up(raw, cognito, new_email())  # moto: no trigger
        with pytest.raises(ClientError) as refused:
            sign_up(layered, cognito, new_email())
        assert error_code(refused) == "UserLambdaValidationException"
        message = refused.value.response["Error"]["Message"]
        assert message == "PreSignUp failed with error EMAIL_DOMAIN_NOT_ALLOWED."
    finally:
        monkeypatch.delenv("ALLOWED_EMAIL_DOMAINS")
        get_config.cache_clear()


def test_unknown_users_get_a_simulated_resend(
    raw: CognitoIdentityProviderClient,
    layered: CognitoIdentityProviderClient,
    cognito: LocalCognito,
) -> None:
    email = new_email()
    with pytest.raises(ClientError) as raw_resend:
        raw.resend_confirmation_code(ClientId=cognito.pool.client_id, Username=email)
    assert http_status(raw_resend) == 500
    answer = layered.resend_confirmation_code(
        ClientId=cognito.pool.client_id, Username=email, SecretHash=hash_for(cognito, email)
    )
    assert answer["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    assert cognito.outbox.latest(email) is None  # nothing is really sent
