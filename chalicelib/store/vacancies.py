"""Vacancies: one item per published seat, and the conditional writes that move a seat along.

A kindergarten (or an operator for it) publishes N seats of one group; each becomes a
:class:`SeatItem` with the group's birth-year cohort and language and the kindergarten's region
and district. A seat is ``free`` → ``offered`` (a direction holds it) → ``taken`` (the child was
enrolled), or back to ``free`` when the direction is revoked or lapses.

- The sparse GSI ``by-free`` (``free_key`` = ``<channel>#<region>#<district>``, ``seat_id``) holds
  the free seats only: allocation reads a district's free seats in one query, whatever the
  number of seats ever published. Seats of the queue have the channel ``queue``; the state-order
  seats of private kindergartens have ``private`` (parents choose them, allocation does not).
- A publication's seats are ``<publication id>-<n>``: the ids follow from the publication id,
  which follows from the publisher's idempotency key, so a repeated publication writes nothing.
- Every move is a write inside the caller's transaction (:class:`chalicelib.store.history.Change`),
  labelled ``seat`` and conditioned on the state it starts from (``free``, or held by *this*
  direction), so a seat is never given twice, even by racing allocations.
- A publication keeps the count of its free seats (:class:`VacancyFill`, an item of the
  ``counters`` table), moved by the same transactions: the move that takes the last free seat
  also appends the kindergarten's ``vacancy.filled`` event. That move is conditioned on the count
  being 1, every other on it being more than 1, so two racing moves cannot both miss the last
  seat (one is refused, ``seat.vacancy``, and tried again by the next allocation).
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pynamodb.attributes import NumberAttribute, UnicodeAttribute, UTCDateTimeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import table_meta
from chalicelib.store.history import (
    KINDERGARTEN_SUBJECT,
    Change,
    ChangeRefused,
    HistoryRecord,
    commit,
    history_record,
)

SEAT_LABEL = "seat"
FILL_LABEL = "seat.vacancy"  # the publication's count of free seats, moved with the seat


class SeatStatus(StrEnum):
    FREE = "free"
    OFFERED = "offered"  # a live direction holds it
    TAKEN = "taken"  # the child was enrolled


class SeatChannel(StrEnum):
    QUEUE = "queue"  # offered to the queue by allocation
    PRIVATE = "private"  # a private kindergarten's state-order seat, chosen by parents


def free_key(channel: str, region: str, district: str) -> str:
    return f"{channel}#{region}#{district}"


class SeatsByFree(GlobalSecondaryIndex["SeatItem"]):
    class Meta:
        index_name = "by-free"
        projection = AllProjection()

    free_key = UnicodeAttribute(hash_key=True)
    seat_id = UnicodeAttribute(range_key=True)


class SeatItem(Model):
    """One published seat of a kindergarten group."""

    Meta = table_meta("seats")

    seat_id = UnicodeAttribute(hash_key=True)  # "<publication id>-<n>"
    publication_id = UnicodeAttribute()
    kindergarten_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    region = UnicodeAttribute()
    district = UnicodeAttribute()
    cohort = NumberAttribute()  # the group's birth year
    language = UnicodeAttribute()
    channel = UnicodeAttribute(default=SeatChannel.QUEUE.value)
    status = UnicodeAttribute(default=SeatStatus.FREE.value)
    direction_number = UnicodeAttribute(null=True)  # while offered or taken through a direction
    taken_by = UnicodeAttribute(null=True)  # the application that took a private seat by the parent's choice
    free_key = UnicodeAttribute(null=True)  # while free (sparse: by-free)
    published_at = UTCDateTimeAttribute()
    published_by = UnicodeAttribute()  # "kindergarten:<BIN>" | "education_department:<IIN>"
    status_at = UTCDateTimeAttribute()

    by_free = SeatsByFree()


class VacancyFill(Model):
    """A publication's free seats (``vacancy#<publication id>`` in the ``counters`` table).

    The table is :class:`chalicelib.store.queue_index.Counter`'s (same hash key ``name``): this
    model only reads and writes its own items there.
    """

    Meta = table_meta("counters")

    name = UnicodeAttribute(hash_key=True)
    free = NumberAttribute()
    seats = NumberAttribute()
    kindergarten_id = UnicodeAttribute()
    group_id = UnicodeAttribute()
    channel = UnicodeAttribute()


def fill_name(publication_id: str) -> str:
    return f"vacancy#{publication_id}"


def publication_of(seat_id: str) -> str:
    """``<publication id>-<n>`` → the publication id."""
    return seat_id.rsplit("-", 1)[0]


def _filled_ordinal(seat_id: str) -> int:
    """Tells the kindergarten's ``vacancy.filled`` apart at one instant (unique per seat).

    Entries compare as text: the leading ``99999`` puts it after the publication's own
    ``vacancy.published`` (at most ten digits, starting 1 or 2) made at the same instant.
    """
    publication, n = seat_id.rsplit("-", 1)
    return 99_999 * 10**9 + (zlib.crc32(publication.encode()) % 10**6) * 1000 + int(n) % 1000


@dataclass(frozen=True)
class Publication:
    """Seats published together; ``new`` is False when the same publication had been made before."""

    publication_id: str
    seats: list[SeatItem]
    new: bool


def seat_ids(publication_id: str, count: int) -> list[str]:
    return [f"{publication_id}-{n:03d}" for n in range(1, count + 1)]


class SeatRepository:
    """Seats: publishing, the free seats of a district, and the conditional moves of one seat."""

    def publish(self, seats: list[SeatItem], record: HistoryRecord | None = None) -> Publication:
        """Put the seats of one publication (and its history record) in one transaction.

        When the publication's first seat exists already, the publication was made before:
        nothing is written and the stored seats are returned.
        """
        if not seats:
            raise ValueError("a publication has at least one seat")
        publication_id = seats[0].publication_id
        stored = self.find([seats[0].seat_id])
        if stored:
            return Publication(publication_id, self.find([seat.seat_id for seat in seats]), new=False)

        first = seats[0]
        fill = VacancyFill(
            fill_name(publication_id),
            free=len(seats),
            seats=len(seats),
            kindergarten_id=first.kindergarten_id,
            group_id=first.group_id,
            channel=first.channel,
        )

        def build() -> Change:
            change = Change()
            for index, seat in enumerate(seats):
                change.put(f"seat.{index}", seat, SeatItem.seat_id.does_not_exist())
            change.put("vacancy", fill, VacancyFill.name.does_not_exist())
            if record is not None:
                change.put("history", record, HistoryRecord.subject.does_not_exist())
            return change

        try:
            commit(build)
        except ChangeRefused:  # the same publication raced this one and won: answer with its seats
            return Publication(publication_id, self.find([seat.seat_id for seat in seats]), new=False)
        return Publication(publication_id, seats, new=True)

    def find(self, ids: Iterable[str]) -> list[SeatItem]:
        """The stored seats among ``ids``, in the order of ``ids``."""
        wanted = list(dict.fromkeys(ids))
        if not wanted:
            return []
        found = {seat.seat_id: seat for seat in SeatItem.batch_get(wanted, consistent_read=True)}
        return [found[seat_id] for seat_id in wanted if seat_id in found]

    def get(self, seat_id: str) -> SeatItem | None:
        try:
            return SeatItem.get(seat_id, consistent_read=True)
        except SeatItem.DoesNotExist:
            return None

    def free_seats(self, region: str, district: str, channel: str = SeatChannel.QUEUE) -> Iterator[SeatItem]:
        """The district's free seats of a channel (GSI: eventually consistent; the moves are conditional)."""
        return SeatItem.by_free.query(free_key(channel, region, district))

    # --- moves, always inside the caller's transaction ------------------------------------------

    def offer(self, change: Change, seat_id: str, number: str, now: datetime) -> None:
        """free → offered to the direction ``number`` (refused unless the seat is free now)."""
        change.update(
            SEAT_LABEL,
            SeatItem(seat_id),
            [
                SeatItem.status.set(SeatStatus.OFFERED.value),
                SeatItem.direction_number.set(number),
                SeatItem.free_key.remove(),
                SeatItem.status_at.set(now),
            ],
            condition=SeatItem.status == SeatStatus.FREE.value,
        )
        self._one_less_free(change, seat_id, now)

    def release(
        self, change: Change, seat_id: str, number: str, *, region: str, district: str, now: datetime
    ) -> None:
        """offered to ``number`` → free again, back among the district's free seats of the queue."""
        change.update(
            SEAT_LABEL,
            SeatItem(seat_id),
            [
                SeatItem.status.set(SeatStatus.FREE.value),
                SeatItem.direction_number.remove(),
                SeatItem.free_key.set(free_key(SeatChannel.QUEUE.value, region, district)),
                SeatItem.status_at.set(now),
            ],
            condition=(SeatItem.status == SeatStatus.OFFERED.value) & (SeatItem.direction_number == number),
        )
        if self._fill(seat_id) is not None:
            change.update(
                FILL_LABEL,
                VacancyFill(fill_name(publication_of(seat_id))),
                [VacancyFill.free.add(1)],
                condition=VacancyFill.name.exists(),
            )

    def take(self, change: Change, seat_id: str, number: str, now: datetime) -> None:
        """offered to ``number`` → taken: the child was enrolled."""
        change.update(
            SEAT_LABEL,
            SeatItem(seat_id),
            [SeatItem.status.set(SeatStatus.TAKEN.value), SeatItem.status_at.set(now)],
            condition=(SeatItem.status == SeatStatus.OFFERED.value) & (SeatItem.direction_number == number),
        )

    def take_free(self, change: Change, seat_id: str, application_id: str, now: datetime) -> None:
        """free → taken by the parent's own choice (a private kindergarten under the state order)."""
        change.update(
            SEAT_LABEL,
            SeatItem(seat_id),
            [
                SeatItem.status.set(SeatStatus.TAKEN.value),
                SeatItem.taken_by.set(application_id),
                SeatItem.free_key.remove(),
                SeatItem.status_at.set(now),
            ],
            condition=SeatItem.status == SeatStatus.FREE.value,
        )
        self._one_less_free(change, seat_id, now)

    # --- the publication's count of free seats ----------------------------------------------------

    @staticmethod
    def _fill(seat_id: str) -> VacancyFill | None:
        try:
            return VacancyFill.get(fill_name(publication_of(seat_id)), consistent_read=True)
        except VacancyFill.DoesNotExist:
            return None  # published before the count was kept: no ``vacancy.filled`` for it

    def _one_less_free(self, change: Change, seat_id: str, now: datetime) -> None:
        """A free seat of the publication is gone; the last one appends ``vacancy.filled`` (same change)."""
        fill = self._fill(seat_id)
        if fill is None:
            return
        free = int(fill.free)
        if free > 1:
            change.update(FILL_LABEL, fill, [VacancyFill.free.add(-1)], condition=VacancyFill.free > 1)
            return
        if free < 1:  # the count lost track (never expected): leave it, no event rather than a wrong one
            return
        change.update(FILL_LABEL, fill, [VacancyFill.free.set(0)], condition=VacancyFill.free == 1)
        publication = publication_of(seat_id)
        change.put(
            "history.vacancy",
            history_record(
                subject_type=KINDERGARTEN_SUBJECT,
                subject_id=fill.kindergarten_id,
                ordinal=_filled_ordinal(seat_id),
                at=now,
                who="system",
                event="vacancy.filled",
                from_state="free",
                to_state="filled",
                details={
                    "publication_id": publication,
                    "group_id": fill.group_id,
                    "seats": int(fill.seats),
                    "channel": fill.channel,
                    "last_seat_id": seat_id,
                },
            ),
            HistoryRecord.subject.does_not_exist(),
        )
