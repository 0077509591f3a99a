"""Account-flow error paths over HTTP against the local Cognito: codes that expire, clash, lock."""

from __future__ import annotations

import httpx

from local_cognito.codes import MAX_FAILED_ATTEMPTS
from local_cognito.server import LocalCognito
from tests.api.test_account_flows import NEW_PASSWORD
from tests.api.test_error_paths import _problem
from tests.conftest import PASSWORD, SignedInUser, new_email, register_and_confirm


def _code(cognito: LocalCognito, email: str) -> str:
    message = cognito.outbox.latest(email)
    assert message is not None
    return message.code


def _other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def _reset(client: httpx.Client, email: str, code: str) -> httpx.Response:
    return client.post(
        "/auth/reset-password", json={"email": email, "code": code, "new_password": NEW_PASSWORD}
    )


def test_an_expired_reset_code(
    client: httpx.Client, cognito: LocalCognito, user: SignedInUser
) -> None:
    assert client.post("/auth/forgot-password", json={"email": user.email}).status_code == 202
    code = _code(cognito, user.email)
    cognito.codes.expire_all()
    _problem(_reset(client, user.email, code), 400, "CODE_EXPIRED")
    # A new code works: the expired one never changed the password.
    assert client.post("/auth/forgot-password", json={"email": user.email}).status_code == 202
    assert _reset(client, user.email, _code(cognito, user.email)).status_code == 204


def test_reset_for_an_unknown_email_answers_like_a_wrong_code(
    client: httpx.Client, cognito: LocalCognito, user: SignedInUser
) -> None:
    client.post("/auth/forgot-password", json={"email": user.email})
    wrong = _reset(client, user.email, _other_than(_code(cognito, user.email)))
    nobody = _reset(client, new_email(), "123456")
    _problem(wrong, 400, "INVALID_CODE")
    assert _without_request_id(wrong) == _without_request_id(nobody)
    assert wrong.status_code == nobody.status_code


def _without_request_id(response: httpx.Response) -> bytes:
    return response.content.replace(response.headers["x-request-id"].encode(), b"")


def test_too_many_wrong_codes_lock_the_code(
    client: httpx.Client, cognito: LocalCognito, user: SignedInUser
) -> None:
    client.post("/auth/forgot-password", json={"email": user.email})
    code = _code(cognito, user.email)
    for _ in range(MAX_FAILED_ATTEMPTS):
        _problem(_reset(client, user.email, _other_than(code)), 400, "INVALID_CODE")
    # Now even the right code is refused, as AWS does ("Attempt limit exceeded").
    locked = _reset(client, user.email, code)
    _problem(locked, 429, "CODE_ATTEMPTS_EXCEEDED")
    assert "retry-after" not in locked.headers  # waiting a second would not help
    client.post("/auth/forgot-password", json={"email": user.email})
    assert _reset(client, user.email, _code(cognito, user.email)).status_code == 204


def test_an_expired_email_verification_code_and_a_resend(
    client: httpx.Client, cognito: LocalCognito, user: SignedInUser
) -> None:
    new_address = new_email()
    changed = client.patch("/me", headers=user.auth, json={"email": new_address})
    assert changed.status_code == 200
    first = _code(cognito, new_address)
    cognito.codes.expire_all()
    expired = client.post("/me/verify-email", headers=user.auth, json={"code": first})
    _problem(expired, 400, "CODE_EXPIRED")

    resent = client.post("/me/verify-email/resend", headers=user.auth)
    assert resent.status_code == 200, resent.text
    assert resent.json()["code_delivery"] == {
        "destination": f"{new_address[0]}***@e***",
        "medium": "EMAIL",
        "attribute": "email",
    }
    second = _code(cognito, new_address)
    assert second != first
    verified = client.post("/me/verify-email", headers=user.auth, json={"code": second})
    assert verified.status_code == 204
    assert client.get("/me", headers=user.auth).json()["email"] == new_address


def test_an_email_another_account_uses_is_refused(
    client: httpx.Client, cognito: LocalCognito, user: SignedInUser
) -> None:
    taken = new_email()
    register_and_confirm(client, cognito, taken)
    for address in (taken, taken.upper()):
        response = client.patch("/me", headers=user.auth, json={"email": address})
        _problem(response, 409, "EMAIL_ALREADY_REGISTERED")
    assert client.get("/me", headers=user.auth).json()["email"] == user.email


def test_change_password_checks_the_policy_and_names_the_rules(
    client: httpx.Client, user: SignedInUser
) -> None:
    response = client.post(
        "/me/password",
        headers=user.auth,
        json={"current_password": PASSWORD, "new_password": "ÉÇÀÜ-ñöß٣"},
    )
    body = _problem(response, 400, "PASSWORD_POLICY")
    # Non-ASCII letters and digits count for nothing, as in Cognito.
    assert body["errors"] == [
        {"field": "new_password", "message": "must contain an uppercase letter"},
        {"field": "new_password", "message": "must contain a lowercase letter"},
        {"field": "new_password", "message": "must contain a number"},
    ]
    assert "ÉÇÀÜ" not in response.text
    # The password did not change.
    signin = client.post("/auth/signin", json={"email": user.email, "password": PASSWORD})
    assert signin.json()["status"] == "SIGNED_IN"
