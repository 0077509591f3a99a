"""Route-level behaviour of the dependencies: bearer parsing, optional auth, guards, 503."""

from __future__ import annotations

import typing
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any, Literal

import httpx
import pytest

from app.tokens import (
    RequireGroups,
    RequireIdGroups,
    RequireScopes,
    VerifiedAccessToken,
    VerifiedIdToken,
    require_groups,
    require_scopes,
)
from app.tokens.verifier import TokenVerifier

from .factory import JwksEndpoint, KeyPair, access_payload, id_payload, make_verifier
from .routes import build_app

pytestmark = pytest.mark.anyio


@pytest.fixture
async def client(verifier: TokenVerifier) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=build_app(verifier))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


@pytest.fixture
def access(key: KeyPair) -> str:
    return key.token(access_payload())


def _unauthorized(response: httpx.Response, code: str, *, invalid_token: bool) -> None:
    assert response.status_code == 401
    challenge = 'Bearer error="invalid_token"' if invalid_token else "Bearer"
    assert response.headers["WWW-Authenticate"] == challenge
    assert response.json() == {"code": code}


async def test_no_authorization_header(client: httpx.AsyncClient) -> None:
    _unauthorized(await client.get("/access"), "TOKEN_MISSING", invalid_token=False)


@pytest.mark.parametrize("value", ["Bearer", "Bearer ", "Bearer    ", "bearer"])
async def test_empty_bearer(client: httpx.AsyncClient, value: str) -> None:
    response = await client.get("/access", headers={"Authorization": value})
    _unauthorized(response, "TOKEN_MISSING", invalid_token=False)


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "BeArEr"])
async def test_scheme_is_case_insensitive(
    client: httpx.AsyncClient, access: str, scheme: str
) -> None:
    """RFC 7235 section 2.1: auth-scheme is case-insensitive, so "bearer" is accepted."""
    response = await client.get("/access", headers={"Authorization": f"{scheme} {access}"})
    assert response.status_code == 200
    assert response.json()["sub"] == access_payload()["sub"]


async def test_several_spaces_after_scheme(client: httpx.AsyncClient, access: str) -> None:
    response = await client.get("/access", headers={"Authorization": f"Bearer   {access}"})
    assert response.status_code == 200


@pytest.mark.parametrize("scheme", ["Basic", "Token", "JWT", "Bearer-ish"])
async def test_other_schemes(client: httpx.AsyncClient, access: str, scheme: str) -> None:
    response = await client.get("/access", headers={"Authorization": f"{scheme} {access}"})
    _unauthorized(response, "AUTH_SCHEME_UNSUPPORTED", invalid_token=False)


async def test_token_without_scheme(client: httpx.AsyncClient, access: str) -> None:
    response = await client.get("/access", headers={"Authorization": access})
    _unauthorized(response, "AUTH_SCHEME_UNSUPPORTED", invalid_token=False)


async def test_two_authorization_headers(client: httpx.AsyncClient, access: str) -> None:
    headers = [("Authorization", f"Bearer {access}"), ("Authorization", f"Bearer {access}")]
    response = await client.get("/access", headers=headers)
    _unauthorized(response, "AUTHORIZATION_HEADER_DUPLICATE", invalid_token=True)


async def test_proxy_joined_authorization_headers(client: httpx.AsyncClient, access: str) -> None:
    response = await client.get(
        "/access", headers={"Authorization": f"Bearer {access}, Bearer {access}"}
    )
    _unauthorized(response, "AUTHORIZATION_HEADER_DUPLICATE", invalid_token=True)


async def test_token_with_inner_space(client: httpx.AsyncClient, access: str) -> None:
    response = await client.get("/access", headers={"Authorization": f"Bearer {access} extra"})
    _unauthorized(response, "TOKEN_MALFORMED", invalid_token=True)


async def test_optional_without_header_is_anonymous(client: httpx.AsyncClient) -> None:
    response = await client.get("/optional")
    assert response.status_code == 200
    assert response.json() == {"sub": None}


async def test_optional_with_valid_token(client: httpx.AsyncClient, access: str) -> None:
    response = await client.get("/optional", headers={"Authorization": f"Bearer {access}"})
    assert response.json() == {"sub": access_payload()["sub"]}


