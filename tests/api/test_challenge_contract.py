"""POST /auth/challenge and /auth/challenge/mfa-setup down to the exact Cognito calls (Stubber)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import boto3
import httpx
import pytest
from botocore.stub import Stubber
from jose import jwt

from app.cognito.gateway import CognitoGateway
from app.main import create_app
from app.settings import Settings
from tests.api.test_gateway_contract import (
    CLIENT_ID,
    HASH_OF_INTERNAL_USERNAME,
    INTERNAL_USERNAME,
    SECRET,
)

SETTINGS = Settings(
    environment="test",
    cognito_user_pool_id="eu-west-1_AbCdEf123",
    cognito_client_id=CLIENT_ID,
    cognito_client_secret=SECRET,
)
SESSION = "s" * 32
PEER = "203.0.113.7"
# What the service sends along with every answer: the end user's context (the ASGI peer here).
CONTEXT = {"UserContextData": {"IpAddress": PEER}, "ClientMetadata": {"sourceIp": PEER}}


def _tokens() -> dict[str, Any]:
    access = jwt.encode({"username": INTERNAL_USERNAME, "iat": 0, "exp": 3600}, "k")
    return {
        "AuthenticationResult": {
            "AccessToken": access,
            "IdToken": "i",
            "RefreshToken": "r",
            "ExpiresIn": 3600,
            "TokenType": "Bearer",
        }
    }


@pytest.fixture
def stubber() -> Iterator[Stubber]:
    client = boto3.client(
        "cognito-idp", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    with Stubber(client) as stub:
        stub.gateway = CognitoGateway(client, CLIENT_ID, SECRET)  # type: ignore[attr-defined]
        yield stub
        stub.assert_no_pending_responses()


@pytest.fixture
async def http(stubber: Stubber) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(SETTINGS, gateway=stubber.gateway)  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app, client=(PEER, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


def _expect_answer(stubber: Stubber, name: str, responses: dict[str, str], session: str) -> None:
    stubber.add_response(
        "respond_to_auth_challenge",
        _tokens(),
        {
            "ClientId": CLIENT_ID,
            "ChallengeName": name,
            "Session": session,
            "ChallengeResponses": {
                "USERNAME": INTERNAL_USERNAME,
                **responses,
                "SECRET_HASH": HASH_OF_INTERNAL_USERNAME,
            },
            **CONTEXT,
        },
    )


@pytest.mark.parametrize(
    ("name", "fields", "responses"),
    [
        ("SOFTWARE_TOKEN_MFA", {"code": "123456"}, {"SOFTWARE_TOKEN_MFA_CODE": "123456"}),
        ("SMS_MFA", {"code": "123456"}, {"SMS_MFA_CODE": "123456"}),
        ("EMAIL_OTP", {"code": "12345678"}, {"EMAIL_OTP_CODE": "12345678"}),
        ("SELECT_MFA_TYPE", {"mfa_type": "SOFTWARE_TOKEN_MFA"}, {"ANSWER": "SOFTWARE_TOKEN_MFA"}),
        (
            "NEW_PASSWORD_REQUIRED",
            {"new_password": "N3w-Password!x", "attributes": {"given_name": "Ada"}},
            {"NEW_PASSWORD": "N3w-Password!x", "userAttributes.given_name": "Ada"},
        ),
    ],
)
async def test_each_answer_goes_under_the_key_aws_wants(
    http: httpx.AsyncClient,
    stubber: Stubber,
    name: str,
    fields: dict[str, Any],
    responses: dict[str, str],
) -> None:
    _expect_answer(stubber, name, responses, SESSION)
    answer = {"challenge_name": name, "session": SESSION, "username": INTERNAL_USERNAME}
    response = await http.post("/auth/challenge", json={**answer, **fields})
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "SIGNED_IN"
    assert response.json()["username"] == INTERNAL_USERNAME


async def test_mfa_setup_associates_verifies_then_answers(
    http: httpx.AsyncClient, stubber: Stubber
) -> None:
    stubber.add_response(
        "associate_software_token",
        {"SecretCode": "JBSWY3DPEHPK3PXP", "Session": "2" * 32},
        {"Session": SESSION},
    )
    stubber.add_response(
        "verify_software_token",
        {"Status": "SUCCESS", "Session": "3" * 32},
        {"Session": "2" * 32, "UserCode": "123456", "FriendlyDeviceName": "Authenticator"},
    )
    # MFA_SETUP itself takes only USERNAME (and SECRET_HASH), with VerifySoftwareToken's session.
    _expect_answer(stubber, "MFA_SETUP", {}, "3" * 32)

    setup = await http.post(
        "/auth/challenge/mfa-setup",
        json={"session": SESSION, "username": INTERNAL_USERNAME, "account_name": "ada@example.com"},
    )
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert body["secret"] == "JBSWY3DPEHPK3PXP"
    assert body["session"] == "2" * 32
    assert body["otpauth_uri"] == (
        "otpauth://totp/Image%20Platform%3Aada%40example.com?secret=JBSWY3DPEHPK3PXP"
        "&issuer=Image%20Platform&digits=6&period=30"
    )
    done = await http.post(
        "/auth/challenge",
        json={
            "challenge_name": "MFA_SETUP",
            "session": body["session"],
            "username": INTERNAL_USERNAME,
            "code": "123456",
        },
    )
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "SIGNED_IN"


async def test_mfa_setup_without_a_code_asks_for_it(
    http: httpx.AsyncClient, stubber: Stubber
) -> None:
    answer = {"challenge_name": "MFA_SETUP", "session": SESSION, "username": INTERNAL_USERNAME}
    response = await http.post("/auth/challenge", json=answer)
    assert response.status_code == 422
    assert response.json()["code"] == "CHALLENGE_ANSWER_MISSING"


async def test_a_wrong_setup_code_is_invalid_code(
    http: httpx.AsyncClient, stubber: Stubber
) -> None:
    stubber.add_client_error(
        "verify_software_token",
        service_error_code="CodeMismatchException",
        expected_params={
            "Session": SESSION,
            "UserCode": "123456",
            "FriendlyDeviceName": "Authenticator",
        },
    )
    answer = {"challenge_name": "MFA_SETUP", "session": SESSION, "username": INTERNAL_USERNAME}
    response = await http.post("/auth/challenge", json={**answer, "code": "123456"})
    assert response.status_code == 400
    assert response.json()["code"] == "INVALID_CODE"


async def test_the_next_step_names_a_known_challenge(
    http: httpx.AsyncClient, stubber: Stubber
) -> None:
    stubber.add_response(
        "respond_to_auth_challenge",
        {
            "ChallengeName": "MFA_SETUP",
            "Session": "4" * 32,
            "ChallengeParameters": {
                "MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]',
                "USER_ID_FOR_SRP": INTERNAL_USERNAME,
            },
        },
    )
    answer = {"challenge_name": "NEW_PASSWORD_REQUIRED", "session": SESSION}
    response = await http.post(
        "/auth/challenge",
        json={**answer, "username": INTERNAL_USERNAME, "new_password": "N3w-Password!x"},
    )
    assert response.status_code == 200, response.text
    step = response.json()["next_step"]
    assert (step["challenge_name"], step["expected"]) == ("MFA_SETUP", ["code"])
    assert step["username"] == INTERNAL_USERNAME
    assert step["parameters"] == {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}


async def test_an_unknown_challenge_is_an_upstream_error_not_a_500(
    http: httpx.AsyncClient, stubber: Stubber, caplog: pytest.LogCaptureFixture
) -> None:
    stubber.add_response(
        "respond_to_auth_challenge",
        {"ChallengeName": "DEVICE_SRP_AUTH", "Session": "5" * 32, "ChallengeParameters": {}},
    )
    answer = {"challenge_name": "SOFTWARE_TOKEN_MFA", "session": SESSION}
    response = await http.post(
        "/auth/challenge", json={**answer, "username": INTERNAL_USERNAME, "code": "123456"}
    )
    assert response.status_code == 502
    assert response.json()["code"] == "UPSTREAM_ERROR"
    assert any(getattr(r, "challenge_name", "") == "DEVICE_SRP_AUTH" for r in caplog.records)
