"""Whose IP goes to Cognito: API Gateway's on Lambda, the peer, or a trusted proxy's word."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from app.client_context import client_ip
from app.settings import Settings

SETTINGS = Settings(cognito_user_pool_id="eu-west-1_AbCdEf123", cognito_client_id="c")


def _request(
    peer: str, forwarded: str | None = None, event: dict[str, Any] | None = None
) -> Request:
    headers = [(b"x-forwarded-for", forwarded.encode())] if forwarded else []
    scope: dict[str, Any] = {"type": "http", "headers": headers, "client": (peer, 1234)}
    if event is not None:
        scope["aws.event"] = event
    return Request(scope)


def test_a_spoofed_forwarded_for_from_anyone_is_ignored() -> None:
    assert client_ip(_request("198.51.100.9", "1.2.3.4"), SETTINGS) == "198.51.100.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("1.2.3.4, 203.0.113.7", "203.0.113.7"),  # the client forged the first hop
        ("203.0.113.7, 10.0.0.5", "203.0.113.7"),  # a second trusted proxy in the chain
    ],
)
def test_trusted_proxies_are_believed_hop_by_hop(forwarded: str, expected: str) -> None:
    settings = SETTINGS.model_copy(update={"trusted_proxies": ["10.0.0.0/8"]})
    assert client_ip(_request("10.0.0.2", forwarded), settings) == expected


@pytest.mark.parametrize(
    "event",
    [
        {"requestContext": {"http": {"sourceIp": "203.0.113.7"}}},
        {"requestContext": {"identity": {"sourceIp": "203.0.113.7"}}},
    ],
    ids=["http-api-v2", "rest-api-v1"],
)
def test_on_lambda_api_gateway_says(event: dict[str, Any]) -> None:
    assert client_ip(_request("169.254.0.1", "6.6.6.6", event), SETTINGS) == "203.0.113.7"
