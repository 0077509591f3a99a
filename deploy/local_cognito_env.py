"""Start the project's local Cognito on loopback and write a container's settings to an env file.

For deploy/check_docker.sh: the image under test is configured from the file with what a
`docker run` user passes (`-e NAME=value`, see README "Docker"), aimed at the local Cognito, and
the server runs until this process gets SIGTERM or SIGINT. The LOCAL_* lines at the end are for
the script (the outbox's address; the client secret, which must never show in the logs), not
for the container.
Usage: python deploy/local_cognito_env.py PORT ENV_FILE
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from local_cognito.server import LocalCognito, start


def container_env(cognito: LocalCognito) -> dict[str, str]:
    """The image's settings as a user would pass them, pointed at the local Cognito."""
    local = cognito.settings_env()
    return {
        # `production` refuses an emulator endpoint and its publicly known signing key.
        "ENVIRONMENT": "development",
        "COGNITO_USER_POOL_ID": local["COGNITO_USER_POOL_ID"],
        "COGNITO_CLIENT_ID": local["COGNITO_CLIENT_ID"],
        # As deployed: the secret is read with DescribeUserPoolClient, never passed in.
        "COGNITO_CLIENT_SECRET_SOURCE": "describe",
        "COGNITO_ENDPOINT_URL": local["COGNITO_ENDPOINT_URL"],
        "COGNITO_JWKS_URL": local["COGNITO_JWKS_URL"],
        "COGNITO_IDENTITY_POOL_ID": local["COGNITO_IDENTITY_POOL_ID"],
        "PLATFORM_TABLE_NAME": local.get("PLATFORM_TABLE_NAME", ""),
        # The emulator accepts any credentials; boto3 wants some to sign with.
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
        # The proxy in front of the container (here: curl on loopback).
        "FORWARDED_ALLOW_IPS": "127.0.0.1",
        "TRUSTED_PROXIES": "127.0.0.1",
    }


def main(argv: list[str]) -> int:
    """Serve until told to stop; the env file appears once the server answers."""
    port, env_file = int(argv[1]), Path(argv[2])
    cognito = start(port=port)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    lines = [f"{name}={value}" for name, value in container_env(cognito).items()]
    lines.append(f"LOCAL_COGNITO_URL={cognito.endpoint_url}")
    lines.append(f"LOCAL_CLIENT_SECRET={cognito.pool.client_secret}")
    env_file.write_text("\n".join(lines) + "\n")
    env_file.chmod(0o600)  # holds the local client's secret
    stop.wait()
    cognito.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
