"""Start the project's local Cognito on loopback and write the API's settings to an env file.

For deploy/check_docker.sh: the container under test is configured from the file, and the
server runs until this process gets SIGTERM or SIGINT.
Usage: python deploy/local_cognito_env.py PORT ENV_FILE
"""

from __future__ import annotations

import signal
import sys
import threading
from pathlib import Path

from local_cognito.server import start


def main(argv: list[str]) -> int:
    """Serve until told to stop; the env file appears once the server answers."""
    port, env_file = int(argv[1]), Path(argv[2])
    cognito = start(port=port)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    lines = [f"{name}={value}" for name, value in cognito.settings_env().items()]
    lines.append(f"LOCAL_COGNITO_URL={cognito.endpoint_url}")
    env_file.write_text("\n".join(lines) + "\n")
    env_file.chmod(0o600)  # holds the local client's secret
    stop.wait()
    cognito.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
