"""Contract tests for the account-flow calls (Stubber validates each against the AWS model)."""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from app.cognito.context import UserContext
from app.cognito.gateway import CognitoGateway
from app.cognito.models import Challenge
from tests.api.test_gateway_contract import (
    CLIENT_ID,
    EMAIL,
    HASH_OF_EMAIL,
    HASH_OF_INTERNAL_USERNAME,
    INTERNAL_USERNAME,
    SECRET,
)

CONTEXT = UserContext(ip_address="203.0.113.7", encoded_data="eyJkZXZpY2UiOiJ4In0")
CONTEXT_PARAM = {"IpAddress": "203.0.113.7", "EncodedData": "eyJkZXZpY2UiOiJ4In0"}
SESSION = "s" * 32
ACCESS = "access-token"


@pytest.fixture
def stubbed() -> Iterator[tuple[CognitoGateway, Stubber]]:
    client = boto3.client("cognito-idp", region_name="eu-west-1")
    with Stubber(client) as stubber:
        yield CognitoGateway(client, CLIENT_ID, SECRET), stubber
        stubber.assert_no_pending_responses()


def test_sign_in_sends_the_users_context(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "initiate_auth",
        {
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": SESSION,
            "ChallengeParameters": {"USER_ID_FOR_SRP": INTERNAL_USERNAME},
        },
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": EMAIL, "PASSWORD": "p", "SECRET_HASH": HASH_OF_EMAIL},
            "UserContextData": CONTEXT_PARAM,
        },
    )
    outcome = gateway.sign_in_with_password(EMAIL, "p", CONTEXT)
    assert isinstance(outcome, Challenge)


def test_challenge_answer_hashes_the_internal_username(
    stubbed: tuple[CognitoGateway, Stubber],
) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "respond_to_auth_challenge",
        {
            "AuthenticationResult": {
                "AccessToken": "a",
                "IdToken": "i",
                "RefreshToken": "r",
                "ExpiresIn": 3600,
                "TokenType": "Bearer",
            }
        },
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "SOFTWARE_TOKEN_MFA",
            "Session": SESSION,
            "ChallengeResponses": {
                "USERNAME": INTERNAL_USERNAME,
                "SOFTWARE_TOKEN_MFA_CODE": "123456",
                "SECRET_HASH": HASH_OF_INTERNAL_USERNAME,
            },
            "UserContextData": CONTEXT_PARAM,
        },
    )
    gateway.respond_to_challenge(
        "SOFTWARE_TOKEN_MFA",
        SESSION,
        INTERNAL_USERNAME,
        {"SOFTWARE_TOKEN_MFA_CODE": "123456"},
        CONTEXT,
    )


def test_password_reset_calls(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "forgot_password",
        {
            "CodeDeliveryDetails": {
                "Destination": "a***@e***",
                "DeliveryMedium": "EMAIL",
                "AttributeName": "email",
            }
        },
        {
            "ClientId": CLIENT_ID,
            "Username": EMAIL,
            "SecretHash": HASH_OF_EMAIL,
            "UserContextData": CONTEXT_PARAM,
        },
    )
    stubber.add_response(
        "confirm_forgot_password",
        {},
        {
            "ClientId": CLIENT_ID,
            "Username": EMAIL,
            "SecretHash": HASH_OF_EMAIL,
            "ConfirmationCode": "123456",
            "Password": "N3w-Password!",
            "UserContextData": CONTEXT_PARAM,
        },
    )
    gateway.forgot_password("Ada@Example.com", CONTEXT)
    gateway.confirm_forgot_password("ada@example.com", "123456", "N3w-Password!", CONTEXT)


def test_signed_in_user_calls(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "change_password",
        {},
        {"AccessToken": ACCESS, "PreviousPassword": "old", "ProposedPassword": "new"},
    )
    stubber.add_response(
        "update_user_attributes",
        {
            "CodeDeliveryDetailsList": [
                {"Destination": "n***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
            ]
        },
        {"AccessToken": ACCESS, "UserAttributes": [{"Name": "email", "Value": "new@example.com"}]},
    )
    stubber.add_response(
        "verify_user_attribute",
        {},
        {"AccessToken": ACCESS, "AttributeName": "email", "Code": "123456"},
    )
    stubber.add_response(
        "associate_software_token", {"SecretCode": "A" * 32}, {"AccessToken": ACCESS}
    )
    stubber.add_response(
        "verify_software_token",
        {"Status": "SUCCESS"},
        {"AccessToken": ACCESS, "UserCode": "123456", "FriendlyDeviceName": "Phone"},
    )
    stubber.add_response(
        "set_user_mfa_preference",
        {},
        {
            "AccessToken": ACCESS,
            "SoftwareTokenMfaSettings": {"Enabled": True, "PreferredMfa": True},
        },
    )
    stubber.add_response("delete_user", {}, {"AccessToken": ACCESS})
    gateway.change_password(ACCESS, "old", "new")
    assert (
        gateway.update_attributes(ACCESS, {"email": "new@example.com"})[0].destination
        == "n***@e***"
    )
    gateway.verify_email(ACCESS, "123456")
    assert gateway.associate_totp(ACCESS) == "A" * 32
    gateway.verify_totp(ACCESS, "123456", "Phone")
    gateway.set_totp_preference(ACCESS, enabled=True)
    gateway.delete_user(ACCESS)


def test_revoke_token_sends_the_client_secret_and_tolerates_invalid_tokens(
    stubbed: tuple[CognitoGateway, Stubber],
) -> None:
    gateway, stubber = stubbed
    expected = {"Token": "refresh", "ClientId": CLIENT_ID, "ClientSecret": SECRET}
    stubber.add_response("revoke_token", {}, expected)
    stubber.add_client_error(
        "revoke_token", service_error_code="UnsupportedTokenTypeException", expected_params=expected
    )
    assert gateway.revoke_refresh_token("refresh") is True
    assert gateway.revoke_refresh_token("refresh") is False
