"""The injected clock. Time is stored as UTC and shown in Asia/Almaty."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

ALMATY = ZoneInfo("Asia/Almaty")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware UTC."""
        ...


class SystemClock:
    """Wall-clock time."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until moved (tests)."""

    def __init__(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta


class OffsetClock:
    """Wall-clock time moved forward by an offset read on every call (the local stack)."""

    def __init__(self, offset: Callable[[], timedelta], base: Clock | None = None) -> None:
        self._offset = offset
        self._base = base or SystemClock()

    def now(self) -> datetime:
        return self._base.now() + self._offset()


def local_time(at: datetime) -> datetime:
    """The instant as seen in Kazakhstan (Asia/Almaty)."""
    return at.astimezone(ALMATY)
