"""The queue's pure rules: which queue a child stands in, queue numbers, registration numbers, timers.

Everything here is arithmetic on values the store hands over; nothing reads a clock or a table.
``docs/queue.md`` explains the storage design these rules serve.

- **Scope.** A queue is a region's district (or the whole region, for cities that keep one
  city-wide queue — seed 002's "общегородская очередность") and the child's birth-year cohort.
- **Order.** Every application gets a sequence number ``seq`` in its queue when it registers;
  the order of ``seq`` is the order of registration. The active members of a queue are kept in
  chunks of ``chunk_size`` consecutive sequence numbers, so a queue number is the sum of the
  active counts of the chunks before the child's chunk plus the members ahead inside it.
- **Timers.** An application in the queue always has exactly one pending timer: the next
  interest reminder, the interest lapse (removal), or the school-age date (removal), whichever
  comes first. Reminders are skipped once their moment has passed; the removal timers never are.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Literal
from zoneinfo import ZoneInfo

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound

ALMATY = ZoneInfo("Asia/Almaty")

QueueScope = Literal["district", "region"]
WHOLE_REGION = "*"
CHUNK_SIZE = 1024
MAX_PREFERENCES = 3
NO_BENEFIT = "none"


class ApplicationStatus(StrEnum):
    """Where an application stands. Only ``ACTIVE`` is in the queue; every other status is final."""

    ACTIVE = "active"  # в очереди / кезекте
    WITHDRAWN = "withdrawn"  # the parent withdrew it
    REMOVED = "removed"  # removed by the rules or an operator (interest not confirmed, directions missed)
    AGED_OUT = "aged_out"  # the child reached school age
    ENROLLED = "enrolled"  # the child was admitted to a kindergarten
    LEFT_FOR_PRIVATE = "left_for_private"  # a private kindergarten under the state order (seed 002)
    REFUSED = "refused"  # the education department refused the service with a motivated, signed answer

    @property
    def in_queue(self) -> bool:
        return self is ApplicationStatus.ACTIVE

    @property
    def kk(self) -> str:
        return _STATUS_LABELS[self][0]

    @property
    def ru(self) -> str:
        return _STATUS_LABELS[self][1]


_STATUS_LABELS: dict[ApplicationStatus, tuple[str, str]] = {
    ApplicationStatus.ACTIVE: ("Кезекте", "В очереди"),
    ApplicationStatus.WITHDRAWN: ("Кезектен алынды", "Снято с очереди"),
    ApplicationStatus.REMOVED: ("Кезектен шығарылды", "Исключено из очереди"),
    ApplicationStatus.AGED_OUT: ("Бала мектеп жасына толды", "Ребёнок достиг школьного возраста"),
    ApplicationStatus.ENROLLED: ("Балабақшаға қабылданды", "Зачислен в детский сад"),
    ApplicationStatus.LEFT_FOR_PRIVATE: ("Жеке балабақшаға жолдама алды", "Направлен в частный ДДО"),
    ApplicationStatus.REFUSED: ("Қызмет көрсетуден бас тартылды", "Отказано в оказании услуги"),
}


class BenefitStatus(StrEnum):
    """A benefit claim: only an approved claim puts the child in the category's queue."""

    NONE = "none"
    PENDING = "pending"  # claimed, waiting for an operator
    APPROVED = "approved"
    REFUSED = "refused"


BENEFIT_UNDER_REVIEW = ("тексеруде", "на проверке")
NO_NUMBER = "—"


def benefit_number_words(number: int | None, benefit_status: str | None) -> tuple[str, str]:
    """The benefit queue number as parents read it (kk, ru): the number once the benefit is approved,
    «тексеруде / на проверке» while an operator checks the claim, «—» without a benefit (never 0)."""
    if number is not None:
        return str(number), str(number)
    if benefit_status == BenefitStatus.PENDING:
        return BENEFIT_UNDER_REVIEW
    return NO_NUMBER, NO_NUMBER