@pytest.mark.parametrize(
    ("value", "code"),
    [("Bearer not.a.jwt", "TOKEN_MALFORMED"), ("Basic dXNlcjpwYXNz", "AUTH_SCHEME_UNSUPPORTED")],
)
async def test_optional_with_bad_credentials_is_refused(
    client: httpx.AsyncClient, value: str, code: str
) -> None:
    response = await client.get("/optional", headers={"Authorization": value})
    assert response.status_code == 401
    assert response.json() == {"code": code}


async def test_id_token_route(client: httpx.AsyncClient, key: KeyPair) -> None:
    token = key.token(id_payload())
    response = await client.get("/id", headers={"Authorization": f"Bearer {token}"})
    assert response.json() == {"sub": id_payload()["sub"], "email": "ada@example.com"}


async def test_group_any_of(client: httpx.AsyncClient, access: str, key: KeyPair) -> None:
    ok = await client.get("/admin-or-staff", headers={"Authorization": f"Bearer {access}"})
    assert ok.status_code == 200
    outsider = key.token(access_payload(cognito__groups=["staff"]))
    refused = await client.get("/admin-or-staff", headers={"Authorization": f"Bearer {outsider}"})
    assert refused.status_code == 403
    assert refused.json() == {"code": "GROUP_REQUIRED"}
    no_groups = key.token(access_payload(cognito__groups=None))
    refused = await client.get("/admin-or-staff", headers={"Authorization": f"Bearer {no_groups}"})
    assert refused.status_code == 403


async def test_group_all_of(client: httpx.AsyncClient, access: str, key: KeyPair) -> None:
    refused = await client.get("/all-groups", headers={"Authorization": f"Bearer {access}"})
    assert refused.status_code == 403
    member = key.token(access_payload(cognito__groups=["nobody", "admins"]))
    ok = await client.get("/all-groups", headers={"Authorization": f"Bearer {member}"})
    assert ok.status_code == 200


async def test_scopes(client: httpx.AsyncClient, access: str, key: KeyPair) -> None:
    ok = await client.get("/admin-scope", headers={"Authorization": f"Bearer {access}"})
    assert ok.status_code == 200
    refused = await client.get("/both-scopes", headers={"Authorization": f"Bearer {access}"})
    assert refused.status_code == 403
    assert refused.json() == {"code": "INSUFFICIENT_SCOPE"}
    partial = key.token(access_payload(scope="openid profile"))
    refused = await client.get("/both-scopes", headers={"Authorization": f"Bearer {partial}"})
    assert refused.status_code == 403
    both = key.token(access_payload(scope="openid email profile"))
    ok = await client.get("/both-scopes", headers={"Authorization": f"Bearer {both}"})
    assert ok.status_code == 200


async def test_guard_without_token_is_401(client: httpx.AsyncClient) -> None:
    _unauthorized(await client.get("/admin-scope"), "TOKEN_MISSING", invalid_token=False)


async def test_keys_outage_answers_503(key: KeyPair, jwks_document: dict[str, object]) -> None:
    endpoint = JwksEndpoint(document={}, error=httpx.ConnectError("down"))
    verifier = make_verifier(endpoint)
    transport = httpx.ASGITransport(app=build_app(verifier))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as http:
        headers = {"Authorization": f"Bearer {key.token(access_payload())}"}
        first = await http.get("/access", headers=headers)
        again = await http.get("/access", headers=headers)
    verifier.close()
    for response in (first, again):
        assert response.status_code == 503
        assert response.json() == {"code": "JWKS_UNAVAILABLE"}
        assert int(response.headers["Retry-After"]) >= 1
    assert endpoint.requests == 2  # one fetch and its retry; the second request hit the cool-down


