"""Directions: the table, its timer index, and the writes that move a direction along.

- ``directions`` — :class:`Direction`, keyed by its number (``Ж.2026.000123``), with three GSIs:
  ``by-due`` (``due_bucket``, ``due_at``: the deadline while the direction is live — sparse, so
  the expiry sweep reads what is due and nothing else, as ``docs/queue.md`` describes for the
  queue's timers), ``by-kindergarten`` (a kindergarten's directions, newest first) and
  ``by-application`` (a child's directions).
- Every change of a direction is a write inside one transaction (:class:`Change`) together with
  its seat, the child's application and the history records: the direction's own record, and
  an event for the kindergarten (subject ``kindergarten``/<id>, in the outbox, so that a webhook
  can deliver it later and none is lost).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    JSONAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.directions import DirectionNumber, DirectionStatus, issue_year
from chalicelib.domain.queue import bucket_day, buckets_between, settled_day, timer_bucket
from chalicelib.store.applications import DateAttribute
from chalicelib.store.base import table_meta, update_actions
from chalicelib.store.history import Change, HistoryRecord, HistoryRepository, commit_writes, history_record
from chalicelib.store.queue_index import QueueIndex

SUBJECT = "direction"
KINDERGARTEN_SUBJECT = "kindergarten"
EXPIRY_SWEEP = "direction-expiry"
DIRECTION_LABEL = "direction"
FIRST_SWEEP_LOOKBACK = timedelta(days=60)  # longer than any direction lives (5 working days + 30 days)

# The kindergarten's events at one instant are told apart by the direction's serial and the event.
_EVENT_CODES = {"issued": 1, "extended": 2, "revoked": 3, "enrolled": 4, "expired": 5}


class DirectionsByDue(GlobalSecondaryIndex["Direction"]):
    class Meta:
        index_name = "by-due"
        projection = AllProjection()

    due_bucket = UnicodeAttribute(hash_key=True)
    due_at = UTCDateTimeAttribute(range_key=True)


class DirectionsByKindergarten(GlobalSecondaryIndex["Direction"]):
    class Meta:
        index_name = "by-kindergarten"
        projection = AllProjection()

    kindergarten_id = UnicodeAttribute(hash_key=True)
    issued_key = UnicodeAttribute(range_key=True)


class DirectionsByApplication(GlobalSecondaryIndex["Direction"]):
    class Meta:
        index_name = "by-application"
        projection = AllProjection()

    application_id = UnicodeAttribute(hash_key=True)
    issued_key = UnicodeAttribute(range_key=True)


class Direction(Model):
    """A direction to a kindergarten (жолдама / направление), seed 004 appendix 10."""

    Meta = table_meta("directions")

    number = UnicodeAttribute(hash_key=True)  # "Ж.2026.000123"

    application_id = UnicodeAttribute()
    applicant_iin = UnicodeAttribute()
    child_iin = UnicodeAttribute()
    child_surname = UnicodeAttribute()
    child_given_name = UnicodeAttribute()
    child_patronymic = UnicodeAttribute(null=True)
    birth_date = DateAttribute()
    notify_email = UnicodeAttribute(null=True)  # the applicant's contacts from the application, for the sweep
    notify_phone = UnicodeAttribute(null=True)

    region = UnicodeAttribute()
    district = UnicodeAttribute()
    kindergarten_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    seat_id = UnicodeAttribute()
    cohort = NumberAttribute()
    language = UnicodeAttribute()

    issued_at = UTCDateTimeAttribute()
    issued_key = UnicodeAttribute()  # "<issued at, UTC ISO>#<number>": newest first in the GSIs
    deadline = UTCDateTimeAttribute()  # valid while now < deadline (00:00 Asia/Almaty after the last day)
    status = UnicodeAttribute(default=DirectionStatus.ISSUED.value)
    status_at = UTCDateTimeAttribute()
    extended = BooleanAttribute(default=False)
    extended_days = NumberAttribute(null=True)

    run_id = UnicodeAttribute(null=True)  # the allocation run that made the offer
    explanation = JSONAttribute(null=True)  # why this child got this seat (the offer's passed_over)
    document_id = UnicodeAttribute(null=True)  # the direction's PDF (IssuedDocument)
    contract_number = UnicodeAttribute(null=True)  # the electronic contract started on it (one at most)
    contract_status = UnicodeAttribute(null=True)  # that contract's status, kept in step with it
    paused_seconds = NumberAttribute(null=True)  # time left when the contract was sent (the clock stopped)

    due_bucket = UnicodeAttribute(null=True)  # while live (sparse: by-due)
    due_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()

    by_due = DirectionsByDue()
    by_kindergarten = DirectionsByKindergarten()
    by_application = DirectionsByApplication()

    @property
    def state(self) -> DirectionStatus:
        return DirectionStatus(self.status)

    @property
    def serial(self) -> int:
        return DirectionNumber.parse(self.number).serial


DIRECTION_MODELS: tuple[type[Model], ...] = (Direction,)


def issued_key(issued_at: datetime, number: str) -> str:
    return f"{issued_at.astimezone(UTC).isoformat()}#{number}"


class DirectionRepository:
    """Directions: numbers, reads, the writes of each change, and the due timers."""

    def __init__(self, index: QueueIndex | None = None) -> None:
        self.index = index or QueueIndex()
        self.history_store = HistoryRepository()

    # --- numbers and reads ----------------------------------------------------------------------

    def next_number(self, now: datetime) -> str:
        """A new direction number; a number whose transaction is refused leaves a gap, as paper registers do."""
        year = issue_year(now)
        return str(DirectionNumber(year, self.index.next_value(f"direction#{year}")))

    def find(self, number: str) -> Direction | None:
        try:
            return Direction.get(number, consistent_read=True)
        except Direction.DoesNotExist:
            return None

    def for_kindergarten(self, kindergarten_id: str, *, status: str | None = None, limit: int = 100) -> list[Direction]:
        """A kindergarten's directions (of one status, or all), newest first (GSI: eventually consistent)."""
        condition = Direction.status == status if status is not None else None
        return list(
            Direction.by_kindergarten.query(
                kindergarten_id, filter_condition=condition, scan_index_forward=False, limit=limit
            )
        )

    def for_application(self, application_id: str) -> list[Direction]:
        """A child's directions, newest first (GSI: eventually consistent)."""
        return list(Direction.by_application.query(application_id, scan_index_forward=False))

    def history(self, number: str) -> list[HistoryRecord]:
        return self.history_store.for_subject(SUBJECT, number)

    def kindergarten_events(self, kindergarten_id: str) -> list[HistoryRecord]:
        """The kindergarten's events (directions issued, extended, revoked, enrolled, expired), oldest first."""
        return self.history_store.for_subject(KINDERGARTEN_SUBJECT, kindergarten_id)

    # --- writes, inside the caller's transaction ------------------------------------------------

    def put_new(self, change: Change, direction: Direction) -> None:
        change.put(DIRECTION_LABEL, direction, Direction.number.does_not_exist())

    def update(
        self, change: Change, direction: Direction, values: dict[str, Any], *, require_live: bool = True
    ) -> None:
        """Set (or, for None, remove) attributes of the direction as read (its version is the condition)."""
        actions = update_actions(Direction, values)
        condition = (
            Direction.status.is_in(DirectionStatus.ISSUED.value, DirectionStatus.EXTENDED.value)
            if require_live
            else None
        )
        change.update(DIRECTION_LABEL, direction, actions, condition)

    def record(
        self,
        change: Change,
        direction: Direction,
        *,
        event: str,
        now: datetime,
        who: str,
        from_state: str | None,
        to_state: str | None,
        why: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        """The direction's own history record and the kindergarten's event, both in ``change``."""
        ordinal = int(direction.version or 0) + 1
        change.put(
            "history.direction",
            history_record(
                subject_type=SUBJECT,
                subject_id=direction.number,
                ordinal=ordinal,
                at=now,
                who=who,
                event=f"direction.{event}",
                from_state=from_state,
                to_state=to_state,
                why=why,
                details=details,
                publish=False,
            ),
            HistoryRecord.subject.does_not_exist(),
        )
        change.put(
            "history.kindergarten",
            history_record(
                subject_type=KINDERGARTEN_SUBJECT,
                subject_id=direction.kindergarten_id,
                ordinal=direction.serial * 10 + _EVENT_CODES[event],
                at=now,
                who=who,
                event=f"direction.{event}",
                from_state=from_state,
                to_state=to_state,
                why=why,
                details={
                    "number": direction.number,
                    "application_id": direction.application_id,
                    "group_id": direction.group_id,
                    "seat_id": direction.seat_id,
                    **(details or {}),
                },
                publish=True,
            ),
            HistoryRecord.subject.does_not_exist(),
        )

    def commit(self, writes: Any) -> None:
        """Commit a change made of ``writes(change)`` alone (the application is not part of it)."""
        commit_writes(writes)

    @staticmethod
    def timer_values(deadline: datetime | None, now: datetime) -> dict[str, Any]:
        """The due keys of a live direction's deadline (None: no timer, the direction is over)."""
        if deadline is None:
            return {"due_at": None, "due_bucket": None}
        return {"due_at": deadline, "due_bucket": timer_bucket(deadline, now)}

    # --- timers ---------------------------------------------------------------------------------

    def due(self, now: datetime, *, since: date | None = None, limit: int | None = None) -> Iterator[Direction]:
        """Live directions whose deadline has passed at ``now``, read from the due buckets only.

        The buckets from the sweep cursor (or ``since``) to today; a bucket old enough to be
        complete moves the cursor past it once every direction in it was handed out. The first
        sweep ever, with no cursor, looks back longer than any direction lives.
        """
        cursor = self.index.cursor(EXPIRY_SWEEP)
        start = since or cursor or (now - FIRST_SWEEP_LOOKBACK).astimezone(UTC).date()
        moves_cursor = cursor is None or start <= cursor
        settled = settled_day(now)
        drained: date | None = None
        handed = 0
        for bucket in buckets_between(start, now.astimezone(UTC).date()):
            day = bucket_day(bucket)
            if drained is not None and day > settled:
                self.index.advance_cursor(EXPIRY_SWEEP, drained)
                drained = None
            for direction in Direction.by_due.query(bucket, Direction.due_at <= now):
                yield direction
                handed += 1
                if limit is not None and handed >= limit:
                    return
            if moves_cursor and day <= settled:
                drained = day + timedelta(days=1)
