"""Every account flow over HTTP against the local Cognito: challenges, passwords, profile, MFA."""

from __future__ import annotations

import base64
import logging

import boto3
import httpx
import pytest
from pydantic import SecretStr

from app.main import create_app
from app.settings import Settings
from local_cognito.server import LocalCognito
from tests.conftest import PASSWORD, SignedInUser, new_email, register_and_confirm
from tests.totp import totp

NEW_PASSWORD = "N3w-Password!x"
TEMPORARY_PASSWORD = "Temp0rary-Pass!"


def _code(cognito: LocalCognito, email: str) -> str:
    message = cognito.outbox.latest(email)
    assert message is not None
    return message.code


def _admin_create(cognito: LocalCognito, email: str) -> None:
    """An administrator creates the user with a temporary password (no PostConfirmation)."""
    admin = boto3.client(
        "cognito-idp", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    )
    admin.admin_create_user(
        UserPoolId=cognito.pool.pool_id,
        Username=email,
        TemporaryPassword=TEMPORARY_PASSWORD,
        MessageAction="SUPPRESS",
    )


def _sign_in(client: httpx.Client, email: str, password: str) -> httpx.Response:
    return client.post("/auth/signin", json={"email": email, "password": password})


def test_rfc6238_vector_for_the_test_authenticator() -> None:
    secret = base64.b32encode(b"12345678901234567890").decode()
    assert totp(secret, at=59, digits=8) == "94287082"


