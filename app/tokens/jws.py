"""Strict parsing of compact JWS tokens and RS256 signature checks, before any claim is read."""

from __future__ import annotations

import binascii
import json
from binascii import a2b_base64
from hashlib import sha256
from json.scanner import make_scanner
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.asymmetric.utils import Prehashed
from cryptography.hazmat.primitives.hashes import SHA256

from app.tokens.errors import (
    AlgorithmNotAllowedError,
    CriticalHeaderError,
    DuplicateMemberError,
    KidMissingError,
    MissingTokenError,
    SignatureInvalidError,
    TokenError,
    TokenMalformedError,
    TokenNotJwsError,
    TokenTooLargeError,
)

ALGORITHM = "RS256"
# A Cognito header ({"kid": "<44 characters>", "alg": "RS256"}) is about 100 characters encoded.
# Ten times that still holds any honest header, and bounds what is parsed before any crypto.
MAX_HEADER_CHARS = 1024
_PADDING = PKCS1v15()
# hashlib's SHA-256 and a prehashed verify cost 1 µs less than letting cryptography hash.
_PREHASHED_SHA256 = Prehashed(SHA256())
# base64url without padding (RFC 7515 section 2): map its alphabet onto standard base64 and
# '+', '/' and '=' onto a byte that strict decoding refuses ('.' is refused as it is).
_URLSAFE = bytes.maketrans(b"-_+/=", b"+/!!!")
_PAD = (b"", b"", b"==", b"=")
# Header segments to their kid: a pool signs every token with the same few headers, so the
# header of a known-good token need not be decoded again. Only a header whose token passed the
# signature check gets in (CompactJws.verify), so crafted headers can never occupy it; the
# oldest entry leaves when it is full, so key rotations over a long process life still get in.
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
    """Decode UTF-8 bytes holding one JSON object with unique member names.

    Any failure is a malformed token: bad UTF-8, bad JSON, numbers beyond int's digit limit,
    and RecursionError from deeply nested arrays or objects (a few KB of brackets) alike.
    """
    try:
        text = data.decode("utf-8")
        value, end = _SCAN(text, 0)
    except TokenError:
        raise
    except Exception:  # fail closed on whatever the parser raises
        raise TokenMalformedError("segment is not JSON") from None
    if type(value) is not dict or end != len(text):
        raise TokenMalformedError("segment is not one JSON object")
    return value


def _header_kid(segment: bytes) -> str:
    if len(segment) > MAX_HEADER_CHARS:
        raise TokenMalformedError("header too long")
    header = decode_json_object(b64url_decode(segment.decode("ascii")))
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
    payload: bytes
    signature: bytes
    new_header: bytes | None  # the header segment, when it is not in the header cache yet

    def verify(self, key: RSAPublicKey, signing_digest: bytes) -> None:
        """Check the RS256 signature over the signing input's SHA-256, or raise."""
        try:
            key.verify(self.signature, signing_digest, _PADDING, _PREHASHED_SHA256)
        except (InvalidSignature, ValueError):
            raise SignatureInvalidError from None
        if self.new_header is not None:
            _remember_header(self.new_header, self.kid)


def _remember_header(segment: bytes, kid: str) -> None:
    if len(_HEADER_KIDS) >= _HEADER_KIDS_MAX:
        try:
            del _HEADER_KIDS[next(iter(_HEADER_KIDS))]
        except (KeyError, RuntimeError, StopIteration):  # changed by another thread meanwhile
            return
    _HEADER_KIDS[segment] = kid


def signed_parts(token: str, max_chars: int) -> tuple[bytes, bytes, bytes]:
    """Return the token as ASCII, the SHA-256 of its signing input, and its signature segment.

    The digest is what the signature covers and, with the signature segment, identifies the
    token exactly: hashed once, it keys the verified-token cache and feeds the RSA check.
    """
    if len(token) > max_chars or not token:
        raise TokenTooLargeError if token else MissingTokenError
    try:
        raw = token.encode("ascii")
    except UnicodeEncodeError:
        raise TokenMalformedError("not ASCII") from None
    last = raw.rfind(b".")
    if last <= 0:
        raise TokenMalformedError("not three non-empty segments")
    return raw, sha256(raw[:last]).digest(), raw[last + 1 :]


def parse_compact(raw: bytes) -> CompactJws:
    """Split and decode an ASCII compact JWS and check its header (alg RS256, kid), no crypto."""
    first = raw.find(b".")
    last = raw.rfind(b".")
    if first <= 0 or last - first < 2 or last == len(raw) - 1:
        raise TokenMalformedError("not three non-empty segments")
    header_segment = raw[:first]
    kid = _HEADER_KIDS.get(header_segment)
    new_header = None
    if kid is None:
        kid = _header_kid(header_segment)
        new_header = header_segment
    standard = raw[first + 1 :].translate(_URLSAFE)
    middle = last - first - 1
    try:
        # A '.' inside the payload (more than three segments) fails strict decoding.
        payload = a2b_base64(standard[:middle] + _PAD[middle % 4], strict_mode=True)
        signature = a2b_base64(
            standard[middle + 1 :] + _PAD[(len(raw) - last - 1) % 4], strict_mode=True
        )
    except binascii.Error:
        if raw.count(b".") == 4:
            raise TokenNotJwsError("five segments: a JWE") from None
        raise TokenMalformedError("segment is not base64url") from None
    # tuple.__new__ directly: a NamedTuple's generated __new__ costs 0.1 µs more per token.
    return tuple.__new__(CompactJws, (kid, payload, signature, new_header))