class Channel(StrEnum):
    """How the application came in (the view shows the e-government and service-centre numbers)."""

    PORTAL = "portal"
    SERVICE_CENTER = "service_center"  # ХҚКО / ЦОН
    EGOV = "egov"  # ЭҮП / портал электронного правительства


class TimerKind(StrEnum):
    REMINDER = "interest_reminder"  # "confirm your interest": N days before the deadline
    LAPSE = "interest_lapse"  # the deadline passed unconfirmed: the child is removed
    SCHOOL_AGE = "school_age"  # the child reached school age: the child leaves the queue

    @property
    def removes(self) -> bool:
        return self is not TimerKind.REMINDER


@dataclass(frozen=True)
class QueueRules:
    """The configurable numbers of the queue (defaults from the seeds)."""

    interest_period_months: int = 12
    reminder_days: tuple[int, ...] = (30, 7, 1)
    school_age_years: int = 7
    scope: QueueScope = "district"


@dataclass(frozen=True)
class Timer:
    """The next pending deadline of an application."""

    kind: TimerKind
    due_at: datetime
    days_before: int | None = None  # reminders: how many days before the deadline
    deadline: datetime | None = None  # reminders and lapse: the interest deadline


# --- scope -------------------------------------------------------------------------------------


def cohort_of(birth_date: date) -> int:
    """The birth-year cohort: children of one birth year share a queue (and a group)."""
    return birth_date.year


def queue_key(region: str, district: str, cohort: int, scope: QueueScope = "district") -> str:
    """The identity of the general queue a child stands in."""
    for part in (region, district):
        if not part or "#" in part:
            raise ValueError(f"region and district codes must be non-empty and free of '#': {part!r}")
    place = district if scope == "district" else WHOLE_REGION
    return f"{region}#{place}#{cohort}"


def benefit_queue_key(general_key: str, category: str) -> str:
    """The queue of one benefit category inside a general queue (same members, same order)."""
    if not category or category == NO_BENEFIT or "#" in category:
        raise ValueError(f"not a benefit category: {category!r}")
    return f"{general_key}#{category}"


def pool_key(general_key: str, language: str) -> str:
    """The children of a general queue who learn in ``language``: the pool that competes for the same
    seats (``chalicelib/domain/allocation.py``), in registration order."""
    if not language or "#" in language or "@" in language:
        raise ValueError(f"not a language: {language!r}")
    return f"{general_key}#@{language}"


def pool_benefit_key(general_key: str, category: str, language: str) -> str:
    """The approved benefit category ``category`` inside the pool of ``language``."""
    pool_key(general_key, language)  # the same checks of the language
    return f"{benefit_queue_key(general_key, category)}@{language}"


class Departure(StrEnum):
    """Why a child left a pool, as the position page explains it to the children behind."""

    DIRECTED = "d"  # admitted (directed and enrolled, or a private kindergarten under the state order)
    WITHDRAWN = "w"  # the parent withdrew the application
    REMOVED = "r"  # removed by the rules or an operator, or reached school age


def departure_of(status: ApplicationStatus) -> Departure:
    if status in (ApplicationStatus.ENROLLED, ApplicationStatus.LEFT_FOR_PRIVATE):
        return Departure.DIRECTED
    if status is ApplicationStatus.WITHDRAWN:
        return Departure.WITHDRAWN
    return Departure.REMOVED


# --- queue numbers -----------------------------------------------------------------------------


def chunk_of(seq: int, chunk_size: int = CHUNK_SIZE) -> int:
    """The chunk that holds sequence number ``seq``."""
    if seq < 1 or chunk_size < 1:
        raise ValueError("sequence numbers and chunk sizes start at 1")
    return seq // chunk_size


