"""The direction's rules: its number, deadline, extension, revocation, enrolment and stop-list."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.clock import ALMATY
from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.domain.directions import (
    DirectionNumber,
    DirectionRules,
    DirectionStatus,
    check_enrolment,
    check_extension,
    check_revocation,
    deadline_of,
    issue_year,
    last_valid_day,
    on_stop_list,
    stop_list_end,
)
from chalicelib.domain.errors import Conflict, DomainError, Forbidden, InvalidInput

CALENDAR = WorkingCalendar()
RULES = DirectionRules()
ISSUED = datetime(2026, 12, 11, 10, 0, tzinfo=UTC)  # Friday 11 December 2026, 15:00 in Astana


def test_a_direction_number_reads_like_the_registration_number():
    number = DirectionNumber(2026, 123)
    assert str(number) == "Ж.2026.000123"
    assert DirectionNumber.parse("Ж.2026.000123") == number
    assert str(DirectionNumber(2026, 1_234_567)) == "Ж.2026.1234567"
    with pytest.raises(ValueError):
        DirectionNumber.parse("Ж.26.123")


def test_the_year_of_a_number_is_the_year_in_kazakhstan():
    assert issue_year(datetime(2026, 12, 31, 19, 30, tzinfo=UTC)) == 2027  # 00:30 on 1 January in Astana


def test_five_working_days_skip_independence_day():
    deadline = deadline_of(ISSUED, CALENDAR, RULES)
    assert deadline == datetime(2026, 12, 21, 19, 0, tzinfo=UTC)  # Tuesday 22 December 00:00 in Astana
    assert last_valid_day(deadline) == date(2026, 12, 21)


def test_the_stop_list_counts_ten_working_days_after_the_last_valid_day():
    deadline = deadline_of(ISSUED, CALENDAR, RULES)
    until = stop_list_end(deadline, CALENDAR, RULES)
    assert last_valid_day(until) == date(2027, 1, 6)  # 1 and 2 January are holidays, 4 January is observed
    assert on_stop_list(until, until - timedelta(microseconds=1))
    assert not on_stop_list(until, until)
    assert not on_stop_list(None, ISSUED)


@given(st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)))
def test_a_direction_is_valid_for_exactly_the_configured_working_days(issued):
    deadline = deadline_of(issued, CALENDAR, RULES)
    last = last_valid_day(deadline)
    first_day = issued.astimezone(ALMATY).date()
    assert CALENDAR.working_days_between(first_day, last) == RULES.valid_working_days
    assert CALENDAR.is_working_day(last)
    until = stop_list_end(deadline, CALENDAR, RULES)
    assert CALENDAR.working_days_between(last, last_valid_day(until)) == RULES.stop_list_working_days


@given(st.integers(min_value=-5, max_value=60))
def test_an_extension_is_1_to_30_days_once(days):
    deadline = ISSUED + timedelta(days=5)
    arguments = dict(status=DirectionStatus.ISSUED, extended=False, deadline=deadline, now=ISSUED, rules=RULES)
    if 1 <= days <= 30:
        check_extension(days=days, **arguments)
    else:
        with pytest.raises(InvalidInput) as refused:
            check_extension(days=days, **arguments)
        assert refused.value.code == "direction.extension_too_long"


@pytest.mark.parametrize(
    ("status", "extended", "now_offset", "code"),
    [
        (DirectionStatus.EXTENDED, True, timedelta(0), "direction.already_extended"),
        (DirectionStatus.ENROLLED, False, timedelta(0), "direction.not_live"),
        (DirectionStatus.ISSUED, False, timedelta(days=5), "direction.deadline_passed"),
    ],
)
def test_an_extension_is_refused_when_the_rules_do_not_allow_it(status, extended, now_offset, code):
    with pytest.raises(DomainError) as refused:
        check_extension(
            status=status,
            extended=extended,
            deadline=ISSUED + timedelta(days=5),
            days=3,
            now=ISSUED + now_offset,
            rules=RULES,
        )
    assert refused.value.code == code
    assert refused.value.kk and refused.value.ru


def test_a_revocation_is_the_parents_for_24_hours():
    arguments = dict(status=DirectionStatus.ISSUED, issued_at=ISSUED, rules=RULES)
    check_revocation(now=ISSUED + timedelta(hours=23, minutes=59), **arguments)
    with pytest.raises(Conflict) as refused:
        check_revocation(now=ISSUED + timedelta(hours=24), **arguments)
    assert refused.value.code == "direction.revocation_too_late"
    with pytest.raises(Conflict):
        check_revocation(status=DirectionStatus.REVOKED, issued_at=ISSUED, now=ISSUED, rules=RULES)


def test_only_the_kindergarten_of_the_direction_confirms_enrolment_in_time():
    deadline = deadline_of(ISSUED, CALENDAR, RULES)
    arguments = dict(status=DirectionStatus.EXTENDED, kindergarten_id="kg-1", deadline=deadline)
    check_enrolment(by_kindergarten="kg-1", now=deadline - timedelta(seconds=1), **arguments)
    with pytest.raises(Forbidden) as refused:
        check_enrolment(by_kindergarten="kg-2", now=ISSUED, **arguments)
    assert refused.value.code == "direction.other_kindergarten"
    with pytest.raises(Conflict) as late:
        check_enrolment(by_kindergarten="kg-1", now=deadline, **arguments)
    assert late.value.code == "direction.deadline_passed"

