"""The deployed triggers, run by the local Cognito where AWS runs them, seen over HTTP.

The handlers read their configuration from the environment as on Lambda; each test sets what it
needs and the `trigger_env` fixture clears the triggers' cached configuration around it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import boto3
import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from local_cognito.server import LocalCognito
from tests.conftest import PASSWORD, new_email, register_and_confirm, serve
from tests.totp import totp
from triggers import clients
from triggers.config import get_config

NEW_PASSWORD = "N3w-Horse-Battery!"
DEVICE = {"X-Device-Id": "laptop-7c1e5a9d"}

SetEnv = Callable[..., None]


@pytest.fixture
def trigger_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[SetEnv]:
    """Set trigger configuration variables for one test."""

    def set_env(**variables: str) -> None:
        for name, value in variables.items():
            monkeypatch.setenv(name, value)
        get_config.cache_clear()

    yield set_env
    get_config.cache_clear()
    clients.reset()


def _profile_item(cognito: LocalCognito, sub: str) -> dict[str, Any] | None:
    assert cognito.platform is not None
    dynamodb = boto3.client(
        "dynamodb", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    )
    item: dict[str, Any] | None = dynamodb.get_item(
        TableName=cognito.platform.table_name,
        Key={"userId": {"S": sub}, "imageId": {"S": "user_profile"}},
        ConsistentRead=True,
    ).get("Item")
    return item


def _sign_in(client: httpx.Client, email: str, password: str = PASSWORD) -> dict[str, Any]:
    response = client.post("/auth/signin", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _me(client: httpx.Client, access_token: str) -> dict[str, Any]:
    response = client.get("/me", headers={"Authorization": f"Bearer {access_token}"})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _welcomes(cognito: LocalCognito, email: str) -> int:
    return len([m for m in cognito.outbox.messages(email) if m.purpose == "welcome"])


def test_the_profile_appears_on_confirmation_and_the_sign_in_is_recorded(
    client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    response = client.post(
        "/auth/register",
        json={"email": email, "password": PASSWORD, "given_name": "Ada", "family_name": "L"},
    )
    sub = response.json()["user_sub"]
    assert _profile_item(cognito, sub) is None  # PostConfirmation has not run yet
    message = cognito.outbox.latest(email)
    assert message is not None
    client.post("/auth/confirm", json={"email": email, "code": message.code})
    item = _profile_item(cognito, sub)
    assert item is not None
    assert item["profile"]["M"]["firstName"] == {"S": "Ada"}
    assert "lastLoginAt" not in item["profile"]["M"]
    assert _welcomes(cognito, email) == 1

    first = _me(client, _sign_in(client, email)["access_token"])["profile"]
    second = _me(client, _sign_in(client, email)["access_token"])["profile"]
    assert first["last_login_at"] is not None
    assert second["last_login_at"] > first["last_login_at"]
    assert second["created_at"] == first["created_at"]


def test_a_password_reset_leaves_the_profile_and_sends_no_second_welcome(
    client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    before = _me(client, _sign_in(client, email)["access_token"])["profile"]
    client.post("/auth/forgot-password", json={"email": email})
    code = cognito.outbox.latest(email, "forgot_password")
    assert code is not None
    reset = client.post(
        "/auth/reset-password",
        json={"email": email, "code": code.code, "new_password": NEW_PASSWORD},
    )
    assert reset.status_code == 204
    after = _me(client, _sign_in(client, email, NEW_PASSWORD)["access_token"])["profile"]
    assert after["created_at"] == before["created_at"]
    assert after["first_name"] == before["first_name"]
    assert _welcomes(cognito, email) == 1


def test_sign_up_outside_the_allowed_domains_is_refused_with_a_stable_code(
    client: httpx.Client, cognito: LocalCognito, trigger_env: SetEnv
) -> None:
    trigger_env(ALLOWED_EMAIL_DOMAINS="example.org")
    refused = client.post("/auth/register", json={"email": new_email(), "password": PASSWORD})
    assert refused.status_code == 403
    assert refused.json()["code"] == "EMAIL_DOMAIN_NOT_ALLOWED"
    assert "PreSignUp" not in refused.text
    email = new_email().replace("example.com", "Example.ORG")
    allowed = client.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert allowed.status_code == 201


def test_auto_confirm_skips_the_code(
    client: httpx.Client, cognito: LocalCognito, trigger_env: SetEnv
) -> None:
    trigger_env(AUTO_CONFIRM_USERS="true", AUTO_VERIFY_EMAIL="true")
    email = new_email()
    registered = client.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert registered.json()["confirmed"] is True
    assert registered.json()["code_delivery"] is None
    assert cognito.outbox.latest(email) is None
    me = _me(client, _sign_in(client, email)["access_token"])
    assert me["email_verified"] is True


def test_a_broken_trigger_configuration_is_a_503_not_the_users_fault(
    client: httpx.Client, trigger_env: SetEnv
) -> None:
    trigger_env(AUTO_CONFIRM_USERS="false", AUTO_VERIFY_EMAIL="true")  # an invalid combination
    response = client.post("/auth/register", json={"email": new_email(), "password": PASSWORD})
    assert response.status_code == 503
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"


def test_a_denied_user_is_refused_whatever_the_password(
    client: httpx.Client, cognito: LocalCognito, trigger_env: SetEnv
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    trigger_env(DENY_LIST=f"someone@example.net, {email.upper()}")
    for password in (PASSWORD, "Wr0ng-Horse!"):
        response = client.post("/auth/signin", json={"email": email, "password": password})
        assert response.status_code == 403
        assert response.json()["code"] == "USER_BLOCKED"
        assert "PreAuthentication" not in response.text
    # An unknown address on the list looks like any unknown address.
    stranger = client.post(
        "/auth/signin", json={"email": "someone@example.net", "password": PASSWORD}
    )
    assert stranger.json()["code"] == "BAD_CREDENTIALS"


def test_an_admin_created_user_gets_the_trigger_an_invitation_and_a_profile(
    client: httpx.Client, cognito: LocalCognito, trigger_env: SetEnv
) -> None:
    admin = boto3.client(
        "cognito-idp", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    )
    trigger_env(ALLOWED_EMAIL_DOMAINS="example.org")
    with pytest.raises(admin.exceptions.UserLambdaValidationException):
        admin.admin_create_user(UserPoolId=cognito.pool.pool_id, Username=new_email())
    trigger_env(ALLOWED_EMAIL_DOMAINS="")
    email = new_email()
    admin.admin_create_user(UserPoolId=cognito.pool.pool_id, Username=email)
    invitation = cognito.outbox.latest(email, "invitation")
    assert invitation is not None
    assert invitation.code in invitation.body
    step = _sign_in(client, email, invitation.code)["next_step"]
    assert step["challenge_name"] == "NEW_PASSWORD_REQUIRED"
    answered = client.post(
        "/auth/challenge",
        json={
            "challenge_name": step["challenge_name"],
            "session": step["session"],
            "username": step["username"],
            "new_password": NEW_PASSWORD,
        },
    )
    assert answered.status_code == 200, answered.text
    assert _welcomes(cognito, email) == 0  # no PostConfirmation for admin-created users
    tokens = answered.json()
    me = _me(client, tokens["access_token"])
    assert me["profile"]["statistics"]["total_images"] == 0
    assert (
        me["profile"]["created_at"] == _me(client, tokens["access_token"])["profile"]["created_at"]
    )


def test_get_me_creates_a_missing_profile_once(client: httpx.Client, cognito: LocalCognito) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    tokens = _sign_in(client, email)
    sub = _me(client, tokens["access_token"])["sub"]
    assert cognito.platform is not None
    boto3.client(
        "dynamodb", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    ).delete_item(
        TableName=cognito.platform.table_name,
        Key={"userId": {"S": sub}, "imageId": {"S": "user_profile"}},
    )
    created = _me(client, tokens["access_token"])["profile"]
    again = _me(client, tokens["access_token"])["profile"]
    assert created == again
    assert created["last_login_at"] is None  # a fresh profile: nothing recorded yet


# ---------------------------------------------------------------- the adaptive sign-in


@pytest.fixture(scope="module")
def adaptive(settings: Settings) -> Iterator[httpx.Client]:
    """The API with SIGN_IN_FLOW=adaptive (CUSTOM_AUTH: SRP, then the risk trigger)."""
    # Behind a trusted proxy on loopback, so tests can sign in from other networks.
    app = create_app(
        settings.model_copy(update={"sign_in_flow": "adaptive", "trusted_proxies": ["127.0.0.1"]})
    )
    with serve(app) as running, httpx.Client(base_url=running.base_url, timeout=10) as http:
        yield http


@pytest.fixture
def any_hour(trigger_env: SetEnv) -> None:
    """Every hour is a usual hour, so that only device and network decide."""
    trigger_env(RISK_USUAL_HOURS="0-24")


def _answer(client: httpx.Client, step: dict[str, Any], answer: str) -> httpx.Response:
    return client.post(
        "/auth/challenge",
        json={
            "challenge_name": step["challenge_name"],
            "session": step["session"],
            "username": step["username"],
            "answer": answer,
        },
        headers=DEVICE,
    )


def _adaptive_sign_in(
    adaptive: httpx.Client, email: str, password: str = PASSWORD, headers: dict[str, str] = DEVICE
) -> httpx.Response:
    return adaptive.post(
        "/auth/signin", json={"email": email, "password": password}, headers=headers
    )


@pytest.mark.usefixtures("any_hour")
def test_a_new_device_gets_an_emailed_code_then_is_recognised(
    adaptive: httpx.Client, client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    first = _adaptive_sign_in(adaptive, email)
    assert first.status_code == 200
    step = first.json()["next_step"]
    assert step["challenge_name"] == "CUSTOM_CHALLENGE"
    assert step["expected"] == ["answer"]
    assert step["parameters"]["challenge"] == "EMAIL_OTP"
    assert "@" not in step["username"]
    code = cognito.outbox.latest(email, "sign_in")
    assert code is not None
    signed_in = _answer(adaptive, step, code.code)
    assert signed_in.json()["status"] == "SIGNED_IN"
    assert _me(adaptive, signed_in.json()["access_token"])["email"] == email

    # Same device, same network: the password is enough now.
    again = _adaptive_sign_in(adaptive, email)
    assert again.json()["status"] == "SIGNED_IN"
    # Another device: a code again.
    other = _adaptive_sign_in(adaptive, email, headers={"X-Device-Id": "phone-00000000"})
    assert other.json()["next_step"]["challenge_name"] == "CUSTOM_CHALLENGE"


@pytest.mark.usefixtures("any_hour")
def test_three_wrong_codes_end_the_sign_in(
    adaptive: httpx.Client, client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    step = _adaptive_sign_in(adaptive, email).json()["next_step"]
    for remaining in ("2", "1"):
        retry = _answer(adaptive, step, "000000")
        assert retry.status_code == 200
        step = retry.json()["next_step"]
        assert step["parameters"]["attemptsRemaining"] == remaining
    final = _answer(adaptive, step, "000000")
    assert final.status_code == 401
    assert final.json()["code"] == "CHALLENGE_SESSION_INVALID"


def test_the_adaptive_sign_in_refuses_a_wrong_password_like_an_unknown_user(
    adaptive: httpx.Client, client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    wrong = _adaptive_sign_in(adaptive, email, "Wr0ng-Horse!")
    unknown = _adaptive_sign_in(adaptive, new_email(), "Wr0ng-Horse!")
    assert wrong.status_code == unknown.status_code == 401
    for response in (wrong, unknown):
        body = response.json()
        body.pop("request_id")
        assert body["code"] == "BAD_CREDENTIALS"
    assert {k: v for k, v in wrong.json().items() if k != "request_id"} == {
        k: v for k, v in unknown.json().items() if k != "request_id"
    }
    assert cognito.outbox.latest(email, "sign_in") is None  # no code for a wrong password


def test_the_adaptive_sign_in_reports_an_unconfirmed_account_to_the_right_password(
    adaptive: httpx.Client, client: httpx.Client
) -> None:
    email = new_email()
    client.post("/auth/register", json={"email": email, "password": PASSWORD})
    response = _adaptive_sign_in(adaptive, email)
    assert response.status_code == 403
    assert response.json()["code"] == "USER_NOT_CONFIRMED"


@pytest.mark.usefixtures("any_hour")
def test_a_known_device_on_a_new_network_gets_a_code_again(
    adaptive: httpx.Client, client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)

    def sign_in_from(address: str) -> httpx.Response:
        return _adaptive_sign_in(adaptive, email, headers={**DEVICE, "X-Forwarded-For": address})

    step = sign_in_from("203.0.113.7").json()["next_step"]
    code = cognito.outbox.latest(email, "sign_in")
    assert code is not None
    answered = adaptive.post(
        "/auth/challenge",
        json={
            "challenge_name": step["challenge_name"],
            "session": step["session"],
            "username": step["username"],
            "answer": code.code,
        },
        headers={**DEVICE, "X-Forwarded-For": "203.0.113.7"},
    )
    assert answered.json()["status"] == "SIGNED_IN"
    assert sign_in_from("203.0.113.99").json()["status"] == "SIGNED_IN"  # the same /24
    other = sign_in_from("198.51.100.5").json()
    assert other["next_step"]["challenge_name"] == "CUSTOM_CHALLENGE"


def _answer_step(adaptive: httpx.Client, step: dict[str, Any], **answer: str) -> httpx.Response:
    body = {k: step[k] for k in ("challenge_name", "session", "username")}
    return adaptive.post("/auth/challenge", json={**body, **answer}, headers=DEVICE)


def test_an_admin_created_user_must_set_a_password_after_the_proof(
    adaptive: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    boto3.client(
        "cognito-idp", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    ).admin_create_user(UserPoolId=cognito.pool.pool_id, Username=email)
    invitation = cognito.outbox.latest(email, "invitation")
    assert invitation is not None
    step = _adaptive_sign_in(adaptive, email, invitation.code).json()["next_step"]
    assert step["challenge_name"] == "NEW_PASSWORD_REQUIRED"  # not tokens on a temporary password
    weak = _answer_step(adaptive, step, new_password="short")
    assert weak.json()["code"] == "PASSWORD_POLICY"
    done = _answer_step(adaptive, step, new_password=NEW_PASSWORD)
    assert done.json()["status"] == "SIGNED_IN"


def test_a_reset_password_is_asked_for_after_the_proof(
    adaptive: httpx.Client, client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    boto3.client(
        "cognito-idp", endpoint_url=cognito.endpoint_url, region_name=cognito.pool.region
    ).admin_reset_user_password(UserPoolId=cognito.pool.pool_id, Username=email)
    response = _adaptive_sign_in(adaptive, email)
    assert response.status_code == 403
    assert response.json()["code"] == "PASSWORD_RESET_REQUIRED"
    assert cognito.outbox.latest(email, "sign_in") is None


def test_an_authenticator_app_is_asked_for_after_the_proof(
    adaptive: httpx.Client, client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    auth = {"Authorization": f"Bearer {_sign_in(client, email)['access_token']}"}
    secret = client.post("/me/mfa/totp", headers=auth).json()["secret"]
    client.post("/me/mfa/totp/verify", headers=auth, json={"code": totp(secret)})
    assert client.put("/me/mfa", headers=auth, json={"totp_enabled": True}).status_code == 204
    step = _adaptive_sign_in(adaptive, email).json()["next_step"]
    assert step["challenge_name"] == "SOFTWARE_TOKEN_MFA"
    wrong = _answer_step(adaptive, step, code="000000" if totp(secret) != "000000" else "111111")
    assert wrong.json()["code"] == "INVALID_CODE"
    step = _adaptive_sign_in(adaptive, email).json()["next_step"]
    assert _answer_step(adaptive, step, code=totp(secret)).json()["status"] == "SIGNED_IN"


def test_get_me_survives_a_profile_table_it_cannot_read(
    settings: Settings, client: httpx.Client, cognito: LocalCognito
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    tokens = _sign_in(client, email)
    broken = create_app(settings.model_copy(update={"platform_table_name": "no-such-table"}))
    with serve(broken) as running, httpx.Client(base_url=running.base_url, timeout=10) as http:
        me = _me(http, tokens["access_token"])
    assert me["email"] == email  # Cognito answered: the user is shown
    assert me["profile"] is None
