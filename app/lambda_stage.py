"""ASGI middleware: serve the app under an API Gateway stage or base path, docs included."""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Receive, Scope, Send

_EXECUTE_API = ".execute-api."


def stage_prefix(event: dict[str, Any]) -> str:
    """The path prefix the client sees in front of the app's routes ("" when there is none)."""
    context = event.get("requestContext") or {}
    if event.get("version") == "2.0":
        # HTTP API: a named stage is part of rawPath on the execute-api domain only; a custom
        # domain maps straight to a stage.
        stage = context.get("stage") or "$default"
        domain = str(context.get("domainName") or "")
        if stage != "$default" and _EXECUTE_API in domain:
            return f"/{stage}"
        return ""
    # REST API: `path` is the resource path; requestContext.path is what the client requested
    # (with the stage on execute-api, or the base path mapping on a custom domain).
    path = str(event.get("path") or "")
    requested = str(context.get("path") or "")
    if path and requested.endswith(path) and requested != path:
        return requested[: -len(path)].rstrip("/")
    return ""


class StageRootPath:
    """Set the ASGI root_path from the API Gateway event, so links and /docs stay in the stage."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Move the stage or base path from the path into root_path."""
        event = scope.get("aws.event")
        if scope["type"] == "http" and isinstance(event, dict):
            prefix = stage_prefix(event)
            if prefix:
                path = scope["path"]
                if not (path == prefix or path.startswith(prefix + "/")):
                    path = prefix + path  # REST: the stage is not in `path`; ASGI wants it there
                scope = {**scope, "root_path": prefix, "path": path}
        await self.app(scope, receive, send)
