"""The hostile-token suite: crafted tokens, each refused with its own error class and code."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from app.tokens import errors
from app.tokens.verifier import TokenVerifier

from .factory import CLIENT_ID, ISSUER, NOW, KeyPair, access_payload, b64, id_payload, segment
from .routes import build_app


@dataclass
class Keys:
    """What an attacker (and the test) has at hand."""

    pool: KeyPair
    attacker: KeyPair
    ec: ec.EllipticCurvePrivateKey


def _public_pem(k: Keys) -> bytes:
    return k.pool.private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _public_der(k: Keys) -> bytes:
    return k.pool.private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _hs_header(k: Keys) -> dict[str, Any]:
    return {"alg": "HS256", "kid": k.pool.kid}


def _rs384(k: Keys) -> str:
    signing_input = f"{segment({'alg': 'RS384', 'kid': k.pool.kid})}.{segment(access_payload())}"
    return f"{signing_input}.{k.pool.rs_sign(signing_input.encode(), hashes.SHA384())}"


def _es256(k: Keys) -> str:
    signing_input = f"{segment({'alg': 'ES256', 'kid': k.pool.kid})}.{segment(access_payload())}"
    return f"{signing_input}.{b64(k.ec.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))}"


def _replace_segment(token: str, index: int, value: str) -> str:
    parts = token.split(".")
    parts[index] = value
    return ".".join(parts)


def _tampered(k: Keys) -> str:
    token = k.pool.token(access_payload())
    return _replace_segment(token, 1, segment(access_payload(sub="someone-else")))


def _raw_header(k: Keys, raw: str) -> str:
    signing_input = f"{segment(raw.encode())}.{segment(access_payload())}"
    return f"{signing_input}.{k.pool.rs_sign(signing_input.encode())}"


def _padded(k: Keys) -> str:
    header, payload, signature = k.pool.token(access_payload()).split(".")
    return f"{header}.{payload}==.{signature}"


def _standard_base64(k: Keys) -> str:
    token = k.pool.token(access_payload())
    return token.replace("-", "+").replace("_", "/") + "+/"


def _jwe(k: Keys) -> str:
    header = segment({"alg": "RSA-OAEP", "enc": "A256GCM", "kid": k.pool.kid})
    return f"{header}.{b64(b'k' * 256)}.{b64(b'iv' * 6)}.{b64(b'ct' * 40)}.{b64(b'tag' * 5)}"


def _duplicate_claims(k: Keys) -> str:
    body = json.dumps(access_payload())[:-1] + ', "token_use": "id"}'
    return k.pool.token(body.encode())


def _duplicate_header(k: Keys) -> str:
    return _raw_header(k, f'{{"alg":"RS256","kid":"{k.pool.kid}","alg":"none"}}')


Build = Callable[[Keys], str]


def claims(**overrides: Any) -> Build:
    """An access token signed by the pool with claims overridden (None removes one)."""
    return lambda k: k.pool.token(access_payload(**overrides))


def id_claims(**overrides: Any) -> Build:
    """An ID token signed by the pool with claims overridden."""
    return lambda k: k.pool.token(id_payload(**overrides))


def header(signer: str = "pool", **fields: Any) -> Build:
    """A valid access payload under a header with fields overridden (None removes one)."""

    def build(k: Keys) -> str:
        head: dict[str, Any] = {"alg": "RS256", "kid": k.pool.kid}
        for name, value in fields.items():
            if value is None:
                head.pop(name)
            else:
                head[name] = value
        key = k.pool if signer == "pool" else k.attacker
        return key.token(access_payload(), head)

    return build


def raw_payload(text: str) -> Build:
    """A pool-signed token whose payload is the given JSON text, as is."""
    return lambda k: k.pool.token(text.encode())


def _hs256(secret: Callable[[Keys], bytes]) -> Build:
    def build(k: Keys) -> str:
        signing_input = f"{segment(_hs_header(k))}.{segment(access_payload())}"
        mac = hmac.new(secret(k), signing_input.encode(), hashlib.sha256).digest()
        return f"{signing_input}.{b64(mac)}"

    return build


def _without_signature(build: Build) -> Build:
    return lambda k: build(k).rsplit(".", 1)[0] + "."


def _truncated_payload(k: Keys) -> str:
    token = k.pool.token(access_payload())
    return _replace_segment(token, 1, token.split(".")[1][:-3])


def _nested(k: Keys) -> str:
    return k.pool.token(segment(k.pool.token(access_payload())), cty="JWT")


def _with_nan(k: Keys) -> str:
    return k.pool.token((json.dumps(access_payload())[:-1] + ', "nbf": NaN}').encode())


def _infinite_exp(k: Keys) -> str:
    body = json.dumps(access_payload(exp=None))[:-1] + ', "exp": 1e400}'
    return k.pool.token(body.encode())


def raw_claim(name: str, text: str, **overrides: Any) -> Build:
    """A pool-signed access token with one claim written as raw JSON text (None removes one)."""

    def build(k: Keys) -> str:
        body = json.dumps(access_payload(**{name: None, **overrides}), separators=(",", ":"))
        return k.pool.token(f'{body[:-1]},"{name}":{text}}}'.encode())

    return build


def _raw_header_bytes(raw: bytes) -> Build:
    def build(k: Keys) -> str:
        signing_input = f"{segment(raw)}.{segment(access_payload())}"
        return f"{signing_input}.{k.pool.rs_sign(signing_input.encode())}"

    return build


DEEP = 5000  # about 13 KB once encoded: under the 16 KB token limit


def _parser_refuses(depth: int) -> bool:
    """Whether this Python's json raises RecursionError at this nesting (3.11, 3.12: yes)."""
    try:
        json.loads("[" * depth + "]" * depth)
    except RecursionError:
        return True
    return False


