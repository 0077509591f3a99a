"""The Lambda entry point (Mangum) driven with real API Gateway v2 and v1 event documents."""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Response

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


def test_the_container_reuses_its_app_and_clients(lambda_module: ModuleType) -> None:
    app_before, gateway_before = lambda_module.app, lambda_module.app.state.gateway
    for _ in range(2):
        lambda_module.handler(v2_event("GET", "/me"), FakeContext())
    assert lambda_module.app is app_before
    assert lambda_module.app.state.gateway is gateway_before


def _with_stage_v2(event: dict[str, Any], stage: str, domain: str) -> dict[str, Any]:
    event["requestContext"]["stage"] = stage
    event["requestContext"]["domainName"] = event["headers"]["host"] = domain
    if stage != "$default" and ".execute-api." in domain:
        event["rawPath"] = f"/{stage}{event['rawPath']}"
        event["requestContext"]["http"]["path"] = event["rawPath"]
    return event


def _with_base_v1(event: dict[str, Any], base: str, domain: str) -> dict[str, Any]:
    event["requestContext"]["path"] = f"{base}{event['path']}"
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


@pytest.mark.parametrize(("make", "prefix"), STAGES)
def test_docs_and_routes_work_under_every_stage_shape(
    lambda_module: ModuleType, make: Callable[[], dict[str, Any]], prefix: str
) -> None:
    docs = lambda_module.handler(make(), FakeContext())
    assert docs["statusCode"] == 200
    assert f"url: '{prefix}/openapi.json'" in docs["body"]

    spec_event = make()
    for key in ("rawPath", "path"):
        if key in spec_event:
            spec_event[key] = spec_event[key].replace("/docs", "/openapi.json")
    if "http" in spec_event["requestContext"]:
        spec_event["requestContext"]["http"]["path"] = spec_event["rawPath"]
    else:
        spec_event["requestContext"]["path"] = spec_event["requestContext"]["path"].replace(
            "/docs", "/openapi.json"
        )
    spec = lambda_module.handler(spec_event, FakeContext())
    assert spec["statusCode"] == 200
    servers = json.loads(spec["body"]).get("servers", [])
    assert servers == ([{"url": prefix}] if prefix else [])


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
