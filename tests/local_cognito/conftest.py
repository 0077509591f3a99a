"""Fixtures of the deviation tests: moto's server without the layer, and clients on both."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from werkzeug.serving import make_server

from local_cognito.server import LocalCognito
from tests.local_cognito.support import client_for

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


@pytest.fixture(scope="module")
def raw_endpoint(cognito: LocalCognito) -> Iterator[str]:
    """moto's server without the layer, sharing the same in-process backends (so the same pool)."""
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    server = make_server(
        "127.0.0.1", 0, DomainDispatcherApplication(create_backend_app), threaded=True
    )
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


@pytest.fixture
def raw(raw_endpoint: str, cognito: LocalCognito) -> CognitoIdentityProviderClient:
    """A client on raw moto."""
    return client_for(raw_endpoint, cognito.pool.region)


@pytest.fixture
def layered(cognito: LocalCognito) -> CognitoIdentityProviderClient:
    """A client on the local Cognito (moto behind the AWS behaviour layer)."""
    return client_for(cognito.endpoint_url, cognito.pool.region)
