"""SECRET_HASH: the HMAC Cognito requires on public-client calls when the client has a secret."""

from __future__ import annotations

import base64
import hashlib
import hmac


def secret_hash(username: str, client_id: str, client_secret: str) -> str:
    """Return base64(HMAC-SHA256(key=client secret, message=username + client id))."""
    digest = hmac.new(
        client_secret.encode("utf-8"), (username + client_id).encode("utf-8"), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode("ascii")
