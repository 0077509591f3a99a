"""Error paths over HTTP against the local Cognito: one shape, stable codes, nothing leaked."""

from __future__ import annotations

import httpx
import pytest

from local_cognito.server import LocalCognito
from tests.conftest import PASSWORD, SignedInUser, new_email


def _problem(response: httpx.Response, status: int, code: str) -> dict[str, object]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, object] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]
    assert set(body) <= {"type", "title", "status", "code", "detail", "request_id", "errors"}
    return body


@pytest.mark.parametrize(
    ("password", "rule"),
    [
        ("Sh0rt!", "must be at least 8 characters long"),
        ("alllowercase1!", "must contain an uppercase letter"),
        ("ALLUPPERCASE1!", "must contain a lowercase letter"),
        ("NoDigitsHere!", "must contain a number"),
        ("NoSymbols123", "must contain a symbol such as ! @ # $ % ^ & *"),
    ],
)
def test_weak_password_is_refused_naming_the_rule(
    client: httpx.Client, password: str, rule: str
) -> None:
    response = client.post("/auth/register", json={"email": new_email(), "password": password})
    body = _problem(response, 400, "PASSWORD_POLICY")
    assert password not in response.text
    assert body["errors"] == [{"field": "password", "message": rule}]


def test_duplicate_email_in_any_case_is_refused(
    client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    assert (
        client.post("/auth/register", json={"email": email, "password": PASSWORD}).status_code
        == 201
    )
    again = client.post("/auth/register", json={"email": email.upper(), "password": PASSWORD})
    _problem(again, 409, "EMAIL_ALREADY_REGISTERED")


def test_unknown_user_and_wrong_password_answer_the_same(
    client: httpx.Client, user: SignedInUser
) -> None:
    wrong = client.post("/auth/signin", json={"email": user.email, "password": "Wr0ng-password!"})
    unknown = client.post(
        "/auth/signin", json={"email": new_email(), "password": "Wr0ng-password!"}
    )
    for response in (wrong, unknown):
        _problem(response, 401, "BAD_CREDENTIALS")

    def comparable(response: httpx.Response) -> tuple[object, ...]:
        body = dict(response.json())
        body.pop("request_id")
        headers = {k: v for k, v in response.headers.items() if k not in {"x-request-id", "date"}}
        return response.status_code, body, headers

    assert comparable(wrong) == comparable(unknown)


def test_unconfirmed_user(client: httpx.Client) -> None:
    email = new_email()
    client.post("/auth/register", json={"email": email, "password": PASSWORD})
    right = client.post("/auth/signin", json={"email": email, "password": PASSWORD})
    _problem(right, 403, "USER_NOT_CONFIRMED")
    # A wrong password must not reveal that the account exists but is unconfirmed.
    wrong = client.post("/auth/signin", json={"email": email, "password": "Wr0ng-password!"})
    _problem(wrong, 401, "BAD_CREDENTIALS")


def test_wrong_expired_and_reused_codes(client: httpx.Client, cognito: LocalCognito) -> None:
    email = new_email()
    client.post("/auth/register", json={"email": email, "password": PASSWORD})
    message = cognito.outbox.latest(email)
    assert message is not None
    wrong_code = "000000" if message.code != "000000" else "111111"
    _problem(
        client.post("/auth/confirm", json={"email": email, "code": wrong_code}), 400, "INVALID_CODE"
    )
    _problem(
        client.post("/auth/confirm", json={"email": new_email(), "code": message.code}),
        400,
        "INVALID_CODE",
    )
    cognito.codes.expire_all()
    _problem(
        client.post("/auth/confirm", json={"email": email, "code": message.code}),
        400,
        "CODE_EXPIRED",
    )
    client.post("/auth/resend-code", json={"email": email})
    fresh = cognito.outbox.latest(email)
    assert fresh is not None
    assert (
        client.post("/auth/confirm", json={"email": email, "code": fresh.code}).status_code == 204
    )
    # Confirmed already: the same answer as a wrong code or an unknown email (no enumeration).
    again = client.post("/auth/confirm", json={"email": email, "code": fresh.code})
    unknown = client.post("/auth/confirm", json={"email": new_email(), "code": fresh.code})
    for response in (again, unknown):
        _problem(response, 400, "INVALID_CODE")
    assert {k: v for k, v in again.json().items() if k != "request_id"} == {
        k: v for k, v in unknown.json().items() if k != "request_id"
    }


def test_resend_for_unknown_email_looks_like_success(client: httpx.Client) -> None:
    response = client.post("/auth/resend-code", json={"email": new_email()})
    assert response.status_code == 200
    assert response.json()["code_delivery"]["medium"] == "EMAIL"


def test_refresh_errors(client: httpx.Client, user: SignedInUser) -> None:
    bad_token = client.post(
        "/auth/refresh", json={"refresh_token": "nope", "username": user.tokens["username"]}
    )
    _problem(bad_token, 401, "REFRESH_TOKEN_INVALID")
    # Somebody else's username: SECRET_HASH no longer matches, as on AWS.
    other = client.post(
        "/auth/refresh",
        json={
            "refresh_token": user.tokens["refresh_token"],
            "username": "0f6a1e8e-6b0f-4c7e-9b1e-4b8e2f0c1a2b",
        },
    )
    _problem(other, 401, "REFRESH_TOKEN_INVALID")
    # The email is not the username refresh needs; the schema says so before Cognito is asked.
    by_email = client.post(
        "/auth/refresh",
        json={"refresh_token": user.tokens["refresh_token"], "username": user.email},
    )
    _problem(by_email, 422, "VALIDATION_FAILED")


def test_bearer_problems(client: httpx.Client, user: SignedInUser) -> None:
    missing = client.get("/me")
    _problem(missing, 401, "NOT_AUTHENTICATED")
    assert missing.headers["www-authenticate"] == "Bearer"
    garbage = client.get("/me", headers={"Authorization": "Bearer not.a.token"})
    _problem(garbage, 401, "INVALID_TOKEN")
    assert garbage.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    id_token = client.get("/me", headers={"Authorization": f"Bearer {user.tokens['id_token']}"})
    _problem(id_token, 401, "INVALID_TOKEN")
    tampered = user.tokens["access_token"][:-4] + (
        "AAAA" if not user.tokens["access_token"].endswith("AAAA") else "BBBB"
    )
    _problem(
        client.get("/me", headers={"Authorization": f"Bearer {tampered}"}), 401, "INVALID_TOKEN"
    )
    _problem(client.post("/auth/signout"), 401, "NOT_AUTHENTICATED")


def test_validation_errors_never_echo_input(client: httpx.Client) -> None:
    secret_password = "Sup3r-Secret-Value!"
    response = client.post(
        "/auth/register", json={"email": "not-an-email", "password": secret_password}
    )
    body = _problem(response, 422, "VALIDATION_FAILED")
    assert body["errors"] == [{"field": "email", "message": body["errors"][0]["message"]}]  # type: ignore[index]
    assert secret_password not in response.text
    assert "not-an-email" not in response.text
    extra = client.post("/auth/signin", json={"email": new_email(), "password": "x", "admin": True})
    _problem(extra, 422, "VALIDATION_FAILED")
    malformed = client.post(
        "/auth/signin", content=b'{"email": ', headers={"Content-Type": "application/json"}
    )
    _problem(malformed, 400, "MALFORMED_REQUEST")


def test_unknown_route_and_method(client: httpx.Client) -> None:
    _problem(client.get("/nope"), 404, "NOT_FOUND")
    _problem(client.get("/auth/signin"), 405, "METHOD_NOT_ALLOWED")
