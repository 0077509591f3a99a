"""What the adaptive sign-in reports to the risk trigger: the IP and a well-formed device id."""

from __future__ import annotations

import pytest
from starlette.requests import Request

from app.cognito.context import UserContext
from app.sign_in_metadata import sign_in_metadata


def _request(device: str | None) -> Request:
    headers = [] if device is None else [(b"x-device-id", device.encode())]
    return Request({"type": "http", "method": "POST", "path": "/", "headers": headers})


@pytest.mark.parametrize(
    ("device", "kept"),
    [
        ("laptop-7c1e5a9d", True),
        ("a" * 128, True),
        ("short", False),  # under 8 characters
        ("a" * 129, False),
        ("laptop 7c1e", False),  # a space
        ("laptop-\u00e9t\u00e9-0001", False),  # not ASCII
        ("", False),
        (None, False),
    ],
)
def test_only_a_well_formed_device_id_is_passed_on(device: str | None, kept: bool) -> None:
    metadata = sign_in_metadata(_request(device), UserContext(ip_address="203.0.113.7"))
    assert metadata["sourceIp"] == "203.0.113.7"
    assert ("deviceId" in metadata) is kept
    if kept:
        assert metadata["deviceId"] == device


def test_without_a_user_context_no_address_is_invented() -> None:
    assert sign_in_metadata(_request("laptop-7c1e5a9d"), None) == {"deviceId": "laptop-7c1e5a9d"}
