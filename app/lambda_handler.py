"""The AWS Lambda entry point: the same app behind Mangum, built once per container."""

from __future__ import annotations

import logging

from fastapi import FastAPI
from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

from app.lambda_stage import StageRootPath
from app.main import create_app
from app.tokens.errors import KeysUnavailableError
from app.tokens.verifier import TokenVerifier

logger = logging.getLogger("app.lambda")


def build_handler(app: FastAPI) -> Mangum:
    """Wrap an app for API Gateway (HTTP API v2 and REST v1, any stage, custom domains)."""
    return Mangum(
        StageRootPath(app),
        # Mangum would start and stop the lifespan on every invocation; the container's
        # one-time work happens at import instead.
        lifespan="off",
        # Mangum base64-encodes anything it does not know as text; problem+json is text.
        text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, "+json"],
    )


app = create_app()

# Init phase: fetch the signing keys once per container (best effort; verification retries).
_verifier: TokenVerifier = app.state.verifier
try:
    _verifier.jwks.prefetch()
except KeysUnavailableError as exc:
    logger.warning("JWKS prefetch failed at init", extra={"reason": exc.code})

handler = build_handler(app)
