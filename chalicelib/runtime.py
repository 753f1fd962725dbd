"""Where every service gets its clock: wall-clock time in AWS, the movable clock locally.

Locally (``BQ_STAGE=local`` and ``BQ_LOCAL_CLOCK=true``) the clock is wall-clock
time plus an offset kept in the ``local-state`` table, so that the API, the
scheduled functions and every other process of the local stack agree on "now"
after a person moves the clock forward to watch a deadline pass. The offset is
read at most once per ``local_clock_cache_seconds`` per process. The stack may
start the clock at any instant (``start_clock_at``, before anything is stored, so
that tests never depend on today's date); after that it only moves forward.
"""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

from chalicelib.clock import Clock, OffsetClock, SystemClock
from chalicelib.settings import get_settings

CLOCK_STATE = "clock"


def movable_clock_enabled() -> bool:
    """True only in the local stack with the movable clock switched on."""
    settings = get_settings()
    return settings.stage == "local" and settings.local_clock


def read_clock_offset() -> timedelta:
    """The stored offset, read now (strongly consistent); zero before the first move."""
    from chalicelib.store.local import LocalState

    try:
        state = LocalState.get(CLOCK_STATE, consistent_read=True)
    except LocalState.DoesNotExist:
        return timedelta(0)
    return timedelta(seconds=float(state.offset_seconds or 0))


class _CachedOffset:
    """The offset as this process last read it, refreshed after ``ttl`` seconds."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value = timedelta(0)
        self._read_at: float | None = None

    def __call__(self) -> timedelta:
        ttl = get_settings().local_clock_cache_seconds
        with self._lock:
            fresh = self._read_at is not None and time.monotonic() - self._read_at < ttl
            if not fresh:
                self._value = read_clock_offset()
                self._read_at = time.monotonic()
            return self._value

    def forget(self) -> None:
        with self._lock:
            self._read_at = None


_offset = _CachedOffset()
_movable = OffsetClock(_offset)
_system = SystemClock()


def service_clock() -> Clock:
    """The clock services must use: ``SystemClock`` in AWS, the movable clock locally."""
    return _movable if movable_clock_enabled() else _system


def advance_clock(delta: timedelta) -> timedelta:
    """Move the local clock forward by ``delta`` (atomic, so concurrent moves add up).

    Returns the new offset. The clock never goes back: ``delta`` must be positive.
    """
    if delta <= timedelta(0):
        raise ValueError("the clock only moves forward")
    from chalicelib.store.local import LocalState

    state = LocalState(CLOCK_STATE)
    state.update(
        actions=[
            LocalState.offset_seconds.add(delta.total_seconds()),
            LocalState.updated_at.set(datetime.now(UTC)),
        ]
    )
    _offset.forget()
    return timedelta(seconds=float(state.offset_seconds))


def start_clock_at(instant: datetime) -> timedelta:
    """Set the local clock so that "now" is ``instant`` (past or future); returns the offset.

    Only for a stack that has stored nothing yet: moving an existing stack's clock back
    would leave deadlines and timers in its future. The local stack calls it at start
    (``--clock-start``); afterwards the clock only moves forward (:func:`advance_clock`).
    """
    if instant.tzinfo is None:
        raise ValueError("the clock start must be an aware instant")
    from chalicelib.store.local import LocalState

    offset = instant - datetime.now(UTC)
    LocalState(CLOCK_STATE, offset_seconds=offset.total_seconds(), updated_at=datetime.now(UTC)).save()
    _offset.forget()
    return offset
