"""The cognito-idp wire format as the local layer speaks it: calls, replies and AWS errors."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any


class AwsError(Exception):
    """An error answered the way cognito-idp answers errors (JSON `__type` + `message`)."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass(slots=True)
class Reply:
    """A complete HTTP answer."""

    status: int
    body: bytes
    headers: list[tuple[str, str]] = field(default_factory=list)

    @classmethod
    def json(cls, status: int, payload: object) -> Reply:
        """A JSON answer in cognito-idp's content type."""
        body = json.dumps(payload).encode()
        return cls(status, body, [("Content-Type", "application/x-amz-json-1.1")])

    @classmethod
    def error(cls, error_type: str, message: str) -> Reply:
        """An AWS error answer."""
        return cls.json(400, {"__type": error_type, "message": message})

    def payload(self) -> dict[str, Any]:
        """The body parsed as a JSON object ({} when it is not one)."""
        try:
            parsed = json.loads(self.body or b"{}")
        except ValueError:
            return {}
        return parsed if isinstance(parsed, dict) else {}

    @property
    def error_type(self) -> str:
        """The AWS error code of an error answer ('' for a success)."""
        return str(self.payload().get("__type", "")) if self.status >= 400 else ""


@dataclass(slots=True)
class Call:
    """One cognito-idp request on its way through the layer."""

    operation: str
    params: dict[str, Any]
    environ: dict[str, Any]


def mask_email(email: str) -> str:
    """Mask an address the way Cognito shows CodeDeliveryDetails destinations."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"


def email_delivery(email: str) -> dict[str, str]:
    """CodeDeliveryDetails for an email destination."""
    return {"Destination": mask_email(email), "DeliveryMedium": "EMAIL", "AttributeName": "email"}


def attributes_of(user: Any) -> dict[str, str]:  # a moto user
    """A moto user's attributes as a dict, with its sub."""
    return {a["Name"]: a["Value"] for a in user.attributes} | {"sub": user.id}


def pairs(items: list[dict[str, str]] | None) -> dict[str, str]:
    """[{Name, Value}] as a dict."""
    return {item["Name"]: item["Value"] for item in items or []}
