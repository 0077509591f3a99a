"""The JWS layer on its own: parsers fail closed, and the header cache only holds good headers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from app.tokens import jws
from app.tokens.errors import SignatureInvalidError, TokenError, TokenMalformedError
from app.tokens.verifier import TokenVerifier

from .factory import KeyPair, access_payload, segment

pytestmark = pytest.mark.anyio


@pytest.fixture(autouse=True)
def empty_header_cache() -> Iterator[None]:
    saved = dict(jws._HEADER_KIDS)
    jws._HEADER_KIDS.clear()
    yield
    jws._HEADER_KIDS.clear()
    jws._HEADER_KIDS.update(saved)


@pytest.mark.parametrize(
    "text",
    [
        "[" * 5000 + "]" * 5000,  # RecursionError in the C scanner (3.11, 3.12)
        '{"a":' * 3000 + "1" + "}" * 3000,
        "[" * 20_000,
        '{"exp":' + "9" * 5000 + "}",  # beyond int's digit limit: ValueError
        '{"a":NaN}',
        '{"a":1}{"b":2}',
        "",
        "\ufeff{}",
    ],
    ids=[
        "arrays-5000",
        "objects-3000",
        "unclosed-20000",
        "digits-5000",
        "nan",
        "two",
        "empty",
        "bom",
    ],
)
def test_any_parse_failure_is_malformed(text: str) -> None:
    with pytest.raises(TokenMalformedError):
        jws.decode_json_object(text.encode())


def test_invalid_utf8_is_malformed() -> None:
    with pytest.raises(TokenMalformedError):
        jws.decode_json_object(b'{"a":"\xc3"}')


def test_header_length_is_capped(key: KeyPair) -> None:
    token = key.token(access_payload(), {"alg": "RS256", "kid": key.kid, "x": "y" * 800})
    assert len(token.split(".")[0]) > jws.MAX_HEADER_CHARS
    with pytest.raises(TokenMalformedError, match="header too long"):
        jws.parse_compact(token.encode())


@pytest.mark.parametrize("token", ["", "a" * 20_000, "abc", ".abc", "a.b.c\u00e9"])
def test_signed_parts_refuses_before_hashing(token: str) -> None:
    with pytest.raises(TokenError):
        jws.signed_parts(token, 16_384)


async def test_junk_headers_never_enter_the_header_cache(
    verifier: TokenVerifier, key: KeyPair, other_key: KeyPair
) -> None:
    for index in range(200):
        forged = other_key.token(access_payload(), {"alg": "RS256", "kid": key.kid, "n": index})
        with pytest.raises(SignatureInvalidError):
            await verifier.verify_access(forged)
    assert jws._HEADER_KIDS == {}
    good = key.token(access_payload())
    await verifier.verify_access(good)
    assert dict(jws._HEADER_KIDS) == {good.split(".")[0].encode(): key.kid}


async def test_a_cached_header_still_needs_its_signature(
    verifier: TokenVerifier, key: KeyPair, other_key: KeyPair
) -> None:
    await verifier.verify_access(key.token(access_payload()))
    forged = other_key.token(access_payload(sub="intruder"), {"alg": "RS256", "kid": key.kid})
    with pytest.raises(SignatureInvalidError):
        await verifier.verify_access(forged)


def test_header_cache_is_bounded_and_keeps_the_newest() -> None:
    for index in range(jws._HEADER_KIDS_MAX + 10):
        jws._remember_header(segment({"alg": "RS256", "kid": f"k{index}"}).encode(), f"k{index}")
    assert len(jws._HEADER_KIDS) == jws._HEADER_KIDS_MAX
    kids = list(jws._HEADER_KIDS.values())
    assert kids[0] == "k10"
    assert kids[-1] == f"k{jws._HEADER_KIDS_MAX + 9}"
