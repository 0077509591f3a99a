"""The AWS Lambda entry point: the same app behind Mangum, built once per container."""

from __future__ import annotations

import logging

from mangum import Mangum
from mangum.adapter import DEFAULT_TEXT_MIME_TYPES

from app.main import create_app
from app.tokens.errors import KeysUnavailableError
from app.tokens.verifier import TokenVerifier

logger = logging.getLogger("app.lambda")

app = create_app()

# Lambda runs no lifespan reliably (Mangum would start and stop it on every invocation), so the
# container's one-time work happens here, during init: fetch the signing keys once.
_verifier: TokenVerifier = app.state.verifier
try:
    _verifier.jwks.prefetch()
except KeysUnavailableError as exc:
    logger.warning("JWKS prefetch failed at init", extra={"reason": exc.code})

handler = Mangum(
    app,
    lifespan="off",
    # Mangum base64-encodes anything it does not know as text; problem+json is text.
    text_mime_types=[*DEFAULT_TEXT_MIME_TYPES, "+json"],
)
