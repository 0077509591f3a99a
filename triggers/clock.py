"""The triggers' clock and timestamp format (ISO-8601, UTC, milliseconds, ``Z``)."""

from __future__ import annotations

from datetime import UTC, datetime


def utc_now() -> datetime:
    """The current time in UTC (tests replace this function)."""
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    """Format a moment as e.g. ``2024-05-01T12:30:00.000Z``."""
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
