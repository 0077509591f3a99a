"""MFA_SETUP over HTTP: a pool that requires MFA makes an unenrolled user enrol while signing in.

The shipped pool's MFA is optional (Cognito never asks it for MFA_SETUP), so these tests create a
second pool in the same local Cognito, from the same definition but with MFA ON, and serve the
API over it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import boto3
import httpx
import pytest
from pydantic import SecretStr

from app.main import create_app
from app.settings import Settings
from local_cognito.pool import load_definition
from local_cognito.server import LocalCognito
from tests.api.test_account_flows import NEW_PASSWORD, TEMPORARY_PASSWORD
from tests.conftest import PASSWORD, new_email
from tests.totp import totp


@pytest.fixture(scope="module")
def mfa_required(cognito: LocalCognito) -> Settings:
    """Settings for a pool like the shipped one, but with MFA required (TOTP)."""
    admin = boto3.client(
        "cognito-idp", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    )
    definition = load_definition()
    pool = admin.create_user_pool(
        **{**definition["UserPool"], "PoolName": "mfa-required", "MfaConfiguration": "ON"}
    )["UserPool"]
    admin.set_user_pool_mfa_config(
        UserPoolId=pool["Id"],
        SoftwareTokenMfaConfiguration={"Enabled": True},
        MfaConfiguration="ON",
    )
    app_client = admin.create_user_pool_client(
        UserPoolId=pool["Id"], **definition["UserPoolClient"]
    )["UserPoolClient"]
    return Settings(
        environment="test",
        cognito_user_pool_id=pool["Id"],
        cognito_client_id=app_client["ClientId"],
        cognito_client_secret=SecretStr(app_client["ClientSecret"]),
        cognito_endpoint_url=cognito.endpoint_url,
        cognito_jwks_url=f"{cognito.endpoint_url}/{pool['Id']}/.well-known/jwks.json",
    )


@pytest.fixture
async def http(mfa_required: Settings) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(mfa_required))
    async with httpx.AsyncClient(transport=transport, base_url="http://test", timeout=10) as c:
        yield c


async def _registered(http: httpx.AsyncClient, cognito: LocalCognito) -> str:
    email = new_email()
    assert (
        await http.post("/auth/register", json={"email": email, "password": PASSWORD})
    ).is_success
    message = cognito.outbox.latest(email)
    assert message is not None
    confirm = await http.post("/auth/confirm", json={"email": email, "code": message.code})
    assert confirm.status_code == 204, confirm.text
    return email


def _wrong(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


async def _set_up(http: httpx.AsyncClient, step: dict[str, str], email: str) -> httpx.Response:
    """Enrol an authenticator against the MFA_SETUP step and answer it."""
    setup = await http.post(
        "/auth/challenge/mfa-setup",
        json={"session": step["session"], "username": step["username"], "account_name": email},
    )
    assert setup.status_code == 200, setup.text
    body = setup.json()
    assert body["session"] != step["session"]  # AWS hands out a new session at each step
    assert body["otpauth_uri"].startswith("otpauth://totp/Image%20Platform%3Auser-")
    answer = {"challenge_name": "MFA_SETUP", "session": body["session"]}
    answer["username"] = step["username"]
    wrong = await http.post(
        "/auth/challenge", json={**answer, "code": _wrong(totp(body["secret"]))}
    )
    assert wrong.json()["code"] == "INVALID_CODE"
    return await http.post("/auth/challenge", json={**answer, "code": totp(body["secret"])})


async def test_an_unenrolled_user_sets_up_mfa_while_signing_in(
    http: httpx.AsyncClient, cognito: LocalCognito
) -> None:
    email = await _registered(http, cognito)
    first = await http.post("/auth/signin", json={"email": email, "password": PASSWORD})
    assert first.status_code == 200, first.text
    assert first.json()["status"] == "CHALLENGE"
    step = first.json()["next_step"]
    assert (step["challenge_name"], step["expected"]) == ("MFA_SETUP", ["code"])
    assert step["parameters"] == {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}
    assert "@" not in step["username"]

    done = await _set_up(http, step, email)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "SIGNED_IN"
    assert (
        await http.get("/me", headers={"Authorization": f"Bearer {done.json()['access_token']}"})
    ).is_success

    # From now on the authenticator is asked for at each sign-in.
    again = await http.post("/auth/signin", json={"email": email, "password": PASSWORD})
    step = again.json()["next_step"]
    assert step["challenge_name"] == "SOFTWARE_TOKEN_MFA"


async def test_an_admin_created_user_sets_a_password_then_mfa(
    http: httpx.AsyncClient, cognito: LocalCognito, mfa_required: Settings
) -> None:
    email = new_email()
    admin = boto3.client(
        "cognito-idp", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    )
    admin.admin_create_user(
        UserPoolId=mfa_required.cognito_user_pool_id,
        Username=email,
        TemporaryPassword=TEMPORARY_PASSWORD,
        MessageAction="SUPPRESS",
    )
    first = await http.post("/auth/signin", json={"email": email, "password": TEMPORARY_PASSWORD})
    step = first.json()["next_step"]
    assert step["challenge_name"] == "NEW_PASSWORD_REQUIRED"
    second = await http.post(
        "/auth/challenge",
        json={
            "challenge_name": "NEW_PASSWORD_REQUIRED",
            "session": step["session"],
            "username": step["username"],
            "new_password": NEW_PASSWORD,
        },
    )
    assert second.status_code == 200, second.text
    step = second.json()["next_step"]
    assert step["challenge_name"] == "MFA_SETUP"
    assert step["parameters"] == {"MFAS_CAN_SETUP": '["SOFTWARE_TOKEN_MFA"]'}
    done = await _set_up(http, step, email)
    assert done.json()["status"] == "SIGNED_IN", done.text


async def test_an_expired_or_unverified_setup_session(
    http: httpx.AsyncClient, cognito: LocalCognito
) -> None:
    email = await _registered(http, cognito)
    step = (await http.post("/auth/signin", json={"email": email, "password": PASSWORD})).json()[
        "next_step"
    ]
    forged = await http.post(
        "/auth/challenge/mfa-setup", json={"session": "x" * 40, "username": step["username"]}
    )
    assert (forged.status_code, forged.json()["code"]) == (401, "CHALLENGE_SESSION_INVALID")
    cognito.layer.expire_sessions()
    expired = await http.post(
        "/auth/challenge/mfa-setup",
        json={"session": step["session"], "username": step["username"]},
    )
    assert (expired.status_code, expired.json()["code"]) == (401, "CHALLENGE_SESSION_INVALID")