DEEP_FAILS = _parser_refuses(DEEP)


def _hs_jwk(k: Keys) -> bytes:
    return json.dumps(k.pool.jwk()).encode()


OTHER_POOL = ISSUER.replace("TestPool1", "OtherPool9")
EVIL = "https://evil.example/jwks.json"
E = errors


@dataclass(frozen=True)
class Case:
    """One hostile token and the exact error it must raise."""

    name: str
    build: Build
    error: type[errors.TokenError]
    kind: str = "access"
    skip: str | None = None  # why this Python cannot run the case


CASES: list[Case] = [
    # Algorithm confusion.
    Case("alg-none-empty-signature", _without_signature(header(alg="none")), E.TokenMalformedError),
    Case("alg-none-with-signature", header(alg="none"), E.AlgorithmNotAllowedError),
    Case("alg-None-capitalised", header(alg="None"), E.AlgorithmNotAllowedError),
    Case("alg-missing", header(alg=None), E.AlgorithmNotAllowedError),
    Case("alg-lowercase-rs256", header(alg="rs256"), E.AlgorithmNotAllowedError),
    Case("hs256-public-key-pem", _hs256(_public_pem), E.AlgorithmNotAllowedError),
    Case("hs256-public-key-der", _hs256(_public_der), E.AlgorithmNotAllowedError),
    Case("hs256-public-key-jwk", _hs256(_hs_jwk), E.AlgorithmNotAllowedError),
    Case("rs384", _rs384, E.AlgorithmNotAllowedError),
    Case("es256", _es256, E.AlgorithmNotAllowedError),
    Case("ps256", header(alg="PS256"), E.AlgorithmNotAllowedError),
    # Key selection.
    Case("kid-unknown", header("attacker", kid="attacker-kid"), E.KidNotFoundError),
    Case("kid-path-traversal", header(kid="../../../etc/passwd"), E.KidNotFoundError),
    Case("kid-url", header(kid=EVIL), E.KidNotFoundError),
    Case("kid-missing", header(kid=None), E.KidMissingError),
    Case("kid-empty", header(kid=""), E.KidMissingError),
    Case("kid-number", header(kid=1), E.KidMissingError),
    Case("jwk-kty-ec", header("attacker", kid="ec-kid"), E.JwkInvalidKtyError),
    Case("jwk-use-enc", header("attacker", kid="enc-kid"), E.JwkInvalidUseError),
    Case("jwk-alg-rs512", header("attacker", kid="rs512-kid"), E.JwkAlgMismatchError),
    Case("jwk-alg-absent", header("attacker", kid="no-alg-kid"), E.JwkAlgMismatchError),
    Case("jwk-rsa-1024", header(kid="weak"), E.JwkInvalidError),
    # Headers that must never choose the key.
    Case("jku-attacker-kid", header("attacker", kid="attacker-kid", jku=EVIL), E.KidNotFoundError),
    Case("jku-pool-kid", header("attacker", jku=EVIL), E.SignatureInvalidError),
    Case("x5u-pool-kid", header("attacker", x5u=EVIL), E.SignatureInvalidError),
    Case("x5c-chain", header("attacker", x5c=["MIIB"]), E.SignatureInvalidError),
    Case(
        "embedded-jwk",
        lambda k: header("attacker", jwk=k.attacker.jwk(kid=k.pool.kid))(k),
        E.SignatureInvalidError,
    ),
    Case("crit-header", header(crit=["exp"]), E.CriticalHeaderError),
    # Signature and encoding.
    Case("tampered-payload", _tampered, E.SignatureInvalidError),
    Case("other-key-same-kid", header("attacker"), E.SignatureInvalidError),
    Case("truncated-signature", lambda k: claims()(k)[:-2], E.SignatureInvalidError),
    Case("signature-bad-length", lambda k: claims()(k)[:-1], E.TokenMalformedError),
    Case("empty-signature", _without_signature(claims()), E.TokenMalformedError),
    Case("truncated-payload", _truncated_payload, E.SignatureInvalidError),
    Case("padded-segment", _padded, E.TokenMalformedError),
    Case("standard-base64-alphabet", _standard_base64, E.TokenMalformedError),
    Case("non-base64-characters", lambda k: "eyJ!!.eyJ**.c2ln", E.TokenMalformedError),
    Case("non-ascii", lambda k: claims()(k) + "é", E.TokenMalformedError),
    Case("header-not-json", lambda k: _raw_header(k, "alg=RS256"), E.TokenMalformedError),
    Case("header-json-array", lambda k: _raw_header(k, '["RS256"]'), E.TokenMalformedError),
    Case("header-duplicate-alg", _duplicate_header, E.DuplicateMemberError),
    # Parsers pushed to their limits: any failure is a malformed token, never a 500.
    Case(
        "header-nested-5000-levels",
        lambda k: _raw_header(k, "[" * DEEP + "]" * DEEP),
        E.TokenMalformedError,
    ),
    Case("header-unclosed-brackets", lambda k: _raw_header(k, "[" * 700), E.TokenMalformedError),
    Case("header-too-long", header(kid="k" * 2000), E.TokenMalformedError),
    Case(
        "header-not-utf8", _raw_header_bytes(b'{"alg":"RS256","kid":"\xff"}'), E.TokenMalformedError
    ),
    Case(
        "header-infinity",
        lambda k: _raw_header(k, f'{{"alg":"RS256","kid":"{k.pool.kid}","x":-Infinity}}'),
        E.TokenMalformedError,
    ),
    Case(
        "header-trailing-data",
        lambda k: _raw_header(k, f'{{"alg":"RS256","kid":"{k.pool.kid}"}}{{}}'),
        E.TokenMalformedError,
    ),
    Case("header-json-number", lambda k: _raw_header(k, "1e400"), E.TokenMalformedError),
    Case("kid-lone-surrogate", header(kid="\ud800"), E.KidNotFoundError),
    Case(
        "payload-nested-5000-levels",
        raw_claim("x", "[" * DEEP + "]" * DEEP),
        E.TokenMalformedError,
        skip=None if DEEP_FAILS else "this Python's json parses 5000 levels",
    ),
    Case("payload-unclosed-9000-levels", raw_claim("x", "[" * 9000), E.TokenMalformedError),
    Case("payload-json-array", raw_payload("[1]"), E.TokenMalformedError),
    Case("payload-trailing-data", raw_payload('{"sub":"x"}{}'), E.TokenMalformedError),
    Case("payload-infinity", raw_claim("nbf", "Infinity"), E.TokenMalformedError),
    Case("exp-beyond-int-digit-limit", raw_claim("exp", "9" * 5000), E.TokenMalformedError),
    Case("payload-not-json", raw_payload("sub=me"), E.TokenMalformedError),
    Case("payload-json-string", raw_payload('"access"'), E.TokenMalformedError),
    Case("payload-not-utf8", lambda k: k.pool.token(b"\xff\xfe{}"), E.TokenMalformedError),
    Case("payload-nan", _with_nan, E.TokenMalformedError),
    Case("duplicate-claims", _duplicate_claims, E.DuplicateMemberError),
    # Structure.
    Case("two-segments", lambda k: claims()(k).rsplit(".", 1)[0], E.TokenMalformedError),
    Case("four-segments", lambda k: claims()(k) + ".eyJ9", E.TokenMalformedError),
    Case("jwe-five-segments", _jwe, E.TokenNotJwsError),
    Case("enc-header", header(enc="A256GCM"), E.TokenNotJwsError),
    Case("nested-jwt", _nested, E.TokenNotJwsError),
    Case("dots-only", lambda k: "..", E.TokenMalformedError),
    Case("oversized-100kb", claims(padding="x" * 100_000), E.TokenTooLargeError),
    # Claim types.
    Case("exp-string", claims(exp="1900000000"), E.ClaimTypeError),
    Case("exp-bool", claims(exp=True), E.ClaimTypeError),
    Case("exp-infinite", _infinite_exp, E.ClaimTypeError),
    Case("exp-huge-integer", claims(exp=10**30), E.ClaimTypeError),
    Case("exp-huge-float", raw_claim("exp", "1e300"), E.ClaimTypeError),
    Case("exp-negative", claims(exp=-1), E.ClaimTypeError),
    Case("iat-huge-integer", claims(iat=2**64), E.ClaimTypeError),
    Case("nbf-huge-integer", claims(nbf=2**64), E.ClaimTypeError),
    Case("auth-time-huge-integer", claims(auth_time=2**64), E.ClaimTypeError),
    Case("version-huge-integer", claims(version=2**64), E.ClaimTypeError),
    Case("exp-null", raw_claim("exp", "null"), E.ClaimMissingError),
    Case("iat-list", claims(iat=[1]), E.ClaimTypeError),
    Case("sub-number", claims(sub=42), E.ClaimTypeError),
    Case("username-object", claims(username={"x": 1}), E.ClaimTypeError),
    Case("scope-list", claims(scope=["openid"]), E.ClaimTypeError),
    Case("groups-string", claims(cognito__groups="admins"), E.ClaimTypeError),
    Case("groups-mixed-list", claims(cognito__groups=["admins", 7]), E.ClaimTypeError),
    Case("origin-jti-number", claims(origin_jti=5), E.ClaimTypeError),
    Case("client-id-list", claims(client_id=[CLIENT_ID]), E.ClientIdInvalidError),
    Case("email-verified-number", id_claims(email_verified=1), E.ClaimTypeError, "id"),
    Case("aud-list", id_claims(aud=[CLIENT_ID]), E.AudienceInvalidError, "id"),
    # Time (the verifier's clock reads NOW, leeway 2 s).
    Case("expired", claims(exp=int(NOW) - 3), E.TokenExpiredError),
    Case("expired-long-ago", claims(iat=1_000_000_000, exp=1_000_003_600), E.TokenExpiredError),
    Case("not-yet-valid", claims(nbf=int(NOW) + 60), E.TokenNotYetValidError),
    Case("issued-in-far-future", claims(iat=int(NOW) + 10**8), E.TokenIssuedInFutureError),
    Case("exp-missing", claims(exp=None), E.ClaimMissingError),
    Case("iat-missing", claims(iat=None), E.ClaimMissingError),
    Case("sub-missing", claims(sub=None), E.ClaimMissingError),
    # Issuer, client, token kind.
    Case("wrong-issuer", claims(iss="https://evil.example"), E.IssuerInvalidError),
    Case("other-pool-issuer", claims(iss=OTHER_POOL), E.IssuerInvalidError),
    Case("issuer-trailing-slash", claims(iss=ISSUER + "/"), E.IssuerInvalidError),
    Case("issuer-missing", claims(iss=None), E.IssuerInvalidError),
    Case("wrong-client", claims(client_id="client-of-another-app"), E.ClientIdInvalidError),
    Case("client-id-missing", claims(client_id=None), E.ClientIdInvalidError),
    Case("aud-not-client-id", claims(client_id=None, aud=CLIENT_ID), E.ClientIdInvalidError),
    Case("id-token-as-access", id_claims(), E.TokenUseInvalidError),
    Case("access-token-as-id", claims(), E.TokenUseInvalidError, "id"),
    Case("token-use-missing", claims(token_use=None), E.TokenUseInvalidError),
    Case("token-use-refresh", claims(token_use="refresh"), E.TokenUseInvalidError),
    Case("id-wrong-audience", id_claims(aud="client-of-another-app"), E.AudienceInvalidError, "id"),
    Case("id-aud-missing", id_claims(aud=None), E.AudienceInvalidError, "id"),
]


