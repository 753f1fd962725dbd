"""Scheduled reports: what each change counts, the periods, and the report assembled from counts.

Pure rules (no I/O). Every state change of an application, a direction or a contract counts
itself in the same transaction (``chalicelib/store/counters.py``): :func:`tallies` turns one
history record, with the facts of its subject, into counter increments. A counter is named
``<measure>|<dimension>|…``; two kinds:

- **events** (applications by channel, benefit decisions, directions, removals, contracts):
  how many happened in a period — the sum of the period's day (or month) buckets;
- **states** (the queue by cohort × benefit × language, stop-list entries by their end day):
  deltas too, so the state at an instant is the sum of every bucket before it, read as a few
  year, month and day buckets (:func:`covering`) — never the applications themselves.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from chalicelib.clock import ALMATY
from chalicelib.domain import survey

NO_BENEFIT = "none"
SEP = "|"

# measures that are states (deltas summed since the beginning), not events of a period
STATE_MEASURES = frozenset({"queue", "stop_until"})


class PeriodKind(StrEnum):
    DAY = "day"
    MONTH = "month"


class ScopeLevel(StrEnum):
    NATIONAL = "national"
    REGION = "region"
    DISTRICT = "district"


@dataclass(frozen=True)
class Facts:
    """What a counter needs to know of the record's subject (the application before the change)."""

    region: str
    district: str
    cohort: int | None = None
    language: str | None = None
    benefit: str = NO_BENEFIT  # the approved benefit category (the queue it counts in), or "none"


@dataclass(frozen=True)
class RecordFacts:
    """A history record, as far as counting goes."""

    subject_type: str
    subject_id: str
    event: str
    at: datetime
    from_state: str | None = None
    to_state: str | None = None
    why: str | None = None
    details: Mapping[str, Any] | None = None


def key(*parts: object) -> str:
    return SEP.join(str(part) for part in parts)


def measure_of(name: str) -> str:
    return name.split(SEP, 1)[0]


def local_day(at: datetime) -> date:
    return at.astimezone(ALMATY).date()


def _approved(state: str | None) -> str:
    """The benefit queue of a ``status:category`` state (history's benefit states): category or none."""
    if not state or ":" not in state:
        return NO_BENEFIT
    status, category = state.split(":", 1)
    return category if status == "approved" and category else NO_BENEFIT


def _queue(facts: Facts, benefit: str) -> str:
    return key("queue", facts.cohort if facts.cohort is not None else "-", benefit, facts.language or "-")


def service_tallies(event: str, details: Mapping[str, Any]) -> list[tuple[str, int]]:
    """The service times a change ended (seed 004, appendix 3): one count per step, within or over.

    A change lists the steps it ended in ``details["steps"]``; records written before steps were
    listed carry one step's timing in ``details`` itself (a registration or a benefit decision).
    """
    steps = details.get("steps")
    if not isinstance(steps, list):
        legacy = ("application.registered", "application.benefit_approved", "application.benefit_refused")
        steps = [details] if details.get("step") and event in legacy else []
    return [
        (key("service", step["step"], "over" if step.get("overdue") else "within"), 1)
        for step in steps
        if isinstance(step, Mapping) and step.get("step")
    ]


def tallies(record: RecordFacts, facts: Facts) -> list[tuple[str, int]]:
    """The counter increments one history record stands for (none for records reports ignore)."""
    event, details = record.event, record.details or {}
    out: list[tuple[str, int]] = []
    if record.subject_type == "application":
        out += service_tallies(event, details)
        if event == "application.registered":
            out += [(key("registered", details.get("channel") or "portal"), 1), (_queue(facts, facts.benefit), 1)]
        elif event == "application.left":
            out += [(_queue(facts, facts.benefit), -1), (key("left", record.to_state or "-", record.why or "-"), 1)]
            if record.to_state == "left_for_private":
                out.append((key("private", "chosen"), 1))
        elif event in ("application.benefit_approved", "application.benefit_refused"):
            decision = "approved" if event.endswith("approved") else "refused"
            category = (record.to_state or ":").split(":", 1)[1] or "-"
            out.append((key("benefit", decision, category), 1))
            before, after = _approved(record.from_state), _approved(record.to_state)
            if before != after:
                out += [(_queue(facts, before), -1), (_queue(facts, after), 1)]
        elif event == "application.benefit_changed":
            before, after = _approved(record.from_state), _approved(record.to_state)
            if before != after:
                out += [(_queue(facts, before), -1), (_queue(facts, after), 1)]
        elif event == "application.direction_missed":
            out.append((key("stop", "entered"), 1))
            until = details.get("stop_list_until")
            if until:
                out.append((key("stop_until", local_day(datetime.fromisoformat(until))), 1))
    elif record.subject_type == "direction" and event.startswith("direction."):
        out.append((key("direction", event.split(".", 1)[1]), 1))
        if event == "direction.issued" and facts.cohort is not None and facts.language:
            # the pool's directions (district × birth year × language): the parents' wait estimate
            out.append((key("directed", facts.cohort, facts.language), 1))
    elif record.subject_type == "contract" and event in ("contract.sent", "contract.signed", "contract.refused"):
        out.append((key("contract", event.split(".", 1)[1]), 1))
    elif record.subject_type == survey.SUBJECT:  # the satisfaction survey (appendix 12)
        out += survey.tallies(event, details)
    return [(name, delta) for name, delta in out if delta]


