"""HTTP edges a browser or curl meets: CORS preflights and bodies that are not JSON."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from app.main import create_app
from app.settings import Settings
from tests.conftest import serve

ORIGIN = "https://app.example.com"


@pytest.fixture(scope="module")
def cors_client(settings: Settings) -> Iterator[httpx.Client]:
    app = create_app(settings.model_copy(update={"cors_origins": [ORIGIN]}))
    with serve(app) as running, httpx.Client(base_url=running.base_url, timeout=10) as http:
        yield http


def _preflight(client: httpx.Client, origin: str, method: str = "POST") -> httpx.Response:
    return client.options(
        "/auth/signin",
        headers={
            "Origin": origin,
            "Access-Control-Request-Method": method,
            "Access-Control-Request-Headers": "content-type, x-device-id",
        },
    )


def test_an_allowed_preflight_names_the_origin_and_is_not_stored(
    cors_client: httpx.Client,
) -> None:
    response = _preflight(cors_client, ORIGIN)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ORIGIN
    assert "x-device-id" in response.headers["access-control-allow-headers"].lower()
    assert response.headers["cache-control"] == "no-store"
    assert response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("origin", "method"), [("https://evil.example", "POST"), (ORIGIN, "TRACE")]
)
def test_a_refused_preflight_is_a_problem_document(
    cors_client: httpx.Client, origin: str, method: str
) -> None:
    response = _preflight(cors_client, origin, method)
    assert response.status_code == 400
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "CORS_REJECTED"
    assert body["request_id"] == response.headers["x-request-id"]
    assert "access-control-allow-origin" not in response.headers


def test_an_actual_cross_origin_request_is_allowed_for_the_origin_only(
    cors_client: httpx.Client,
) -> None:
    allowed = cors_client.get("/me", headers={"Origin": ORIGIN})
    assert allowed.headers["access-control-allow-origin"] == ORIGIN
    assert "x-request-id" in allowed.headers["access-control-expose-headers"].lower()
    other = cors_client.get("/me", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


@pytest.mark.parametrize("content_type", [None, "text/plain", "application/x-www-form-urlencoded"])
def test_a_body_that_is_not_sent_as_json_is_a_415(
    client: httpx.Client, content_type: str | None
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    response = client.post(
        "/auth/signin",
        content=b'{"email": "ada@example.com", "password": "Corr3ct-Horse!"}',
        headers=headers,
    )
    assert response.status_code == 415
    assert response.json()["code"] == "UNSUPPORTED_MEDIA_TYPE"
    assert "Corr3ct-Horse!" not in response.text


def test_json_with_a_charset_and_problem_json_are_json(client: httpx.Client) -> None:
    for content_type in ("application/json; charset=utf-8", "application/merge-patch+json"):
        response = client.post(
            "/auth/signin",
            content=b'{"email": "nobody@example.com", "password": "Corr3ct-Horse!"}',
            headers={"Content-Type": content_type},
        )
        assert response.json()["code"] in {"BAD_CREDENTIALS", "VALIDATION_FAILED"}, content_type
