"""The otpauth:// URI an authenticator app reads (as a QR code) to enrol a TOTP secret."""

from __future__ import annotations

from urllib.parse import quote

TOTP_ISSUER = "Image Platform"


def otpauth_uri(secret: str, account: str) -> str:
    """The Key Uri Format URI for `secret`, labelled with the issuer and `account`."""
    label = quote(f"{TOTP_ISSUER}:{account}")
    return f"otpauth://totp/{label}?secret={secret}&issuer={quote(TOTP_ISSUER)}&digits=6&period=30"
