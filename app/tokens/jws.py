"""Strict parsing of compact JWS tokens and RS256 signature checks, before any claim is read."""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.hashes import SHA256

from app.tokens.errors import (
    AlgorithmNotAllowedError,
    CriticalHeaderError,
    DuplicateMemberError,
    KidMissingError,
    SignatureInvalidError,
    TokenMalformedError,
    TokenNotJwsError,
)

ALGORITHM = "RS256"
# base64url without padding (RFC 7515 section 2); '=' and anything else is refused.
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_PADDING = PKCS1v15()
_SHA256 = SHA256()


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated member is parsed differently by different JSON libraries; refuse it outright.
    members = dict(pairs)
    if len(members) != len(pairs):
        raise DuplicateMemberError
    return members


def _no_constants(name: str) -> Any:  # noqa: ANN401  # json's parse_constant signature
    raise TokenMalformedError(f"non-standard JSON constant {name}")


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_members, parse_constant=_no_constants)


def b64url_decode(segment: str) -> bytes:
    """Decode one unpadded base64url segment (the caller has checked its alphabet)."""
    try:
        return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except (binascii.Error, ValueError):
        raise TokenMalformedError("segment is not base64url") from None


def decode_json_object(segment: str) -> dict[str, Any]:
    """Decode a base64url segment holding one JSON object with unique member names."""
    try:
        value = _DECODER.decode(b64url_decode(segment).decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        raise TokenMalformedError("segment is not JSON") from None
    if type(value) is not dict:
        raise TokenMalformedError("segment is not a JSON object")
    return value


@dataclass(frozen=True, slots=True)
class CompactJws:
    """A compact JWS split into its parts; nothing in it is trusted until verify() passes."""

    kid: str
    signing_input: bytes
    payload_segment: str
    signature: bytes

    def verify(self, key: RSAPublicKey) -> None:
        """Check the RS256 signature, or raise SignatureInvalidError."""
        try:
            key.verify(self.signature, self.signing_input, _PADDING, _SHA256)
        except InvalidSignature:
            raise SignatureInvalidError from None


def parse_compact(token: str) -> CompactJws:
    """Split and check a compact JWS and its header (alg RS256, kid), before any crypto."""
    dots = token.count(".")
    if dots == 4:
        raise TokenNotJwsError("five segments: a JWE")
    if dots != 2 or _COMPACT_JWS.fullmatch(token) is None:
        raise TokenMalformedError("not a compact JWS")
    header_end = token.index(".")
    payload_end = token.index(".", header_end + 1)
    header = decode_json_object(token[:header_end])
    if "enc" in header:
        raise TokenNotJwsError("encrypted token")
    cty = header.get("cty")
    if type(cty) is str and cty.upper() == "JWT":
        raise TokenNotJwsError("nested token")
    if header.get("alg") != ALGORITHM:
        raise AlgorithmNotAllowedError
    if "crit" in header:
        raise CriticalHeaderError
    # jku, x5u, x5c and jwk are never read: keys come only from the configured JWKS.
    kid = header.get("kid")
    if type(kid) is not str or not kid:
        raise KidMissingError
    return CompactJws(
        kid=kid,
        signing_input=token[:payload_end].encode("ascii"),
        payload_segment=token[header_end + 1 : payload_end],
        signature=b64url_decode(token[payload_end + 1 :]),
    )
