"""Contract tests of the adaptive sign-in (CUSTOM_AUTH with SRP): the exact calls, AWS-validated.

The SRP values are test_srp.py's vector (checked against pycognito); the SECRET_HASH of the
internal username was computed with
`printf '%s' "<username><client id>" | openssl dgst -sha256 -hmac "<secret>" -binary | base64`.
"""

from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from botocore.stub import Stubber

from app.cognito.context import UserContext
from app.cognito.gateway import CognitoGateway
from app.cognito.models import Challenge, Tokens
from app.cognito.srp import SrpClient
from app.errors import ApiError, ErrorCode
from tests.api.test_gateway_contract import CLIENT_ID, EMAIL, HASH_OF_EMAIL, SECRET, _token
from tests.api.test_srp import AT, POOL_ID, SALT, SECRET_BLOCK, SIGNATURE, SMALL_A, SRP_B, USER_ID

HASH_OF_USER_ID = "6UixS7TwP8aRVqKWgdria20pX1DJtXCplqe8kmSnEKs="
CONTEXT = UserContext(ip_address="203.0.113.7", encoded_data="device-data")
METADATA = {"sourceIp": "203.0.113.7", "deviceId": "laptop-7c1e5a9d"}
SESSION = "s" * 64
FIXED_A = SrpClient.start(SMALL_A)  # the ephemeral key of the vector, instead of a random one
VERIFIER_PARAMETERS = {
    "SALT": SALT,
    "SRP_B": SRP_B,
    "SECRET_BLOCK": SECRET_BLOCK,
    "USER_ID_FOR_SRP": USER_ID,
    "USERNAME": USER_ID,
}


@pytest.fixture
def stubbed(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[CognitoGateway, Stubber]]:
    monkeypatch.setattr(SrpClient, "start", lambda: FIXED_A)
    client = boto3.client(
        "cognito-idp", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stubber:
        yield CognitoGateway(client, CLIENT_ID, SECRET, pool_id=POOL_ID, clock=lambda: AT), stubber
        stubber.assert_no_pending_responses()


def _expect_start(stubber: Stubber, response: dict[str, object]) -> None:
    stubber.add_response(
        "initiate_auth",
        response,
        {
            "ClientId": CLIENT_ID,
            "AuthFlow": "CUSTOM_AUTH",
            "AuthParameters": {
                "USERNAME": EMAIL,
                "CHALLENGE_NAME": "SRP_A",
                "SRP_A": FIXED_A.srp_a,
                "SECRET_HASH": HASH_OF_EMAIL,
            },
            "UserContextData": {"IpAddress": "203.0.113.7", "EncodedData": "device-data"},
        },
    )


def _expect_password_proof(stubber: Stubber, response: dict[str, object]) -> None:
    stubber.add_response(
        "respond_to_auth_challenge",
        response,
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": SESSION,
            # AWS hashes the answer over the internal username, never the typed email.
            "ChallengeResponses": {
                "USERNAME": USER_ID,
                "PASSWORD_CLAIM_SECRET_BLOCK": SECRET_BLOCK,
                "PASSWORD_CLAIM_SIGNATURE": SIGNATURE,
                "TIMESTAMP": "Tue Mar 3 09:05:07 UTC 2026",
                "SECRET_HASH": HASH_OF_USER_ID,
            },
            "UserContextData": {"IpAddress": "203.0.113.7", "EncodedData": "device-data"},
            "ClientMetadata": METADATA,
        },
    )


def test_the_password_is_proven_by_srp_and_never_sent(
    stubbed: tuple[CognitoGateway, Stubber],
) -> None:
    gateway, stubber = stubbed
    _expect_start(
        stubber,
        {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": SESSION,
            "ChallengeParameters": VERIFIER_PARAMETERS,
        },
    )
    access = _token({"username": USER_ID, "exp": 3600, "iat": 0})
    _expect_password_proof(
        stubber,
        {
            "AuthenticationResult": {
                "AccessToken": access,
                "IdToken": "id",
                "RefreshToken": "refresh",
                "ExpiresIn": 3600,
                "TokenType": "Bearer",
            }
        },
    )
    outcome = gateway.sign_in_adaptive(EMAIL.upper(), "Corr3ct-Horse!", CONTEXT, METADATA)
    assert isinstance(outcome, Tokens)
    assert outcome.refresh_token == "refresh"