# --- periods --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """A calendar day or month in Asia/Almaty time."""

    kind: PeriodKind
    first: date  # the first day
    last: date  # the last day (inclusive)

    @classmethod
    def day(cls, day: date) -> Period:
        return cls(PeriodKind.DAY, day, day)

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(PeriodKind.MONTH, date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1]))

    @classmethod
    def parse(cls, kind: str, value: str) -> Period:
        """``day``/``2026-03-02`` or ``month``/``2026-03``; ValueError on anything else."""
        if kind == PeriodKind.DAY:
            return cls.day(date.fromisoformat(value))
        if kind == PeriodKind.MONTH:
            year, month = value.split("-")
            if len(year) != 4 or len(month) != 2:
                raise ValueError(value)
            return cls.month(int(year), int(month))
        raise ValueError(kind)

    @property
    def label(self) -> str:
        return self.first.isoformat() if self.kind is PeriodKind.DAY else self.first.strftime("%Y-%m")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), ALMATY).astimezone(UTC)

    @property
    def end(self) -> datetime:
        """The instant the period is over (00:00 Asia/Almaty of the next day)."""
        return datetime.combine(self.last + timedelta(days=1), time(), ALMATY).astimezone(UTC)

    def days(self) -> list[date]:
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]


def previous_day(now: datetime) -> Period:
    return Period.day(local_day(now) - timedelta(days=1))


def previous_month(now: datetime) -> Period:
    first = local_day(now).replace(day=1) - timedelta(days=1)
    return Period.month(first.year, first.month)


def bucket_names(at: datetime) -> tuple[str, str, str]:
    """The day, month and year buckets an instant counts in."""
    day = local_day(at)
    return f"day#{day.isoformat()}", f"month#{day.strftime('%Y-%m')}", f"year#{day.year}"


def closed_bucket(day: date) -> str:
    """The bucket of the states closed at 00:00 Almaty of ``day`` (:func:`closing`)."""
    return f"closed#{day.isoformat()}"


def covering(until: date, since_year: int, closed: date | None = None) -> list[str]:
    """Buckets whose sum is every count before 00:00 Almaty of ``until``.

    Without a closing: whole years from ``since_year``, then months, then days. From the states
    closed at ``closed`` (not after ``until``): that closing, then whole years, months and days
    from ``closed`` on — the closing of the 1st of the month before needs one month bucket.
    """
    if closed is None:
        names = [f"year#{year}" for year in range(since_year, until.year)]
        names += [f"month#{until.year}-{month:02d}" for month in range(1, until.month)]
        names += [f"day#{until.replace(day=day).isoformat()}" for day in range(1, until.day)]
        return names
    if closed > until:
        raise ValueError(f"closed {closed} after {until}")
    names = [closed_bucket(closed)]
    day = closed
    while day < until:
        if day.month == 1 and day.day == 1 and day.year < until.year:
            names.append(f"year#{day.year}")
            day = day.replace(year=day.year + 1)
        elif day.day == 1 and (day.year, day.month) < (until.year, until.month):
            names.append(f"month#{day.strftime('%Y-%m')}")
            day = (day + timedelta(days=32)).replace(day=1)
        else:
            names.append(f"day#{day.isoformat()}")
            day += timedelta(days=1)
    return names


def closing(states: Mapping[str, int], day: date) -> Counter[str]:
    """What a closing at 00:00 of ``day`` keeps of the states summed before it.

    The state measures only, without zeros, and without stop-list entries that ended by ``day``
    (no report at or after ``day`` counts them).
    """
    kept: Counter[str] = Counter()
    for name, value in states.items():
        measure = measure_of(name)
        if not value or measure not in STATE_MEASURES:
            continue
        if measure == "stop_until" and date.fromisoformat(name.split(SEP)[1]) <= day:
            continue
        kept[name] = int(value)
    return kept


