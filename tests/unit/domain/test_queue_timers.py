"""Interest confirmation and school age: which timer comes next, whatever the sweep's timing."""

from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.queue import (
    QueueRules,
    TimerKind,
    add_months,
    birthday,
    interest_deadline,
    is_under_school_age,
    next_timer,
    school_age_at,
)

RULES = QueueRules()
registrations = st.datetimes(min_value=datetime(2024, 3, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))
births = st.dates(min_value=date(2018, 1, 1), max_value=date(2030, 12, 31))


def test_interest_is_due_twelve_months_after_registration_then_after_each_confirmation():
    registered = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    confirmed = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)

    assert interest_deadline(registered, None, RULES) == datetime(2027, 3, 2, 5, 0, tzinfo=UTC)
    assert interest_deadline(registered, confirmed, RULES) == datetime(2027, 11, 20, 9, 30, tzinfo=UTC)


def test_a_month_later_is_the_same_day_or_the_month_end():
    # 31 January (local time) plus one month is the end of February
    assert add_months(datetime(2027, 1, 31, 6, 0, tzinfo=UTC), 1) == datetime(2027, 2, 28, 6, 0, tzinfo=UTC)
    assert add_months(datetime(2028, 1, 31, 6, 0, tzinfo=UTC), 1) == datetime(2028, 2, 29, 6, 0, tzinfo=UTC)


@given(registrations, st.integers(min_value=1, max_value=36))
def test_adding_months_moves_forward_by_that_many_calendar_months(at, months):
    later = add_months(at, months)

    assert later > at
    assert 28 * months - 3 <= (later - at).days <= 31 * months + 1


def test_a_leap_day_child_turns_seven_on_the_first_of_march():
    assert birthday(date(2020, 2, 29), 7) == date(2027, 3, 1)
    assert birthday(date(2020, 2, 29), 8) == date(2028, 2, 29)
    assert birthday(date(2021, 6, 15), 7) == date(2028, 6, 15)


def test_school_age_starts_at_midnight_in_kazakhstan_on_the_seventh_birthday():
    # Kazakhstan is UTC+5: local midnight is 19:00 UTC the day before
    assert school_age_at(date(2019, 5, 4), RULES) == datetime(2026, 5, 3, 19, 0, tzinfo=UTC)
    assert is_under_school_age(date(2019, 5, 4), datetime(2026, 5, 3, 18, 59, tzinfo=UTC), RULES)
    assert not is_under_school_age(date(2019, 5, 4), datetime(2026, 5, 3, 19, 0, tzinfo=UTC), RULES)


def test_a_young_child_is_reminded_thirty_seven_and_one_day_before_the_deadline_then_removed():
    # given a child of 2023 registered on 2 March 2026
    registered = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    deadline = datetime(2027, 3, 2, 5, 0, tzinfo=UTC)

    # when every timer is handled the moment it is due
    seen, after = [], registered
    for _ in range(5):
        timer = next_timer(
            registered_at=registered, last_confirmed_at=None, birth_date=date(2023, 5, 4), after=after, rules=RULES
        )
        seen.append((timer.kind, timer.days_before, timer.due_at))
        if timer.kind.removes:
            break
        after = timer.due_at

    # then the reminders come 30, 7 and 1 days before, and the lapse at the deadline
    assert seen == [
        (TimerKind.REMINDER, 30, deadline - timedelta(days=30)),
        (TimerKind.REMINDER, 7, deadline - timedelta(days=7)),
        (TimerKind.REMINDER, 1, deadline - timedelta(days=1)),
        (TimerKind.LAPSE, None, deadline),
    ]


def test_a_child_who_reaches_school_age_first_is_not_asked_to_confirm():
    # given a child who turns seven two months after registration
    timer = next_timer(
        registered_at=datetime(2026, 3, 2, 5, 0, tzinfo=UTC),
        last_confirmed_at=None,
        birth_date=date(2019, 5, 4),
        after=datetime(2026, 3, 2, 5, 0, tzinfo=UTC),
        rules=RULES,
    )

    # then the only timer is school age
    assert timer.kind is TimerKind.SCHOOL_AGE
    assert timer.due_at == school_age_at(date(2019, 5, 4), RULES)


@given(registrations, births, st.lists(st.integers(min_value=0, max_value=400 * 24), min_size=1, max_size=12))
def test_whenever_sweeps_run_reminders_come_in_order_and_exactly_one_removal_ends_it(registered, birth, gaps):
    # given an application and sweeps that run at arbitrary moments (hours apart, possibly late)
    if not is_under_school_age(birth, registered, RULES):
        return
    timer = next_timer(
        registered_at=registered, last_confirmed_at=None, birth_date=birth, after=registered, rules=RULES
    )
    deadline = interest_deadline(registered, None, RULES)
    final = min(deadline, school_age_at(birth, RULES))
    fired: list[TimerKind] = []
    now = registered
    for gap in [*gaps, 10**6]:
        now += timedelta(hours=gap)
        # when a sweep runs at `now`, it handles the pending timer if it is due
        while timer.due_at <= now and not (fired and fired[-1].removes):
            fired.append(timer.kind)
            assert timer.due_at <= final
            if timer.kind.removes:
                break
            timer = next_timer(
                registered_at=registered, last_confirmed_at=None, birth_date=birth, after=now, rules=RULES
            )
            assert timer.due_at > now or timer.kind.removes
        if fired and fired[-1].removes:
            break

    # then exactly one removal ends the sequence, it is the earlier of the lapse and school age,
    # and reminders only came before a lapse
    assert fired[-1].removes and fired.count(TimerKind.LAPSE) + fired.count(TimerKind.SCHOOL_AGE) == 1
    assert fired[-1] is (TimerKind.SCHOOL_AGE if school_age_at(birth, RULES) <= deadline else TimerKind.LAPSE)
    if fired[-1] is TimerKind.SCHOOL_AGE:
        assert fired == [TimerKind.SCHOOL_AGE]
    assert len(fired) <= len(RULES.reminder_days) + 1


@given(registrations, births, st.integers(min_value=0, max_value=500 * 24))
def test_the_next_timer_is_ahead_unless_it_is_an_overdue_removal(registered, birth, hours):
    after = registered + timedelta(hours=hours)
    timer = next_timer(registered_at=registered, last_confirmed_at=None, birth_date=birth, after=after, rules=RULES)

    assert timer.due_at > after or timer.kind.removes
    if timer.kind is TimerKind.REMINDER:
        assert timer.deadline - timer.due_at == timedelta(days=timer.days_before)