def test_a_risky_sign_in_hands_on_the_custom_challenge(
    stubbed: tuple[CognitoGateway, Stubber],
) -> None:
    gateway, stubber = stubbed
    _expect_start(
        stubber,
        {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": SESSION,
            "ChallengeParameters": VERIFIER_PARAMETERS,
        },
    )
    _expect_password_proof(
        stubber,
        {
            "ChallengeName": "CUSTOM_CHALLENGE",
            "Session": "n" * 40,
            "ChallengeParameters": {"USERNAME": USER_ID, "challenge": "EMAIL_OTP"},
        },
    )
    outcome = gateway.sign_in_adaptive(EMAIL, "Corr3ct-Horse!", CONTEXT, METADATA)
    assert outcome == Challenge(
        name="CUSTOM_CHALLENGE",
        session="n" * 40,
        parameters={"USERNAME": USER_ID, "challenge": "EMAIL_OTP"},
    )


def test_a_wrong_password_is_bad_credentials(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    gateway, stubber = stubbed
    _expect_start(
        stubber,
        {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": SESSION,
            "ChallengeParameters": VERIFIER_PARAMETERS,
        },
    )
    stubber.add_client_error(
        "respond_to_auth_challenge",
        service_error_code="NotAuthorizedException",
        service_message="Incorrect username or password.",
    )
    with pytest.raises(ApiError) as raised:
        gateway.sign_in_adaptive(EMAIL, "Corr3ct-Horse!", CONTEXT, METADATA)
    assert raised.value.code is ErrorCode.BAD_CREDENTIALS


@pytest.mark.parametrize("missing", ["SALT", "SRP_B", "SECRET_BLOCK"])
def test_a_malformed_verifier_challenge_is_not_answered(
    stubbed: tuple[CognitoGateway, Stubber], missing: str
) -> None:
    gateway, stubber = stubbed
    parameters = {k: v for k, v in VERIFIER_PARAMETERS.items() if k != missing}
    _expect_start(
        stubber,
        {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": SESSION,
            "ChallengeParameters": parameters,
        },
    )
    with pytest.raises(ApiError) as raised:
        gateway.sign_in_adaptive(EMAIL, "Corr3ct-Horse!", CONTEXT, METADATA)
    assert raised.value.code is ErrorCode.UPSTREAM_ERROR


def _started(stubber: Stubber, parameters: dict[str, str] = VERIFIER_PARAMETERS) -> None:
    _expect_start(
        stubber,
        {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": SESSION,
            "ChallengeParameters": parameters,
        },
    )


def test_an_unsent_sign_in_code_is_a_503(stubbed: tuple[CognitoGateway, Stubber]) -> None:
    # CreateAuthChallenge runs after the password proof; a code nobody can receive is not the
    # user's fault.
    gateway, stubber = stubbed
    _started(stubber)
    stubber.add_client_error(
        "respond_to_auth_challenge",
        service_error_code="UserLambdaValidationException",
        service_message="CreateAuthChallenge failed with error CHALLENGE_DELIVERY_FAILED.",
    )
    with pytest.raises(ApiError) as raised:
        gateway.sign_in_adaptive(EMAIL, "Corr3ct-Horse!", CONTEXT, METADATA)
    assert raised.value.code is ErrorCode.SERVICE_UNAVAILABLE


def test_a_refused_parameter_of_ours_is_not_a_wrong_password(
    stubbed: tuple[CognitoGateway, Stubber],
) -> None:
    gateway, stubber = stubbed
    _started(stubber)
    stubber.add_client_error(
        "respond_to_auth_challenge",
        service_error_code="InvalidParameterException",
        service_message="TIMESTAMP is invalid",
    )
    with pytest.raises(ApiError) as raised:
        gateway.sign_in_adaptive(EMAIL, "Corr3ct-Horse!", CONTEXT, METADATA)
    assert raised.value.code is ErrorCode.UPSTREAM_ERROR


@pytest.mark.parametrize(
    "answer",
    [
        {"AuthenticationResult": {"AccessToken": "a", "IdToken": "i", "RefreshToken": "r"}},
        {"ChallengeName": "CUSTOM_CHALLENGE", "Session": "n" * 40, "ChallengeParameters": {}},
        {
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": "n" * 40,
            "ChallengeParameters": {
                k: v for k, v in VERIFIER_PARAMETERS.items() if k != "USER_ID_FOR_SRP"
            },
        },
    ],
)
def test_no_sign_in_without_the_password_proof(
    stubbed: tuple[CognitoGateway, Stubber], answer: dict[str, object]
) -> None:
    # A DefineAuthChallenge that skips PASSWORD_VERIFIER (wrong or outdated) must not let anyone
    # in on a code alone, or on nothing.
    gateway, stubber = stubbed
    _expect_start(stubber, answer)
    with pytest.raises(ApiError) as raised:
        gateway.sign_in_adaptive(EMAIL, "Corr3ct-Horse!", CONTEXT, METADATA)
    assert raised.value.code is ErrorCode.UPSTREAM_ERROR
