"""Over HTTP, every route that talks to Cognito for an end user passes that user's IP along."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from local_cognito.server import LocalCognito
from tests.api.test_account_flows import NEW_PASSWORD, TEMPORARY_PASSWORD, _admin_create
from tests.conftest import PASSWORD, RunningApi, new_email

# The Cognito operation behind each user-facing route this test drives.
OPERATIONS = [
    "SignUp",
    "ResendConfirmationCode",
    "ConfirmSignUp",
    "InitiateAuth",
    "RespondToAuthChallenge",
    "ForgotPassword",
    "ConfirmForgotPassword",
]


async def _seen_ips(http: httpx.AsyncClient, cognito: LocalCognito) -> dict[str, str | None]:
    """Drive each route once; the IpAddress the local Cognito received for each operation."""
    seen: dict[str, str | None] = {}

    def note(operation: str) -> None:
        context = cognito.layer.user_contexts.get(operation)
        seen[operation] = context["IpAddress"] if context else None

    email = new_email()
    assert (
        await http.post("/auth/register", json={"email": email, "password": PASSWORD})
    ).is_success
    note("SignUp")
    assert (await http.post("/auth/resend-code", json={"email": email})).is_success
    note("ResendConfirmationCode")
    code = cognito.outbox.latest(email)
    assert code is not None
    confirm = await http.post("/auth/confirm", json={"email": email, "code": code.code})
    assert confirm.status_code == 204, confirm.text
    note("ConfirmSignUp")
    signin = await http.post("/auth/signin", json={"email": email, "password": PASSWORD})
    assert signin.status_code == 200, signin.text
    note("InitiateAuth")
    tokens = signin.json()
    cognito.layer.user_contexts.pop("InitiateAuth")
    refresh = await http.post(
        "/auth/refresh",
        json={"refresh_token": tokens["refresh_token"], "username": tokens["username"]},
    )
    assert refresh.status_code == 200, refresh.text
    context = cognito.layer.user_contexts.get("InitiateAuth")
    seen["InitiateAuth:REFRESH_TOKEN_AUTH"] = context["IpAddress"] if context else None

    assert (await http.post("/auth/forgot-password", json={"email": email})).status_code == 202
    note("ForgotPassword")
    reset_code = cognito.outbox.latest(email)
    assert reset_code is not None
    reset = await http.post(
        "/auth/reset-password",
        json={"email": email, "code": reset_code.code, "new_password": NEW_PASSWORD},
    )
    assert reset.status_code == 204, reset.text
    note("ConfirmForgotPassword")

    invited = new_email()
    _admin_create(cognito, invited)
    first = await http.post("/auth/signin", json={"email": invited, "password": TEMPORARY_PASSWORD})
    step = first.json()["next_step"]
    done = await http.post(
        "/auth/challenge",
        json={
            "challenge_name": step["challenge_name"],
            "session": step["session"],
            "username": step["username"],
            "new_password": NEW_PASSWORD,
        },
    )
    assert done.status_code == 200, done.text
    note("RespondToAuthChallenge")
    return seen


@asynccontextmanager
async def _client(
    settings: Settings, peer: str, forwarded: str | None
) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(settings), client=(peer, 40000))
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    async with httpx.AsyncClient(
        transport=transport, base_url="http://test", headers=headers, timeout=10
    ) as http:
        yield http


async def test_over_uvicorn_the_peer_address_goes_to_cognito(
    api: RunningApi, cognito: LocalCognito
) -> None:
    async with httpx.AsyncClient(base_url=api.base_url, timeout=10) as http:
        seen = await _seen_ips(http, cognito)
    assert seen == dict.fromkeys([*OPERATIONS, "InitiateAuth:REFRESH_TOKEN_AUTH"], "127.0.0.1")


@pytest.mark.parametrize(
    ("trusted", "peer", "expected"),
    [
        (["10.0.0.0/8"], "10.0.0.2", "203.0.113.9"),  # behind our proxy: the client it saw
        ([], "10.0.0.2", "10.0.0.2"),  # no proxy declared: the header is anyone's word
        (["10.0.0.0/8"], "198.51.100.4", "198.51.100.4"),  # not from our proxy: spoofed
    ],
    ids=["trusted-proxy", "no-trusted-proxy", "spoofed"],
)
async def test_behind_a_proxy_only_a_trusted_one_is_believed(
    settings: Settings, cognito: LocalCognito, trusted: list[str], peer: str, expected: str
) -> None:
    configured = settings.model_copy(update={"trusted_proxies": trusted})
    async with _client(configured, peer, "6.6.6.6, 203.0.113.9") as http:
        seen = await _seen_ips(http, cognito)
    assert seen == dict.fromkeys([*OPERATIONS, "InitiateAuth:REFRESH_TOKEN_AUTH"], expected)
