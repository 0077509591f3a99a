"""Whose IP goes to Cognito: API Gateway's on Lambda, the peer, or a trusted proxy's word."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.requests import Request

from app.client_context import client_ip, parse_ip
from app.settings import Settings

SETTINGS = Settings(cognito_user_pool_id="eu-west-1_AbCdEf123", cognito_client_id="c")
BEHIND_PROXY = SETTINGS.model_copy(update={"trusted_proxies": ["10.0.0.0/8", "2001:db8:f::/48"]})


def _request(peer: str, *forwarded: str, event: dict[str, Any] | None = None) -> Request:
    # One header line per argument, in order, as several proxies may each add their own.
    headers = [(b"x-forwarded-for", line.encode()) for line in forwarded]
    scope: dict[str, Any] = {"type": "http", "headers": headers, "client": (peer, 1234)}
    if event is not None:
        scope["aws.event"] = event
    return Request(scope)


def test_a_spoofed_forwarded_for_from_anyone_is_ignored() -> None:
    assert client_ip(_request("198.51.100.9", "1.2.3.4"), SETTINGS) == "198.51.100.9"
    # Even when some proxy is trusted, an untrusted peer's header is not.
    assert client_ip(_request("198.51.100.9", "1.2.3.4"), BEHIND_PROXY) == "198.51.100.9"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        (["203.0.113.7"], "203.0.113.7"),
        (["1.2.3.4, 203.0.113.7"], "203.0.113.7"),  # the client forged the first hop
        (["203.0.113.7, 10.0.0.5"], "203.0.113.7"),  # a second trusted proxy in the chain
        (["10.0.0.9"], "10.0.0.9"),  # a client inside the trusted network
        ([], "10.0.0.2"),  # a trusted peer that says nothing is the client
    ],
)
def test_trusted_proxies_are_believed_hop_by_hop(forwarded: list[str], expected: str) -> None:
    assert client_ip(_request("10.0.0.2", *forwarded), BEHIND_PROXY) == expected


def test_every_header_line_counts_in_order() -> None:
    # HAProxy adds its own X-Forwarded-For line after the one the client sent: reading only the
    # first line would believe the client's forgery.
    request = _request("10.0.0.2", "6.6.6.6", "203.0.113.7")
    assert client_ip(request, BEHIND_PROXY) == "203.0.113.7"
    # A trusted proxy's line after the client's spoofed one, both walked right to left.
    request = _request("10.0.0.2", "6.6.6.6, 203.0.113.7", "10.0.0.5")
    assert client_ip(request, BEHIND_PROXY) == "203.0.113.7"


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        (["203.0.113.7:51234"], "10.0.0.2"),  # ip:port is not an address
        (["[2001:db8::7]:443"], "10.0.0.2"),
        (["unknown"], "10.0.0.2"),  # RFC 7239's obfuscated identifier
        (["not-an-ip, 10.0.0.5"], "10.0.0.5"),  # the walk stops at garbage: last trusted hop
        (["203.0.113.7, garbage"], "10.0.0.2"),  # nothing left of garbage is believed
        (["fe80::1%eth0"], "10.0.0.2"),  # a scoped address means nothing to AWS
        (["", " , ,203.0.113.7"], "203.0.113.7"),  # empty hops are skipped
    ],
)
def test_a_hop_that_is_not_an_ip_address_ends_the_walk(forwarded: list[str], expected: str) -> None:
    assert client_ip(_request("10.0.0.2", *forwarded), BEHIND_PROXY) == expected


@pytest.mark.parametrize(
    ("forwarded", "expected"),
    [
        (["2001:db8::7"], "2001:db8::7"),
        (["[2001:db8::7]"], "2001:db8::7"),  # brackets stripped
        (["2001:DB8:0:0::7"], "2001:db8::7"),  # sent in canonical form
        (["2001:db8::7, 2001:db8:f::1"], "2001:db8::7"),  # a trusted IPv6 proxy
    ],
)
def test_ipv6_hops(forwarded: list[str], expected: str) -> None:
    assert client_ip(_request("10.0.0.2", *forwarded), BEHIND_PROXY) == expected


def test_ipv4_mapped_peers_are_matched_as_ipv4() -> None:
    assert client_ip(_request("::ffff:10.0.0.2", "203.0.113.7"), BEHIND_PROXY) == "203.0.113.7"


def test_a_peer_that_is_not_an_address_gives_no_context() -> None:
    # e.g. Starlette's TestClient: AWS would refuse such an IpAddress outright.
    assert client_ip(_request("testclient", "203.0.113.7"), BEHIND_PROXY) is None


def test_an_absurdly_long_chain_is_walked_only_so_far() -> None:
    chain = ", ".join(["203.0.113.7"] + ["10.0.0.5"] * 100)
    assert client_ip(_request("10.0.0.2", chain), BEHIND_PROXY) == "10.0.0.5"


@pytest.mark.parametrize(
    "event",
    [
        {"requestContext": {"http": {"sourceIp": "203.0.113.7"}}},
        {"requestContext": {"identity": {"sourceIp": "203.0.113.7"}}},
    ],
    ids=["http-api-v2", "rest-api-v1"],
)
def test_on_lambda_api_gateway_says(event: dict[str, Any]) -> None:
    assert client_ip(_request("169.254.0.1", "6.6.6.6", event=event), SETTINGS) == "203.0.113.7"


def test_parse_ip() -> None:
    assert str(parse_ip(" 203.0.113.7 ")) == "203.0.113.7"
    assert parse_ip("203.0.113.7:80") is None
    assert parse_ip("example.com") is None
    assert parse_ip("") is None
