"""Publishing vacancies: a kindergarten (or an education-department operator for it) offers seats of a group.

A publication is N seats of one group of the kindergarten: the group fixes the birth-year
cohort and the language of instruction, the kindergarten its region and district. Seats of a
state kindergarten go to the queue, and publishing allocates them at once (for the district and
the group's cohort only, so the request does a bounded amount of work; the scheduled
``allocate-vacancies`` catches whatever is left). Seats of a private kindergarten under the
state order are chosen by parents instead (``PublishedStateOrderSeats`` serves that choice).

A publication is idempotent: its id follows from the publisher's idempotency key, and its seats'
ids from the publication id, so repeating it writes nothing new.
"""

from __future__ import annotations

import hashlib
import secrets
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from chalicelib.clock import Clock
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.principal import Principal, Role
from chalicelib.domain.reference import Group, Kindergarten
from chalicelib.services.directions import AllocationRun, DirectionService
from chalicelib.services.private_choice import FreeSeats, SeatTaking
from chalicelib.store.directions import KINDERGARTEN_SUBJECT
from chalicelib.store.history import Change, history_record
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.vacancies import Publication, SeatChannel, SeatItem, SeatRepository, free_key, seat_ids

MAX_SEATS_PER_PUBLICATION = 50


@dataclass(frozen=True)
class Published:
    """A publication and, for the queue's seats, the allocation it triggered."""

    publication: Publication
    kindergarten: Kindergarten
    group: Group
    channel: SeatChannel
    allocation: AllocationRun | None


def _unknown_kindergarten(kindergarten_id: str) -> InvalidInput:
    return InvalidInput(
        "vacancy.unknown_kindergarten",
        "Мұндай балабақша жоқ.",
        "Такого детского сада нет.",
        details={"field": "kindergarten_id", "kindergarten_id": kindergarten_id},
    )


def _unknown_group(group_id: str) -> InvalidInput:
    return InvalidInput(
        "vacancy.unknown_group",
        "Балабақшада мұндай топ жоқ.",
        "В детском саду нет такой группы.",
        details={"field": "group_id", "group_id": group_id},
    )


def _too_many(limit: int) -> InvalidInput:
    return InvalidInput(
        "vacancy.too_many_seats",
        f"Бір жариялауда 1-ден {limit}-ге дейін орын болады (топтың сыйымдылығынан аспайды).",
        f"В одной публикации от 1 до {limit} мест (не больше вместимости группы).",
        details={"field": "seats", "max": limit},
    )


def _outside_area() -> Forbidden:
    return Forbidden(
        "vacancy.outside_area",
        "Бұл балабақша сіздің өңіріңізге (ауданыңызға) жатпайды.",
        "Этот детский сад не относится к вашему региону (району).",
    )


def publication_id(kindergarten_id: str, idempotency_key: str | None) -> str:
    """``P<16 hex>``: derived from the publisher's idempotency key, random without one."""
    if not idempotency_key:
        return f"P{secrets.token_hex(8)}"
    return "P" + hashlib.sha256(f"{kindergarten_id}#{idempotency_key}".encode()).hexdigest()[:16]


