"""Strict parsing of compact JWS tokens and RS256 signature checks, before any claim is read."""

from __future__ import annotations

import binascii
import json
from binascii import a2b_base64
from json.scanner import make_scanner
from typing import Any, NamedTuple

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
_PADDING = PKCS1v15()
_SHA256 = SHA256()
# base64url without padding (RFC 7515 section 2): map its alphabet onto standard base64 and
# '+', '/' and '=' onto a byte that strict decoding refuses ('.' is refused as it is).
_URLSAFE = bytes.maketrans(b"-_+/=", b"+/!!!")
_PAD = (b"", b"", b"==", b"=")
# Header segments already parsed, to their kid: a pool signs every token with the same few
# headers. Bounded so that crafted headers cannot grow it.
_HEADER_KIDS: dict[bytes, str] = {}
_HEADER_KIDS_MAX = 64


def _unique_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated member is parsed differently by different JSON libraries; refuse it outright.
    members = dict(pairs)
    if len(members) != len(pairs):
        raise DuplicateMemberError
    return members


def _no_constants(name: str) -> Any:  # noqa: ANN401  # json's parse_constant signature
    raise TokenMalformedError(f"non-standard JSON constant {name}")


# The C scanner, called directly: JSONDecoder.decode adds two regex passes for whitespace that a
# compact JWS never has (a token with any is refused as malformed).
_SCAN = make_scanner(
    json.JSONDecoder(  # type: ignore[arg-type]  # the stub types the duck-typed context oddly
        object_pairs_hook=_unique_members, parse_constant=_no_constants
    )
)


def b64url_decode(segment: str) -> bytes:
    """Decode one unpadded base64url segment strictly (any other character is refused)."""
    try:
        data = segment.encode("ascii").translate(_URLSAFE)
        return binascii.a2b_base64(data + _PAD[len(data) % 4], strict_mode=True)
    except (UnicodeEncodeError, binascii.Error):
        raise TokenMalformedError("segment is not base64url") from None


def decode_json_object(data: bytes) -> dict[str, Any]:
    """Decode UTF-8 bytes holding one JSON object with unique member names."""
    try:
        text = data.decode("utf-8")
        value, end = _SCAN(text, 0)
    except (UnicodeDecodeError, ValueError, StopIteration):
        raise TokenMalformedError("segment is not JSON") from None
    if type(value) is not dict or end != len(text):
        raise TokenMalformedError("segment is not one JSON object")
    return value


def _header_kid(segment: str) -> str:
    header = decode_json_object(b64url_decode(segment))
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
    return kid


class CompactJws(NamedTuple):
    """A compact JWS split and decoded; nothing in it is trusted until verify() passes."""

    kid: str
    signing_input: bytes
    payload: bytes
    signature: bytes

    def verify(self, key: RSAPublicKey) -> None:
        """Check the RS256 signature, or raise SignatureInvalidError."""
        try:
            key.verify(self.signature, self.signing_input, _PADDING, _SHA256)
        except InvalidSignature:
            raise SignatureInvalidError from None


def parse_compact(token: str) -> CompactJws:
    """Split and decode a compact JWS and check its header (alg RS256, kid), before any crypto."""
    try:
        raw = token.encode("ascii")
    except UnicodeEncodeError:
        raise TokenMalformedError("not ASCII") from None
    first = raw.find(b".")
    last = raw.rfind(b".")
    if first <= 0 or last - first < 2 or last == len(raw) - 1:
        raise TokenMalformedError("not three non-empty segments")
    header_segment = raw[:first]
    kid = _HEADER_KIDS.get(header_segment)
    if kid is None:
        kid = _header_kid(header_segment.decode("ascii"))
        if len(_HEADER_KIDS) < _HEADER_KIDS_MAX:
            _HEADER_KIDS[header_segment] = kid
    standard = raw.translate(_URLSAFE)
    try:
        # A '.' inside the payload (more than three segments) fails strict decoding.
        payload = a2b_base64(
            standard[first + 1 : last] + _PAD[(last - first - 1) % 4], strict_mode=True
        )
        signature = a2b_base64(
            standard[last + 1 :] + _PAD[(len(raw) - last - 1) % 4], strict_mode=True
        )
    except binascii.Error:
        if raw.count(b".") == 4:
            raise TokenNotJwsError("five segments: a JWE") from None
        raise TokenMalformedError("segment is not base64url") from None
    return CompactJws(kid, raw[:last], payload, signature)
