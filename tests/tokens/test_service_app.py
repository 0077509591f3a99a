"""Hostile tokens through the real service app: one generic 401, the reason only in the log."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any, Literal, cast

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from fastapi import APIRouter, FastAPI

from app.cognito.gateway import CognitoGateway
from app.cognito.models import CognitoUser
from app.errors import ApiError, ErrorCode
from app.main import create_app
from app.settings import Settings
from app.tokens import RequireScopes
from app.tokens.revocation import DynamoDbRevocationStore
from app.tokens.verifier import TokenVerifier

from .factory import CLIENT_ID, POOL_ID, JwksEndpoint, KeyPair, access_payload, make_verifier
from .test_hostile import CASES, Case, Keys

pytestmark = pytest.mark.anyio

# A table-driven subset of the hostile suite: one case per family.
SUBSET = (
    "alg-none-with-signature",
    "hs256-public-key-pem",
    "kid-unknown",
    "jku-pool-kid",
    "tampered-payload",
    "non-base64-characters",
    "header-nested-5000-levels",
    "payload-unclosed-9000-levels",
    "jwe-five-segments",
    "exp-huge-integer",
    "expired",
    "wrong-issuer",
    "wrong-client",
    "id-token-as-access",
    "duplicate-claims",
    "oversized-100kb",
)
SUBSET_CASES = [case for case in CASES if case.name in SUBSET]


class StubGateway:
    """GetUser only: the one Cognito call GET /me makes once the token is accepted."""

    def __init__(self, refuse: bool = False) -> None:
        self.refuse = refuse

    def get_user(self, access_token: str) -> CognitoUser:
        """Answer as Cognito would for the token's user (or refuse it, as after sign-out)."""
        if self.refuse:
            raise ApiError(ErrorCode.INVALID_TOKEN)
        return CognitoUser(username="ada", attributes={"sub": access_payload()["sub"]})


class Records(logging.Handler):
    """Records as the service emits them, before any handler's scrubbing filter."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record."""
        self.records.append(record)

    def text(self) -> str:
        """Everything a formatter could print from the records."""
        return "\n".join(f"{r.getMessage()} {r.args!r} {vars(r)!r}" for r in self.records)


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    loggers = [logging.getLogger(name) for name in ("app.errors", "app.tokens")]
    for logger in loggers:
        logger.addHandler(handler)
    yield handler
    for logger in loggers:
        logger.removeHandler(handler)


def _service(verifier: TokenVerifier, gateway: StubGateway | None = None) -> FastAPI:
    settings = Settings(
        environment="test",
        cognito_user_pool_id=POOL_ID,
        cognito_client_id=CLIENT_ID,
        platform_table_name="",  # explicit: the local Cognito exports its table to this process
    )
    app = create_app(
        settings, gateway=cast(CognitoGateway, gateway or StubGateway()), verifier=verifier
    )
    router = APIRouter()

    @router.get("/scoped")
    async def scoped(token: RequireScopes[Literal["openid"]]) -> dict[str, Any]:
        return {"sub": token.claims.sub}

    app.include_router(router)
    return app


