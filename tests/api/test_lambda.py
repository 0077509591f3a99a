"""The Lambda entry point (Mangum) driven with real API Gateway v2 and v1 event documents."""

from __future__ import annotations

import base64
import importlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore.session
import httpx
import pytest
from fastapi import FastAPI, Response

from app.main import create_app
from app.settings import Settings
from app.tokens.jwks import JwksCache
from local_cognito.server import LocalCognito
from tests.conftest import PASSWORD, new_email, register_and_confirm

EVENTS = Path(__file__).resolve().parent.parent / "lambda_events"


class FakeContext:
    """The few LambdaContext attributes Mangum and the logger read."""

    function_name = "auth-api"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:auth-api"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"


@pytest.fixture(scope="module")
def lambda_module(cognito: LocalCognito) -> Iterator[ModuleType]:
    """Import app.lambda_handler the way Lambda does: configured from the environment."""
    with pytest.MonkeyPatch.context() as patch:
        for name, value in cognito.settings_env().items():
            patch.setenv(name, value)
        patch.setenv("ENVIRONMENT", "test")
        import app.lambda_handler as module

        yield importlib.reload(module)


def v2_event(
    method: str, path: str, body: object | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "http_api_v2.json").read_text())
    event["rawPath"] = event["requestContext"]["http"]["path"] = path
    event["requestContext"]["http"]["method"] = method
    event["body"] = json.dumps(body) if body is not None else ""
    event["headers"].update(headers or {})
    return event


def v1_event(
    method: str, path: str, body: object | None = None, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / "rest_api_v1.json").read_text())
    event["path"] = path
    event["httpMethod"] = event["requestContext"]["httpMethod"] = method
    event["requestContext"]["path"] = "/Prod" + path
    event["pathParameters"] = {"proxy": path.lstrip("/")}
    event["body"] = json.dumps(body) if body is not None else None
    for name, value in (headers or {}).items():
        event["headers"][name] = value
        event["multiValueHeaders"][name] = [value]
    return event


EventFactory = Callable[..., dict[str, Any]]


