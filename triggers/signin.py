"""What the API reports about a sign-in (client metadata), hashed, and the risk context from it.

The API sends ``ClientMetadata`` on ``RespondToAuthChallenge``, the call whose metadata reaches the
define/create/verify triggers and PostAuthentication: ``sourceIp`` (the end user's address) and
``deviceId`` (an opaque stable device identifier, e.g. from a long-lived cookie). Client metadata
is whatever the caller sends; it can be trusted only because the app client has a secret, so only
the API can make that call. Only hashes are kept: the device id, and the network (/24 for IPv4,
/48 for IPv6) rather than the address, so that a changing address within one network is not new.
"""

from __future__ import annotations

import hashlib
import ipaddress
from collections.abc import Mapping
from datetime import datetime
from typing import Final

from triggers.risk import SignInContext

SOURCE_IP: Final = "sourceIp"
DEVICE_ID: Final = "deviceId"
NETWORK_HASH: Final = "networkHash"
DEVICE_HASH: Final = "deviceHash"

_MAX_INPUT = 256  # client metadata values are caller-supplied: bound what we hash


def _digest(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()[:32]


def _network(address: str) -> str | None:
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    prefix = 24 if ip.version == 4 else 48
    return str(ipaddress.ip_network(f"{ip}/{prefix}", strict=False))


def fingerprint(client_metadata: Mapping[str, str]) -> dict[str, str]:
    """Hashes of the reported network and device; keys are absent when not reported or invalid."""
    result: dict[str, str] = {}
    address = client_metadata.get(SOURCE_IP)
    if isinstance(address, str) and len(address) <= _MAX_INPUT:
        network = _network(address)
        if network is not None:
            result[NETWORK_HASH] = _digest("network", network)
    device = client_metadata.get(DEVICE_ID)
    if isinstance(device, str) and 0 < len(device) <= _MAX_INPUT:
        result[DEVICE_HASH] = _digest("device", device)
    return result


def _seen(key: str, current: Mapping[str, str], last: Mapping[str, str] | None) -> bool:
    return last is not None and key in current and current[key] == last.get(key)


def sign_in_context(
    now: datetime, current: Mapping[str, str], last: Mapping[str, str] | None
) -> SignInContext:
    """The risk context: unreported or never-seen device and network both count as new."""
    return SignInContext(
        hour_utc=now.hour,
        new_device=not _seen(DEVICE_HASH, current, last),
        new_network=not _seen(NETWORK_HASH, current, last),
    )
