"""Structured JSON logs (Powertools formatter), request ids, and a scrubber for stray secrets."""

from __future__ import annotations

import logging
import re
import secrets
from typing import Any

from aws_lambda_powertools.logging.formatter import LambdaPowertoolsFormatter
from starlette.types import ASGIApp, Message, Receive, Scope, Send

# JWTs (three base64url segments, the first a JSON header) wherever they appear in a record.
_JWT = re.compile(r"eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*")
_SENSITIVE_KEYS = ("password", "secret", "token", "authorization", "code")


class ScrubSecretsFilter(logging.Filter):
    """Defence in depth: nothing logs credentials on purpose, and this drops any that slip in."""

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact JWTs in the message and values of sensitive-looking extra fields."""
        if isinstance(record.msg, str) and "eyJ" in record.msg:
            record.msg = _JWT.sub("[redacted-jwt]", record.msg)
        for key, value in list(record.__dict__.items()):
            lowered = key.lower()
            if any(word in lowered for word in _SENSITIVE_KEYS) and value is not None:
                setattr(record, key, "[redacted]")
            elif isinstance(value, str) and "eyJ" in value:
                setattr(record, key, _JWT.sub("[redacted-jwt]", value))
        return True


def configure_logging(level: str) -> None:
    """Send the service's logs to stderr as JSON lines, once per process."""
    logger = logging.getLogger("app")
    if any(isinstance(h.formatter, LambdaPowertoolsFormatter) for h in logger.handlers):
        logger.setLevel(level.upper())
        return
    handler = logging.StreamHandler()
    handler.setFormatter(LambdaPowertoolsFormatter(service="auth-api"))
    handler.addFilter(ScrubSecretsFilter())
    logger.addHandler(handler)
    logger.setLevel(level.upper())
    logger.propagate = True
    # botocore logs whole request bodies (passwords included) at DEBUG: never let it, whatever
    # LOG_LEVEL says.
    for noisy in ("botocore", "boto3", "urllib3", "httpx", "httpcore"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


class RequestIdMiddleware:
    """Give each request an id (API Gateway's when on Lambda), expose it as X-Request-ID."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Attach the id to the request state and to the response headers."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = _lambda_request_id(scope) or secrets.token_hex(16)
        scope.setdefault("state", {})["request_id"] = request_id
        header = (b"x-request-id", request_id.encode("ascii", "replace"))

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), header]
            await send(message)

        await self.app(scope, receive, send_with_id)


def _lambda_request_id(scope: Scope) -> str | None:
    event: Any = scope.get("aws.event")
    if isinstance(event, dict):
        context = event.get("requestContext") or {}
        request_id = context.get("requestId")
        if isinstance(request_id, str) and request_id:
            return request_id[:64]
    return None
