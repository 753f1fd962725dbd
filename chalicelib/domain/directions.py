"""The direction's pure rules: its number, its deadline, extension, revocation and the stop-list.

A direction (жолдама / направление) is a seat offered to a child in the queue. Everything here
is arithmetic on values the store hands over; nothing reads a clock or a table.
``docs/directions.md`` explains the choices.

- **Number.** ``Ж.2026.000123``: "Ж" (жолдама), the year of issue in Kazakhstan, a national
  serial of that year (six digits, more if ever needed) — the same shape as the registration
  number ``УО.2026.000024.1``, so one serial per year keeps numbers unique across regions.
- **Deadline.** A direction issued at *t* is valid for ``valid_working_days`` full working days
  counted after the local day of *t* (the day of issue never counts); it lapses at 00:00
  Asia/Almaty after the last of them (:meth:`WorkingCalendar.add_working_days`). It is valid
  while ``now < deadline``; the last valid day is the day before the deadline.
- **Extension.** Once, by 1 to ``extension_max_days`` calendar days added to the deadline,
  while the direction is live and its deadline has not passed.
- **Revocation.** By the parent while live and within ``revocation_hours`` of issue: the seat is
  freed, the child keeps its place and is not penalised.
- **Missed direction.** A direction that lapses puts the child on the stop-list for
  ``stop_list_working_days`` full working days counted from the day after the last valid day;
  the ``missed_before_removal``-th miss removes the child from the queue instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from chalicelib.clock import local_time
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput, NotFound

if TYPE_CHECKING:  # the holiday tables load only where a deadline is computed
    from chalicelib.domain.calendar import WorkingCalendar

NUMBER_PREFIX = "Ж"
_NUMBER = re.compile(r"^(?P<prefix>[^.\s]+)\.(?P<year>\d{4})\.(?P<serial>\d{6,})$")
_INSTANT = timedelta(microseconds=1)


class DirectionStatus(StrEnum):
    """Where a direction stands: ``issued`` and ``extended`` are live, the others are final."""

    ISSUED = "issued"
    EXTENDED = "extended"
    ENROLLED = "enrolled"  # the kindergarten confirmed the child came
    EXPIRED = "expired"  # nobody came in time
    REVOKED = "revoked"  # the parent gave it up within the revocation window

    @property
    def live(self) -> bool:
        return self in (DirectionStatus.ISSUED, DirectionStatus.EXTENDED)

    @property
    def kk(self) -> str:
        return _STATUS_WORDS[self][0]

    @property
    def ru(self) -> str:
        return _STATUS_WORDS[self][1]


_STATUS_WORDS: dict[DirectionStatus, tuple[str, str]] = {
    DirectionStatus.ISSUED: ("Жолдама берілді", "Направление выдано"),
    DirectionStatus.EXTENDED: ("Жолдаманың мерзімі ұзартылды", "Срок направления продлён"),
    DirectionStatus.ENROLLED: ("Бала балабақшаға қабылданды", "Ребёнок зачислен в детский сад"),
    DirectionStatus.EXPIRED: ("Жолдаманың мерзімі өтті", "Срок направления истёк"),
    DirectionStatus.REVOKED: ("Жолдамадан бас тартылды", "Направление отозвано"),
}


@dataclass(frozen=True)
class DirectionRules:
    """The configurable numbers of the direction lifecycle (defaults from the seeds)."""

    valid_working_days: int = 5
    stop_list_working_days: int = 10
    missed_before_removal: int = 2
    extension_max_days: int = 30
    revocation_hours: int = 24


@dataclass(frozen=True)
class DirectionNumber:
    """``Ж.2026.000123``: direction, year of issue, serial of the year."""

    year: int
    serial: int
    prefix: str = NUMBER_PREFIX

    def __str__(self) -> str:
        return f"{self.prefix}.{self.year:04d}.{self.serial:06d}"

    @classmethod
    def parse(cls, text: str) -> DirectionNumber:
        match = _NUMBER.match(text)
        if match is None:
            raise ValueError(f"not a direction number: {text!r}")
        return cls(int(match["year"]), int(match["serial"]), match["prefix"])


def issue_year(at: datetime) -> int:
    """The year a direction number carries: the calendar year in Kazakhstan."""
    return local_time(at).year


# --- time rules --------------------------------------------------------------------------------


def deadline_of(issued_at: datetime, calendar: WorkingCalendar, rules: DirectionRules) -> datetime:
    """When a direction issued at ``issued_at`` lapses (aware UTC; valid while ``now`` is before it)."""
    return calendar.add_working_days(issued_at, rules.valid_working_days)


def last_valid_day(deadline: datetime) -> date:
    """The last calendar day (Asia/Almaty) on which the direction is still valid."""
    return local_time(deadline - _INSTANT).date()


def extended_deadline(deadline: datetime, days: int) -> datetime:
    """The deadline moved by ``days`` calendar days (Kazakhstan has no daylight saving time)."""
    return deadline + timedelta(days=days)


def revocable_until(issued_at: datetime, rules: DirectionRules) -> datetime:
    return issued_at + timedelta(hours=rules.revocation_hours)


def stop_list_end(deadline: datetime, calendar: WorkingCalendar, rules: DirectionRules) -> datetime:
    """The end of the stop-list after a direction lapsed at ``deadline``.

    ``stop_list_working_days`` full working days counted after the direction's last valid day:
    the first day without the direction is the first day of the stop-list.
    """
    return calendar.add_working_days(deadline - _INSTANT, rules.stop_list_working_days)


@dataclass(frozen=True)
class DirectionClock:
    """Where the direction's five working days stand, as the parent is shown them.

    - ``running``: the deadline counts down; ``valid_until`` is the last valid day and
      ``working_days_left`` the working days after today up to it (0: today is the last day);
    - ``paused``: the kindergarten holds the contract the parent sent; the time left is kept, and
      ``valid_until``/``working_days_left`` are what the direction would have if the clock
      resumed now (a refusal resumes it; a signature enrols the child and ends it);
    - ``passed``: the deadline is over and the sweep has not yet ended the direction;
    - ``stopped``: the direction is over (enrolled, revoked, expired): no deadline.
    """

    state: str
    valid_until: date | None = None
    working_days_left: int | None = None


def direction_clock(
    *,
    status: DirectionStatus,
    deadline: datetime,
    paused_seconds: float | None,
    now: datetime,
    calendar: WorkingCalendar,
) -> DirectionClock:
    if not status.live:
        return DirectionClock("stopped")
    if paused_seconds is not None:
        state, end = "paused", now + timedelta(seconds=float(paused_seconds))
    elif now < deadline:
        state, end = "running", deadline
    else:
        return DirectionClock("passed", last_valid_day(deadline), 0)
    last = last_valid_day(end)
    return DirectionClock(state, last, max(0, calendar.working_days_between(local_time(now).date(), last)))


def on_stop_list(stop_list_until: datetime | None, now: datetime) -> bool:
    return stop_list_until is not None and now < stop_list_until


def check_extension(
    *, status: DirectionStatus, extended: bool, deadline: datetime, days: int, now: datetime, rules: DirectionRules
) -> None:
    """Refuse an extension the rules do not allow (a second one, too long, a direction no longer live)."""
    if not status.live:
        raise direction_not_live(status)
    if extended:
        raise already_extended()
    if days < 1 or days > rules.extension_max_days:
        raise extension_too_long(rules.extension_max_days)
    if now >= deadline:
        raise deadline_passed()


def check_revocation(*, status: DirectionStatus, issued_at: datetime, now: datetime, rules: DirectionRules) -> None:
    """Refuse a revocation that is no longer the parent's to make."""
    if not status.live:
        raise direction_not_live(status)
    if now >= revocable_until(issued_at, rules):
        raise revocation_too_late(rules.revocation_hours)