def queue_position(
    seq: int, chunk_counts: Mapping[int, int], chunk_members: Iterable[int], chunk_size: int = CHUNK_SIZE
) -> int:
    """The 1-based queue number of ``seq``: active counts of earlier chunks + members ahead in its chunk.

    ``chunk_counts`` maps chunk → active members; ``chunk_members`` are the active sequence
    numbers of ``seq``'s own chunk.
    """
    mine = chunk_of(seq, chunk_size)
    before = sum(count for chunk, count in chunk_counts.items() if chunk < mine)
    ahead_in_chunk = sum(1 for member in chunk_members if member < seq)
    return before + ahead_in_chunk + 1


# --- registration numbers ----------------------------------------------------------------------

REGISTRATION_PREFIX = "УО"
_REGISTRATION = re.compile(r"^(?P<prefix>[^.\s]+)\.(?P<year>\d{4})\.(?P<serial>\d{6,})\.(?P<edition>\d)$")


@dataclass(frozen=True)
class RegistrationNumber:
    """``УО.2018.000024.1``: education department, registration year, serial of the year, edition."""

    year: int
    serial: int
    edition: int = 1
    prefix: str = REGISTRATION_PREFIX

    def __str__(self) -> str:
        return f"{self.prefix}.{self.year:04d}.{self.serial:06d}.{self.edition}"

    @classmethod
    def parse(cls, text: str) -> RegistrationNumber:
        match = _REGISTRATION.match(text)
        if match is None:
            raise ValueError(f"not a registration number: {text!r}")
        return cls(int(match["year"]), int(match["serial"]), int(match["edition"]), match["prefix"])


def registration_year(at: datetime) -> int:
    """The year a registration number carries: the calendar year in Kazakhstan."""
    return at.astimezone(ALMATY).year


# --- time rules --------------------------------------------------------------------------------


def _local_midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), ALMATY).astimezone(UTC)


def add_months(at: datetime, months: int) -> datetime:
    """The same local wall-clock time ``months`` calendar months later (31 Jan + 1 → 28/29 Feb)."""
    local = at.astimezone(ALMATY)
    index = local.year * 12 + (local.month - 1) + months
    year, month = divmod(index, 12)
    day = min(local.day, calendar.monthrange(year, month + 1)[1])
    moved = datetime.combine(date(year, month + 1, day), local.time().replace(tzinfo=None), ALMATY)
    return moved.astimezone(UTC)


def birthday(birth_date: date, years: int) -> date:
    """The day a child born on ``birth_date`` turns ``years`` (29 Feb → 1 Mar in common years)."""
    year = birth_date.year + years
    if birth_date.month == 2 and birth_date.day == 29 and not calendar.isleap(year):
        return date(year, 3, 1)
    return birth_date.replace(year=year)


def school_age_at(birth_date: date, rules: QueueRules) -> datetime:
    """The instant the child reaches school age: local midnight of the birthday (UTC)."""
    return _local_midnight(birthday(birth_date, rules.school_age_years))


def is_under_school_age(birth_date: date, now: datetime, rules: QueueRules) -> bool:
    return now < school_age_at(birth_date, rules)


def interest_deadline(registered_at: datetime, last_confirmed_at: datetime | None, rules: QueueRules) -> datetime:
    """When interest must have been confirmed: one period after registration or the last confirmation."""
    anchor = last_confirmed_at if last_confirmed_at is not None else registered_at
    return add_months(anchor, rules.interest_period_months)


def next_timer(
    *, registered_at: datetime, last_confirmed_at: datetime | None, birth_date: date, after: datetime, rules: QueueRules
) -> Timer:
    """The application's next pending timer once everything up to ``after`` has been handled.

    The final timer (lapse or school age, whichever is earlier; school age wins a tie) is always
    returned when no reminder is still ahead, even when it is already overdue. A reminder is
    only due while its moment is after ``after`` and before the final timer, and only when the
    final timer is the lapse (reminding to confirm makes no sense when the child ages out first).
    """
    deadline = interest_deadline(registered_at, last_confirmed_at, rules)
    aged = school_age_at(birth_date, rules)
    if aged <= deadline:
        return Timer(TimerKind.SCHOOL_AGE, aged)
    reminders = sorted(
        (
            Timer(TimerKind.REMINDER, deadline - timedelta(days=days), days, deadline)
            for days in set(rules.reminder_days)
            if days > 0
        ),
        key=lambda timer: timer.due_at,
    )
    for reminder in reminders:
        if reminder.due_at > after:
            return reminder
    return Timer(TimerKind.LAPSE, deadline, None, deadline)


