"""The service's error vocabulary and the one place where errors become HTTP responses."""

from __future__ import annotations

import logging
import math
from enum import StrEnum
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from app.tokens.errors import (
    InsufficientScopeError,
    KeysUnavailableError,
    MissingGroupError,
    MissingTokenError,
    TokenError,
)
from app.tokens.revocation import RevocationUnavailableError

logger = logging.getLogger("app.errors")

PROBLEM_JSON = "application/problem+json"


class ErrorCode(StrEnum):
    """Stable machine-readable error codes; clients branch on these, never on messages."""

    VALIDATION_FAILED = "VALIDATION_FAILED"
    MALFORMED_REQUEST = "MALFORMED_REQUEST"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    EMAIL_ALREADY_REGISTERED = "EMAIL_ALREADY_REGISTERED"
    EMAIL_DOMAIN_NOT_ALLOWED = "EMAIL_DOMAIN_NOT_ALLOWED"
    PASSWORD_POLICY = "PASSWORD_POLICY"
    INVALID_PARAMETER = "INVALID_PARAMETER"
    INVALID_CODE = "INVALID_CODE"
    CODE_EXPIRED = "CODE_EXPIRED"
    ALREADY_CONFIRMED = "ALREADY_CONFIRMED"
    BAD_CREDENTIALS = "BAD_CREDENTIALS"
    USER_NOT_CONFIRMED = "USER_NOT_CONFIRMED"
    USER_BLOCKED = "USER_BLOCKED"
    PASSWORD_RESET_REQUIRED = "PASSWORD_RESET_REQUIRED"
    REFRESH_TOKEN_INVALID = "REFRESH_TOKEN_INVALID"
    CHALLENGE_SESSION_INVALID = "CHALLENGE_SESSION_INVALID"
    CHALLENGE_ANSWER_MISSING = "CHALLENGE_ANSWER_MISSING"
    ACCOUNT_NOT_RESETTABLE = "ACCOUNT_NOT_RESETTABLE"
    CURRENT_PASSWORD_INCORRECT = "CURRENT_PASSWORD_INCORRECT"
    MFA_NOT_ENROLLED = "MFA_NOT_ENROLLED"
    CREDENTIALS_NOT_CONFIGURED = "CREDENTIALS_NOT_CONFIGURED"
    NOT_AUTHENTICATED = "NOT_AUTHENTICATED"
    INVALID_TOKEN = "INVALID_TOKEN"
    INSUFFICIENT_SCOPE = "INSUFFICIENT_SCOPE"
    FORBIDDEN = "FORBIDDEN"
    TOO_MANY_REQUESTS = "TOO_MANY_REQUESTS"
    CODE_ATTEMPTS_EXCEEDED = "CODE_ATTEMPTS_EXCEEDED"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    CORS_REJECTED = "CORS_REJECTED"
    TOKEN_KEYS_UNAVAILABLE = "TOKEN_KEYS_UNAVAILABLE"
    TOKEN_REVOCATION_UNAVAILABLE = "TOKEN_REVOCATION_UNAVAILABLE"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    UPSTREAM_ERROR = "UPSTREAM_ERROR"
    INTERNAL_ERROR = "INTERNAL_ERROR"


