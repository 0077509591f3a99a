"""Import and invoke every handler of the packaged template from its unpacked zip, under 3.12.

For each Lambda function in `.serverless/cloudformation-template-update-stack.json`: unzip its
artifact, give it the template's environment (Refs resolved to resources made in a local moto
server on loopback), and run `deploy/lambda_invoke.py` in `python3.12 -I -S`, which sees the zip
and a stand-in for the runtime's boto3 only. The API gets HTTP API v2 and REST v1 event
documents, each trigger its Cognito event documents (tests/lambda_events, tests/events). Any AWS
call goes to moto through AWS_ENDPOINT_URL; anything else is sent to a dead loopback proxy, so
nothing leaves the machine.

Usage: python deploy/smoke_lambda.py [BUILD_DIR]   (run with the project's venv: needs moto)
"""

from __future__ import annotations

import base64
import copy
import importlib.metadata
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
from cryptography.hazmat.primitives.asymmetric import rsa
from moto.server import ThreadedMotoServer

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "deploy"))
from check_artifacts import functions  # noqa: E402

REGION = "eu-west-1"
LAMBDA_PYTHON = ["python3.12"]
LAMBDA_PYTHON_ENV = {"PYENV_VERSION": "3.12.1"}
SMOKE_PASSWORD = "Sm0ke-Test-Passw0rd!"  # noqa: S105  # throwaway, for the emulator only
# Dummy credentials: every AWS call goes to the local emulator.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
Event = dict[str, Any]
Check = Callable[[dict[str, Any]], str | None]


@dataclass
class Case:
    """One event for one function and what its outcome must satisfy (None = fine)."""

    name: str
    event: Event
    check: Check


@dataclass
class Stack:
    """The local stand-ins for the template's resources."""

    endpoint: str
    refs: dict[str, str]
    client_secret: str
    jwks: str
    sub_by_email: dict[str, str] = field(default_factory=dict)


# ---------------------------------------------------------------- events


def _load(relative: str) -> Event:
    path = ROOT / relative
    if not path.is_file():
        raise SystemExit(f"FAIL: event document {relative} is missing")
    document: Event = json.loads(path.read_text())
    return document


def http_v2(method: str, path: str, *, stage: str = "$default", body: str = "") -> Event:
    """An HTTP API (payload 2.0) event; a named stage prefixes rawPath as API Gateway does."""
    event = _load("tests/lambda_events/http_api_v2.json")
    raw_path = path if stage == "$default" else f"/{stage}{path}"
    event["rawPath"] = raw_path
    event["requestContext"]["http"].update(method=method, path=raw_path)
    event["requestContext"]["stage"] = stage
    event["body"] = body
    event["headers"]["content-length"] = str(len(body.encode()))
    if method == "GET":
        event["headers"].pop("content-type", None)
    return event


def rest_v1(method: str, path: str, *, stage: str = "dev", body: str | None = None) -> Event:
    """A REST API (payload 1.0) event with the stage in requestContext, as API Gateway sends."""
    event = _load("tests/lambda_events/rest_api_v1.json")
    event.update(httpMethod=method, path=path, body=body)
    event["pathParameters"] = {"proxy": path.lstrip("/")}
    context = event["requestContext"]
    context.update(httpMethod=method, stage=stage, path=f"/{stage}{path}")
    return event


def trigger_event(source: str, stack: Stack) -> Event:
    """The project's Cognito event document for `source`, aimed at the local pool."""
    event = _load(f"tests/events/{source}.json")
    event["userPoolId"] = stack.refs["UserPool"]
    event["region"] = REGION
    event["callerContext"]["clientId"] = stack.refs["UserPoolClient"]
    return event


# ---------------------------------------------------------------- checks


