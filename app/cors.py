"""CORS (Starlette's), with a refused preflight answered in the service's one error shape."""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import Receive, Scope, Send

from app.errors import ErrorCode, problem_response


class ProblemCorsMiddleware(CORSMiddleware):
    """Starlette's CORS policy; its plain-text 400 for a refused preflight becomes problem+json."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Answer preflights here; everything else as Starlette does."""
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            headers = Headers(scope=scope)
            if "origin" in headers and "access-control-request-method" in headers:
                response = self.preflight_response(request_headers=headers)
                if response.status_code == 400:
                    response = problem_response(ErrorCode.CORS_REJECTED, Request(scope))
                await response(scope, receive, send)
                return
        await super().__call__(scope, receive, send)
