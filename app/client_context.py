"""Where a request really comes from, for Cognito threat protection (UserContextData)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends, Request

from app.cognito.context import UserContext
from app.settings import Settings

# The header a browser sends with the EncodedData produced by Amazon Cognito's advanced-security
# script (amazon-cognito-advanced-security-data.js); opaque to this service.
DEVICE_DATA_HEADER = "x-cognito-encoded-data"
FORWARDED_FOR_HEADER = "x-forwarded-for"
_MAX_ENCODED_DATA = 8192
# More hops than any real proxy chain; a longer header is walked only this far from the right.
_MAX_HOPS = 32

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address


@lru_cache(maxsize=32)
def _networks(
    trusted: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def parse_ip(raw: str) -> IpAddress | None:
    """`raw` as a bare IP address (IPv6 may be bracketed), or None: no ports, zones or names."""
    text = raw.strip()
    if text.startswith("[") and text.endswith("]"):
        text = text[1:-1]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    # AWS refuses anything but a plain address in UserContextData.IpAddress
    # (InvalidParameterException), which would surface as a failed sign-in.
    if isinstance(address, ipaddress.IPv6Address):
        if address.scope_id is not None:
            return None
        # A dual-stack listener reports IPv4 peers as ::ffff:a.b.c.d; trust lists name them as v4.
        return address.ipv4_mapped or address
    return address


def _is_trusted(address: IpAddress, trusted: tuple[str, ...]) -> bool:
    return any(address in network for network in _networks(trusted))


def forwarded_hops(request: Request) -> list[str]:
    """Every X-Forwarded-For hop, in order, across all of the header's lines."""
    # A proxy may add its own header line instead of appending to the client's (HAProxy's
    # `option forwardfor` does): the lines, in order, make one list.
    lines = request.headers.getlist(FORWARDED_FOR_HEADER)
    return [hop for line in lines for hop in (part.strip() for part in line.split(",")) if hop]


def _walk_back(hops: list[str], peer: IpAddress, trusted: tuple[str, ...]) -> IpAddress:
    # From the nearest hop back, skipping our own proxies: the first other address is the client
    # as our trusted chain saw it. A hop that is not an address ends the walk: nothing written
    # further left can be vouched for, so the last address a trusted proxy reported is used.
    last_known = peer
    for raw in reversed(hops[-_MAX_HOPS:]):
        hop = parse_ip(raw)
        if hop is None:
            return last_known
        if not _is_trusted(hop, trusted):
            return hop
        last_known = hop
    return last_known


def client_ip(request: Request, settings: Settings) -> str | None:
    """The end user's IP: API Gateway's on Lambda, else the peer, unless a trusted proxy says."""
    event: Any = request.scope.get("aws.event")
    if isinstance(event, dict):
        context = event.get("requestContext") or {}
        source = (context.get("http") or {}).get("sourceIp") or (context.get("identity") or {}).get(
            "sourceIp"
        )
        if isinstance(source, str) and (address := parse_ip(source)) is not None:
            return str(address)
    peer = parse_ip(request.client.host) if request.client else None
    if peer is None:
        return None
    trusted = tuple(settings.trusted_proxies)
    if not trusted or not _is_trusted(peer, trusted):
        # Anyone may write X-Forwarded-For; only a declared proxy's is believed.
        return str(peer)
    return str(_walk_back(forwarded_hops(request), peer, trusted))


def user_context(request: Request) -> UserContext | None:
    """The UserContextData to send with this request's Cognito call."""
    settings: Settings = request.app.state.settings
    ip = client_ip(request, settings)
    if ip is None:
        return None
    encoded = request.headers.get(DEVICE_DATA_HEADER)
    if encoded is not None and (len(encoded) > _MAX_ENCODED_DATA or not encoded.isascii()):
        encoded = None
    return UserContext(ip_address=ip, encoded_data=encoded)


UserContextDep = Annotated[UserContext | None, Depends(user_context)]