def _http(
    status: set[int],
    content_type: str,
    contains: tuple[str, ...] = (),
    absent: tuple[str, ...] = (),
) -> Check:
    def check(outcome: dict[str, Any]) -> str | None:
        response = outcome.get("response")
        if not isinstance(response, dict):
            return f"no HTTP response: {outcome}"
        headers = {k.lower(): v for k, v in (response.get("headers") or {}).items()}
        multi = response.get("multiValueHeaders") or {}
        headers.update({k.lower(): v[0] for k, v in multi.items() if v})
        problems = []
        if response.get("statusCode") not in status:
            problems.append(f"status {response.get('statusCode')} not in {sorted(status)}")
        if not headers.get("content-type", "").startswith(content_type):
            problems.append(f"content-type {headers.get('content-type')!r} is not {content_type}")
        if response.get("isBase64Encoded"):
            problems.append("body is base64-encoded, expected text")
        body = response.get("body") or ""
        problems += [f"body lacks {text!r}" for text in contains if text not in body]
        problems += [f"body has {text!r}" for text in absent if text in body]
        return "; ".join(problems) or None

    return check


def _trigger_returns_event(source: str) -> Check:
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


def api_cases() -> list[Case]:
    """Docs and routes under $default, a named stage and REST v1; a register; a failed sign-in."""
    register = json.dumps({"email": "smoke@example.com", "password": SMOKE_PASSWORD})
    stranger = json.dumps({"email": "nobody@example.com", "password": SMOKE_PASSWORD})
    html, problem = "text/html", "application/problem+json"
    return [
        Case("v2 $default GET /docs", http_v2("GET", "/docs"), _http({200}, html, ("openapi",))),
        Case(
            "v2 $default GET /openapi.json",
            http_v2("GET", "/openapi.json"),
            _http({200}, "application/json", ('"/auth/signin"',)),
        ),
        Case(
            "v2 stage dev GET /openapi.json",
            http_v2("GET", "/openapi.json", stage="dev"),
            _http({200}, "application/json", ('"/auth/signin"',)),
        ),
        Case(
            "v2 stage dev GET /docs",
            http_v2("GET", "/docs", stage="dev"),
            _http({200}, html, ("/dev/openapi.json",)),
        ),
        Case(
            "v1 stage dev GET /docs",
            rest_v1("GET", "/docs"),
            _http({200}, html, ("/dev/openapi.json",)),
        ),
        Case(
            "v1 stage dev GET /openapi.json",
            rest_v1("GET", "/openapi.json"),
            _http({200}, "application/json", ('"/auth/signin"',)),
        ),
        Case("v2 unknown route", http_v2("GET", "/no-such-route"), _http({404}, problem)),
        Case(
            "v2 POST /auth/register",
            http_v2("POST", "/auth/register", body=register),
            _http({200, 201, 202}, "application/json", absent=(SMOKE_PASSWORD,)),
        ),
        Case(
            "v2 POST /auth/signin unknown user",
            http_v2("POST", "/auth/signin", body=stranger),
            _http({401}, problem, absent=(SMOKE_PASSWORD,)),
        ),
        Case(
            "v1 POST /auth/signin unknown user",
            rest_v1("POST", "/auth/signin", body=stranger),
            _http({401}, problem, absent=(SMOKE_PASSWORD,)),
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


def cases_for(handler: str, stack: Stack) -> list[Case]:
    """The events to send to one handler."""
    module = handler.rsplit(".", 1)[0].replace("/", ".")
    if module == "app.lambda_handler":
        return api_cases()
    if module not in TRIGGER_SOURCES:
        raise SystemExit(f"FAIL: no smoke events for handler {handler}")
    return [
        Case(source, trigger_event(source, stack), _trigger_returns_event(source))
        for source in TRIGGER_SOURCES[module]
    ]


# ---------------------------------------------------------------- local resources


def fake_session() -> boto3.Session:
    """A boto3 session with the dummy credentials, for the emulator."""
    return boto3.Session(
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )


@contextmanager
def local_stack() -> Iterator[Stack]:
    """A moto server on loopback holding the pool, client, table and topics of the template."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        session = fake_session()
        definition = json.loads((ROOT / "deploy" / "user_pool.json").read_text())
        idp = session.client("cognito-idp", endpoint_url=endpoint)
        pool_id = idp.create_user_pool(**definition["UserPool"])["UserPool"]["Id"]
        client = idp.create_user_pool_client(UserPoolId=pool_id, **definition["UserPoolClient"])
        client_id = client["UserPoolClient"]["ClientId"]
        dynamodb = session.client("dynamodb", endpoint_url=endpoint)
        table = "smoke-platform"
        dynamodb.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            AttributeDefinitions=[
                {"AttributeName": "userId", "AttributeType": "S"},
                {"AttributeName": "imageId", "AttributeType": "S"},
            ],
            KeySchema=[
                {"AttributeName": "userId", "KeyType": "HASH"},
                {"AttributeName": "imageId", "KeyType": "RANGE"},
            ],
        )
        sns = session.client("sns", endpoint_url=endpoint)
        yield Stack(
            endpoint=endpoint,
            refs={
                "UserPool": pool_id,
                "UserPoolClient": client_id,
                "PlatformTable": table,
                "WelcomeTopic": sns.create_topic(Name="smoke-welcome")["TopicArn"],
                "ChallengeTopic": sns.create_topic(Name="smoke-codes")["TopicArn"],
            },
            client_secret=client["UserPoolClient"]["ClientSecret"],
            jwks=smoke_jwks(),
        )
    finally:
        server.stop()


def smoke_jwks() -> str:
    """A JWKS with a fresh RSA key: the API refuses the emulator's public key in production."""
    numbers = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    public = numbers.public_numbers()

    def b64(value: int) -> str:
        raw = value.to_bytes((value.bit_length() + 7) // 8, "big")
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()

    key = {"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "smoke", "n": b64(public.n)}
    key["e"] = b64(public.e)
    return json.dumps({"keys": [key]})


def runtime_root(cache: Path) -> Path:
    """boto3 as the python3.12 runtime provides it (same version as the project's venv)."""
    version = importlib.metadata.version("boto3")
    target = cache / f"lambda-runtime-py312-boto3-{version}"
    if not (target / "boto3").is_dir():
        subprocess.run(  # noqa: S603  # fixed argv, no shell
            [
                sys.executable,
                "-m",
                "pip",
                "install",
                "--quiet",
                "--target",
                str(target),
                "--python-version",
                "3.12",
                "--only-binary=:all:",
                f"boto3=={version}",
            ],
            check=True,
        )
    return target


def function_env(props: dict[str, Any], stack: Stack, task_root: Path) -> dict[str, str]:
    """The template's variables with Refs resolved, plus what Lambda itself sets."""
    env: dict[str, str] = {}
    for name, value in (props.get("Environment") or {}).get("Variables", {}).items():
        if isinstance(value, dict):
            value = stack.refs[value["Ref"]]
        env[name] = str(value)
    if props["Handler"].startswith("app"):
        # The real pool's keys come from AWS; here a local key is given inline, so that init
        # fetches nothing.
        env["COGNITO_JWKS_JSON"] = stack.jwks
    env.update(FAKE_CREDENTIALS)
    env.update(
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_ENDPOINT_URL=stack.endpoint,
        AWS_LAMBDA_FUNCTION_NAME=props.get("FunctionName", "fn"),
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=str(props.get("MemorySize", 128)),
        AWS_EXECUTION_ENV="AWS_Lambda_python3.12",
        LAMBDA_TASK_ROOT=str(task_root),
        TZ=":UTC",
        LANG="en_US.UTF-8",
        PATH=os.environ["PATH"],
        HOME=os.environ.get("HOME", "/root"),
        # Anything not aimed at the emulator goes to a closed loopback port, never outside.
        HTTP_PROXY="http://127.0.0.1:9",
        HTTPS_PROXY="http://127.0.0.1:9",
        NO_PROXY="127.0.0.1,localhost",
        **LAMBDA_PYTHON_ENV,
    )
    return env


# ---------------------------------------------------------------- run


def invoke(
    task_root: Path, runtime: Path, props: dict[str, Any], env: dict[str, str], events: list[Event]
) -> tuple[dict[str, Any], str]:
    """Run the handler in a bare 3.12 interpreter; return its result and its output."""
    with tempfile.TemporaryDirectory() as work:
        events_file, result_file = Path(work) / "events.json", Path(work) / "result.json"
        events_file.write_text(json.dumps(events))
        command = [
            *LAMBDA_PYTHON,
            "-I",
            "-S",
            str(ROOT / "deploy" / "lambda_invoke.py"),
            str(task_root),
            str(runtime),
            props["Handler"],
            str(events_file),
            str(result_file),
            props.get("FunctionName", "fn"),
            str(props.get("MemorySize", 128)),
            str(props.get("Timeout", 6)),
        ]
        done = subprocess.run(  # noqa: S603  # fixed argv, no shell
            command, env=env, capture_output=True, text=True, timeout=120, check=False
        )
        output = done.stdout + done.stderr
        if done.returncode != 0 or not result_file.is_file():
            return {"init_error": f"exit {done.returncode}"}, output
        result: dict[str, Any] = json.loads(result_file.read_text())
        return result, output


def post_checks(handler: str, stack: Stack) -> list[str]:
    """Side effects the triggers must have had on the local resources."""
    if not handler.startswith("triggers/post_confirmation"):
        return []
    dynamodb = fake_session().client("dynamodb", endpoint_url=stack.endpoint)
    sub = _load("tests/events/PostConfirmation_ConfirmSignUp.json")["request"]["userAttributes"][
        "sub"
    ]
    items = dynamodb.query(
        TableName=stack.refs["PlatformTable"],
        KeyConditionExpression="userId = :u",
        ExpressionAttributeValues={":u": {"S": sub}},
    )["Items"]
    return [] if items else ["post_confirmation wrote no profile for the confirmed user"]


def main(argv: list[str]) -> int:
    """Smoke-test every function of the packaged template; exit 1 on any failure."""
    build = Path(argv[1]) if len(argv) > 1 else ROOT / ".serverless"
    template_file = build / "cloudformation-template-update-stack.json"
    if not template_file.is_file():
        print(f"FAIL: {template_file} is missing: run `npx osls package` first")
        return 1
    if shutil.which(LAMBDA_PYTHON[0]) is None:
        print("FAIL: python3.12 is not on PATH (pyenv 3.12.1 expected)")
        return 1
    template = json.loads(template_file.read_text())
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's request log
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cognito-auth"
    runtime = runtime_root(cache)
    failures: list[str] = []
    with local_stack() as stack, tempfile.TemporaryDirectory() as unpacked:
        for logical_id, (handler, zip_name) in sorted(functions(template).items()):
            props = template["Resources"][logical_id]["Properties"]
            task_root = Path(unpacked) / logical_id
            with zipfile.ZipFile(build / zip_name) as archive:
                archive.extractall(task_root)
            cases = cases_for(handler, stack)
            env = function_env(props, stack, task_root)
            result, output = invoke(
                task_root, runtime, props, env, [copy.deepcopy(c.event) for c in cases]
            )
            if "init_error" in result:
                failures.append(f"{logical_id}: import failed\n{result['init_error']}\n{output}")
                continue
            init_ms = result["init_ms"]
            print(f"{logical_id} ({handler}) on Python {result['python']}: init {init_ms:.0f} ms")
            for case, outcome in zip(cases, result["invocations"], strict=True):
                problem = case.check(outcome)
                status = "ok" if problem is None else f"FAIL: {problem}"
                print(f"  {case.name}: {outcome['ms']:.0f} ms {status}")
                if problem is not None:
                    failures.append(f"{logical_id} {case.name}: {problem}")
            for secret, label in (
                (SMOKE_PASSWORD, "password"),
                (stack.client_secret, "client secret"),
            ):
                if secret in output:
                    failures.append(f"{logical_id}: the {label} appears in its output")
            failures += [f"{logical_id}: {p}" for p in post_checks(handler, stack)]
    for failure in failures:
        print(f"FAIL: {failure}")
    print(f"lambda smoke: {len(failures)} failure(s)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
