"""A local mail catcher: codes Cognito would email are kept here, printed, and served over HTTP."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import asdict, dataclass

logger = logging.getLogger("local_cognito.outbox")


@dataclass(frozen=True, slots=True)
class Message:
    """One email the local Cognito "sent"."""

    to: str
    subject: str
    body: str
    code: str
    purpose: str
    sent_at: float

    def as_json(self) -> dict[str, object]:
        """The message as a JSON-ready dict."""
        return asdict(self)


class Outbox:
    """Thread-safe list of sent messages, newest last."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._messages: list[Message] = []

    def send(self, to: str, subject: str, body: str, code: str, purpose: str) -> Message:
        """Record a message and print it to the log, as a mail catcher would show it."""
        message = Message(to, subject, body, code, purpose, time.time())
        with self._lock:
            self._messages.append(message)
        # Local emulator only: showing the code is the point (there is no real mailbox).
        if code:
            logger.warning("outbox: %s code for %s: %s", purpose, to, code)
        else:
            logger.warning("outbox: %s message for %s: %s", purpose, to, subject)
        return message

    def messages(self, to: str | None = None) -> list[Message]:
        """All messages, or those sent to one address (case-insensitive)."""
        with self._lock:
            if to is None:
                return list(self._messages)
            return [m for m in self._messages if m.to.lower() == to.lower()]

    def latest(self, to: str, purpose: str | None = None) -> Message | None:
        """The newest message with a code to an address (optionally of one purpose)."""
        for message in reversed(self.messages(to)):
            if message.code and (purpose is None or message.purpose == purpose):
                return message
        return None
