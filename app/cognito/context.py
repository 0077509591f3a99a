"""The end user's context for Cognito threat protection (UserContextData)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class UserContext:
    """Who is really signing in: their IP and, when a browser SDK sent it, its device data."""

    ip_address: str
    encoded_data: str | None = None

    def as_param(self) -> dict[str, Any]:
        """The UserContextData request parameter."""
        data: dict[str, Any] = {"IpAddress": self.ip_address}
        if self.encoded_data:
            data["EncodedData"] = self.encoded_data
        return data