# (HTTP status, safe human message) per code. Messages never carry user input or AWS text.
ERROR_TABLE: dict[ErrorCode, tuple[int, str]] = {
    ErrorCode.VALIDATION_FAILED: (422, "The request body does not match the schema."),
    ErrorCode.MALFORMED_REQUEST: (400, "The request body is not valid JSON."),
    ErrorCode.NOT_FOUND: (404, "No such resource."),
    ErrorCode.METHOD_NOT_ALLOWED: (405, "Method not allowed on this resource."),
    ErrorCode.EMAIL_ALREADY_REGISTERED: (409, "An account with this email already exists."),
    ErrorCode.EMAIL_DOMAIN_NOT_ALLOWED: (403, "Sign-up is not open to this email domain."),
    ErrorCode.PASSWORD_POLICY: (400, "The password does not meet the password policy."),
    ErrorCode.INVALID_PARAMETER: (400, "A parameter was rejected by the identity provider."),
    ErrorCode.INVALID_CODE: (400, "The code is not valid."),
    ErrorCode.CODE_EXPIRED: (400, "The code has expired; request a new one."),
    ErrorCode.ALREADY_CONFIRMED: (409, "The account is already confirmed."),
    ErrorCode.BAD_CREDENTIALS: (401, "Incorrect email or password."),
    ErrorCode.USER_NOT_CONFIRMED: (403, "The account is not confirmed yet."),
    ErrorCode.USER_BLOCKED: (403, "This account may not sign in; contact support."),
    ErrorCode.PASSWORD_RESET_REQUIRED: (
        403,
        "The password must be reset before signing in (use forgot-password).",
    ),
    ErrorCode.REFRESH_TOKEN_INVALID: (401, "The refresh token is invalid, expired or revoked."),
    ErrorCode.CHALLENGE_SESSION_INVALID: (
        401,
        "The challenge session is invalid or expired; sign in again.",
    ),
    ErrorCode.CHALLENGE_ANSWER_MISSING: (422, "The answer this challenge needs is missing."),
    ErrorCode.ACCOUNT_NOT_RESETTABLE: (400, "This account's password cannot be reset."),
    ErrorCode.CURRENT_PASSWORD_INCORRECT: (400, "The current password is incorrect."),
    ErrorCode.MFA_NOT_ENROLLED: (400, "Enrol an authenticator app before turning MFA on."),
    ErrorCode.CREDENTIALS_NOT_CONFIGURED: (501, "No identity pool is configured."),
    ErrorCode.NOT_AUTHENTICATED: (401, "A bearer token is required."),
    ErrorCode.INVALID_TOKEN: (401, "The bearer token is invalid or expired."),
    ErrorCode.INSUFFICIENT_SCOPE: (403, "The token lacks a required scope."),
    ErrorCode.FORBIDDEN: (403, "The token's user is not allowed to do this."),
    ErrorCode.TOO_MANY_REQUESTS: (429, "Too many requests; retry later."),
    ErrorCode.CODE_ATTEMPTS_EXCEEDED: (
        429,
        "Too many wrong codes; request a new code, or wait before trying again.",
    ),
    ErrorCode.UNSUPPORTED_MEDIA_TYPE: (
        415,
        "Send the body as JSON (Content-Type: application/json).",
    ),
    ErrorCode.CORS_REJECTED: (
        400,
        "This cross-origin request is not allowed (origin, method or headers).",
    ),
    ErrorCode.TOKEN_KEYS_UNAVAILABLE: (503, "Token keys are unavailable; retry later."),
    ErrorCode.TOKEN_REVOCATION_UNAVAILABLE: (
        503,
        "Whether the token was revoked cannot be checked now; retry later.",
    ),
    ErrorCode.SERVICE_UNAVAILABLE: (503, "The identity provider is unavailable; retry later."),
    ErrorCode.UPSTREAM_ERROR: (502, "The identity provider returned an unexpected error."),
    ErrorCode.INTERNAL_ERROR: (500, "Internal error."),
}

RETRY_AFTER_SECONDS = {
    ErrorCode.TOO_MANY_REQUESTS: 1,
    ErrorCode.TOKEN_KEYS_UNAVAILABLE: 5,
    ErrorCode.TOKEN_REVOCATION_UNAVAILABLE: 5,
    ErrorCode.SERVICE_UNAVAILABLE: 2,
}


class ApiError(Exception):
    """A failure the client should hear about, as an ErrorCode (never as exception text)."""

    def __init__(
        self,
        code: ErrorCode,
        *,
        headers: dict[str, str] | None = None,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(code.value)
        self.code = code
        self.headers = headers or {}
        self.errors = errors


def problem_response(
    code: ErrorCode,
    request: Request,
    *,
    headers: dict[str, str] | None = None,
    errors: list[dict[str, str]] | None = None,
) -> JSONResponse:
    """Build the one error shape (RFC 9457 problem details plus `code` and `request_id`)."""
    status, message = ERROR_TABLE[code]
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": HTTPStatus(status).phrase,
        "status": status,
        "code": code.value,
        "detail": message,
        "request_id": getattr(request.state, "request_id", None),
    }
    if errors:
        body["errors"] = errors
    all_headers = dict(headers or {})
    if code in RETRY_AFTER_SECONDS:
        all_headers.setdefault("Retry-After", str(RETRY_AFTER_SECONDS[code]))
    if code is ErrorCode.INVALID_TOKEN:
        # A token was presented and refused, here or by Cognito (RFC 6750 section 3.1).
        all_headers.setdefault("WWW-Authenticate", 'Bearer error="invalid_token"')
    elif status == 401:
        all_headers.setdefault("WWW-Authenticate", "Bearer")
    return JSONResponse(body, status_code=status, headers=all_headers, media_type=PROBLEM_JSON)