# --- the report -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scope:
    level: ScopeLevel
    region: str | None = None
    district: str | None = None

    @property
    def label(self) -> str:
        if self.level is ScopeLevel.NATIONAL:
            return "national"
        if self.level is ScopeLevel.REGION:
            return f"region-{self.region}"
        return f"district-{self.region}-{self.district}"


@dataclass
class Section:
    key: str
    title: dict[str, str]
    columns: list[dict[str, str]]  # the last column is the count
    rows: list[list[Any]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(int(row[-1]) for row in self.rows)


@dataclass
class Report:
    scope: Scope
    period: Period
    generated_at: datetime
    state_at: datetime  # the instant the states (queue, stop-list) are shown for
    sections: list[Section]
    items_read: int = 0

    def section(self, key_: str) -> Section:
        return next(section for section in self.sections if section.key == key_)


def _w(kk: str, ru: str) -> dict[str, str]:
    return {"kk": kk, "ru": ru}


DISTRICT = _w("Аудан", "Район")
COUNT = _w("Саны", "Количество")

SECTIONS: dict[str, tuple[dict[str, str], list[dict[str, str]]]] = {
    "queue": (
        _w("Кезектегі балалар саны (кезең соңында)", "Численность очереди (на конец периода)"),
        [DISTRICT, _w("Туған жылы", "Год рождения"), _w("Жеңілдік", "Льгота"), _w("Тілі", "Язык"), COUNT],
    ),
    "registered": (
        _w("Өтініштер арналар бойынша", "Заявления по каналам"),
        [DISTRICT, _w("Арна", "Канал"), COUNT],
    ),
    "benefit": (
        _w("Жеңілдік өтінімдері", "Заявки на льготу"),
        [DISTRICT, _w("Шешім", "Решение"), _w("Санат", "Категория"), COUNT],
    ),
    "direction": (
        _w("Жолдамалар", "Направления"),
        [DISTRICT, _w("Оқиға", "Событие"), COUNT],
    ),
    "stop": (
        _w("Тоқтату тізіміне енгізілгендер", "Внесены в стоп-лист"),
        [DISTRICT, _w("Көрсеткіш", "Показатель"), COUNT],
    ),
    "stop_list": (
        _w("Тоқтату тізімінде (кезең соңында)", "В стоп-листе (на конец периода)"),
        [DISTRICT, COUNT],
    ),
    "left": (
        _w("Кезектен шығарылғандар (себебі бойынша)", "Выбывшие из очереди (по причинам)"),
        [DISTRICT, _w("Мәртебе", "Статус"), _w("Себебі", "Причина"), COUNT],
    ),
    "service": (
        _w("Қызмет көрсету мерзімдері (3-қосымша)", "Сроки оказания услуги (приложение 3)"),
        [DISTRICT, _w("Қадам", "Шаг"), _w("Мерзімінде / кешіктірілген", "В срок / с нарушением"), COUNT],
    ),
    "private": (
        _w("Жекеменшік балабақшаны таңдағандар", "Выбор частного детского сада"),
        [DISTRICT, COUNT],
    ),
    "contract": (
        _w("Электрондық шарттар", "Электронные договоры"),
        [DISTRICT, _w("Оқиға", "Событие"), COUNT],
    ),
    **survey.SECTIONS,  # the satisfaction survey, one section per question of appendix 12
}


def assemble(
    scope: Scope,
    period: Period,
    *,
    events: Mapping[str, Counter[str]],
    states: Mapping[str, Counter[str]],
    generated_at: datetime,
    state_at: datetime,
    items_read: int = 0,
) -> Report:
    """The report's sections from the period's event counts and the states at ``state_at``, per district."""
    sections = {name: Section(name, title, columns) for name, (title, columns) in SECTIONS.items()}
    state_day = local_day(state_at)
    for district in sorted(set(events) | set(states)):
        for name, value in sorted(events.get(district, Counter()).items()):
            measure = measure_of(name)
            if measure in STATE_MEASURES or measure not in sections or not value:
                continue
            parts = name.split(SEP)[1:]
            if measure == "private":
                parts = []  # one number per district
            sections[measure].rows.append([district, *parts, int(value)])
        on_list = 0
        for name, value in sorted(states.get(district, Counter()).items()):
            measure = measure_of(name)
            if measure == "queue" and value:
                sections["queue"].rows.append([district, *name.split(SEP)[1:], int(value)])
            elif measure == "stop_until" and date.fromisoformat(name.split(SEP)[1]) > state_day:
                on_list += int(value)
        if on_list:
            sections["stop_list"].rows.append([district, on_list])
    return Report(scope, period, generated_at, state_at, list(sections.values()), items_read)


def add_into(target: Counter[str], attributes: Iterable[tuple[str, int]]) -> None:
    for name, value in attributes:
        target[name] += value