@pytest.mark.parametrize("make_event", [v2_event, v1_event], ids=["http-api-v2", "rest-api-v1"])
def test_sign_in_and_me_through_lambda(
    lambda_module: ModuleType, client: httpx.Client, cognito: LocalCognito, make_event: EventFactory
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)

    signin = lambda_module.handler(
        make_event("POST", "/auth/signin", {"email": email, "password": PASSWORD}), FakeContext()
    )
    assert signin["statusCode"] == 200
    assert signin["isBase64Encoded"] is False
    tokens = json.loads(signin["body"])
    assert tokens["status"] == "SIGNED_IN"

    me = lambda_module.handler(
        make_event("GET", "/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}),
        FakeContext(),
    )
    assert me["statusCode"] == 200
    assert json.loads(me["body"])["email"] == email


@pytest.mark.parametrize("make_event", [v2_event, v1_event], ids=["http-api-v2", "rest-api-v1"])
def test_errors_come_back_as_text_problem_json_with_the_gateway_request_id(
    lambda_module: ModuleType, make_event: EventFactory
) -> None:
    response = lambda_module.handler(
        make_event("POST", "/auth/signin", {"email": new_email(), "password": "Wr0ng-pass!"}),
        FakeContext(),
    )
    assert response["statusCode"] == 401
    assert response["isBase64Encoded"] is False
    body = json.loads(response["body"])
    assert body["code"] == "BAD_CREDENTIALS"
    event = make_event("GET", "/")
    assert body["request_id"] == event["requestContext"]["requestId"]


def _sign_in_and_read_me(lambda_module: ModuleType, email: str) -> None:
    signin = lambda_module.handler(
        v2_event("POST", "/auth/signin", {"email": email, "password": PASSWORD}), FakeContext()
    )
    token = json.loads(signin["body"])["access_token"]
    for _ in range(2):
        me = lambda_module.handler(
            v2_event("GET", "/me", headers={"authorization": f"Bearer {token}"}), FakeContext()
        )
        assert me["statusCode"] == 200, me["body"]


def test_the_container_reuses_its_clients_and_caches(
    lambda_module: ModuleType,
    client: httpx.Client,
    cognito: LocalCognito,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    email = new_email()
    register_and_confirm(client, cognito, email)
    # The first calls may build what is made lazily (the profile table's client), once.
    _sign_in_and_read_me(lambda_module, email)
    state = lambda_module.app.state
    kept = (lambda_module.handler, state.gateway, state.verifier, state.profiles)
    cached_tokens = state.verifier.cached_tokens

    clients: list[str] = []
    create_client = botocore.session.Session.create_client

    def counting_create_client(
        self: botocore.session.Session, service_name: str, *args: Any, **kwargs: Any
    ) -> Any:
        clients.append(service_name)
        return create_client(self, service_name, *args, **kwargs)

    downloads: list[str] = []
    download = JwksCache._download

    def counting_download(self: JwksCache) -> Any:
        downloads.append("jwks")
        return download(self)

    monkeypatch.setattr(botocore.session.Session, "create_client", counting_create_client)
    monkeypatch.setattr(JwksCache, "_download", counting_download)
    _sign_in_and_read_me(lambda_module, email)

    assert clients == []  # no boto3 client is made per invocation
    assert downloads == []  # the signing keys fetched at init serve every invocation
    assert (lambda_module.handler, state.gateway, state.verifier, state.profiles) == kept
    # One new access token from the second sign-in: its second /me was a cache hit.
    assert state.verifier.cached_tokens == cached_tokens + 1


def _with_stage_v2(event: dict[str, Any], stage: str, domain: str) -> dict[str, Any]:
    event["requestContext"]["stage"] = stage
    event["requestContext"]["domainName"] = event["headers"]["host"] = domain
    if stage != "$default" and ".execute-api." in domain:
        event["rawPath"] = f"/{stage}{event['rawPath']}"
        event["requestContext"]["http"]["path"] = event["rawPath"]
    return event


def _with_base_v1(
    event: dict[str, Any], base: str, domain: str, stage: str = "Prod"
) -> dict[str, Any]:
    event["requestContext"]["path"] = f"{base}{event['path']}"
    event["requestContext"]["stage"] = stage
    event["requestContext"]["domainName"] = event["headers"]["Host"] = domain
    return event


STAGES = [
    pytest.param(
        lambda: _with_stage_v2(
            v2_event("GET", "/docs"), "$default", "r3pmxmplak.execute-api.eu-west-1.amazonaws.com"
        ),
        "",
        id="v2-default-stage",
    ),
    pytest.param(
        lambda: _with_stage_v2(
            v2_event("GET", "/docs"), "dev", "r3pmxmplak.execute-api.eu-west-1.amazonaws.com"
        ),
        "/dev",
        id="v2-named-stage",
    ),
    pytest.param(
        lambda: _with_stage_v2(v2_event("GET", "/docs"), "dev", "auth.example.com"),
        "",
        id="v2-custom-domain",
    ),
    # REST APIs have no $default stage; payload 1.0 on an HTTP API's $default stage has it.
    pytest.param(
        lambda: _with_base_v1(
            v1_event("GET", "/docs"),
            "",
            "r3pmxmplak.execute-api.eu-west-1.amazonaws.com",
            stage="$default",
        ),
        "",
        id="v1-default-stage",
    ),
    pytest.param(
        lambda: _with_base_v1(
            v1_event("GET", "/docs"), "/Prod", "70ixmpl4fl.execute-api.eu-west-1.amazonaws.com"
        ),
        "/Prod",
        id="v1-named-stage",
    ),
    pytest.param(
        lambda: _with_base_v1(v1_event("GET", "/docs"), "", "auth.example.com"),
        "",
        id="v1-custom-domain",
    ),
    pytest.param(
        lambda: _with_base_v1(v1_event("GET", "/docs"), "/auth", "api.example.com"),
        "/auth",
        id="v1-custom-domain-base-path",
    ),
]


def _moved(event: dict[str, Any], new_path: str) -> dict[str, Any]:
    """The same request for another path (the event was made for /docs)."""
    for key in ("rawPath", "path"):
        if key in event:
            event[key] = event[key].replace("/docs", new_path)
    if "http" in event["requestContext"]:
        event["requestContext"]["http"]["path"] = event["rawPath"]
    else:
        event["requestContext"]["path"] = event["requestContext"]["path"].replace("/docs", new_path)
    return event


@pytest.mark.parametrize(("make", "prefix"), STAGES)
def test_docs_and_routes_work_under_every_stage_shape(
    lambda_module: ModuleType, make: Callable[[], dict[str, Any]], prefix: str
) -> None:
    docs = lambda_module.handler(make(), FakeContext())
    assert docs["statusCode"] == 200
    # The browser fetches the definition and the page's assets from inside the stage.
    assert f"url: '{prefix}/openapi.json'" in docs["body"]
    assert f'src="{prefix}/docs-assets/swagger-ui-bundle.js"' in docs["body"]
    asset = lambda_module.handler(
        _moved(make(), "/docs-assets/swagger-ui-bundle.js"), FakeContext()
    )
    assert asset["statusCode"] == 200

    spec = lambda_module.handler(_moved(make(), "/openapi.json"), FakeContext())
    assert spec["statusCode"] == 200
    assert spec["isBase64Encoded"] is False
    document = json.loads(spec["body"])
    assert "/auth/signin" in document["paths"]
    assert document.get("servers", []) == ([{"url": prefix}] if prefix else [])


@pytest.mark.parametrize(("make", "prefix"), STAGES)
def test_the_deployed_cdn_docs_follow_the_stage_too(
    lambda_module: ModuleType, settings: Settings, make: Callable[[], dict[str, Any]], prefix: str
) -> None:
    # serverless.yml leaves DOCS_ASSETS at its default: FastAPI's own pages, assets from a CDN.
    handler = lambda_module.build_handler(
        create_app(settings.model_copy(update={"docs_assets": "cdn"}))
    )
    docs = handler(make(), FakeContext())
    assert docs["statusCode"] == 200
    assert f"url: '{prefix}/openapi.json'" in docs["body"]
    spec = handler(_moved(make(), "/openapi.json"), FakeContext())
    assert spec["statusCode"] == 200
    assert "/auth/signin" in json.loads(spec["body"])["paths"]


def test_several_set_cookie_headers_survive(lambda_module: ModuleType) -> None:
    cookie_app = FastAPI()

    @cookie_app.get("/cookies")
    def cookies(response: Response) -> dict[str, bool]:
        response.set_cookie("a", "1")
        response.set_cookie("b", "2")
        return {"ok": True}

    handler = lambda_module.build_handler(cookie_app)
    v2 = handler(v2_event("GET", "/cookies"), FakeContext())
    assert sorted(c.split(";")[0] for c in v2["cookies"]) == ["a=1", "b=2"]
    v1 = handler(v1_event("GET", "/cookies"), FakeContext())
    assert sorted(c.split(";")[0] for c in v1["multiValueHeaders"]["set-cookie"]) == ["a=1", "b=2"]


TEXT_TYPES = [
    "application/json",
    "application/problem+json",
    "application/vnd.api+json",
    "application/merge-patch+json",
    "application/vnd.oai.openapi+json",
    "text/html; charset=utf-8",
    "text/plain; charset=utf-8",
]


@pytest.mark.parametrize("make_event", [v2_event, v1_event], ids=["http-api-v2", "rest-api-v1"])
@pytest.mark.parametrize("media_type", TEXT_TYPES)
def test_json_family_and_text_bodies_come_back_as_text(
    lambda_module: ModuleType, make_event: EventFactory, media_type: str
) -> None:
    typed_app = FastAPI()
    body = '{"title": "caf\u00e9", "status": 400}'

    @typed_app.get("/typed")
    def typed() -> Response:
        return Response(body, media_type=media_type)

    response = lambda_module.build_handler(typed_app)(make_event("GET", "/typed"), FakeContext())
    assert response["isBase64Encoded"] is False
    assert response["body"] == body


def test_binary_bodies_stay_base64(lambda_module: ModuleType) -> None:
    binary_app = FastAPI()
    png = b"\x89PNG\r\n\x1a\n\x00\xff"

    @binary_app.get("/image")
    def image() -> Response:
        return Response(png, media_type="image/png")

    response = lambda_module.build_handler(binary_app)(v2_event("GET", "/image"), FakeContext())
    assert response["isBase64Encoded"] is True
    assert base64.b64decode(response["body"]) == png
