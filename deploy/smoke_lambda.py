"""Import and invoke every handler of the packaged template from its unpacked zip, under 3.12.

For each Lambda function in `.serverless/cloudformation-template-update-stack.json`: unzip its
artifact, give it the template's environment (Refs resolved to resources of the project's local
Cognito on loopback, whose AWS behaviour layer checks SECRET_HASH, codes and sessions as AWS
does), and start `deploy/lambda_invoke.py` in `python3.12 -I -S`, which sees the zip and a
stand-in for the runtime's boto3 only, as one warm container fed one event at a time.

The API gets its docs and routes as HTTP API v2 and REST v1 events, then a whole account flow
with the template's environment as it is (production): register, confirm with the code from the
local outbox, sign in with the password (answering the e-mailed-code challenge if the adaptive
flow asks). A client secret the API failed to resolve would fail the register here, as on AWS.
Production refuses the emulator's publicly known signing key, so a second container, the same
but ENVIRONMENT=development and the local pool's keys, signs in again over REST v1 and uses the
tokens: GET /me, refresh, identity-pool credentials, sign out. Each trigger gets its Cognito
event documents. Any AWS call goes to the local Cognito through AWS_ENDPOINT_URL; anything else
to a dead loopback proxy, so nothing leaves the machine.

Usage: python deploy/smoke_lambda.py [BUILD_DIR]   (run with the project's venv: local_cognito)
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
import threading
import urllib.request
import uuid
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import boto3
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "deploy"), str(ROOT)]
from check_artifacts import functions  # noqa: E402
from smoke_events import (  # noqa: E402
    JSON,
    PROBLEM,
    Case,
    api_docs_cases,
    body_json,
    http,
    http_v2,
    rest_v1,
    trigger_cases,
)

from local_cognito.server import LocalCognito, start  # noqa: E402

REGION = "eu-west-1"
LAMBDA_PYTHON = ["python3.12"]
LAMBDA_PYTHON_ENV = {"PYENV_VERSION": "3.12.1"}
SMOKE_PASSWORD = "Sm0ke-Test-Passw0rd!"  # noqa: S105  # throwaway, for the emulator only
# Dummy credentials: every AWS call goes to the local emulator.
FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}
CALL_TIMEOUT_S = 120
API_HANDLER = "app/lambda_handler.handler"


@dataclass
class Stack:
    """The local stand-ins for the template's resources and parameters."""

    cognito: LocalCognito
    refs: dict[str, str]
    smoke_jwks: str
    pool_jwks: str

    @property
    def endpoint(self) -> str:
        """Where every AWS service of the stack answers."""
        return self.cognito.endpoint_url


@dataclass
class Report:
    """The failures found so far."""

    failures: list[str] = field(default_factory=list)

    def fail(self, label: str, problem: str) -> None:
        """Record a failure and print it in place."""
        print(f"  FAIL: {problem}")
        self.failures.append(f"{label}: {problem}")


# ---------------------------------------------------------------- local resources


def fake_session() -> boto3.Session:
    """A boto3 session with the dummy credentials, for the emulator."""
    return boto3.Session(
        aws_access_key_id=FAKE_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=FAKE_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )


