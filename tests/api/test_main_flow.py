"""The whole journey over HTTP: register, confirm, sign in, me, refresh, sign out."""

from __future__ import annotations

import httpx
from jose import jwt

from local_cognito.server import LocalCognito
from tests.conftest import PASSWORD, new_email


def test_register_confirm_signin_me_refresh_signout(
    client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    mixed_case = "  " + email.upper() + " "

    registered = client.post(
        "/auth/register",
        json={"email": mixed_case, "password": PASSWORD, "given_name": "Ada", "family_name": "L"},
    )
    assert registered.status_code == 201
    body = registered.json()
    assert body["confirmed"] is False
    assert body["code_delivery"] == {
        "destination": f"{email[0]}***@e***",
        "medium": "EMAIL",
        "attribute": "email",
    }
    user_sub = body["user_sub"]

    message = cognito.outbox.latest(email)
    assert message is not None
    assert message.body == f"Your verification code is {message.code}"
    assert (
        client.post("/auth/confirm", json={"email": email, "code": message.code}).status_code == 204
    )

    signed_in = client.post("/auth/signin", json={"email": mixed_case, "password": PASSWORD})
    assert signed_in.status_code == 200
    tokens = signed_in.json()
    assert tokens["status"] == "SIGNED_IN"
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["username"] == user_sub  # email-as-username pools: the internal name is the sub
    assert signed_in.headers["cache-control"] == "no-store"
    claims = jwt.get_unverified_claims(tokens["access_token"])
    assert claims["token_use"] == "access"

    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    me = client.get("/me", headers=auth)
    assert me.status_code == 200
    shown = me.json()
    profile = shown.pop("profile")
    assert shown == {
        "sub": user_sub,
        "username": user_sub,
        "email": email,
        "email_verified": True,
        "given_name": "Ada",
        "family_name": "L",
        "groups": [],
    }
    # PostConfirmation made the platform profile; PostAuthentication stamped the sign-in.
    assert profile["first_name"] == "Ada"
    assert profile["last_name"] == "L"
    assert profile["preferences"] == {
        "default_image_size": "medium",
        "watermark_enabled": False,
        "watermark_text": "",
    }
    assert profile["statistics"] == {
        "total_images": 0,
        "total_storage_used": 0,
        "last_upload_at": None,
    }
    assert profile["last_login_at"] is not None
    assert profile["created_at"] <= profile["last_login_at"] == profile["updated_at"]

    refreshed = client.post(
        "/auth/refresh",
        json={"refresh_token": tokens["refresh_token"], "username": tokens["username"]},
    )
    assert refreshed.status_code == 200
    new_tokens = refreshed.json()
    assert "refresh_token" not in new_tokens
    assert new_tokens["access_token"] != tokens["access_token"]
    assert (
        client.get(
            "/me", headers={"Authorization": f"Bearer {new_tokens['access_token']}"}
        ).status_code
        == 200
    )

    assert client.post("/auth/signout", headers=auth).status_code == 204
    # Cognito revoked the refresh token; its GetUser refuses the old access token.
    after = client.post(
        "/auth/refresh",
        json={"refresh_token": tokens["refresh_token"], "username": tokens["username"]},
    )
    assert after.status_code == 401
    assert after.json()["code"] == "REFRESH_TOKEN_INVALID"
    assert client.get("/me", headers=auth).json()["code"] == "INVALID_TOKEN"


def test_resend_code_replaces_the_previous_code(
    client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    assert (
        client.post("/auth/register", json={"email": email, "password": PASSWORD}).status_code
        == 201
    )
    first = cognito.outbox.latest(email)
    resent = client.post("/auth/resend-code", json={"email": email})
    assert resent.status_code == 200
    assert resent.json()["code_delivery"]["medium"] == "EMAIL"
    second = cognito.outbox.latest(email)
    assert first is not None
    assert second is not None
    assert second.code != first.code
    stale = client.post("/auth/confirm", json={"email": email, "code": first.code})
    assert stale.json()["code"] == "INVALID_CODE"
    assert (
        client.post("/auth/confirm", json={"email": email, "code": second.code}).status_code == 204
    )
    # A confirmed account answers like any other (no enumeration), and no code is sent.
    again = client.post("/auth/resend-code", json={"email": email})
    assert again.status_code == 200
    assert again.json() == resent.json()
    assert cognito.outbox.latest(email) is second
