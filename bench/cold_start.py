"""Cold start of the Lambda handler: its import ÷ a bare `import fastapi, mangum`, and 1st call.

Each round starts two fresh interpreters of this Python, one after the other: one times
`import fastapi, mangum`, the other times `import app.lambda_handler` (the Lambda init phase:
settings, logging, the app, its routes and clients) and then its first and second invocation
with one HTTP API v2 event. Both run with the environment the deployed function has
(serverless.yml: production, DynamoDB revocation, identity pool, platform table), except that
the signing keys come inline (COGNITO_JWKS_JSON) and the client secret from the environment,
so nothing goes to the network: on AWS, init also fetches the JWKS and calls
DescribeUserPoolClient (a round trip each). The event is GET /me with a correctly signed but
expired access token: routing, middleware, the verifier's RS256 check and a problem+json 401,
and no AWS call. Medians over the rounds; target: import ratio <= 1.3.
Run: python bench/cold_start.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as `python bench/cold_start.py`
    sys.path.insert(0, str(ROOT))

from bench._common import CLIENT_ID, POOL_ID, Signer  # noqa: E402

ROUNDS = 9
TARGET_RATIO = 1.3
# Imported at init or not: what the ratio is made of beyond FastAPI and Mangum.
WATCHED = (
    "boto3",
    "botocore",
    "s3transfer",
    "httpx",
    "jose",
    "cryptography.x509",
    "aws_lambda_powertools",
    "fastapi_offline",
    "pydantic.v1",
)

BARE = """
import json, time
started = time.perf_counter()
import fastapi, mangum
print(json.dumps({"import_s": time.perf_counter() - started}))
"""

HANDLER = """
import json, sys, time
started = time.perf_counter()
import app.lambda_handler as module
imported = time.perf_counter()
watched = [name for name in sys.argv[1].split(",") if name in sys.modules]

class Context:
    function_name = "cognito-auth-dev-api"
    memory_limit_in_mb = 1024
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:cognito-auth-dev-api"
    aws_request_id = "c6af9ac6-7b61-11e6-9a41-93e8deadbeef"

event = json.load(sys.stdin)
first_started = time.perf_counter()
first = module.handler(json.loads(json.dumps(event)), Context())
first_done = time.perf_counter()
module.handler(json.loads(json.dumps(event)), Context())
warm_done = time.perf_counter()
print(json.dumps({
    "import_s": imported - started,
    "first_s": first_done - first_started,
    "warm_s": warm_done - first_done,
    "status": first["statusCode"],
    "base64": first["isBase64Encoded"],
    "watched": watched,
}))
"""


def lambda_env(jwks: str) -> dict[str, str]:
    """The deployed API function's environment, with local keys and no network."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", "/tmp"),
        "LANG": "en_US.UTF-8",
        "TZ": ":UTC",
        "ENVIRONMENT": "production",
        "LOG_LEVEL": "INFO",
        "COGNITO_USER_POOL_ID": POOL_ID,
        "COGNITO_CLIENT_ID": CLIENT_ID,
        # On AWS: COGNITO_CLIENT_SECRET_SOURCE=describe, one DescribeUserPoolClient at init.
        "COGNITO_CLIENT_SECRET": "bench-client-secret",
        "COGNITO_IDENTITY_POOL_ID": "eu-west-1:0b4f6f3e-3f6a-4a55-9f0e-6f0a8e5b9c11",
        "COGNITO_JWKS_JSON": jwks,
        "PLATFORM_TABLE_NAME": "image-platform-dev-platform",
        "TOKEN_REVOCATION": "dynamodb",
        "SIGN_IN_FLOW": "adaptive",
        "CORS_ORIGINS": "",
        "POWERTOOLS_SERVICE_NAME": "cognito-auth",
        "AWS_REGION": "eu-west-1",
        "AWS_DEFAULT_REGION": "eu-west-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_LAMBDA_FUNCTION_NAME": "cognito-auth-dev-api",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        # Nothing may leave the machine: any stray call meets a closed loopback port.
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }


def me_event(token: str) -> dict[str, Any]:
    """GET /me on the $default stage of the HTTP API, with a bearer token."""
    event: dict[str, Any] = json.loads((ROOT / "tests/lambda_events/http_api_v2.json").read_text())
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/me"
    event["requestContext"]["http"]["method"] = "GET"
    event["headers"].pop("content-type", None)
    event["headers"]["authorization"] = f"Bearer {token}"
    return event


def _sample(code: str, env: dict[str, str], stdin: str = "") -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", code, ",".join(WATCHED)],
        input=stdin,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sample failed:\n{done.stderr[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def _ms(values: list[float]) -> str:
    return f"median {statistics.median(values) * 1000:.0f} ms (min {min(values) * 1000:.0f})"


def main(rounds: int = ROUNDS) -> dict[str, float]:
    """Run the rounds, print the figures, and return them (seconds and ratios)."""
    signer = Signer()
    env = lambda_env(json.dumps({"keys": [signer.jwk()]}))
    event = json.dumps(me_event(signer.access_token(lifetime=-60)))
    bare: list[float] = []
    handler: list[dict[str, Any]] = []
    print(f"cold start: {rounds} rounds of fresh interpreters ({sys.version.split()[0]})")
    for _ in range(rounds):
        bare.append(_sample(BARE, env)["import_s"])
        handler.append(_sample(HANDLER, env, event))
    imports = [h["import_s"] for h in handler]
    ratios = [h / b for h, b in zip(imports, bare, strict=True)]
    ratio = statistics.median(imports) / statistics.median(bare)
    first = [h["first_s"] for h in handler]
    warm = [h["warm_s"] for h in handler]
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(f"  import fastapi, mangum       {_ms(bare)}")
    print(f"  import app.lambda_handler    {_ms(imports)}")
    print(
        f"  ratio {ratio:.2f} (median of per-round ratios {statistics.median(ratios):.2f}):"
        f" {verdict} the target <= {TARGET_RATIO}"
    )
    last = handler[-1]
    print(
        f"  first invocation             {_ms(first)}"
        f"  (GET /me -> {last['status']}, base64 {last['base64']})"
    )
    print(f"  second invocation (warm)     {_ms(warm)}")
    print(f"  imported at init: {', '.join(last['watched']) or 'none of the watched'}")
    return {
        "bare_import_s": statistics.median(bare),
        "handler_import_s": statistics.median(imports),
        "import_ratio": ratio,
        "first_invocation_s": statistics.median(first),
        "warm_invocation_s": statistics.median(warm),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    main(parser.parse_args().rounds)