async def _api_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return problem_response(exc.code, request, headers=exc.headers, errors=exc.errors)


async def _token_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, TokenError)
    logger.info("token rejected", extra={"reason": exc.code, "path": request.url.path})
    if isinstance(exc, MissingTokenError):
        return problem_response(ErrorCode.NOT_AUTHENTICATED, request)
    if isinstance(exc, InsufficientScopeError):
        header = 'Bearer error="insufficient_scope"'
        return problem_response(
            ErrorCode.INSUFFICIENT_SCOPE, request, headers={"WWW-Authenticate": header}
        )
    if isinstance(exc, MissingGroupError):
        return problem_response(ErrorCode.FORBIDDEN, request)
    header = 'Bearer error="invalid_token"'
    return problem_response(ErrorCode.INVALID_TOKEN, request, headers={"WWW-Authenticate": header})


async def _keys_unavailable(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, KeysUnavailableError)
    logger.warning("token check unavailable", extra={"reason": exc.code})
    code = (
        ErrorCode.TOKEN_REVOCATION_UNAVAILABLE
        if isinstance(exc, RevocationUnavailableError)
        else ErrorCode.TOKEN_KEYS_UNAVAILABLE
    )
    # The verifier knows when trying again can help (the JWKS cool-down left): say so.
    retry_after = str(max(1, math.ceil(exc.retry_after)))
    return problem_response(code, request, headers={"Retry-After": retry_after})


def _body_is_not_json(request: Request) -> bool:
    """A body was sent, but not as JSON (FastAPI then reports the whole body as invalid)."""
    media = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    sent = request.headers.get("content-length", "0") not in ("", "0") or (
        "transfer-encoding" in request.headers
    )
    return sent and media != "application/json" and not media.endswith("+json")


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    if _body_is_not_json(request) and any(
        tuple(error.get("loc", ()))[:1] == ("body",) for error in exc.errors()
    ):
        return problem_response(ErrorCode.UNSUPPORTED_MEDIA_TYPE, request)
    # Field paths and pydantic's messages only: the offending input (maybe a password) is dropped.
    errors = []
    for error in exc.errors():
        if error.get("type") == "json_invalid":
            return problem_response(ErrorCode.MALFORMED_REQUEST, request)
        location = ".".join(str(part) for part in error.get("loc", ()) if part != "body")
        errors.append({"field": location, "message": str(error.get("msg", "invalid"))})
    return problem_response(ErrorCode.VALIDATION_FAILED, request, errors=errors)


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    by_status = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}
    code = by_status.get(exc.status_code, ErrorCode.MALFORMED_REQUEST)
    return problem_response(code, request, headers=dict(exc.headers or {}))


async def _unexpected_error(request: Request, exc: Exception) -> JSONResponse:
    # The traceback goes to the log only; it may quote local variables, so no request data is
    # attached here, and the client gets the request id to quote.
    logger.error(
        "unhandled error",
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"request_id": getattr(request.state, "request_id", None)},
    )
    return problem_response(ErrorCode.INTERNAL_ERROR, request)


def install_error_handlers(app: FastAPI) -> None:
    """Register every error handler; one place maps every failure to the one response shape."""
    app.add_exception_handler(ApiError, _api_error)
    app.add_exception_handler(TokenError, _token_error)
    app.add_exception_handler(KeysUnavailableError, _keys_unavailable)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected_error)


def error_responses(*codes: ErrorCode) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries listing the codes a route can answer, with examples."""
    by_status: dict[int, list[ErrorCode]] = {}
    for code in (*codes, ErrorCode.VALIDATION_FAILED, ErrorCode.INTERNAL_ERROR):
        by_status.setdefault(ERROR_TABLE[code][0], []).append(code)
    responses: dict[int | str, dict[str, Any]] = {}
    for status, status_codes in sorted(by_status.items()):
        examples = {
            code.value: {
                "summary": ERROR_TABLE[code][1],
                "value": {
                    "type": "about:blank",
                    "title": HTTPStatus(status).phrase,
                    "status": status,
                    "code": code.value,
                    "detail": ERROR_TABLE[code][1],
                    "request_id": "3f1c2a9e6b7d4e0f8a1b2c3d4e5f6a7b",
                },
            }
            for code in dict.fromkeys(status_codes)
        }
        responses[status] = {
            "description": ", ".join(dict.fromkeys(c.value for c in status_codes)),
            "content": {
                PROBLEM_JSON: {
                    "schema": {"$ref": "#/components/schemas/Problem"},
                    "examples": examples,
                }
            },
        }
    return responses
