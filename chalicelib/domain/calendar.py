"""Kazakhstan's working-day calendar: what "5 working days" means for a direction or a stop-list.

A day is a working day unless it is a Saturday or Sunday, a public holiday, or a day off
moved by a holiday falling on a weekend — all of which come from the ``holidays`` package
(country KZ, observed days) — with two corrections:

* **decree transfers**: the Government may move a day off onto a weekday and make a weekend
  day a working day in exchange (Labour Code art. 85). The package records only the day-off
  side, and only up to the decrees it knows (2025), so :data:`DECREE_TRANSFERS` lists both
  sides for every year from 2023, and later decrees are added there (or passed in through
  configuration) as they are published;
* **configured days**: ``extra_days_off`` and ``extra_working_days`` for anything published
  after a release (settings ``calendar_extra_days_off`` / ``calendar_extra_working_days``).

What the package (0.109) already knows, and this table therefore does not repeat:
Constitution Day is 30 August up to 2025, is not a holiday in 2026 (the new Constitution,
in force from 1 July 2026, moved it) and is 15 March from 2027; Orthodox Christmas (7 January)
and Kurban Ait are days off that are never moved to a weekday; Kurban Ait after 2025 is an
estimate until the Spiritual Administration announces it (2026: 27 May, as announced).
For 2026 no decree transfer was published (the Ministry of Labour stated that January 2026 has
none), so 2026 consists of weekends, holidays and their observed days only.

Deadline semantics (used for directions, the stop-list and every "n working days" rule):
an act made at instant *t* lasts for *n* full working days counted in Asia/Almaty time
**after** the local day of *t* (the day of issue itself never counts, whatever the hour);
the deadline is the end of the n-th such working day, i.e. 00:00 Asia/Almaty of the next
calendar day, returned as an aware UTC datetime. The act is valid while ``now < deadline``.
Example: issued Friday 11 Dec 2026 15:00, 5 working days → Mon 14, Tue 15, Thu 17, Fri 18,
Mon 21 (16 Dec is Independence Day) → deadline Tue 22 Dec 2026 00:00 Almaty (21 Dec 19:00 UTC).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

import holidays

from chalicelib.clock import ALMATY

_SATURDAY = 5


@dataclass(frozen=True)
class Transfer:
    """A Government decree moving a day off: ``day_off`` is rested, ``working_day`` is worked instead."""

    day_off: date
    working_day: date
    decree: str


DECREE_TRANSFERS: tuple[Transfer, ...] = (
    Transfer(date(2023, 7, 7), date(2023, 7, 1), "Government decree, adilet.zan.kz P2300000326 (Capital Day)"),
    Transfer(date(2024, 5, 8), date(2024, 5, 4), "Government decree, adilet.zan.kz G24G0000109 (Victory Day)"),
    Transfer(date(2025, 1, 3), date(2025, 1, 5), "Government decree, adilet.zan.kz G24G0000436 (New Year)"),
)
"""Decree transfers from 2023 on; add each new decree here (or in configuration) when published."""


class WorkingCalendar:
    """Working days in Kazakhstan (five-day week), with deadlines in Asia/Almaty time."""

    def __init__(
        self,
        *,
        transfers: Iterable[Transfer] = DECREE_TRANSFERS,
        extra_days_off: Iterable[date] = (),
        extra_working_days: Iterable[date] = (),
    ) -> None:
        transfers = tuple(transfers)
        self._days_off = frozenset(t.day_off for t in transfers) | frozenset(extra_days_off)
        self._working_days = frozenset(t.working_day for t in transfers) | frozenset(extra_working_days)
        clash = self._days_off & self._working_days
        if clash:
            raise ValueError(f"days configured both as days off and as working days: {sorted(clash)}")
        self._holidays_by_year: dict[int, frozenset[date]] = {}

    def _public_days_off(self, year: int) -> frozenset[date]:
        known = self._holidays_by_year.get(year)
        if known is None:
            known = frozenset(holidays.country_holidays("KZ", years=year, observed=True))
            self._holidays_by_year[year] = known
        return known

    def is_working_day(self, d: date) -> bool:
        """True when people on a five-day week work on ``d``."""
        if d in self._working_days:
            return True
        if d in self._days_off or d in self._public_days_off(d.year):
            return False
        return d.weekday() < _SATURDAY

    def nth_working_day_after(self, d: date, n: int) -> date:
        """The n-th working day strictly after ``d`` (``d`` itself when n is 0)."""
        if n < 0:
            raise ValueError("n counts working days forward and cannot be negative")
        day = d
        remaining = n
        while remaining:
            day += timedelta(days=1)
            if self.is_working_day(day):
                remaining -= 1
        return day

    def add_working_days(self, start: datetime, n: int) -> datetime:
        """The deadline of something done at ``start`` that lasts ``n`` full working days.

        The end (next-day 00:00 Asia/Almaty) of the n-th working day after the local day of
        ``start``, as an aware UTC datetime; see the module docstring.
        """
        if start.tzinfo is None:
            raise ValueError("start must be timezone-aware")
        local_day = start.astimezone(ALMATY).date()
        last_day = self.nth_working_day_after(local_day, n)
        end = datetime.combine(last_day + timedelta(days=1), time(0), tzinfo=ALMATY)
        return end.astimezone(UTC)

    def working_days_between(self, a: date, b: date) -> int:
        """Working days ``d`` with ``a < d <= b`` (negative when ``b`` is before ``a``).

        So ``working_days_between(d, nth_working_day_after(d, n)) == n``.
        """
        if b < a:
            return -self.working_days_between(b, a)
        exceptions = set(self._days_off) | self._working_days
        for year in range(a.year, b.year + 1):
            exceptions |= self._public_days_off(year)
        correction = sum(
            int(self.is_working_day(d)) - int(d.weekday() < _SATURDAY) for d in exceptions if a < d <= b
        )
        return _weekdays_between(a, b) + correction


def _weekdays_between(a: date, b: date) -> int:
    """Mondays to Fridays ``d`` with ``a < d <= b`` (``a <= b``)."""
    weeks, rest = divmod((b - a).days, 7)
    extra = sum(1 for offset in range(1, rest + 1) if (a + timedelta(days=offset)).weekday() < _SATURDAY)
    return weeks * 5 + extra