def check_enrolment(
    *, status: DirectionStatus, kindergarten_id: str, by_kindergarten: str, deadline: datetime, now: datetime
) -> None:
    """Refuse an enrolment confirmed by another kindergarten, or of a direction no longer valid."""
    if kindergarten_id != by_kindergarten:
        raise other_kindergarten()
    if not status.live:
        raise direction_not_live(status)
    if now >= deadline:
        raise deadline_passed()


# --- refusals ----------------------------------------------------------------------------------


def direction_not_found(number: str) -> NotFound:
    return NotFound(
        "direction.not_found",
        "Жолдама табылмады.",
        "Направление не найдено.",
        details={"number": number},
    )


def not_yours() -> Forbidden:
    return Forbidden(
        "direction.not_yours",
        "Бұл жолдама сіздің балаңызға берілмеген.",
        "Это направление выдано не вашему ребёнку.",
    )


def other_kindergarten() -> Forbidden:
    return Forbidden(
        "direction.other_kindergarten",
        "Бұл жолдама басқа балабақшаға берілген: қабылдауды сол балабақша ғана растай алады.",
        "Это направление выдано в другой детский сад: зачисление подтверждает только он.",
    )


def direction_not_live(status: DirectionStatus) -> Conflict:
    return Conflict(
        "direction.not_live",
        f"Жолдама енді әрекет етпейді ({status.kk.lower()}).",
        f"Направление больше не действует ({status.ru.lower()}).",
        details={"status": status.value},
    )


def already_extended() -> Conflict:
    return Conflict(
        "direction.already_extended",
        "Жолдаманың мерзімін бір рет қана ұзартуға болады: ол бұрын ұзартылған.",
        "Срок направления можно продлить только один раз: он уже продлевался.",
    )


def extension_too_long(max_days: int) -> InvalidInput:
    return InvalidInput(
        "direction.extension_too_long",
        f"Жолдаманың мерзімін 1-ден {max_days} күнтізбелік күнге дейін ұзартуға болады.",
        f"Срок направления можно продлить на срок от 1 до {max_days} календарных дней.",
        details={"field": "days", "max": max_days},
    )


def deadline_passed() -> Conflict:
    return Conflict(
        "direction.deadline_passed",
        "Жолдаманың жарамдылық мерзімі өтіп кетті.",
        "Срок действия направления истёк.",
    )


def revocation_too_late(hours: int) -> Conflict:
    return Conflict(
        "direction.revocation_too_late",
        f"Жолдамадан ол берілген сәттен бастап {hours} сағат ішінде ғана бас тартуға болады.",
        f"Отказаться от направления можно только в течение {hours} часов с момента выдачи.",
        details={"hours": hours},
    )


def on_stop_list_refusal(until: datetime) -> Conflict:
    shown = last_valid_day(until).strftime("%d.%m.%Y")
    return Conflict(
        "direction.on_stop_list",
        f"Бала {shown} қоса алғанда стоп-тізімде: бұл уақытта жолдама берілмейді.",
        f"Ребёнок в стоп-листе по {shown} включительно: в это время направление не выдаётся.",
        details={"stop_list_until": until.isoformat()},
    )


def already_has_direction(number: str) -> Conflict:
    return Conflict(
        "direction.already_holds_one",
        "Баланың әрекеттегі жолдамасы бар: екінші жолдама берілмейді.",
        "У ребёнка уже есть действующее направление: второе не выдаётся.",
        details={"number": number},
    )
