"""The README's curl walkthrough, run verbatim against `python -m local_cognito`."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def run_command() -> Iterator[tuple[str, str]]:
    """`python -m local_cognito` (what `make run` starts) on free ports."""
    yield from _run_command({})


@pytest.fixture(scope="module")
def adaptive_run_command() -> Iterator[tuple[str, str]]:
    """`SIGN_IN_FLOW=adaptive make run`, with every hour a usual one (so the test is timeless)."""
    yield from _run_command({"SIGN_IN_FLOW": "adaptive", "RISK_USUAL_HOURS": "0-24"})


def _run_command(extra: dict[str, str]) -> Iterator[tuple[str, str]]:
    api_port, cognito_port = _free_port(), _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("COGNITO_", "ENVIRONMENT"))}
    env.update(extra)
    process = subprocess.Popen(  # noqa: S603  # our own module, fixed arguments
        [
            sys.executable,
            "-m",
            "local_cognito",
            "--port",
            str(api_port),
            "--cognito-port",
            str(cognito_port),
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    api = f"http://127.0.0.1:{api_port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{api}/openapi.json", timeout=1).status_code == 200:
                break
        except httpx.TransportError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            output = process.stdout.read() if process.stdout else ""
            raise RuntimeError(f"python -m local_cognito did not start:\n{output}")
        time.sleep(0.2)
    yield api, f"http://127.0.0.1:{cognito_port}"
    process.terminate()
    process.wait(timeout=20)


def _walkthrough(name: str = "walkthrough") -> str:
    readme = (ROOT / "README.md").read_text()
    match = re.search(
        rf"<!-- {name}:start -->\s*```bash\n(.*?)```\s*<!-- {name}:end -->", readme, re.S
    )
    assert match, f"README.md has no {name} block"
    return match.group(1)


def test_the_readme_walkthrough_runs_verbatim(run_command: tuple[str, str]) -> None:
    curl = shutil.which("curl")
    assert curl, "the walkthrough needs curl (.ci/run installs it)"
    api, cognito = run_command
    email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
    result = subprocess.run(  # noqa: S603
        ["bash", "-euo", "pipefail", "-c", _walkthrough()],  # noqa: S607
        env={**os.environ, "API": api, "COGNITO": cognito, "EMAIL": email},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert '"confirmed":false' in lines[0]
    assert lines[1] == "confirm: 204"
    assert f'"email":"{email}"' in lines[2]
    assert lines[3] == "3600"
    assert lines[4] == "signout: 204"
    assert lines[5] == "REFRESH_TOKEN_INVALID"


def test_the_readme_account_walkthrough_runs_verbatim(run_command: tuple[str, str]) -> None:
    api, cognito = run_command
    email = f"grace-{uuid.uuid4().hex[:8]}@example.com"
    script = _walkthrough() + "\n" + _walkthrough("walkthrough-account")
    result = subprocess.run(  # noqa: S603
        ["bash", "-euo", "pipefail", "-c", script],  # noqa: S607
        env={**os.environ, "API": api, "COGNITO": cognito, "EMAIL": email},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()[6:]
    identity = lines.pop(9)
    assert identity.startswith("eu-west-1:"), identity
    assert lines == [
        "If an account with a verified email exists, a reset code was sent to it.",
        "reset: 204",
        "totp verified: 204",
        "mfa on: 204",
        "challenge: SOFTWARE_TOKEN_MFA",
        "SIGNED_IN",
        email,  # PATCH /me: the old email until the new one is verified
        "email verified: 204",
        f"new-{email}",
        "deleted: 204",
        "BAD_CREDENTIALS",
    ]


def test_the_readme_adaptive_walkthrough_runs_verbatim(
    adaptive_run_command: tuple[str, str],
) -> None:
    api, cognito = adaptive_run_command
    email = f"grace-{uuid.uuid4().hex[:8]}@example.com"
    result = subprocess.run(  # noqa: S603
        ["bash", "-euo", "pipefail", "-c", _walkthrough("walkthrough-adaptive")],  # noqa: S607
        env={**os.environ, "API": api, "COGNITO": cognito, "EMAIL": email},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines() == [
        "register: 201",
        "confirm: 204",
        "challenge: CUSTOM_CHALLENGE EMAIL_OTP",
        "SIGNED_IN",
        "SIGNED_IN",
    ]


def test_the_run_command_serves_the_docs(run_command: tuple[str, str]) -> None:
    api, _ = run_command
    docs = httpx.get(f"{api}/docs", timeout=5)
    assert docs.status_code == 200
    # Offline-capable: the page's assets come from this service, not a CDN.
    assert "cdn.jsdelivr" not in docs.text
    for asset in ("/docs-assets/swagger-ui-bundle.js", "/docs-assets/swagger-ui.css"):
        assert asset in docs.text
        served = httpx.get(f"{api}{asset}", timeout=5)
        assert served.status_code == 200
        assert len(served.content) > 10_000
    redoc = httpx.get(f"{api}/redoc", timeout=5)
    assert "/docs-assets/redoc.standalone.js" in redoc.text
    spec = httpx.get(f"{api}/openapi.json", timeout=5).json()
    assert {"/auth/register", "/auth/signin", "/auth/refresh", "/auth/signout", "/me"} <= set(
        spec["paths"]
    )
