"""Shared fixtures: the local Cognito server, the app under real uvicorn, and helpers."""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
import uvicorn
from fastapi import FastAPI

from app.main import create_app
from app.settings import Settings
from local_cognito.server import LocalCognito, start

PASSWORD = "Corr3ct-Horse!"
# Fixtures that run moto in-process (mock_aws). Starting one resets moto's shared backends, where
# the session's local Cognito keeps its pool and table: tests using them run first.
IN_PROCESS_MOTO_FIXTURES = frozenset({"aws", "dynamodb"})


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run every in-process-moto test before the first test that starts the local Cognito."""
    items.sort(
        key=lambda item: (
            0 if IN_PROCESS_MOTO_FIXTURES & set(getattr(item, "fixturenames", ())) else 1
        )
    )


@pytest.fixture(scope="session")
def cognito() -> Iterator[LocalCognito]:
    """One local Cognito (moto server + AWS behaviour layer) for the whole run."""
    local = start()
    yield local
    local.stop()


@pytest.fixture(autouse=True)
def _local_cognito_intact(request: pytest.FixtureRequest) -> None:
    """Fail loudly if something reset moto's shared state under the local Cognito."""
    if "cognito" not in request.fixturenames:
        return
    local: LocalCognito = request.getfixturevalue("cognito")
    from moto.backends import get_backend

    pools = get_backend("cognito-idp")["123456789012"][local.pool.region].user_pools
    if local.pool.pool_id not in pools:
        pytest.fail(
            "the local Cognito's pool is gone: an in-process mock_aws() reset moto's backends "
            "after the session started it (see IN_PROCESS_MOTO_FIXTURES)",
            pytrace=False,
        )


@pytest.fixture(scope="session")
def settings(cognito: LocalCognito) -> Settings:
    """Settings pointing at the local Cognito, built directly (no environment)."""
    env = cognito.settings_env()
    return Settings(
        environment="test",
        cognito_user_pool_id=env["COGNITO_USER_POOL_ID"],
        cognito_client_id=env["COGNITO_CLIENT_ID"],
        cognito_client_secret=env["COGNITO_CLIENT_SECRET"],
        cognito_endpoint_url=env["COGNITO_ENDPOINT_URL"],
        cognito_jwks_url=env["COGNITO_JWKS_URL"],
        cognito_identity_pool_id=env["COGNITO_IDENTITY_POOL_ID"],
        platform_table_name=env["PLATFORM_TABLE_NAME"],
    )


class _ThreadedUvicorn(uvicorn.Server):
    def install_signal_handlers(self) -> None:
        """Signals belong to pytest."""


@dataclass
class RunningApi:
    """The app served by uvicorn on a loopback port."""

    app: FastAPI
    base_url: str


@contextmanager
def serve(app: FastAPI) -> Iterator[RunningApi]:
    """Serve an app with a real uvicorn on a free loopback port while the block runs."""
    server = _ThreadedUvicorn(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield RunningApi(app, f"http://127.0.0.1:{port}")
    finally:
        server.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def api(settings: Settings) -> Iterator[RunningApi]:
    """The real app under a real uvicorn, on a free loopback port."""
    with serve(create_app(settings)) as running:
        yield running


@pytest.fixture
def client(api: RunningApi) -> Iterator[httpx.Client]:
    """An HTTP client for the running API."""
    with httpx.Client(base_url=api.base_url, timeout=10) as http:
        yield http


def new_email() -> str:
    """A fresh address, so tests never share users."""
    return f"user-{uuid.uuid4().hex[:12]}@example.com"


@dataclass
class SignedInUser:
    """A confirmed user and the tokens from signing in."""

    email: str
    password: str
    tokens: dict[str, str]

    @property
    def auth(self) -> dict[str, str]:
        """The Authorization header for the access token."""
        return {"Authorization": f"Bearer {self.tokens['access_token']}"}


def register_and_confirm(client: httpx.Client, cognito: LocalCognito, email: str) -> None:
    """Register over HTTP and confirm with the code from the local outbox."""
    response = client.post("/auth/register", json={"email": email, "password": PASSWORD})
    assert response.status_code == 201, response.text
    message = cognito.outbox.latest(email)
    assert message is not None
    response = client.post("/auth/confirm", json={"email": email, "code": message.code})
    assert response.status_code == 204, response.text


@pytest.fixture
def user(client: httpx.Client, cognito: LocalCognito) -> SignedInUser:
    """A registered, confirmed and signed-in user."""
    email = new_email()
    register_and_confirm(client, cognito, email)
    response = client.post("/auth/signin", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    return SignedInUser(email, PASSWORD, response.json())
