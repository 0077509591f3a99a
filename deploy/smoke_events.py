"""Event documents and outcome checks for deploy/smoke_lambda.py (API Gateway and Cognito).

The documents are the project's real ones (tests/lambda_events, tests/events), adjusted per
call; a check returns None when an outcome is right, else what is wrong with it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
Event = dict[str, Any]
Check = Callable[[dict[str, Any]], str | None]
HTML, JSON, PROBLEM = "text/html", "application/json", "application/problem+json"


@dataclass
class Case:
    """One event for one function and what its outcome must satisfy."""

    name: str
    event: Event
    check: Check


def load(relative: str) -> Event:
    """A JSON event document of the project."""
    path = ROOT / relative
    if not path.is_file():
        raise SystemExit(f"FAIL: event document {relative} is missing")
    document: Event = json.loads(path.read_text())
    return document


def http_v2(
    method: str,
    path: str,
    *,
    stage: str = "$default",
    body: object | None = None,
    token: str | None = None,
) -> Event:
    """An HTTP API (payload 2.0) event; a named stage prefixes rawPath as API Gateway does."""
    event = load("tests/lambda_events/http_api_v2.json")
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    text = "" if body is None else json.dumps(body)
    event["rawPath"] = raw_path
    event["requestContext"]["http"].update(method=method, path=raw_path)
    event["requestContext"]["stage"] = stage
    event["body"] = text
    event["headers"]["content-length"] = str(len(text.encode()))
    if body is None:
        event["headers"].pop("content-type", None)
    if token is not None:
        event["headers"]["authorization"] = f"Bearer {token}"
    return event


def rest_v1(
    method: str,
    path: str,
    *,
    stage: str = "dev",
    body: object | None = None,
    token: str | None = None,
) -> Event:
    """A REST API (payload 1.0) event with the stage in requestContext, as API Gateway sends."""
    event = load("tests/lambda_events/rest_api_v1.json")
    event.update(httpMethod=method, path=path, body=None if body is None else json.dumps(body))
    event["pathParameters"] = {"proxy": path.lstrip("/")}
    context = event["requestContext"]
    context.update(httpMethod=method, stage=stage, path=f"/{stage}{path}")
    if token is not None:
        event["headers"]["Authorization"] = f"Bearer {token}"
        event["multiValueHeaders"]["Authorization"] = [f"Bearer {token}"]
    return event


def trigger_event(source: str, pool_id: str, client_id: str, region: str) -> Event:
    """The project's Cognito event document for `source`, aimed at the local pool."""
    event = load(f"tests/events/{source}.json")
    event["userPoolId"] = pool_id
    event["region"] = region
    event["callerContext"]["clientId"] = client_id
    return event


# ---------------------------------------------------------------- checks


def headers_of(response: dict[str, Any]) -> dict[str, str]:
    """Response headers, lower-cased, v1 multiValueHeaders folded in."""
    headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
    multi = response.get("multiValueHeaders") or {}
    headers.update({k.lower(): v[0] for k, v in multi.items() if v})
    return headers


def body_json(outcome: dict[str, Any]) -> dict[str, Any]:
    """The JSON body of an API outcome ({} when there is none)."""
    response = outcome.get("response")
    if not isinstance(response, dict) or not response.get("body"):
        return {}
    try:
        document = json.loads(response["body"])
    except ValueError:
        return {}
    return document if isinstance(document, dict) else {}


def http(
    status: set[int],
    content_type: str | None,
    contains: tuple[str, ...] = (),
    absent: tuple[str, ...] = (),
) -> Check:
    """An HTTP outcome with one of `status`, this content type, as text, containing these."""

    def check(outcome: dict[str, Any]) -> str | None:
        response = outcome.get("response")
        if not isinstance(response, dict):
            return f"no HTTP response: {outcome}"
        headers = headers_of(response)
        problems = []
        if response.get("statusCode") not in status:
            body = str(response.get("body"))[:300]
            problems.append(f"status {response.get('statusCode')} not in {sorted(status)}: {body}")
        actual = headers.get("content-type", "")
        if content_type is not None and not actual.startswith(content_type):
            problems.append(f"content-type {actual!r} is not {content_type}")
        if response.get("isBase64Encoded"):
            problems.append("body is base64-encoded, expected text")
        body = response.get("body") or ""
        problems += [f"body lacks {text!r}" for text in contains if text not in body]
        problems += [f"body has {text!r}" for text in absent if text in body]
        return "; ".join(problems) or None

    return check


