"""Kazakhstan working days: when a direction issued now stops being valid."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.calendar import DECREE_TRANSFERS, WorkingCalendar

ALMATY = ZoneInfo("Asia/Almaty")
CALENDAR = WorkingCalendar()
for _year in range(2022, 2030):  # load the holiday tables once, outside the timed examples
    CALENDAR.is_working_day(date(_year, 1, 1))

instants = st.datetimes(
    min_value=datetime(2023, 1, 1), max_value=datetime(2028, 12, 31), timezones=st.just(UTC)
)
days = st.dates(min_value=date(2023, 1, 1), max_value=date(2028, 12, 31))
counts = st.integers(min_value=0, max_value=40)


def almaty(*args: int) -> datetime:
    return datetime(*args, tzinfo=ALMATY)


# --- properties --------------------------------------------------------------------------------


@given(instants, counts)
def test_a_deadline_is_midnight_in_almaty_after_exactly_n_working_days(issued_at, n):
    # when
    deadline = CALENDAR.add_working_days(issued_at, n)
    # then it is the start of a day in Almaty, in UTC
    local = deadline.astimezone(ALMATY)
    assert deadline.tzinfo is not None and deadline.utcoffset() == timedelta(0)
    assert local.time() == time(0)
    # and the day that just ended is the n-th working day after the day of issue
    last_day = local.date() - timedelta(days=1)
    issue_day = issued_at.astimezone(ALMATY).date()
    assert CALENDAR.working_days_between(issue_day, last_day) == n
    assert n == 0 or CALENDAR.is_working_day(last_day)
    assert deadline > issued_at


@given(instants, counts)
def test_one_more_working_day_always_ends_later(issued_at, n):
    # then
    assert CALENDAR.add_working_days(issued_at, n + 1) > CALENDAR.add_working_days(issued_at, n)


@given(days, counts, st.times(), st.times())
def test_the_hour_of_issue_does_not_matter_within_a_day(day, n, first, second):
    # given two directions issued on the same Almaty day
    a = datetime.combine(day, first, tzinfo=ALMATY).astimezone(UTC)
    b = datetime.combine(day, second, tzinfo=ALMATY).astimezone(UTC)
    # then they expire together
    assert CALENDAR.add_working_days(a, n) == CALENDAR.add_working_days(b, n)


@given(days, days, days)
def test_working_days_between_adds_up(a, b, c):
    assert CALENDAR.working_days_between(a, b) + CALENDAR.working_days_between(b, c) == (
        CALENDAR.working_days_between(a, c)
    )
    assert CALENDAR.working_days_between(a, b) == -CALENDAR.working_days_between(b, a)
    assert CALENDAR.working_days_between(a, a) == 0


@given(days, st.integers(min_value=-400, max_value=400))
def test_working_days_between_counts_the_working_days_one_by_one(a, span):
    # given a period of up to 400 days either way
    b = a + timedelta(days=span)
    first, last = min(a, b), max(a, b)
    one_by_one = sum(CALENDAR.is_working_day(first + timedelta(days=i)) for i in range(1, (last - first).days + 1))
    # then the count agrees with looking at every day
    assert CALENDAR.working_days_between(a, b) == (one_by_one if b >= a else -one_by_one)


@given(days)
def test_weekends_are_days_off_unless_a_decree_makes_them_working(day):
    transferred = {t.working_day for t in DECREE_TRANSFERS}
    if day.weekday() >= 5 and day not in transferred:
        assert not CALENDAR.is_working_day(day)


@given(st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31)))
def test_no_more_than_five_working_days_in_a_week_without_a_decree(monday):
    # given a week (Monday to Sunday) of the years the table covers
    start = monday - timedelta(days=monday.weekday())
    week = [start + timedelta(days=i) for i in range(7)]
    worked = sum(CALENDAR.is_working_day(d) for d in week)
    # then at most five days are worked, six only when a decree moved a day off into another week
    assert worked <= 5 or any(t.working_day in week for t in DECREE_TRANSFERS)


# --- the holidays a parent will meet ----------------------------------------------------------


def test_independence_day_2026_is_skipped():
    # given a direction issued on Friday 11 December 2026 in the afternoon
    issued = almaty(2026, 12, 11, 15, 0)
    # when it lasts 5 working days
    deadline = CALENDAR.add_working_days(issued, 5)
    # then Mon 14, Tue 15, (Wed 16 Independence Day), Thu 17, Fri 18, Mon 21 count,
    # and it expires when Tuesday 22 December begins in Astana
    assert deadline == almaty(2026, 12, 22, 0, 0)
    assert deadline == datetime(2026, 12, 21, 19, 0, tzinfo=UTC)
    assert not CALENDAR.is_working_day(date(2026, 12, 16))
    assert CALENDAR.is_working_day(date(2026, 12, 17))


def test_issue_on_independence_day_counts_from_the_next_working_day():
    # given a direction issued at 00:30 on 16 December 2026 in Astana (still 15 December in UTC)
    issued = datetime(2026, 12, 15, 19, 30, tzinfo=UTC)
    # then 17, 18, 21, 22, 23 December count
    assert CALENDAR.add_working_days(issued, 5) == almaty(2026, 12, 24, 0, 0)
    # while the same instant one hour earlier is still the 15th in Astana: same five days
    assert CALENDAR.add_working_days(issued - timedelta(hours=1), 5) == almaty(2026, 12, 24, 0, 0)


def test_new_year_2027_and_orthodox_christmas_are_skipped():
    # given a direction issued on Wednesday 30 December 2026
    issued = almaty(2026, 12, 30, 10, 0)
    # then 31 Dec, (1 Jan, 2 Jan Sat → 4 Jan observed), 5, 6, (7 Jan Christmas), 8, 11 January count
    assert CALENDAR.add_working_days(issued, 5) == almaty(2027, 1, 12, 0, 0)
    for day_off in (date(2027, 1, 1), date(2027, 1, 4), date(2027, 1, 7)):
        assert not CALENDAR.is_working_day(day_off)


def test_nauryz_2026_with_its_observed_days_is_skipped():
    # given a direction issued on Friday 20 March 2026
    issued = almaty(2026, 3, 20, 9, 0)
    # then 21–23 March (Nauryz), 24 and 25 (its observed days) are off: 26, 27, 30, 31 March, 1 April count
    assert CALENDAR.add_working_days(issued, 5) == almaty(2026, 4, 2, 0, 0)
    assert not CALENDAR.is_working_day(date(2026, 3, 9))  # 8 March was a Sunday


def test_stop_list_of_ten_working_days_over_new_year():
    # given a child put on the stop-list on Friday 25 December 2026
    ends = CALENDAR.add_working_days(almaty(2026, 12, 25, 18, 0), 10)
    # then 28, 29, 30, 31 Dec, 5, 6, 8, 11, 12, 13 Jan count
    assert ends == almaty(2027, 1, 14, 0, 0)


def test_constitution_day_moves_to_15_march_from_2027():
    # then 30 August is no longer a day off after 2025, and 15 March is from 2027
    assert CALENDAR.is_working_day(date(2026, 8, 31))
    assert not CALENDAR.is_working_day(date(2027, 3, 15))
    assert CALENDAR.is_working_day(date(2027, 8, 30))
    assert not CALENDAR.is_working_day(date(2025, 9, 1))  # 2025: 30 August (Sat) observed on Monday


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2025, 1, 3), False),  # Friday made a day off by decree
        (date(2025, 1, 5), True),  # Sunday worked instead
        (date(2024, 5, 8), False),
        (date(2024, 5, 4), True),  # Saturday worked instead
        (date(2023, 7, 7), False),
        (date(2023, 7, 1), True),
    ],
)
def test_decree_transfers_are_honoured(day, working):
    assert CALENDAR.is_working_day(day) is working


def test_a_decree_published_later_can_be_configured():
    # given a decree (published after the release) moving Saturday 19 Dec 2026 to Friday 18 Dec
    calendar = WorkingCalendar(extra_days_off=[date(2026, 12, 18)], extra_working_days=[date(2026, 12, 19)])
    # then the direction of 11 December counts Saturday 19 instead of Friday 18
    assert calendar.add_working_days(almaty(2026, 12, 11, 15, 0), 5) == almaty(2026, 12, 22, 0, 0)
    assert not calendar.is_working_day(date(2026, 12, 18))
    assert calendar.is_working_day(date(2026, 12, 19))
    # and a day off alone moves the deadline by a day
    shorter = WorkingCalendar(extra_days_off=[date(2026, 12, 18)])
    assert shorter.add_working_days(almaty(2026, 12, 11, 15, 0), 5) == almaty(2026, 12, 23, 0, 0)


def test_a_day_cannot_be_both_off_and_working():
    with pytest.raises(ValueError):
        WorkingCalendar(extra_days_off=[date(2026, 12, 18)], extra_working_days=[date(2026, 12, 18)])


def test_naive_instants_and_negative_counts_are_refused():
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(datetime(2026, 12, 11, 15, 0), 5)
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(almaty(2026, 12, 11, 15, 0), -1)


def test_zero_working_days_ends_with_the_day_of_issue():
    assert CALENDAR.add_working_days(almaty(2026, 12, 16, 10, 0), 0) == almaty(2026, 12, 17, 0, 0)