def _platform_refs(cognito: LocalCognito) -> dict[str, str]:
    """The table and topics: the local Cognito's own when it made them, else made here."""
    if cognito.platform is not None:
        return {
            "PlatformTable": cognito.platform.table_name,
            "WelcomeTopic": cognito.platform.topic_arn,
            "ChallengeTopic": cognito.platform.challenge_topic_arn,
        }
    session = fake_session()
    table = "smoke-platform"
    session.client("dynamodb", endpoint_url=cognito.endpoint_url).create_table(
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
    sns = session.client("sns", endpoint_url=cognito.endpoint_url)
    return {
        "PlatformTable": table,
        "WelcomeTopic": sns.create_topic(Name="smoke-welcome")["TopicArn"],
        "ChallengeTopic": sns.create_topic(Name="smoke-codes")["TopicArn"],
    }


def _fetch(url: str) -> str:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # loopback, no proxy
    with opener.open(url, timeout=10) as response:
        return str(response.read().decode())


@contextmanager
def local_stack() -> Iterator[Stack]:
    """The local Cognito (pool and client from deploy/user_pool.json) with table and topics."""
    cognito = start(region=REGION)
    try:
        refs = {
            "UserPool": cognito.pool.pool_id,
            "UserPoolClient": cognito.pool.client_id,
            "IdentityPool": cognito.identity_pool_id,
            **_platform_refs(cognito),
        }
        yield Stack(cognito, refs, smoke_jwks(), _fetch(cognito.pool.jwks_url))
    finally:
        cognito.stop()


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


def function_env(
    props: dict[str, Any], template: dict[str, Any], stack: Stack, task_root: Path
) -> dict[str, str]:
    """The template's variables with Refs resolved, plus what Lambda itself sets."""
    parameters = template.get("Parameters", {})
    env: dict[str, str] = {}
    for name, value in (props.get("Environment") or {}).get("Variables", {}).items():
        if isinstance(value, dict):
            ref = value["Ref"]
            value = stack.refs[ref] if ref in stack.refs else parameters[ref]["Default"]
        env[name] = str(value)
    if props["Handler"] == API_HANDLER:
        # The real pool's keys come from AWS; here a local key is given inline, so that init
        # fetches nothing.
        env["COGNITO_JWKS_JSON"] = stack.smoke_jwks
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


# ---------------------------------------------------------------- one warm container


class Container:
    """One python3.12 process with the handler imported, invoked once per event (warm)."""

    def __init__(
        self, task_root: Path, runtime: Path, props: dict[str, Any], env: dict[str, str], log: Path
    ) -> None:
        self._log_path = log
        self._log: IO[str] = log.open("w")
        command = [
            *LAMBDA_PYTHON,
            "-I",
            "-S",
            str(ROOT / "deploy" / "lambda_invoke.py"),
            str(task_root),
            str(runtime),
            props["Handler"],
            props.get("FunctionName", "fn"),
            str(props.get("MemorySize", 128)),
            str(props.get("Timeout", 6)),
        ]
        self._process = subprocess.Popen(  # noqa: S603  # fixed argv, no shell
            command,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._log,
            text=True,
        )
        self.init = self._receive() or {"init_error": "the process exited before init"}

    def _receive(self) -> dict[str, Any] | None:
        assert self._process.stdout is not None
        watchdog = threading.Timer(CALL_TIMEOUT_S, self._process.kill)
        watchdog.start()
        try:
            line = self._process.stdout.readline()
        finally:
            watchdog.cancel()
        return json.loads(line) if line else None

    def invoke(self, event: dict[str, Any]) -> dict[str, Any]:
        """The handler's outcome for one event."""
        assert self._process.stdin is not None
        try:
            self._process.stdin.write(json.dumps(event) + "\n")
            self._process.stdin.flush()
        except BrokenPipeError:
            return {"error": "ContainerGone", "message": "the process has exited"}
        outcome = self._receive()
        return outcome or {"error": "ContainerGone", "message": "the process exited"}

    def close(self) -> str:
        """Stop the container; return everything it wrote besides the protocol."""
        assert self._process.stdin is not None
        self._process.stdin.close()
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        assert self._process.stdout is not None
        self._process.stdout.close()
        self._log.close()
        return self._log_path.read_text()


def run_case(container: Container, label: str, case: Case, report: Report) -> dict[str, Any]:
    """Invoke one case, print its time and verdict, record a failure; return the outcome."""
    outcome = container.invoke(copy.deepcopy(case.event))
    problem = case.check(outcome)
    print(f"  {case.name}: {outcome.get('ms', 0):.0f} ms {'ok' if problem is None else ''}")
    if problem is not None:
        report.fail(f"{label} {case.name}", problem)
    return outcome


# ---------------------------------------------------------------- the API's account flows


def sign_in(
    container: Container, label: str, stack: Stack, email: str, rest: bool, report: Report
) -> dict[str, Any]:
    """Sign in with the password (over REST v1 or HTTP API v2); the tokens, or {} on failure."""
    make = rest_v1 if rest else http_v2
    kind = "v1" if rest else "v2"
    credentials = {"email": email, "password": SMOKE_PASSWORD}
    body = body_json(
        run_case(
            container,
            label,
            Case(
                f"{kind} POST /auth/signin, correct password",
                make("POST", "/auth/signin", body=credentials),
                http({200}, JSON, absent=(SMOKE_PASSWORD,)),
            ),
            report,
        )
    )
    if body.get("status") == "CHALLENGE":
        # The adaptive flow (SIGN_IN_FLOW=adaptive) may ask for a code e-mailed by the
        # CreateAuthChallenge trigger; the local Cognito's outbox has it.
        step = body.get("next_step") or {}
        message = stack.cognito.outbox.latest(email, purpose="sign_in")
        if step.get("challenge_name") != "CUSTOM_CHALLENGE" or message is None:
            report.fail(label, f"sign-in asked for {step.get('challenge_name')}, no code to send")
            return {}
        answer = {
            "challenge_name": step["challenge_name"],
            "session": step["session"],
            "username": step["username"],
            "answer": message.code,
        }
        body = body_json(
            run_case(
                container,
                label,
                Case(
                    f"{kind} POST /auth/challenge, the e-mailed sign-in code",
                    make("POST", "/auth/challenge", body=answer),
                    http({200}, JSON),
                ),
                report,
            )
        )
    if body.get("status") != "SIGNED_IN":
        report.fail(label, f"sign-in ended in {body.get('status')!r}, not SIGNED_IN")
        return {}
    return body


def register_confirm_sign_in(
    container: Container, label: str, stack: Stack, email: str, report: Report
) -> bool:
    """The account flow as deployed: Cognito checks every SECRET_HASH the API sends."""
    registration = {"email": email, "password": SMOKE_PASSWORD, "given_name": "Smoke"}
    outcome = run_case(
        container,
        label,
        Case(
            "v2 POST /auth/register (SECRET_HASH checked)",
            http_v2("POST", "/auth/register", body=registration),
            http({201}, JSON, ('"confirmed":false',), absent=(SMOKE_PASSWORD,)),
        ),
        report,
    )
    message = stack.cognito.outbox.latest(email, purpose=None)
    if not body_json(outcome).get("user_sub") or message is None:
        report.fail(label, "registration failed or sent no confirmation code")
        return False
    run_case(
        container,
        label,
        Case(
            "v2 POST /auth/confirm, the code from the local outbox",
            http_v2("POST", "/auth/confirm", body={"email": email, "code": message.code}),
            http({204}, None),
        ),
        report,
    )
    return bool(sign_in(container, label, stack, email, rest=False, report=report))


def use_the_tokens(
    container: Container, label: str, stack: Stack, email: str, report: Report
) -> None:
    """Sign in over REST v1, then GET /me, refresh, identity credentials and sign out."""
    tokens = sign_in(container, label, stack, email, rest=True, report=report)
    if not tokens:
        return
    access, refresh = tokens["access_token"], tokens["refresh_token"]
    cases = [
        Case(
            "v2 GET /me, the access token",
            http_v2("GET", "/me", token=access),
            http({200}, JSON, (f'"email":"{email}"',)),
        ),
        Case(
            "v1 POST /auth/refresh",
            rest_v1(
                "POST",
                "/auth/refresh",
                body={"refresh_token": refresh, "username": tokens["username"]},
            ),
            http({200}, JSON, ('"access_token"',)),
        ),
        Case(
            "v2 POST /auth/credentials, the ID token",
            http_v2("POST", "/auth/credentials", token=tokens["id_token"]),
            http({200}, JSON, ('"identity_id":"eu-west-1:',)),
        ),
        Case(
            "v2 POST /auth/signout",
            http_v2("POST", "/auth/signout", token=access, body={"refresh_token": refresh}),
            http({204}, None),
        ),
        Case(
            "v1 POST /auth/refresh after sign-out",
            rest_v1(
                "POST",
                "/auth/refresh",
                body={"refresh_token": refresh, "username": tokens["username"]},
            ),
            http({401}, PROBLEM, ("REFRESH_TOKEN_INVALID",)),
        ),
    ]
    for case in cases:
        run_case(container, label, case, report)


# ---------------------------------------------------------------- run


@dataclass
class Function:
    """One function of the template, unpacked."""

    logical_id: str
    props: dict[str, Any]
    task_root: Path


def start_container(
    function: Function, env: dict[str, str], runtime: Path, work: Path, label: str, report: Report
) -> Container | None:
    """A warm container for the function, or None (failure recorded) when its import fails."""
    log = work / f"{label.replace(' ', '_')}.log"
    container = Container(function.task_root, runtime, function.props, env, log)
    if "init_error" in container.init:
        output = container.close()
        report.fail(label, f"import failed\n{container.init['init_error']}\n{output}")
        return None
    handler = function.props["Handler"]
    init_ms = container.init["init_ms"]
    print(f"{label} ({handler}) on Python {container.init['python']}: init {init_ms:.0f} ms")
    return container


def finish(container: Container, label: str, stack: Stack, report: Report) -> None:
    """Stop the container and check it never printed the password or the client secret."""
    output = container.close()
    for secret, name in (
        (SMOKE_PASSWORD, "password"),
        (stack.cognito.pool.client_secret, "client secret"),
    ):
        if secret in output:
            report.fail(label, f"the {name} appears in its output")


def smoke_api(
    function: Function,
    template: dict[str, Any],
    stack: Stack,
    runtime: Path,
    work: Path,
    report: Report,
) -> None:
    """The API as deployed (production), then with the local pool's keys (development)."""
    email = f"smoke-{uuid.uuid4().hex[:10]}@example.com"
    label = function.logical_id
    env = function_env(function.props, template, stack, function.task_root)
    container = start_container(function, env, runtime, work, label, report)
    if container is None:
        return
    for case in api_docs_cases(SMOKE_PASSWORD):
        run_case(container, label, case, report)
    signed_up = register_confirm_sign_in(container, label, stack, email, report)
    finish(container, label, stack, report)
    if not signed_up:
        return
    # Production (and staging) rightly refuse the emulator's publicly known signing key (tokens
    # anyone can mint): the token-using routes run with the local pool's keys in development.
    label = f"{function.logical_id} development"
    env.update(ENVIRONMENT="development", COGNITO_JWKS_JSON=stack.pool_jwks)
    container = start_container(function, env, runtime, work, label, report)
    if container is None:
        return
    use_the_tokens(container, label, stack, email, report)
    finish(container, label, stack, report)


def post_checks(handler: str, stack: Stack) -> list[str]:
    """Side effects the triggers must have had on the local resources."""
    if not handler.startswith("triggers/post_confirmation"):
        return []
    dynamodb = fake_session().client("dynamodb", endpoint_url=stack.endpoint)
    event = json.loads((ROOT / "tests/events/PostConfirmation_ConfirmSignUp.json").read_text())
    sub = event["request"]["userAttributes"]["sub"]
    items = dynamodb.query(
        TableName=stack.refs["PlatformTable"],
        KeyConditionExpression="userId = :u",
        ExpressionAttributeValues={":u": {"S": sub}},
    )["Items"]
    return [] if items else ["post_confirmation wrote no profile for the confirmed user"]


def smoke_trigger(
    function: Function,
    template: dict[str, Any],
    stack: Stack,
    runtime: Path,
    work: Path,
    report: Report,
) -> None:
    """Each of the trigger's Cognito events, and its side effects."""
    label = function.logical_id
    env = function_env(function.props, template, stack, function.task_root)
    container = start_container(function, env, runtime, work, label, report)
    if container is None:
        return
    handler = function.props["Handler"]
    pool = stack.cognito.pool
    for case in trigger_cases(handler, pool.pool_id, pool.client_id, REGION):
        run_case(container, label, case, report)
    finish(container, label, stack, report)
    for problem in post_checks(handler, stack):
        report.fail(label, problem)


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
    # The emulator's own request and outbox logs; the containers' logs are checked, not shown.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    logging.getLogger("local_cognito").setLevel(logging.ERROR)
    # The triggers the local Cognito runs in this process log with Powertools (to stdout).
    os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "cognito-auth"
    runtime = runtime_root(cache)
    report = Report()
    with local_stack() as stack, tempfile.TemporaryDirectory() as unpacked:
        work = Path(unpacked)
        for logical_id, (handler, zip_name) in sorted(functions(template).items()):
            function = Function(
                logical_id, template["Resources"][logical_id]["Properties"], work / logical_id
            )
            with zipfile.ZipFile(build / zip_name) as archive:
                archive.extractall(function.task_root)
            smoke = smoke_api if handler == API_HANDLER else smoke_trigger
            smoke(function, template, stack, runtime, work, report)
    for failure in report.failures:
        print(f"FAIL: {failure}")
    print(f"lambda smoke: {len(report.failures)} failure(s)")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
