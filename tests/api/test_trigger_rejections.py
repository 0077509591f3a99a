"""Trigger refusals and misconfigurations as Cognito reports them, mapped to stable codes.

Cognito wraps a raising trigger's message ("PreSignUp failed with error X."); AWS also reports a
wrong app client secret with the same code as a wrong password. Stubber plays AWS here (exact
messages the emulator would not produce); the local-Cognito tests in test_triggers_local.py run
the real triggers.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import boto3
import httpx
import pytest
from botocore.stub import Stubber

import app.trigger_reasons as api_copy
import triggers.reasons as trigger_side
from app.cognito.gateway import CognitoGateway
from app.main import create_app
from app.settings import Settings

EMAIL = "ada@example.com"
PASSWORD = "Corr3ct-Horse!"
USERNAME = "0f6a1e8e-6b0f-4c7e-9b1e-4b8e2f0c1a2b"
SAMPLES = [
    "PreSignUp failed with error EMAIL_DOMAIN_NOT_ALLOWED.",
    "PreAuthentication failed with error USER_BLOCKED.",
    "CreateAuthChallenge failed with error CHALLENGE_DELIVERY_FAILED.",
    "USER_BLOCKED",
    "PreSignUp failed with error Sign up rejected: domain example.com.",
    "PreSignUp failed with error EMAIL_DOMAIN_NOT_ALLOWED_EXTRA.",
    "failed with error user_blocked.",
    "",
]


def test_the_api_copy_of_the_reasons_matches_the_triggers() -> None:
    assert api_copy.REASONS == trigger_side.REASONS
    assert set(api_copy.ERROR_CODE_BY_REASON) == set(trigger_side.REASONS)
    for message in SAMPLES:
        assert api_copy.parse_rejection(message) == trigger_side.parse_rejection(message), message


@pytest.fixture
async def stubbed(settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, Stubber]]:
    client = boto3.client(
        "cognito-idp", region_name="eu-west-1", aws_access_key_id="x", aws_secret_access_key="x"
    )
    gateway = CognitoGateway(client, settings.cognito_client_id, "secret")
    app = create_app(settings, gateway=gateway)
    with Stubber(client) as stubber:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http, stubber
        stubber.assert_no_pending_responses()


REGISTER = ("sign_up", "/auth/register", {"email": EMAIL, "password": PASSWORD})
SIGN_IN = ("initiate_auth", "/auth/signin", {"email": EMAIL, "password": PASSWORD})


@pytest.mark.parametrize(
    ("call", "message", "status", "code"),
    [
        (
            REGISTER,
            "PreSignUp failed with error EMAIL_DOMAIN_NOT_ALLOWED.",
            403,
            "EMAIL_DOMAIN_NOT_ALLOWED",
        ),
        (SIGN_IN, "PreAuthentication failed with error USER_BLOCKED.", 403, "USER_BLOCKED"),
        # A trigger that crashed with its own text (a bug, a bad configuration): not the user's.
        (
            REGISTER,
            "PreSignUp failed with error ConfigError: bad ALLOWED_EMAIL_DOMAINS.",
            503,
            "SERVICE_UNAVAILABLE",
        ),
        (
            SIGN_IN,
            "PreAuthentication failed with error 'NoneType' object.",
            503,
            "SERVICE_UNAVAILABLE",
        ),
    ],
)
async def test_trigger_refusals_get_stable_codes_and_no_wrapper(
    stubbed: tuple[httpx.AsyncClient, Stubber],
    caplog: pytest.LogCaptureFixture,
    call: tuple[str, str, dict[str, str]],
    message: str,
    status: int,
    code: str,
) -> None:
    http, stubber = stubbed
    operation, path, body = call
    stubber.add_client_error(
        operation, service_error_code="UserLambdaValidationException", service_message=message
    )
    response = await http.post(path, json=body)
    assert response.status_code == status
    assert response.json()["code"] == code
    assert "failed with error" not in response.text
    assert "failed with error" not in caplog.text  # the wrapped text may quote user data
    if code == "SERVICE_UNAVAILABLE":
        assert response.headers["retry-after"]


@pytest.mark.parametrize(
    ("call", "aws_code", "message", "reason"),
    [
        (
            REGISTER,
            "NotAuthorizedException",
            "Unable to verify secret hash for client abc",
            "secret_hash_refused",
        ),
        (
            SIGN_IN,
            "NotAuthorizedException",
            "Unable to verify secret hash for client abc",
            "secret_hash_refused",
        ),
        (
            SIGN_IN,
            "NotAuthorizedException",
            "Client abc is configured for secret but secret was not received",
            "secret_missing",
        ),
        (
            SIGN_IN,
            "InvalidParameterException",
            "USER_PASSWORD_AUTH flow not enabled for this client",
            "auth_flow_not_enabled",
        ),
        (
            ("resend_confirmation_code", "/auth/resend-code", {"email": EMAIL}),
            "NotAuthorizedException",
            "Unable to verify secret hash for client abc",
            "secret_hash_refused",
        ),
        (
            ("forgot_password", "/auth/forgot-password", {"email": EMAIL}),
            "NotAuthorizedException",
            "Unable to verify secret hash for client abc",
            "secret_hash_refused",
        ),
    ],
)
async def test_a_misconfigured_service_is_a_503_not_a_user_error(
    stubbed: tuple[httpx.AsyncClient, Stubber],
    caplog: pytest.LogCaptureFixture,
    call: tuple[str, str, dict[str, str]],
    aws_code: str,
    message: str,
    reason: str,
) -> None:
    # The service computed SECRET_HASH over a username it chose: a refusal is its own fault, and
    # telling the user "wrong password" (or "code sent") would hide it from the operator.
    http, stubber = stubbed
    operation, path, body = call
    stubber.add_client_error(operation, service_error_code=aws_code, service_message=message)
    with caplog.at_level(logging.ERROR, logger="app.cognito"):
        response = await http.post(path, json=body)
    assert response.status_code == 503
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"
    [record] = [r for r in caplog.records if r.name == "app.cognito"]
    assert record.levelno == logging.ERROR
    assert record.reason == reason  # type: ignore[attr-defined]
    assert message not in caplog.text


async def test_a_refresh_hashed_over_the_wrong_username_stays_a_client_error(
    stubbed: tuple[httpx.AsyncClient, Stubber], caplog: pytest.LogCaptureFixture
) -> None:
    # On refresh the client names the user (the schema already refuses an email); another
    # user's internal username gets the secret-hash message from AWS.
    http, stubber = stubbed
    stubber.add_client_error(
        "initiate_auth",
        service_error_code="NotAuthorizedException",
        service_message="Unable to verify secret hash for client abc",
    )
    with caplog.at_level(logging.WARNING, logger="app.cognito"):
        response = await http.post(
            "/auth/refresh", json={"refresh_token": "r" * 40, "username": USERNAME}
        )
    assert response.status_code == 401
    assert response.json()["code"] == "REFRESH_TOKEN_INVALID"
    [record] = [r for r in caplog.records if r.name == "app.cognito"]
    assert record.levelno == logging.WARNING
    assert record.reason == "secret_hash_refused"  # type: ignore[attr-defined]


async def test_a_password_reset_required_user_is_told_so(
    stubbed: tuple[httpx.AsyncClient, Stubber],
) -> None:
    http, stubber = stubbed
    stubber.add_client_error(
        "initiate_auth",
        service_error_code="PasswordResetRequiredException",
        service_message="Password reset required for the user",
    )
    response = await http.post("/auth/signin", json={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 403
    assert response.json()["code"] == "PASSWORD_RESET_REQUIRED"


async def test_resend_for_an_unknown_user_answers_like_any_other(
    stubbed: tuple[httpx.AsyncClient, Stubber],
) -> None:
    # A pool client without PreventUserExistenceErrors answers UserNotFoundException: the route
    # must not turn that into an existence oracle.
    http, stubber = stubbed
    stubber.add_client_error("resend_confirmation_code", service_error_code="UserNotFoundException")
    stubber.add_response(
        "resend_confirmation_code",
        {
            "CodeDeliveryDetails": {
                "Destination": "a***@e***",
                "DeliveryMedium": "EMAIL",
                "AttributeName": "email",
            }
        },
    )
    unknown = await http.post("/auth/resend-code", json={"email": EMAIL})
    known = await http.post("/auth/resend-code", json={"email": EMAIL})
    assert unknown.status_code == known.status_code == 200
    assert unknown.json() == known.json()
