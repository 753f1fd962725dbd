"""The buckets a report sums for a state: every day before its instant exactly once, with or without a closing."""

from __future__ import annotations

import calendar
from collections import Counter
from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.reports import closed_bucket, closing, covering


def days_of(bucket: str) -> list[date]:
    """The calendar days a year, month or day bucket counts."""
    kind, value = bucket.split("#", 1)
    if kind == "year":
        first, last = date(int(value), 1, 1), date(int(value), 12, 31)
    elif kind == "month":
        year, month = (int(part) for part in value.split("-"))
        first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    else:
        assert kind == "day", bucket
        first = last = date.fromisoformat(value)
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def spanned(buckets: list[str]) -> Counter[date]:
    return Counter(day for bucket in buckets for day in days_of(bucket))


days = st.dates(min_value=date(2025, 1, 1), max_value=date(2029, 12, 31))


@given(days, days)
def test_from_a_closing_every_day_up_to_the_instant_is_summed_once(a: date, b: date):
    closed, until = min(a, b), max(a, b)
    buckets = covering(until, 2025, closed)
    assert buckets[0] == closed_bucket(closed)
    rest = buckets[1:]
    assert spanned(rest) == Counter(closed + timedelta(days=n) for n in range((until - closed).days))
    assert len(rest) <= (until.year - closed.year) + 12 + 12 + 31 + 31  # years, then months, then days


@given(days)
def test_without_a_closing_every_day_since_the_counters_began_is_summed_once(until: date):
    expected = Counter(date(2025, 1, 1) + timedelta(days=n) for n in range((until - date(2025, 1, 1)).days))
    assert spanned(covering(until, 2025)) == expected


def test_a_month_closed_on_its_first_day_needs_its_month_bucket_only():
    assert covering(date(2026, 11, 1), 2025, date(2026, 10, 1)) == ["closed#2026-10-01", "month#2026-10"]
    assert covering(date(2026, 11, 1), 2025) == ["year#2025"] + [f"month#2026-{m:02d}" for m in range(1, 11)]


def test_a_closing_keeps_the_states_only_and_drops_stop_list_entries_already_over():
    states = Counter(
        {
            "queue|2022|none|kk": 5,
            "queue|2023|none|ru": 0,
            "registered|portal": 9,
            "stop_until|2026-09-30": 2,
            "stop_until|2026-10-01": 1,
            "stop_until|2026-10-02": 3,
        }
    )
    assert closing(states, date(2026, 10, 1)) == Counter({"queue|2022|none|kk": 5, "stop_until|2026-10-02": 3})
