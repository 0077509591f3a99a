"""create_app(settings): the FastAPI application, its routers, middleware and error handlers."""

from __future__ import annotations

import threading
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import State
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.cognito.gateway import CognitoGateway
from app.cognito.identity import IdentityGateway
from app.cors import ProblemCorsMiddleware
from app.docs import install_docs
from app.errors import install_error_handlers
from app.observability import RequestIdMiddleware, configure_logging
from app.profile import ProfileStore
from app.routers import account, auth, challenge, credentials, me
from app.schemas import Problem
from app.settings import Settings, load_settings
from app.tokens.verifier import TokenVerifier

DESCRIPTION = """
A REST API in front of an Amazon Cognito user pool: register, confirm, sign in, refresh,
sign out, and the signed-in user. Every error is `application/problem+json` with a stable
`code`; see the README for the list.
"""


class LazyState(State):
    """`app.state` whose rarely used collaborators are built on first read, then kept."""

    def __init__(self) -> None:
        super().__init__()
        object.__setattr__(self, "_factories", {})
        object.__setattr__(self, "_lock", threading.Lock())

    def set_lazy(self, key: str, factory: Callable[[], object]) -> None:
        """Build `key` with `factory` when first read, unless a value was set meanwhile."""
        self._factories[key] = factory

    def __getattr__(self, key: str) -> Any:  # noqa: ANN401  # as State's
        """The value of `key`, built now if it is a lazy one read for the first time."""
        if key in self._state or key not in self._factories:
            return super().__getattr__(key)
        with self._lock:
            if key not in self._state:
                self._state[key] = self._factories[key]()
            return self._state[key]


class NoStoreMiddleware:
    """Mark every response `Cache-Control: no-store`: they carry tokens or personal data."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Add the header unless the route set its own (the docs pages may be cached)."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_no_store(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                if not any(name.lower() == b"cache-control" for name, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
            await send(message)

        await self.app(scope, receive, send_no_store)


def create_app(
    settings: Settings | None = None,
    *,
    gateway: CognitoGateway | None = None,
    verifier: TokenVerifier | None = None,
) -> FastAPI:
    """Build the application; tests pass their own settings (and optionally collaborators)."""
    settings = settings or load_settings()
    configure_logging(settings.log_level)
    gateway = gateway or CognitoGateway.from_settings(settings)
    verifier = verifier or TokenVerifier.from_settings(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        await verifier.start()  # best effort: a JWKS outage must not stop start-up
        try:
            yield
        finally:
            verifier.close()

    bundled_docs = settings.docs_assets == "bundled"
    app = FastAPI(
        title="Cognito Auth Service",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None if bundled_docs else "/docs",
        redoc_url=None if bundled_docs else "/redoc",
    )
    install_docs(app, bundled=bundled_docs)
    state = app.state = LazyState()
    state.settings = settings
    state.gateway = gateway
    state.verifier = verifier
    # Cold start: their boto3 clients (loading a service model costs 10-50 ms each) are made on
    # first use, since only POST /auth/credentials reads the identity pool and only GET /me the
    # profile table; every other route needs the cognito-idp client and the verifier above.
    state.set_lazy(
        "identity",
        lambda: (
            IdentityGateway.from_settings(settings) if settings.cognito_identity_pool_id else None
        ),
    )
    state.set_lazy("profiles", lambda: ProfileStore.from_settings(settings))
    install_error_handlers(app)
    app.include_router(auth.router)
    app.include_router(challenge.router)
    app.include_router(me.router)
    app.include_router(account.router)
    app.include_router(credentials.router)
    if settings.cors_origins:
        app.add_middleware(
            ProblemCorsMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                "X-Device-Id",
                "X-Cognito-Encoded-Data",
            ],
            expose_headers=["X-Request-ID", "Retry-After", "WWW-Authenticate"],
            allow_credentials=False,  # bearer tokens, no cookies
            max_age=600,
        )
    # Outside CORS, so that preflight answers are marked no-store too.
    app.add_middleware(NoStoreMiddleware)
    app.add_middleware(RequestIdMiddleware)
    _add_problem_schema(app)
    return app


def _add_problem_schema(app: FastAPI) -> None:
    original = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = original()
            components = schema.setdefault("components", {}).setdefault("schemas", {})
            components["Problem"] = Problem.model_json_schema(
                ref_template="#/components/schemas/{model}"
            )
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
