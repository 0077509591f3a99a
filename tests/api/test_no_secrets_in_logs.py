"""No password, token, code or client secret reaches a log, even at DEBUG."""

from __future__ import annotations

import logging

import httpx
import pytest

from app.settings import Settings
from local_cognito.server import LocalCognito
from tests.conftest import PASSWORD, new_email


def test_a_whole_session_logs_no_credentials(
    client: httpx.Client,
    cognito: LocalCognito,
    settings: Settings,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    # As LOG_LEVEL=DEBUG does for the service and the triggers (botocore stays pinned at WARNING:
    # its DEBUG records are whole request bodies).
    for name in ("app", "cognito-triggers"):
        caplog.set_level(logging.DEBUG, logger=name)
    email = new_email()
    client.post("/auth/register", json={"email": email, "password": PASSWORD})
    message = cognito.outbox.latest(email)
    assert message is not None
    client.post("/auth/confirm", json={"email": email, "code": message.code})
    client.post("/auth/signin", json={"email": email, "password": "Wr0ng-Password!"})
    tokens = client.post("/auth/signin", json={"email": email, "password": PASSWORD}).json()
    auth = {"Authorization": f"Bearer {tokens['access_token']}"}
    client.get("/me", headers=auth)
    client.post(
        "/auth/refresh",
        json={"refresh_token": tokens["refresh_token"], "username": tokens["username"]},
    )
    client.post("/auth/signout", headers=auth)
    client.get("/me", headers=auth)
    client.post(
        "/auth/refresh", json={"refresh_token": "bogus-refresh", "username": tokens["username"]}
    )

    secrets = {
        "password": PASSWORD,
        "wrong password": "Wr0ng-Password!",
        "access token": tokens["access_token"],
        "id token": tokens["id_token"],
        "refresh token": tokens["refresh_token"],
        "client secret": settings.cognito_client_secret.get_secret_value()
        if settings.cognito_client_secret
        else "",
    }
    # The local outbox prints codes on purpose (it is the developer's mailbox); nothing else may.
    service_records = [r for r in caplog.records if not r.name.startswith("local_cognito")]
    assert service_records, "expected the service to log something during the session"
    for record in service_records:
        text = record.getMessage() + " " + repr(record.__dict__)
        for what, value in secrets.items():
            assert value not in text, f"{what} leaked into log record {record.name}"
        assert message.code not in record.getMessage()
