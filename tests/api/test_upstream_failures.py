"""What the emulator cannot do (throttling, Cognito 5xx, timeouts): Stubber behind the real app."""

from __future__ import annotations

from collections.abc import AsyncIterator

import boto3
import httpx
import pytest
from botocore.exceptions import ReadTimeoutError
from botocore.stub import Stubber

from app.cognito.gateway import CognitoGateway
from app.main import create_app
from app.settings import Settings

EMAIL = "ada@example.com"


@pytest.fixture
async def stubbed_api(
    settings: Settings,
) -> AsyncIterator[tuple[httpx.AsyncClient, Stubber, CognitoGateway]]:
    client = boto3.client("cognito-idp", region_name="eu-west-1")
    gateway = CognitoGateway(client, settings.cognito_client_id, "secret")
    app = create_app(settings, gateway=gateway)
    with Stubber(client) as stubber:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
            yield http, stubber, gateway


@pytest.mark.parametrize(
    ("aws_code", "http_status", "status", "code", "retry_after"),
    [
        ("TooManyRequestsException", 400, 429, "TOO_MANY_REQUESTS", "1"),
        ("LimitExceededException", 400, 429, "TOO_MANY_REQUESTS", "1"),
        ("InternalErrorException", 500, 503, "SERVICE_UNAVAILABLE", "2"),
        ("UnexpectedLambdaException", 400, 503, "SERVICE_UNAVAILABLE", "2"),
        ("BrandNewException", 400, 502, "UPSTREAM_ERROR", None),
    ],
)
async def test_upstream_failures_are_never_500_nor_bad_password(
    stubbed_api: tuple[httpx.AsyncClient, Stubber, CognitoGateway],
    aws_code: str,
    http_status: int,
    status: int,
    code: str,
    retry_after: str | None,
) -> None:
    http, stubber, _ = stubbed_api
    stubber.add_client_error(
        "initiate_auth",
        service_error_code=aws_code,
        service_message="internal detail",
        http_status_code=http_status,
    )
    response = await http.post("/auth/signin", json={"email": EMAIL, "password": "Corr3ct-Horse!"})
    assert response.status_code == status
    assert response.json()["code"] == code
    assert response.headers.get("retry-after") == retry_after
    assert "internal detail" not in response.text


async def test_a_timeout_reaching_cognito_is_503(
    stubbed_api: tuple[httpx.AsyncClient, Stubber, CognitoGateway], monkeypatch: pytest.MonkeyPatch
) -> None:
    http, _, gateway = stubbed_api

    def time_out(**_: object) -> None:
        raise ReadTimeoutError(endpoint_url="https://cognito-idp.eu-west-1.amazonaws.com/")

    monkeypatch.setattr(gateway._client, "initiate_auth", time_out)
    response = await http.post("/auth/signin", json={"email": EMAIL, "password": "Corr3ct-Horse!"})
    assert response.status_code == 503
    assert response.json()["code"] == "SERVICE_UNAVAILABLE"


async def test_an_unexpected_exception_is_a_bare_500(
    stubbed_api: tuple[httpx.AsyncClient, Stubber, CognitoGateway], monkeypatch: pytest.MonkeyPatch
) -> None:
    http, _, gateway = stubbed_api

    def explode(**_: object) -> None:
        raise RuntimeError("secret internals /etc/passwd")

    monkeypatch.setattr(gateway._client, "initiate_auth", explode)
    transport_app = http._transport
    assert isinstance(transport_app, httpx.ASGITransport)
    transport_app.raise_app_exceptions = False
    response = await http.post("/auth/signin", json={"email": EMAIL, "password": "Corr3ct-Horse!"})
    assert response.status_code == 500
    assert response.json()["code"] == "INTERNAL_ERROR"
    assert "secret internals" not in response.text
