"""Contract tests: the exact parameters of every Cognito call, validated against the AWS model.

botocore's Stubber checks each request against the real cognito-idp service model and against the
expected parameters; the SECRET_HASH values below were computed independently with
`printf '%s' "<username><client id>" | openssl dgst -sha256 -hmac "<secret>" -binary | base64`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber
from jose import jwt

from app.cognito.gateway import CognitoGateway
from app.cognito.models import Challenge, Tokens
from app.cognito.secret_hash import secret_hash
from app.errors import ApiError, ErrorCode

CLIENT_ID = "1example23456789"
SECRET = "c1ientSecretForTests0123456789abcdefghijklmnop"
EMAIL = "ada@example.com"
INTERNAL_USERNAME = "0f6a1e8e-6b0f-4c7e-9b1e-4b8e2f0c1a2b"
HASH_OF_EMAIL = "tbkfcCCViMh/4NQnTSjZGaWiHT+pwf3yqoolEcw55bo="
HASH_OF_INTERNAL_USERNAME = "RMBQADhrLOJjPTNmNFQ6sgMx9yZDM38muzsCXQotqM0="


def test_secret_hash_matches_the_fixed_vectors() -> None:
    assert secret_hash(EMAIL, CLIENT_ID, SECRET) == HASH_OF_EMAIL
    assert secret_hash(INTERNAL_USERNAME, CLIENT_ID, SECRET) == HASH_OF_INTERNAL_USERNAME


@pytest.fixture
def stubbed() -> Iterator[tuple[CognitoGateway, Stubber]]:
    client = boto3.client(
        "cognito-idp",
        region_name="eu-west-1",
        aws_access_key_id="x",
        aws_secret_access_key="x",
    )
    with Stubber(client) as stubber:
        yield CognitoGateway(client, CLIENT_ID, SECRET), stubber
        stubber.assert_no_pending_responses()


def _token(claims: dict[str, Any]) -> str:
    return str(jwt.encode(claims, "k", algorithm="HS256"))


def test_sign_up_hashes_the_normalised_email(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "sign_up",
        {"UserConfirmed": False, "UserSub": INTERNAL_USERNAME},
        {
            "ClientId": CLIENT_ID,
            "SecretHash": HASH_OF_EMAIL,
            "Username": EMAIL,
            "Password": "Corr3ct-Horse!",
            "UserAttributes": [
                {"Name": "email", "Value": EMAIL},
                {"Name": "given_name", "Value": "Ada"},
            ],
        },
    )
    result = gateway.sign_up("  Ada@Example.COM ", "Corr3ct-Horse!", {"given_name": "Ada"})
    assert result.user_sub == INTERNAL_USERNAME
    assert result.delivery is None


def test_confirm_and_resend_hash_the_email(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "confirm_sign_up",
        {},
        {
            "ClientId": CLIENT_ID,
            "SecretHash": HASH_OF_EMAIL,
            "Username": EMAIL,
            "ConfirmationCode": "123456",
        },
    )
    stubber.add_response(
        "resend_confirmation_code",
        {
            "CodeDeliveryDetails": {
                "Destination": "a***@e***",
                "DeliveryMedium": "EMAIL",
                "AttributeName": "email",
            }
        },
        {"ClientId": CLIENT_ID, "SecretHash": HASH_OF_EMAIL, "Username": EMAIL},
    )
    gateway.confirm_sign_up("ADA@example.com", "123456")
    delivery = gateway.resend_confirmation_code("ada@EXAMPLE.com")
    assert delivery is not None
    assert delivery.destination == "a***@e***"


def test_password_sign_in_hashes_the_typed_email(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    access = _token({"username": INTERNAL_USERNAME, "iat": 100, "exp": 3700})
    stubber.add_response(
        "initiate_auth",
        {
            "AuthenticationResult": {
                "AccessToken": access,
                "IdToken": "id",
                "RefreshToken": "refresh",
                "TokenType": "Bearer",
            }
        },
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {
                "USERNAME": EMAIL,
                "PASSWORD": "Corr3ct-Horse!",
                "SECRET_HASH": HASH_OF_EMAIL,
            },
        },
    )
    tokens = gateway.sign_in_with_password("Ada@example.com", "Corr3ct-Horse!")
    assert isinstance(tokens, Tokens)
    assert tokens.refresh_token == "refresh"
    # No ExpiresIn in the answer: the lifetime comes from the token's exp - iat.
    assert tokens.expires_in == 3600


def test_refresh_hashes_the_internal_username(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "initiate_auth",
        {
            "AuthenticationResult": {
                "AccessToken": "a",
                "IdToken": "i",
                "ExpiresIn": 3600,
                "TokenType": "Bearer",
            }
        },
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "REFRESH_TOKEN_AUTH",
            "AuthParameters": {
                "REFRESH_TOKEN": "refresh",
                "SECRET_HASH": HASH_OF_INTERNAL_USERNAME,
            },
        },
    )
    tokens = gateway.refresh(INTERNAL_USERNAME, "refresh")
    assert tokens.refresh_token is None
    assert tokens.access_token == "a"


def test_sign_in_challenge_is_returned_not_raised(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    stubber.add_response(
        "initiate_auth",
        {
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": "s" * 24,
            "ChallengeParameters": {"USER_ID_FOR_SRP": INTERNAL_USERNAME},
        },
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {
                "USERNAME": EMAIL,
                "PASSWORD": "Temp0rary!",
                "SECRET_HASH": HASH_OF_EMAIL,
            },
        },
    )
    outcome = gateway.sign_in_with_password(EMAIL, "Temp0rary!")
    assert outcome == Challenge(
        "NEW_PASSWORD_REQUIRED", "s" * 24, {"USER_ID_FOR_SRP": INTERNAL_USERNAME}
    )


def test_token_calls_send_the_access_token_only(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    stubber.add_response("global_sign_out", {}, {"AccessToken": "access"})
    stubber.add_response(
        "get_user",
        {"Username": INTERNAL_USERNAME, "UserAttributes": [{"Name": "email", "Value": EMAIL}]},
        {"AccessToken": "access"},
    )
    gateway.global_sign_out("access")
    user = gateway.get_user("access")
    assert user.attributes == {"email": EMAIL}


def test_client_without_secret_sends_no_hash() -> None:
    client = boto3.client("cognito-idp", region_name="eu-west-1")
    with Stubber(client) as stubber:
        stubber.add_response(
            "confirm_sign_up",
            {},
            {"ClientId": CLIENT_ID, "Username": EMAIL, "ConfirmationCode": "1"},
        )
        CognitoGateway(client, CLIENT_ID, None).confirm_sign_up(EMAIL, "1")
        stubber.assert_no_pending_responses()


@pytest.mark.parametrize(
    ("method", "args", "aws_code", "status", "expected"),
    [
        (
            "sign_up",
            (EMAIL, "p", {}),
            "UsernameExistsException",
            400,
            ErrorCode.EMAIL_ALREADY_REGISTERED,
        ),
        ("sign_up", (EMAIL, "p", {}), "InvalidPasswordException", 400, ErrorCode.PASSWORD_POLICY),
        (
            "sign_up",
            (EMAIL, "p", {}),
            "UnexpectedLambdaException",
            400,
            ErrorCode.SERVICE_UNAVAILABLE,
        ),
        ("confirm_sign_up", (EMAIL, "1"), "CodeMismatchException", 400, ErrorCode.INVALID_CODE),
        ("confirm_sign_up", (EMAIL, "1"), "ExpiredCodeException", 400, ErrorCode.CODE_EXPIRED),
        (
            "confirm_sign_up",
            (EMAIL, "1"),
            "NotAuthorizedException",
            400,
            ErrorCode.INVALID_CODE,
        ),
        (
            "sign_in_with_password",
            (EMAIL, "p"),
            "NotAuthorizedException",
            400,
            ErrorCode.BAD_CREDENTIALS,
        ),
        (
            "sign_in_with_password",
            (EMAIL, "p"),
            "UserNotFoundException",
            400,
            ErrorCode.BAD_CREDENTIALS,
        ),
        (
            "sign_in_with_password",
            (EMAIL, "p"),
            "UserNotConfirmedException",
            400,
            ErrorCode.USER_NOT_CONFIRMED,
        ),
        (
            "sign_in_with_password",
            (EMAIL, "p"),
            "TooManyRequestsException",
            400,
            ErrorCode.TOO_MANY_REQUESTS,
        ),
        (
            "sign_in_with_password",
            (EMAIL, "p"),
            "InternalErrorException",
            500,
            ErrorCode.SERVICE_UNAVAILABLE,
        ),
        (
            "sign_in_with_password",
            (EMAIL, "p"),
            "SomethingNewException",
            400,
            ErrorCode.UPSTREAM_ERROR,
        ),
        (
            "refresh",
            (INTERNAL_USERNAME, "r"),
            "NotAuthorizedException",
            400,
            ErrorCode.REFRESH_TOKEN_INVALID,
        ),
        ("get_user", ("a",), "NotAuthorizedException", 400, ErrorCode.INVALID_TOKEN),
        ("global_sign_out", ("a",), "NotAuthorizedException", 400, ErrorCode.INVALID_TOKEN),
    ],
)
def test_cognito_errors_are_translated_per_operation(
    stubbed: tuple[CognitoGateway, Stubber],
    method: str,
    args: tuple[Any, ...],
    aws_code: str,
    status: int,
    expected: ErrorCode,
) -> None:
    gateway, stubber = stubbed
    operation = {
        "sign_in_with_password": "initiate_auth",
        "refresh": "initiate_auth",
        "confirm_sign_up": "confirm_sign_up",
    }.get(method, method)
    stubber.add_client_error(
        operation,
        service_error_code=aws_code,
        service_message="AWS text that must not leak",
        http_status_code=status,
    )
    with pytest.raises(ApiError) as raised:
        getattr(gateway, method)(*args)
    assert raised.value.code is expected
    assert "AWS text" not in str(raised.value)