# --- due buckets -------------------------------------------------------------------------------


def due_bucket(at: datetime) -> str:
    """The bucket a timer is filed under: its UTC calendar day, ``YYYY-MM-DD``."""
    return at.astimezone(UTC).date().isoformat()


def timer_bucket(due_at: datetime, now: datetime) -> str:
    """The bucket a timer written at ``now`` goes to: its own day, or today's when already overdue.

    Filing an overdue timer under today keeps the rule the sweep relies on: a bucket only ever
    receives timers before its day ends.
    """
    return due_bucket(max(due_at, now))


def bucket_day(bucket: str) -> date:
    return date.fromisoformat(bucket)


def buckets_between(first: date, last: date) -> list[str]:
    """Every bucket from ``first`` to ``last`` inclusive, oldest first."""
    return [(first + timedelta(days=offset)).isoformat() for offset in range((last - first).days + 1)]


def settled_day(now: datetime) -> date:
    """The newest bucket day a sweep may mark as drained at ``now``.

    Timers are always written ahead of their moment, so everything filed under a day that ended
    a full day ago was written more than a day ago: visible in the (eventually consistent) index.
    """
    return (now.astimezone(UTC) - timedelta(days=2)).date()


# --- refusals ----------------------------------------------------------------------------------


def child_already_in_queue(application_id: str | None) -> Conflict:
    return Conflict(
        "child_already_in_queue",
        "Бала осы өңірде кезекте тұр: бір балаға бір өңірде бір ғана белсенді өтініш беріледі",
        "Ребёнок уже стоит в очереди в этом регионе: на ребёнка в регионе допускается одно активное заявление",
        details={"application_id": application_id} if application_id else None,
    )


def child_of_school_age() -> InvalidInput:
    return InvalidInput(
        "child_of_school_age",
        "Бала мектеп жасына толды (7 жас): кезекке қою мүмкін емес",
        "Ребёнок достиг школьного возраста (7 лет): постановка в очередь невозможна",
    )


def too_many_preferences() -> InvalidInput:
    return InvalidInput(
        "too_many_preferences",
        f"Балабақшаны {MAX_PREFERENCES}-ке дейін таңдауға болады",
        f"Можно выбрать не более {MAX_PREFERENCES} детских садов",
    )


def application_not_found(application_id: str) -> NotFound:
    return NotFound(
        "application_not_found",
        "Өтініш табылмады",
        "Заявление не найдено",
        details={"application_id": application_id},
    )


def not_in_queue(application_id: str) -> Conflict:
    return Conflict(
        "application_not_in_queue",
        "Өтініш кезекте емес: бұл әрекет енді қолжетімсіз",
        "Заявление не находится в очереди: это действие больше недоступно",
        details={"application_id": application_id},
    )


def benefit_not_pending(application_id: str) -> Conflict:
    return Conflict(
        "benefit_not_pending",
        "Жеңілдік бойынша тексеруді күтетін өтінім жоқ",
        "Нет заявки на льготу, ожидающей проверки",
        details={"application_id": application_id},
    )


def changed_concurrently(application_id: str) -> Conflict:
    return Conflict(
        "application_changed_concurrently",
        "Өтініш дәл қазір өзгертілуде: әрекетті қайталаңыз",
        "Заявление сейчас изменяется: повторите действие",
        details={"application_id": application_id},
    )