def test_admin_created_user_completes_new_password_required(
    client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    _admin_create(cognito, email)
    first = _sign_in(client, email, TEMPORARY_PASSWORD)
    assert first.status_code == 200  # a challenge is never a 401 or 500
    step = first.json()["next_step"]
    assert first.json()["status"] == "CHALLENGE"
    assert step["challenge_name"] == "NEW_PASSWORD_REQUIRED"
    assert step["expected"] == ["new_password"]
    assert "@" not in step["username"]  # the internal username, which SECRET_HASH is over

    answer = {
        "challenge_name": "NEW_PASSWORD_REQUIRED",
        "session": step["session"],
        "username": step["username"],
    }
    missing = client.post("/auth/challenge", json=answer)
    assert missing.status_code == 422
    assert missing.json()["code"] == "CHALLENGE_ANSWER_MISSING"
    weak = client.post("/auth/challenge", json={**answer, "new_password": "weakpassword"})
    assert weak.status_code == 400
    assert weak.json()["code"] == "PASSWORD_POLICY"
    assert {e["message"] for e in weak.json()["errors"]} == {
        "must contain an uppercase letter",
        "must contain a number",
        "must contain a symbol such as ! @ # $ % ^ & *",
    }
    done = client.post("/auth/challenge", json={**answer, "new_password": NEW_PASSWORD})
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "SIGNED_IN"
    assert _sign_in(client, email, NEW_PASSWORD).json()["status"] == "SIGNED_IN"


def test_expired_or_forged_challenge_sessions(client: httpx.Client, cognito: LocalCognito) -> None:
    email = new_email()
    _admin_create(cognito, email)
    step = _sign_in(client, email, TEMPORARY_PASSWORD).json()["next_step"]
    answer = {
        "challenge_name": "NEW_PASSWORD_REQUIRED",
        "username": step["username"],
        "new_password": NEW_PASSWORD,
    }
    forged = client.post("/auth/challenge", json={**answer, "session": "x" * 40})
    assert forged.json()["code"] == "CHALLENGE_SESSION_INVALID"
    cognito.layer.expire_sessions()
    expired = client.post("/auth/challenge", json={**answer, "session": step["session"]})
    assert expired.status_code == 401
    assert expired.json()["code"] == "CHALLENGE_SESSION_INVALID"


def test_forgot_and_reset_password(
    client: httpx.Client, cognito: LocalCognito, user: SignedInUser
) -> None:
    accepted = client.post("/auth/forgot-password", json={"email": user.email.upper()})
    assert accepted.status_code == 202
    code = _code(cognito, user.email)
    wrong = client.post(
        "/auth/reset-password",
        json={
            "email": user.email,
            "code": "000000" if code != "000000" else "111111",
            "new_password": NEW_PASSWORD,
        },
    )
    assert wrong.json()["code"] == "INVALID_CODE"
    weak = client.post(
        "/auth/reset-password", json={"email": user.email, "code": code, "new_password": "short"}
    )
    assert weak.json()["code"] == "PASSWORD_POLICY"
    assert "must be at least 8 characters long" in {e["message"] for e in weak.json()["errors"]}
    reset = client.post(
        "/auth/reset-password",
        json={"email": user.email, "code": code, "new_password": NEW_PASSWORD},
    )
    assert reset.status_code == 204
    again = client.post(
        "/auth/reset-password",
        json={"email": user.email, "code": code, "new_password": NEW_PASSWORD},
    )
    assert again.json()["code"] == "INVALID_CODE"  # single use
    assert _sign_in(client, user.email, PASSWORD).json()["code"] == "BAD_CREDENTIALS"
    assert _sign_in(client, user.email, NEW_PASSWORD).json()["status"] == "SIGNED_IN"


def test_change_password(client: httpx.Client, user: SignedInUser) -> None:
    wrong = client.post(
        "/me/password",
        headers=user.auth,
        json={"current_password": "Wr0ng-Pass!", "new_password": NEW_PASSWORD},
    )
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "CURRENT_PASSWORD_INCORRECT"
    changed = client.post(
        "/me/password",
        headers=user.auth,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 204
    assert _sign_in(client, user.email, NEW_PASSWORD).json()["status"] == "SIGNED_IN"
    assert (
        client.post(
            "/me/password", json={"current_password": PASSWORD, "new_password": NEW_PASSWORD}
        ).status_code
        == 401
    )


def test_profile_update_and_email_change(
    client: httpx.Client, cognito: LocalCognito, user: SignedInUser
) -> None:
    renamed = client.patch(
        "/me", headers=user.auth, json={"given_name": "Grace", "family_name": "Hopper"}
    )
    assert renamed.status_code == 200
    assert renamed.json()["user"]["given_name"] == "Grace"
    assert renamed.json()["email_verification"] is None

    new_address = new_email()
    changed = client.patch("/me", headers=user.auth, json={"email": new_address})
    assert changed.status_code == 200
    assert changed.json()["user"]["email"] == user.email  # unchanged until verified
    assert changed.json()["email_verification"]["destination"].startswith(new_address[0])
    assert _sign_in(client, user.email, PASSWORD).json()["status"] == "SIGNED_IN"
    assert _sign_in(client, new_address, PASSWORD).json()["code"] == "BAD_CREDENTIALS"

    bad = client.post(
        "/me/verify-email",
        headers=user.auth,
        json={"code": "000000" if _code(cognito, new_address) != "000000" else "111111"},
    )
    assert bad.json()["code"] == "INVALID_CODE"
    verified = client.post(
        "/me/verify-email", headers=user.auth, json={"code": _code(cognito, new_address)}
    )
    assert verified.status_code == 204
    me = client.get("/me", headers=user.auth).json()
    assert (me["email"], me["email_verified"]) == (new_address, True)
    assert _sign_in(client, new_address, PASSWORD).json()["status"] == "SIGNED_IN"
    assert _sign_in(client, user.email, PASSWORD).json()["code"] == "BAD_CREDENTIALS"


def test_totp_enrolment_and_mfa_sign_in(client: httpx.Client, user: SignedInUser) -> None:
    not_enrolled = client.put("/me/mfa", headers=user.auth, json={"totp_enabled": True})
    assert not_enrolled.status_code == 400
    assert not_enrolled.json()["code"] == "MFA_NOT_ENROLLED"
    setup = client.post("/me/mfa/totp", headers=user.auth)
    assert setup.status_code == 200
    secret = setup.json()["secret"]
    assert setup.json()["otpauth_uri"].startswith("otpauth://totp/Image%20Platform%3A")
    assert f"secret={secret}" in setup.json()["otpauth_uri"]
    wrong = client.post(
        "/me/mfa/totp/verify",
        headers=user.auth,
        json={"code": f"{(int(totp(secret)) + 1) % 10**6:06d}"},
    )
    assert wrong.json()["code"] == "INVALID_CODE"
    assert (
        client.post(
            "/me/mfa/totp/verify", headers=user.auth, json={"code": totp(secret)}
        ).status_code
        == 204
    )
    assert client.put("/me/mfa", headers=user.auth, json={"totp_enabled": True}).status_code == 204

    challenged = _sign_in(client, user.email, PASSWORD)
    assert challenged.status_code == 200
    step = challenged.json()["next_step"]
    assert (step["challenge_name"], step["expected"]) == ("SOFTWARE_TOKEN_MFA", ["code"])
    answer = {
        "challenge_name": "SOFTWARE_TOKEN_MFA",
        "session": step["session"],
        "username": step["username"],
    }
    bad = client.post(
        "/auth/challenge", json={**answer, "code": f"{(int(totp(secret)) + 1) % 10**6:06d}"}
    )
    assert bad.json()["code"] == "INVALID_CODE"
    step = _sign_in(client, user.email, PASSWORD).json()["next_step"]
    answer["session"] = step["session"]
    tokens = client.post("/auth/challenge", json={**answer, "code": totp(secret)})
    assert tokens.status_code == 200, tokens.text
    assert tokens.json()["status"] == "SIGNED_IN"

    # Turned off again, sign-in asks for nothing more than the password.
    auth = {"Authorization": f"Bearer {tokens.json()['access_token']}"}
    off = client.put("/me/mfa", headers=auth, json={"totp_enabled": False})
    assert off.status_code == 204
    assert _sign_in(client, user.email, PASSWORD).json()["status"] == "SIGNED_IN"


def test_sign_out_revokes_the_refresh_token(
    client: httpx.Client, cognito: LocalCognito, user: SignedInUser
) -> None:
    refresh_token = user.tokens["refresh_token"]
    signed_out = client.post(
        "/auth/signout", headers=user.auth, json={"refresh_token": refresh_token}
    )
    assert signed_out.status_code == 204
    # GlobalSignOut ran first and already ended every refresh token of the user; RevokeToken still
    # reached Cognito, for exactly this token, and found nothing left to revoke.
    assert cognito.layer.revocations[-1] == (refresh_token, "already_invalid")
    refresh = {"refresh_token": refresh_token, "username": user.tokens["username"]}
    assert client.post("/auth/refresh", json=refresh).json()["code"] == "REFRESH_TOKEN_INVALID"


@pytest.mark.parametrize(
    ("kind", "outcome"),
    [
        ("revoked", "already_invalid"),
        ("unknown", "unknown"),
        ("access-token", "unsupported"),  # only refresh tokens can be revoked
        ("garbage", "malformed"),
    ],
)
def test_sign_out_with_an_already_invalid_refresh_token_is_204(
    client: httpx.Client, cognito: LocalCognito, user: SignedInUser, kind: str, outcome: str
) -> None:
    other = _sign_in(client, user.email, PASSWORD).json()
    if kind == "revoked":
        first = client.post(
            "/auth/signout",
            headers={"Authorization": f"Bearer {other['access_token']}"},
            json={"refresh_token": other["refresh_token"]},
        )
        assert first.status_code == 204
        user.tokens = _sign_in(client, user.email, PASSWORD).json()
    token = {
        "revoked": other["refresh_token"],
        "unknown": "0f6a1e8e-6b0f-4c7e-9b1e-4b8e2f0c1a2b",
        "access-token": other["access_token"],
        "garbage": "not a token!",
    }[kind]
    again = client.post("/auth/signout", headers=user.auth, json={"refresh_token": token})
    assert again.status_code == 204, again.text
    assert again.content == b""  # nothing to tell the client
    assert cognito.layer.revocations[-1] == (token, outcome)


async def test_a_refused_client_secret_on_revoke_is_logged_as_an_error(
    settings: Settings, user: SignedInUser, caplog: pytest.LogCaptureFixture
) -> None:
    misconfigured = settings.model_copy(
        update={"cognito_client_secret": SecretStr("wrong-secret-0123456789abcdef")}
    )
    app = create_app(misconfigured)
    transport = httpx.ASGITransport(app=app)
    with caplog.at_level(logging.INFO, logger="app.cognito"):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            response = await http.post(
                "/auth/signout",
                headers=user.auth,
                json={"refresh_token": user.tokens["refresh_token"]},
            )
    # GlobalSignOut (which needs no secret) signed the user out: the client hears success, the
    # operator an error about the client secret.
    assert response.status_code == 204
    errors = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert [getattr(r, "aws_error", None) for r in errors] == ["UnauthorizedException"]


def test_a_signed_out_access_token_is_refused_by_account_calls(
    client: httpx.Client, user: SignedInUser
) -> None:
    assert client.post("/auth/signout", headers=user.auth).status_code == 204
    # The token still verifies locally (no revocation store here); Cognito refuses it, and that
    # is a dead token, not a wrong current password.
    changed = client.post(
        "/me/password",
        headers=user.auth,
        json={"current_password": PASSWORD, "new_password": NEW_PASSWORD},
    )
    assert changed.status_code == 401
    assert changed.json()["code"] == "INVALID_TOKEN"
    assert changed.headers["www-authenticate"].startswith("Bearer")
    for method, path, body in (
        ("PATCH", "/me", {"given_name": "Grace"}),
        ("POST", "/me/verify-email", {"code": "123456"}),
        ("POST", "/me/verify-email/resend", None),
        ("POST", "/me/mfa/totp", None),
        ("PUT", "/me/mfa", {"totp_enabled": False}),
        ("DELETE", "/me", None),
    ):
        response = client.request(method, path, headers=user.auth, json=body)
        assert (response.status_code, response.json()["code"]) == (401, "INVALID_TOKEN"), path


def test_delete_account(client: httpx.Client, user: SignedInUser) -> None:
    assert client.delete("/me", headers=user.auth).status_code == 204
    assert _sign_in(client, user.email, PASSWORD).json()["code"] == "BAD_CREDENTIALS"
    assert client.get("/me", headers=user.auth).json()["code"] == "INVALID_TOKEN"


def _comparable(response: httpx.Response) -> tuple[object, ...]:
    body = response.json()
    if isinstance(body, dict):
        body.pop("request_id", None)
    headers = {k: v for k, v in response.headers.items() if k not in {"x-request-id", "date"}}
    return response.status_code, body, headers


@pytest.mark.parametrize("state", ["unconfirmed", "confirmed"])
def test_enumeration_safe_answers(client: httpx.Client, cognito: LocalCognito, state: str) -> None:
    existing, unknown = new_email(), new_email()
    # Same first letter and domain, so the masked destinations are alike too.
    unknown = existing[0] + unknown[1:]
    if state == "confirmed":
        register_and_confirm(client, cognito, existing)
    else:
        client.post("/auth/register", json={"email": existing, "password": PASSWORD})
    for path, extra in (
        ("/auth/signin", {"password": "Wr0ng-Password!"}),
        ("/auth/forgot-password", {}),
        ("/auth/resend-code", {}),
    ):
        known = client.post(path, json={"email": existing, **extra})
        nobody = client.post(path, json={"email": unknown, **extra})
        assert _comparable(known) == _comparable(nobody), path
        assert known.content.replace(
            known.headers["x-request-id"].encode(), b""
        ) == nobody.content.replace(nobody.headers["x-request-id"].encode(), b"")
