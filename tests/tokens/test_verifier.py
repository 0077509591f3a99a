"""The verifier built from settings, its typed claims, extra clients and at_hash handling."""

from __future__ import annotations

import base64
import hashlib
import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

import app.tokens
from app.settings import Settings
from app.tokens.claims import AccessClaims, IdClaims
from app.tokens.errors import AtHashInvalidError, ClientIdInvalidError, JwksRefusedError
from app.tokens.verifier import TokenVerifier

from .factory import (
    CLIENT_ID,
    JWKS_URL,
    OTHER_CLIENT_ID,
    POOL_ID,
    JwksEndpoint,
    KeyPair,
    access_payload,
    id_payload,
)
from .test_jwks import _emulator_jwks

pytestmark = pytest.mark.anyio


def _settings(**values: Any) -> Settings:
    return Settings(
        cognito_user_pool_id=POOL_ID, cognito_client_id=CLIENT_ID, environment="test", **values
    )


def _now_token(key: KeyPair, **claims: Any) -> str:
    return key.token(access_payload(now=time.time(), **claims))


async def test_from_settings_fetches_the_configured_url(
    endpoint: JwksEndpoint, key: KeyPair
) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return endpoint.handler(request)

    with httpx.Client(transport=httpx.MockTransport(handler)) as client:
        verifier = TokenVerifier.from_settings(_settings(), http_client=client)
        await verifier.start()
        claims = await verifier.verify_access(_now_token(key))
        verifier.close()  # not its client: stays open
        assert not client.is_closed
    assert seen == [JWKS_URL]
    assert claims == AccessClaims(
        sub=claims.sub,
        username=access_payload()["username"],
        client_id=CLIENT_ID,
        iss=access_payload()["iss"],
        exp=claims.exp,
        iat=claims.iat,
        scope=("aws.cognito.signin.user.admin",),
        groups=("admins", "staff"),
        auth_time=claims.auth_time,
        jti=access_payload()["jti"],
        origin_jti=access_payload()["origin_jti"],
        event_id=access_payload()["event_id"],
    )


async def test_from_settings_with_a_jwks_file(
    tmp_path: Path, jwks_document: dict[str, Any], key: KeyPair
) -> None:
    path = tmp_path / "jwks.json"
    path.write_text(json.dumps(jwks_document), encoding="utf-8")
    verifier = TokenVerifier.from_settings(_settings(cognito_jwks_file=path))
    assert (await verifier.verify_access(_now_token(key))).client_id == CLIENT_ID


async def test_extra_client_ids_are_accepted(jwks_document: dict[str, Any], key: KeyPair) -> None:
    settings = _settings(cognito_jwks_json=json.dumps(jwks_document), extra_client_ids="other")
    verifier = TokenVerifier.from_settings(settings)
    assert (await verifier.verify_access(_now_token(key, client_id="other"))).client_id == "other"
    with pytest.raises(ClientIdInvalidError):
        await verifier.verify_access(_now_token(key, client_id=OTHER_CLIENT_ID))


def test_production_refuses_a_static_emulator_jwks(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = _settings(cognito_jwks_json=json.dumps(_emulator_jwks()))
    monkeypatch.setattr(settings, "environment", "production")
    with pytest.raises(JwksRefusedError):
        TokenVerifier.from_settings(settings)


async def test_owned_client_is_closed() -> None:
    verifier = TokenVerifier.from_settings(_settings())
    client = verifier._owned_client
    assert client is not None
    verifier.close()
    assert client.is_closed


async def test_id_claims_are_typed(verifier: TokenVerifier, key: KeyPair) -> None:
    claims = await verifier.verify_id(key.token(id_payload(email_verified="true")))
    assert isinstance(claims, IdClaims)
    assert claims.email_verified is True
    assert claims.groups == ("admins",)
    assert (claims.given_name, claims.family_name) == ("Ada", "Lovelace")
    assert claims.cognito_username == id_payload()["cognito:username"]


async def test_fractional_numeric_dates_are_accepted(verifier: TokenVerifier, key: KeyPair) -> None:
    """RFC 7519 NumericDate may be fractional; the claims keep whole seconds."""
    now = access_payload()["iat"]
    token = key.token(access_payload(iat=now + 0.5, exp=now + 60.75, nbf=now - 0.25))
    claims = await verifier.verify_access(token)
    assert (claims.iat, claims.exp, claims.nbf) == (now, now + 60, now - 1)


def _at_hash(access_token: str) -> str:
    digest = hashlib.sha256(access_token.encode()).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode()


async def test_at_hash_checked_when_the_access_token_is_given(
    verifier: TokenVerifier, key: KeyPair
) -> None:
    access = key.token(access_payload())
    id_token = key.token(id_payload(at_hash=_at_hash(access)))
    assert (await verifier.verify_id(id_token)).at_hash == _at_hash(access)
    assert (await verifier.verify_id(id_token, access_token=access)).sub
    with pytest.raises(AtHashInvalidError):
        await verifier.verify_id(id_token, access_token=key.token(access_payload(jti="other")))


def test_public_names_are_exported() -> None:
    for name in app.tokens.__all__:
        assert getattr(app.tokens, name) is not None
    assert issubclass(app.tokens.MissingTokenError, app.tokens.TokenError)
    assert not issubclass(app.tokens.KeysUnavailableError, app.tokens.TokenError)