def trigger_returns_event(source: str) -> Check:
    """A trigger outcome that is the event back, with its response object."""

    def check(outcome: dict[str, Any]) -> str | None:
        response = outcome.get("response")
        if not isinstance(response, dict):
            return f"did not return the event: {outcome}"
        if response.get("triggerSource") != source or not isinstance(
            response.get("response"), dict
        ):
            return "returned something other than the event with its response"
        return None

    return check


# ---------------------------------------------------------------- fixed cases


def api_docs_cases(password: str) -> list[Case]:
    """Docs and routes under $default, a named stage and REST v1, and failed sign-ins."""
    stranger = {"email": "nobody@example.com", "password": password}
    spec = ('"/auth/signin"',)
    return [
        Case("v2 $default GET /docs", http_v2("GET", "/docs"), http({200}, HTML, ("openapi",))),
        Case(
            "v2 $default GET /openapi.json",
            http_v2("GET", "/openapi.json"),
            http({200}, JSON, spec),
        ),
        Case(
            "v2 stage dev GET /openapi.json",
            http_v2("GET", "/openapi.json", stage="dev"),
            http({200}, JSON, spec),
        ),
        Case(
            "v2 stage dev GET /docs",
            http_v2("GET", "/docs", stage="dev"),
            http({200}, HTML, ("/dev/openapi.json",)),
        ),
        Case(
            "v1 stage dev GET /docs",
            rest_v1("GET", "/docs"),
            http({200}, HTML, ("/dev/openapi.json",)),
        ),
        Case(
            "v1 stage dev GET /openapi.json",
            rest_v1("GET", "/openapi.json"),
            http({200}, JSON, spec),
        ),
        Case("v2 unknown route", http_v2("GET", "/no-such-route"), http({404}, PROBLEM)),
        Case(
            "v2 POST /auth/signin unknown user",
            http_v2("POST", "/auth/signin", body=stranger),
            http({401}, PROBLEM, absent=(password,)),
        ),
        Case(
            "v1 POST /auth/signin unknown user",
            rest_v1("POST", "/auth/signin", body=stranger),
            http({401}, PROBLEM, absent=(password,)),
        ),
    ]


TRIGGER_SOURCES = {
    "triggers.pre_sign_up": ["PreSignUp_SignUp", "PreSignUp_AdminCreateUser"],
    "triggers.post_confirmation": [
        "PostConfirmation_ConfirmSignUp",
        "PostConfirmation_ConfirmForgotPassword",
    ],
    "triggers.pre_authentication": ["PreAuthentication_Authentication"],
    "triggers.post_authentication": ["PostAuthentication_Authentication"],
    "triggers.define_auth_challenge": ["DefineAuthChallenge_Authentication"],
    "triggers.create_auth_challenge": ["CreateAuthChallenge_Authentication"],
    "triggers.verify_auth_challenge": ["VerifyAuthChallengeResponse_Authentication"],
}


def trigger_cases(handler: str, pool_id: str, client_id: str, region: str) -> list[Case]:
    """Each Cognito event document the trigger behind `handler` receives."""
    module = handler.rsplit(".", 1)[0].replace("/", ".")
    if module not in TRIGGER_SOURCES:
        raise SystemExit(f"FAIL: no smoke events for handler {handler}")
    return [
        Case(
            source, trigger_event(source, pool_id, client_id, region), trigger_returns_event(source)
        )
        for source in TRIGGER_SOURCES[module]
    ]
