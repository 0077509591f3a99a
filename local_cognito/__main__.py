"""`python -m local_cognito`: the API on http://127.0.0.1:8000 over an embedded local Cognito."""

from __future__ import annotations

import argparse
import logging
import os

import uvicorn

from local_cognito.server import start


def main() -> None:
    """Start the local Cognito, print what a developer needs, and serve the API."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
    parser.add_argument(
        "--cognito-port", type=int, default=int(os.environ.get("LOCAL_COGNITO_PORT", "9229"))
    )
    args = parser.parse_args()
    # Only the local Cognito's own lines (the outbox) get this plain handler: the API and the
    # triggers log JSON through their own, and a root handler would print each of theirs twice.
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    local_logger = logging.getLogger("local_cognito")
    local_logger.addHandler(handler)
    local_logger.setLevel(logging.INFO)
    local_logger.propagate = False

    cognito = start(port=args.cognito_port)
    os.environ.update(cognito.settings_env())

    from app.main import create_app

    app = create_app()
    outbox = f"{cognito.endpoint_url}/_local/outbox"
    print(  # the developer's welcome banner
        f"\n  Local Cognito   {cognito.endpoint_url}   (outbox: {outbox})"
        f"\n  User pool id    {cognito.pool.pool_id}"
        f"\n  App client id   {cognito.pool.client_id}"
        f"\n  Triggers        attached (platform table {os.environ.get('PLATFORM_TABLE_NAME')})"
        f"\n  Sign-in flow    {os.environ.get('SIGN_IN_FLOW', 'password')}"
        f"\n  API             http://{args.host}:{args.port}   (Swagger UI: /docs)\n",
        flush=True,
    )
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="info")
    finally:
        cognito.stop()


if __name__ == "__main__":
    main()
