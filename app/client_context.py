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
_MAX_ENCODED_DATA = 8192


@lru_cache(maxsize=32)
def _networks(
    trusted: tuple[str, ...],
) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(entry, strict=False) for entry in trusted)


def _is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(trusted))


def client_ip(request: Request, settings: Settings) -> str | None:
    """The end user's IP: API Gateway's on Lambda, else the peer, unless a trusted proxy says."""
    event: Any = request.scope.get("aws.event")
    if isinstance(event, dict):
        context = event.get("requestContext") or {}
        source = (context.get("http") or {}).get("sourceIp") or (context.get("identity") or {}).get(
            "sourceIp"
        )
        if isinstance(source, str) and source:
            return source
    peer = request.client.host if request.client else None
    trusted = tuple(settings.trusted_proxies)
    if peer is None or not trusted or not _is_trusted(peer, trusted):
        # Anyone may write X-Forwarded-For; only a declared proxy's is believed.
        return peer
    hops = [h.strip() for h in request.headers.get("x-forwarded-for", "").split(",") if h.strip()]
    # Walk back from the nearest hop, skipping our own proxies: the first other address is the
    # client as our trusted chain saw it.
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


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
