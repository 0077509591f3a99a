"""Contract tests for the account-flow calls (Stubber validates each against the AWS model)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import boto3
import httpx
import pytest
from botocore.stub import Stubber

from app.cognito.context import UserContext
from app.cognito.gateway import CognitoGateway
from app.cognito.models import Challenge
from app.errors import ApiError, ErrorCode
from app.main import create_app
from app.settings import Settings
from tests.api.test_gateway_contract import (
    CLIENT_ID,
    EMAIL,
    HASH_OF_EMAIL,
    HASH_OF_INTERNAL_USERNAME,
    INTERNAL_USERNAME,
    SECRET,
)
from tests.conftest import SignedInUser

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


def test_registration_calls_send_the_users_context(
    stubbed: tuple[CognitoGateway, Stubber],
) -> None:
    gateway, stubber = stubbed
    public = {"ClientId": CLIENT_ID, "Username": EMAIL, "SecretHash": HASH_OF_EMAIL}
    delivery = {"Destination": "a***@e***", "DeliveryMedium": "EMAIL", "AttributeName": "email"}
    stubber.add_response(
        "sign_up",
        {"UserConfirmed": False, "UserSub": INTERNAL_USERNAME, "CodeDeliveryDetails": delivery},
        {
            **public,
            "Password": "Corr3ct-Horse!",
            "UserAttributes": [{"Name": "email", "Value": EMAIL}],
            "UserContextData": CONTEXT_PARAM,
        },
    )
    stubber.add_response(
        "confirm_sign_up",
        {},
        {**public, "ConfirmationCode": "123456", "UserContextData": CONTEXT_PARAM},
    )
    stubber.add_response(
        "resend_confirmation_code",
        {"CodeDeliveryDetails": delivery},
        {**public, "UserContextData": CONTEXT_PARAM},
    )
    gateway.sign_up(EMAIL, "Corr3ct-Horse!", {}, CONTEXT)
    gateway.confirm_sign_up(EMAIL, "123456", CONTEXT)
    gateway.resend_confirmation_code(EMAIL, CONTEXT)


def test_refresh_sends_the_users_context(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "initiate_auth",
        {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "ExpiresIn": 3600}},
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {
                "REFRESH_TOKEN": "refresh",
                "SECRET_HASH": HASH_OF_INTERNAL_USERNAME,
            },
            "UserContextData": CONTEXT_PARAM,
        },
    )
    assert gateway.refresh(INTERNAL_USERNAME, "refresh", CONTEXT).access_token == "a"


def test_a_context_without_device_data_sends_only_the_ip(
    stubbed: tuple[CognitoGateway, Stubber],
) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "forgot_password",
        {},
        {
            "ClientId": CLIENT_ID,
            "Username": EMAIL,
            "SecretHash": HASH_OF_EMAIL,
            "UserContextData": {"IpAddress": "2001:db8::7"},
        },
    )
    gateway.forgot_password(EMAIL, UserContext(ip_address="2001:db8::7"))


def test_change_password_tells_a_refused_token_from_a_wrong_password(
    stubbed: tuple[CognitoGateway, Stubber],
) -> None:
    gateway, stubber = stubbed
    for message in (
        "Access Token has been revoked",
        "Access Token has expired",
        "Invalid Access Token",
        "User is disabled.",
        "Incorrect username or password.",
    ):
        stubber.add_client_error(
            "change_password", service_error_code="NotAuthorizedException", service_message=message
        )
    codes = []
    for _ in range(5):
        with pytest.raises(ApiError) as raised:
            gateway.change_password(ACCESS, "old", "new")
        codes.append(raised.value.code)
        assert "Access Token" not in str(raised.value)  # the message is never echoed
    assert codes == [ErrorCode.INVALID_TOKEN] * 4 + [ErrorCode.CURRENT_PASSWORD_INCORRECT]


def test_update_attributes_does_not_turn_a_write_refusal_into_a_401(
    stubbed: tuple[CognitoGateway, Stubber],
) -> None:
    gateway, stubber = stubbed
    stubber.add_client_error(
        "update_user_attributes",
        service_error_code="NotAuthorizedException",
        service_message="Access Token has been revoked",
    )
    # The app client may not write the attribute: the service's misconfiguration, not the user's.
    stubber.add_client_error(
        "update_user_attributes",
        service_error_code="NotAuthorizedException",
        service_message="A client attempted to write unauthorized attribute",
    )
    with pytest.raises(ApiError) as revoked:
        gateway.update_attributes(ACCESS, {"given_name": "Ada"})
    with pytest.raises(ApiError) as unwritable:
        gateway.update_attributes(ACCESS, {"given_name": "Ada"})
    assert (revoked.value.code, unwritable.value.code) == (
        ErrorCode.INVALID_TOKEN,
        ErrorCode.UPSTREAM_ERROR,
    )


def test_resend_email_verification(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "get_user_attribute_verification_code",
        {
            "CodeDeliveryDetails": {
                "Destination": "n***@e***",
                "DeliveryMedium": "EMAIL",
                "AttributeName": "email",
            }
        },
        {"AccessToken": ACCESS, "AttributeName": "email"},
    )
    delivery = gateway.resend_email_verification(ACCESS)
    assert delivery is not None
    assert delivery.destination == "n***@e***"


def test_mfa_setup_calls_use_the_session_not_a_token(
    stubbed: tuple[CognitoGateway, Stubber],
) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "associate_software_token",
        {"SecretCode": "A" * 32, "Session": "2" * 32},
        {"Session": SESSION},
    )
    stubber.add_response(
        "verify_software_token",
        {"Status": "SUCCESS", "Session": "3" * 32},
        {"Session": "2" * 32, "UserCode": "123456", "FriendlyDeviceName": "Authenticator"},
    )
    stubber.add_client_error(
        "associate_software_token",
        service_error_code="NotAuthorizedException",
        service_message="Invalid session for the user, session is expired.",
        expected_params={"Session": SESSION},
    )
    assert gateway.associate_totp_for_challenge(SESSION) == ("A" * 32, "2" * 32)
    assert gateway.verify_totp_for_challenge("2" * 32, "123456", "Authenticator") == "3" * 32
    with pytest.raises(ApiError) as raised:
        gateway.associate_totp_for_challenge(SESSION)
    assert raised.value.code is ErrorCode.CHALLENGE_SESSION_INVALID


def test_revoke_token_refused_client_credentials_are_an_operator_error(
    stubbed: tuple[CognitoGateway, Stubber], caplog: pytest.LogCaptureFixture
) -> None:
    gateway, stubber = stubbed
    stubber.add_client_error(
        "revoke_token",
        service_error_code="UnauthorizedException",
        service_message="Client authentication failed.",
        expected_params={"Token": "refresh", "ClientId": CLIENT_ID, "ClientSecret": SECRET},
    )
    with caplog.at_level(logging.INFO, logger="app.cognito"):
        assert gateway.revoke_refresh_token("refresh") is False
    (record,) = [r for r in caplog.records if r.name == "app.cognito"]
    assert record.levelno == logging.ERROR
    assert SECRET not in record.getMessage()


async def test_sign_out_route_signs_out_everywhere_then_revokes(
    settings: Settings, user: SignedInUser
) -> None:
    client = boto3.client(
        "cognito-idp", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    secret = settings.cognito_client_secret
    assert secret is not None
    gateway = CognitoGateway(client, settings.cognito_client_id, secret.get_secret_value())
    app = create_app(settings, gateway=gateway)
    access, refresh = user.tokens["access_token"], user.tokens["refresh_token"]
    with Stubber(client) as stubber:
        # In this order: RevokeToken also ends the access tokens minted from the refresh token,
        # and GlobalSignOut needs a live one.
        stubber.add_response("global_sign_out", {}, {"AccessToken": access})
        stubber.add_response(
            "revoke_token",
            {},
            {
                "Token": refresh,
                "ClientId": settings.cognito_client_id,
                "ClientSecret": secret.get_secret_value(),
            },
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.post(
                "/auth/signout", headers=user.auth, json={"refresh_token": refresh}
            )
        stubber.assert_no_pending_responses()
    assert response.status_code == 204, response.text
