"""Opt-in revocation of signed-out sessions: in memory, or shared through DynamoDB with a TTL."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from app.tokens.errors import KeysUnavailableError

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

logger = logging.getLogger(__name__)


class RevocationUnavailableError(KeysUnavailableError):
    """The revocation store cannot be read, so a token cannot be accepted (503, its own code)."""

    code = "REVOCATION_UNAVAILABLE"


class RevocationStore(Protocol):
    """Where revoked session ids (origin_jti) are kept until the session's tokens expire."""

    async def revoke(self, session_id: str, until: float) -> None:
        """Record a session as revoked until the epoch time `until`."""

    async def is_revoked(self, session_id: str) -> bool:
        """Tell whether a session was revoked."""


class MemoryRevocationStore:
    """Revocations held in this process only (local runs, single-process deployments)."""

    def __init__(self, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._until: dict[str, float] = {}

    async def revoke(self, session_id: str, until: float) -> None:
        """Record a session as revoked until `until`, dropping records that have run out."""
        now = self._clock()
        self._until = {sid: end for sid, end in self._until.items() if end > now}
        self._until[session_id] = until

    async def is_revoked(self, session_id: str) -> bool:
        """Tell whether a session was revoked and its record has not run out."""
        until = self._until.get(session_id)
        return until is not None and until > self._clock()


class DynamoDbRevocationStore:
    """Revocations in the platform's DynamoDB table, visible to every container within seconds."""

    PARTITION_PREFIX = "revoked#"
    SORT_KEY = "revocation"

    def __init__(
        self,
        table_name: str,
        client_factory: Callable[[], DynamoDBClient],
        *,
        negative_ttl: float = 5.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._table = table_name
        self._factory = client_factory
        self._client: DynamoDBClient | None = None
        self._client_lock = threading.Lock()
        # Other containers see a sign-out at most negative_ttl seconds late; this container at once.
        self._negative_ttl = negative_ttl
        self._clock = clock
        self._known: dict[str, tuple[bool, float]] = {}

    def _dynamodb(self) -> DynamoDBClient:
        with self._client_lock:
            if self._client is None:
                self._client = self._factory()
            return self._client

    def _key(self, session_id: str) -> dict[str, Any]:
        return {
            "userId": {"S": self.PARTITION_PREFIX + session_id},
            "imageId": {"S": self.SORT_KEY},
        }

    async def revoke(self, session_id: str, until: float) -> None:
        """Write the revocation with a DynamoDB TTL at `until`."""
        item = {**self._key(session_id), "ttl": {"N": str(int(until) + 1)}}
        await asyncio.to_thread(self._dynamodb().put_item, TableName=self._table, Item=item)
        self._remember(session_id, revoked=True, until=until)

    async def is_revoked(self, session_id: str) -> bool:
        """Tell whether a session was revoked, reading DynamoDB at most every negative_ttl."""
        now = self._clock()
        known = self._known.get(session_id)
        if known is not None and known[1] > now:
            return known[0]
        try:
            answer = await asyncio.to_thread(
                self._dynamodb().get_item,
                TableName=self._table,
                Key=self._key(session_id),
                ConsistentRead=True,
            )
        except Exception as exc:
            logger.warning("revocation lookup failed: %s", type(exc).__name__)
            raise RevocationUnavailableError(
                "revocation store unavailable", retry_after=5.0
            ) from None
        item = answer.get("Item")
        # DynamoDB deletes expired items lazily: honour the ttl attribute ourselves.
        until = float(item["ttl"]["N"]) if item and "ttl" in item else 0.0
        revoked = until > now
        self._remember(
            session_id, revoked=revoked, until=until if revoked else now + self._negative_ttl
        )
        return revoked

    def _remember(self, session_id: str, *, revoked: bool, until: float) -> None:
        if len(self._known) > 10_000:
            now = self._clock()
            self._known = {sid: v for sid, v in self._known.items() if v[1] > now}
            if len(self._known) > 10_000:
                self._known.clear()
        self._known[session_id] = (revoked, until)
