"""A bounded LRU of verified tokens keyed by SHA-256 digest; entries die with their token."""

from __future__ import annotations

from collections import OrderedDict
from typing import Generic, NamedTuple, TypeVar

ClaimsT = TypeVar("ClaimsT")


class CacheEntry(NamedTuple, Generic[ClaimsT]):
    """Verified claims with the times a cache hit must check again.

    The key is the SHA-256 of the signing input; the signature segment kept here must equal the
    presented one, so a hit is always the very token that was verified.
    """

    claims: ClaimsT
    exp: float
    nbf: float
    iat: float
    not_before: float  # max(nbf, iat): one comparison on the hot path
    signature: bytes = b""


class TokenCache(Generic[ClaimsT]):
    """Least-recently-used map from token digest to verified claims, at most maxsize entries."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._entries: OrderedDict[bytes, CacheEntry[ClaimsT]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, digest: bytes) -> CacheEntry[ClaimsT] | None:
        """Return the entry for a digest and mark it recently used."""
        entry = self._entries.get(digest)
        if entry is not None:
            try:
                self._entries.move_to_end(digest)
            except KeyError:  # evicted concurrently by another thread
                return entry
        return entry

    def put(self, digest: bytes, entry: CacheEntry[ClaimsT]) -> None:
        """Store an entry, evicting the least recently used ones beyond maxsize."""
        if self.maxsize <= 0:
            return
        self._entries[digest] = entry
        while len(self._entries) > self.maxsize:
            try:
                self._entries.popitem(last=False)
            except KeyError:  # emptied concurrently
                break

    def discard(self, digest: bytes) -> None:
        """Forget an entry (expired tokens)."""
        self._entries.pop(digest, None)