async def test_openapi_documents_the_bearer_scheme(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    scheme = schema["components"]["securitySchemes"]["CognitoBearer"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert {"CognitoBearer": []} in schema["paths"]["/access"]["get"]["security"]
    assert {"CognitoBearer": []} in schema["paths"]["/admin-scope"]["get"]["security"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


@pytest.mark.parametrize(
    ("path", "claims", "status", "body"),
    [
        ("/alias/scope", {}, 200, {"sub": access_payload()["sub"]}),
        ("/alias/scope", {"scope": "openid"}, 200, {"sub": access_payload()["sub"]}),
        ("/alias/scope", {"scope": "email phone"}, 403, {"code": "INSUFFICIENT_SCOPE"}),
        ("/alias/scope", {"scope": None}, 403, {"code": "INSUFFICIENT_SCOPE"}),
        ("/alias/all-scopes", {"scope": "openid email x"}, 200, ["openid", "email", "x"]),
        ("/alias/all-scopes", {"scope": "openid"}, 403, {"code": "INSUFFICIENT_SCOPE"}),
        ("/alias/groups", {}, 200, ["admins", "staff"]),
        ("/alias/groups", {"cognito__groups": ["staff"]}, 403, {"code": "GROUP_REQUIRED"}),
        ("/alias/all-groups", {}, 403, {"code": "GROUP_REQUIRED"}),
        ("/alias/all-groups", {"cognito__groups": ["nobody", "admins"]}, 200, ["nobody", "admins"]),
    ],
)
async def test_access_token_aliases(
    client: httpx.AsyncClient,
    key: KeyPair,
    path: str,
    claims: dict[str, Any],
    status: int,
    body: object,
) -> None:
    response = await client.get(path, headers=_bearer(key.token(access_payload(**claims))))
    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize(
    ("path", "groups", "status", "body"),
    [
        ("/alias/id-groups", ["admins"], 200, {"email": "ada@example.com"}),
        ("/alias/id-groups", ["staff"], 403, {"code": "GROUP_REQUIRED"}),
        ("/alias/id-all-groups", ["admins"], 403, {"code": "GROUP_REQUIRED"}),
        ("/alias/id-all-groups", ["staff", "admins"], 200, {"email": "ada@example.com"}),
        ("/id-admins", ["admins"], 200, {"ok": True}),
        ("/id-admins", None, 403, {"code": "GROUP_REQUIRED"}),
    ],
)
async def test_id_token_group_guards(
    client: httpx.AsyncClient,
    key: KeyPair,
    path: str,
    groups: list[str] | None,
    status: int,
    body: object,
) -> None:
    token = key.token(id_payload(cognito__groups=groups))
    response = await client.get(path, headers=_bearer(token))
    assert (response.status_code, response.json()) == (status, body)


@pytest.mark.parametrize("path", ["/alias/scope", "/alias/groups", "/alias/id-groups"])
async def test_aliases_refuse_missing_and_wrong_kind_tokens(
    client: httpx.AsyncClient, key: KeyPair, path: str
) -> None:
    _unauthorized(await client.get(path), "TOKEN_MISSING", invalid_token=False)
    wrong = key.token(access_payload() if "id-" in path else id_payload())
    _unauthorized(
        await client.get(path, headers=_bearer(wrong)), "TOKEN_USE_INVALID", invalid_token=True
    )


def test_aliases_are_annotated_dependencies_built_once() -> None:
    first = RequireScopes[Literal["openid"]]
    assert typing.get_origin(first) is Annotated
    kind, depends = typing.get_args(first)
    assert kind is VerifiedAccessToken
    # Plain strings work at runtime too (mypy wants Literal), and give the same guard object.
    assert typing.get_args(RequireScopes["openid"])[1] is depends  # type: ignore[name-defined]
    assert typing.get_args(RequireIdGroups[Literal["admins"]])[0] is VerifiedIdToken


@pytest.mark.parametrize(
    "build",
    [
        lambda: RequireScopes[Literal[""]],
        lambda: RequireGroups[()],  # type: ignore[misc]
        lambda: require_scopes(),
        lambda: require_groups("admins", match="most"),  # type: ignore[arg-type]
        lambda: require_groups("admins", kind="refresh"),  # type: ignore[arg-type]
    ],
)
def test_bad_guard_definitions_fail_at_import(build: Callable[[], object]) -> None:
    with pytest.raises(ValueError, match=r"must be|non-empty"):
        build()


async def test_openapi_documents_the_aliases(client: httpx.AsyncClient) -> None:
    paths = (await client.get("/openapi.json")).json()["paths"]
    for path in ("/alias/scope", "/alias/all-groups", "/alias/id-groups", "/id-admins"):
        assert {"CognitoBearer": []} in paths[path]["get"]["security"], path