@pytest.fixture
def keys(key: KeyPair, other_key: KeyPair, ec_key: ec.EllipticCurvePrivateKey) -> Keys:
    return Keys(pool=key, attacker=other_key, ec=ec_key)


@pytest.fixture
async def client(verifier: TokenVerifier) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(verifier))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def test_suite_is_large_and_names_are_unique() -> None:
    names = [case.name for case in CASES]
    assert len(names) >= 40
    assert len(set(names)) == len(names)


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_verifier_raises_the_exact_error(
    case: Case, keys: Keys, verifier: TokenVerifier
) -> None:
    if case.skip:
        pytest.skip(case.skip)
    token = case.build(keys)
    verify = verifier.verify_access if case.kind == "access" else verifier.verify_id
    with pytest.raises(errors.TokenError) as caught:
        await verify(token)
    assert type(caught.value) is case.error
    assert caught.value.code == case.error.code
    assert token not in str(caught.value)


@pytest.mark.anyio
@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
async def test_route_answers_401_with_the_code(
    case: Case, keys: Keys, client: httpx.AsyncClient
) -> None:
    if case.skip:
        pytest.skip(case.skip)
    token = case.build(keys)
    path = "/access" if case.kind == "access" else "/id"
    header = f"Bearer {token}".encode()  # bytes: some cases are not ASCII
    response = await client.get(path, headers=[(b"Authorization", header)])
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    assert response.json() == {"code": case.error.code}


def test_error_codes_are_unique() -> None:
    classes = [
        value
        for value in vars(errors).values()
        if isinstance(value, type)
        and issubclass(value, errors.TokenError | errors.KeysUnavailableError)
    ]
    codes = [cls.code for cls in classes]
    assert len(classes) > 25
    assert len(set(codes)) == len(codes)


@pytest.mark.anyio
async def test_the_valid_token_of_the_suite_is_accepted(
    keys: Keys, client: httpx.AsyncClient
) -> None:
    """The cases fail for their own reason, not because the baseline token is bad."""
    token = keys.pool.token(access_payload())
    response = await client.get("/access", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.json()["sub"] == access_payload()["sub"]
    id_token = keys.pool.token(id_payload())
    response = await client.get("/id", headers={"Authorization": f"Bearer {id_token}"})
    assert response.status_code == 200


def test_base64_helper_round_trips() -> None:
    assert base64.urlsafe_b64decode(b64(b"\xff\xfe") + "==") == b"\xff\xfe"
