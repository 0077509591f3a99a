"""Start and stop the local Cognito: moto's server on loopback behind the AWS behaviour layer."""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from werkzeug.serving import BaseWSGIServer, make_server

from local_cognito.aws_layer import AwsBehaviourLayer
from local_cognito.codes import CodeBook
from local_cognito.outbox import Outbox
from local_cognito.platform import MailRelay, PlatformResources, provision_platform
from local_cognito.pool import LocalPool, create_identity_pool, create_pool
from local_cognito.trigger_runner import LocalTriggers

ACCOUNT_ID = "123456789012"  # moto's default account
DEFAULT_REGION = "eu-west-1"

# Stable pool and client ids across restarts (derived from the definition, not random).
_MOTO_ENV = {
    "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
    "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
    "MOTO_COGNITO_IDP_USER_POOL_ENABLE_TOTP": "true",
    # Never sign emulator traffic with a developer's real AWS credentials.
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",  # not a secret: the emulator ignores it
}


@dataclass
class LocalCognito:
    """A running local Cognito with its pool, outbox and code book."""

    pool: LocalPool
    outbox: Outbox
    codes: CodeBook
    layer: AwsBehaviourLayer
    identity_pool_id: str
    platform: PlatformResources | None
    _server: BaseWSGIServer
    _thread: threading.Thread
    extras: dict[str, Any] = field(default_factory=dict)
    # The process environment as it was before start() set its variables, restored by stop().
    saved_environment: dict[str, str | None] = field(default_factory=dict)

    @property
    def endpoint_url(self) -> str:
        """The emulator's base URL."""
        return self.pool.endpoint_url

    def settings_env(self) -> dict[str, str]:
        """The environment the API needs to use this pool (as strings, like real env vars)."""
        return {
            "ENVIRONMENT": "local",
            "DOCS_ASSETS": "bundled",
            "COGNITO_USER_POOL_ID": self.pool.pool_id,
            "COGNITO_CLIENT_ID": self.pool.client_id,
            "COGNITO_CLIENT_SECRET": self.pool.client_secret,
            "COGNITO_ENDPOINT_URL": self.pool.endpoint_url,
            "COGNITO_JWKS_URL": self.pool.jwks_url,
            "COGNITO_IDENTITY_POOL_ID": self.identity_pool_id,
            "PLATFORM_TABLE_NAME": self.platform.table_name if self.platform else "",
        }

    def stop(self) -> None:
        """Shut the server down and give the process its environment back."""
        self._server.shutdown()
        self._thread.join(timeout=10)
        restore_environment(self.saved_environment)
        _reset_trigger_caches()


def start(
    host: str = "127.0.0.1",
    port: int = 0,
    region: str = DEFAULT_REGION,
    *,
    triggers: bool = True,
) -> LocalCognito:
    """Start moto (cognito-idp, cognito-identity, DynamoDB, SNS on one port) and create the pool.

    With `triggers`, the platform's table and topics are created in the same server and the
    triggers/ handlers run where AWS would invoke them (configured, as on Lambda, by the
    environment: ALLOWED_EMAIL_DOMAINS, AUTO_CONFIRM_USERS, DENY_LIST, RISK_*...).
    """
    saved: dict[str, str | None] = {}
    set_environment(
        {**_MOTO_ENV, "AWS_DEFAULT_REGION": os.environ.get("AWS_DEFAULT_REGION") or region}, saved
    )

    from moto.backends import get_backend
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )

    outbox, codes = Outbox(), CodeBook()
    layer = AwsBehaviourLayer(
        DomainDispatcherApplication(create_backend_app),
        backend=lambda: get_backend("cognito-idp")[ACCOUNT_ID][region],
        outbox=outbox,
        codes=codes,
        region=region,
    )

    class QuietHandler(MotoRequestHandler):
        def log_request(self, *args: Any, **kwargs: Any) -> None:
            """Keep the console for the outbox and the API's own logs."""

    server = make_server(host, port, layer, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="local-cognito", daemon=True)
    thread.start()
    endpoint = f"http://{host}:{server.server_port}"
    client = boto3.client("cognito-idp", endpoint_url=endpoint, region_name=region)
    pool = create_pool(client, endpoint)
    identity_pool_id = create_identity_pool(
        boto3.client("cognito-identity", endpoint_url=endpoint, region_name=region), pool
    )
    platform = _attach_triggers(layer, outbox, endpoint, region, saved) if triggers else None
    return LocalCognito(
        pool=pool,
        outbox=outbox,
        codes=codes,
        layer=layer,
        identity_pool_id=identity_pool_id,
        platform=platform,
        _server=server,
        _thread=thread,
        saved_environment=saved,
    )


def _attach_triggers(
    layer: AwsBehaviourLayer,
    outbox: Outbox,
    endpoint: str,
    region: str,
    saved: dict[str, str | None],
) -> PlatformResources:
    """Create the platform's resources and let the layer run the deployed trigger handlers."""
    platform = provision_platform(endpoint, region)
    # The handlers read what Lambda would give them from the environment; in-process, that is
    # this process's environment (the API's DynamoDB client reads the same table).
    set_environment(platform.trigger_environment(), saved)
    _reset_trigger_caches()
    layer.triggers = LocalTriggers(mail=MailRelay(platform, outbox))
    return platform


def set_environment(values: dict[str, str], saved: dict[str, str | None]) -> None:
    """Set variables, keeping in `saved` what each was before (None: unset) the first time."""
    for name, value in values.items():
        saved.setdefault(name, os.environ.get(name))
        os.environ[name] = value


def restore_environment(saved: dict[str, str | None]) -> None:
    """Put back what set_environment recorded."""
    for name, value in saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value


def _reset_trigger_caches() -> None:
    """The triggers read their configuration and build clients once; make them look again."""
    from triggers import clients
    from triggers.config import get_config

    get_config.cache_clear()
    clients.reset()