@dataclass(frozen=True)
class VacancyService:
    clock: Clock
    reference: ReferenceRepository
    seats: SeatRepository
    directions: DirectionService

    def publish_as_kindergarten(
        self, principal: Principal, group_id: str, count: int, idempotency_key: str | None
    ) -> Published:
        """A kindergarten's portal publishes seats of one of its own groups."""
        kindergarten = self.reference.get_kindergarten(principal.kindergarten_id or "")
        if kindergarten is None:
            raise _unknown_kindergarten(principal.kindergarten_id or "")
        return self._publish(principal, kindergarten, group_id, count, idempotency_key)

    def publish_as_operator(
        self, principal: Principal, kindergarten_id: str, group_id: str, count: int, idempotency_key: str | None
    ) -> Published:
        """An education-department operator publishes seats for a kindergarten of their region (district)."""
        kindergarten = self.reference.get_kindergarten(kindergarten_id)
        if kindergarten is None:
            raise _unknown_kindergarten(kindergarten_id)
        if principal.role is not Role.EDUCATION_DEPARTMENT or principal.region != kindergarten.region:
            raise _outside_area()
        if principal.district and principal.district != kindergarten.district:
            raise _outside_area()
        return self._publish(principal, kindergarten, group_id, count, idempotency_key)

    def _publish(
        self, principal: Principal, kindergarten: Kindergarten, group_id: str, count: int, idempotency_key: str | None
    ) -> Published:
        group = self.reference.get_group(kindergarten.id, group_id)
        if group is None:
            raise _unknown_group(group_id)
        limit = min(MAX_SEATS_PER_PUBLICATION, group.capacity)
        if count < 1 or count > limit:
            raise _too_many(limit)
        now = self.clock.now()
        who = f"{principal.role.value}:{principal.iin}"
        channel = SeatChannel.PRIVATE if kindergarten.is_private else SeatChannel.QUEUE
        pid = publication_id(kindergarten.id, idempotency_key)
        seats = [
            SeatItem(
                seat_id,
                publication_id=pid,
                kindergarten_id=kindergarten.id,
                group_id=group.group_id,
                region=kindergarten.region,
                district=kindergarten.district,
                cohort=group.birth_year,
                language=group.language,
                channel=channel.value,
                status="free",
                free_key=free_key(channel.value, kindergarten.region, kindergarten.district),
                published_at=now,
                published_by=who,
                status_at=now,
            )
            for seat_id in seat_ids(pid, count)
        ]
        record = history_record(
            subject_type=KINDERGARTEN_SUBJECT,
            subject_id=kindergarten.id,
            ordinal=int(pid[1:8], 16) * 10 + 9,
            at=now,
            who=who,
            event="vacancy.published",
            to_state="free",
            details={"publication_id": pid, "group_id": group.group_id, "seats": count, "channel": channel.value},
        )
        publication = self.seats.publish(seats, record)
        run = None
        if channel is SeatChannel.QUEUE:
            run = self.directions.allocate(kindergarten.region, kindergarten.district, cohorts={group.birth_year})
        return Published(publication, kindergarten, group, channel, run)


class PublishedStateOrderSeats:
    """Private kindergartens' state-order seats as published vacancies (the parents' private choice).

    Implements the ``StateOrderSeats`` the private choice asks for: the free seats counted from
    the published ones, and a conditional write (labelled ``seat``) that takes one.
    """

    def __init__(self, reference: ReferenceRepository, seats: SeatRepository) -> None:
        self.reference = reference
        self.seats = seats

    def _free(self, kindergarten: Kindergarten, cohort: int) -> list[SeatItem]:
        return sorted(
            (
                seat
                for seat in self.seats.free_seats(kindergarten.region, kindergarten.district, SeatChannel.PRIVATE)
                if seat.kindergarten_id == kindergarten.id and int(seat.cohort) == cohort
            ),
            key=lambda seat: seat.seat_id,
        )

    def free(self, kindergartens: Iterable[Kindergarten], cohort: int) -> list[FreeSeats]:
        found = []
        for kindergarten in kindergartens:
            if not kindergarten.offers_private_state_order:
                continue
            seats = self._free(kindergarten, cohort)
            counts = Counter((seat.group_id, seat.language) for seat in seats)
            for (group_id, language), count in sorted(counts.items()):
                group = self.reference.get_group(kindergarten.id, group_id)
                found.append(FreeSeats(kindergarten.id, language, count, group))
        return found

    def taking(
        self, kindergarten: Kindergarten, cohort: int, language: str, application_id: str, now: datetime
    ) -> SeatTaking | None:
        seat_id = next((seat.seat_id for seat in self._free(kindergarten, cohort) if seat.language == language), None)
        if seat_id is None:
            return None

        def write(change: Change) -> None:
            self.seats.take_free(change, seat_id, application_id, now)

        return SeatTaking(seat_id, write)