async def _client(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


@pytest.fixture
async def client(verifier: TokenVerifier) -> AsyncIterator[httpx.AsyncClient]:
    async with await _client(_service(verifier)) as http:
        yield http


@pytest.fixture
def keys(key: KeyPair, other_key: KeyPair, ec_key: ec.EllipticCurvePrivateKey) -> Keys:
    return Keys(pool=key, attacker=other_key, ec=ec_key)


def _problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert (body["status"], body["code"]) == (status, code)
    assert body["request_id"] == response.headers["x-request-id"]
    assert response.headers["cache-control"] == "no-store"


def test_every_subset_name_is_a_hostile_case() -> None:
    assert sorted(case.name for case in SUBSET_CASES) == sorted(SUBSET)


@pytest.mark.parametrize("case", SUBSET_CASES, ids=lambda case: case.name)
async def test_hostile_token_gets_the_generic_401(
    case: Case,
    keys: Keys,
    client: httpx.AsyncClient,
    records: Records,
    caplog: pytest.LogCaptureFixture,
) -> None:
    token = case.build(keys)
    caplog.set_level(logging.INFO, logger="app")
    response = await client.get("/me", headers={"Authorization": f"Bearer {token}"})
    _problem(response, 401, "INVALID_TOKEN")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'
    assert case.error.code not in response.text  # the reason stays internal
    reasons = [getattr(r, "reason", None) for r in caplog.records if r.name == "app.errors"]
    assert reasons == [case.error.code]
    logged = records.text()
    assert "token rejected" in logged
    for part in (token, *(segment for segment in token.split(".") if len(segment) > 8)):
        assert part not in logged


@pytest.mark.parametrize(
    ("headers", "reason"),
    [
        ({}, "TOKEN_MISSING"),
        ({"Authorization": "Bearer "}, "TOKEN_MISSING"),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, "AUTH_SCHEME_UNSUPPORTED"),
    ],
)
async def test_no_bearer_token_gets_a_bare_challenge(
    client: httpx.AsyncClient,
    caplog: pytest.LogCaptureFixture,
    headers: dict[str, str],
    reason: str,
) -> None:
    """RFC 6750 section 3.1: no error code when no credentials of this scheme were sent."""
    caplog.set_level(logging.INFO, logger="app")
    response = await client.get("/me", headers=headers)
    _problem(response, 401, "NOT_AUTHENTICATED")
    assert response.headers["www-authenticate"] == "Bearer"
    assert [getattr(r, "reason", None) for r in caplog.records if r.name == "app.errors"] == [
        reason
    ]


async def test_valid_token_reaches_the_route(client: httpx.AsyncClient, key: KeyPair) -> None:
    response = await client.get(
        "/me", headers={"Authorization": f"Bearer {key.token(access_payload())}"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["sub"] == access_payload()["sub"]


async def test_token_refused_by_cognito_is_an_invalid_token(
    verifier: TokenVerifier, key: KeyPair
) -> None:
    """A token the verifier accepts but Cognito refuses (signed out) still says invalid_token."""
    async with await _client(_service(verifier, StubGateway(refuse=True))) as http:
        response = await http.get(
            "/me", headers={"Authorization": f"Bearer {key.token(access_payload())}"}
        )
    _problem(response, 401, "INVALID_TOKEN")
    assert response.headers["www-authenticate"] == 'Bearer error="invalid_token"'


async def test_scope_guard_answers_403_insufficient_scope(
    client: httpx.AsyncClient, key: KeyPair
) -> None:
    token = key.token(access_payload(scope="email"))
    response = await client.get("/scoped", headers={"Authorization": f"Bearer {token}"})
    _problem(response, 403, "INSUFFICIENT_SCOPE")
    assert response.headers["www-authenticate"] == 'Bearer error="insufficient_scope"'
    ok = key.token(access_payload(scope="openid email"))
    assert (
        await client.get("/scoped", headers={"Authorization": f"Bearer {ok}"})
    ).status_code == 200


async def test_keys_outage_is_503_with_the_verifiers_retry_after(key: KeyPair) -> None:
    endpoint = JwksEndpoint(document={}, error=httpx.ConnectError("down"))
    verifier = make_verifier(endpoint, cooldown=30)
    async with await _client(_service(verifier)) as http:
        headers = {"Authorization": f"Bearer {key.token(access_payload())}"}
        responses = [await http.get("/me", headers=headers) for _ in range(2)]
    verifier.close()
    for response in responses:
        _problem(response, 503, "TOKEN_KEYS_UNAVAILABLE")
        assert response.headers["retry-after"] == "30"  # the cool-down left, not a fixed 5
    assert endpoint.requests == 2  # one fetch and its retry


class _DynamoDbDown:
    def get_item(self, **_: object) -> dict[str, Any]:
        raise ConnectionError("DynamoDB unreachable")


async def test_revocation_outage_has_its_own_code(
    jwks_document: dict[str, Any], key: KeyPair
) -> None:
    store = DynamoDbRevocationStore("table", lambda: cast(Any, _DynamoDbDown()))
    verifier = make_verifier(static=jwks_document, revocation=store)
    async with await _client(_service(verifier)) as http:
        response = await http.get(
            "/me", headers={"Authorization": f"Bearer {key.token(access_payload())}"}
        )
    _problem(response, 503, "TOKEN_REVOCATION_UNAVAILABLE")
    assert response.headers["retry-after"] == "5"
