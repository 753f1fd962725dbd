"""Service-time limits of seed 004 (appendix 3): minutes, and days not counting the first day."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.clock import ALMATY
from chalicelib.domain.reports import service_tallies
from chalicelib.domain.service_times import BENEFIT_DECISION, CHANNEL_TABLE, REGISTRATION_STEPS, STEPS, timing


def test_a_claim_of_a_monday_afternoon_is_due_at_the_start_of_friday_in_almaty():
    monday = datetime(2026, 3, 2, 16, 30, tzinfo=ALMATY)  # the day of acceptance does not count
    due = BENEFIT_DECISION.due_at(monday)
    assert due == datetime(2026, 3, 6, 0, 0, tzinfo=ALMATY)
    assert timing(BENEFIT_DECISION, monday, due - timedelta(seconds=1))["overdue"] is False
    assert timing(BENEFIT_DECISION, monday, due + timedelta(seconds=1))["overdue"] is True


def test_minute_limits_are_plain_durations():
    desk = STEPS["desk.accept"]
    start = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)
    assert desk.due_at(start) == start + timedelta(minutes=30)
    assert desk.limit_text == "30 min" and BENEFIT_DECISION.limit_text == "3 days"


@given(
    started=st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 1, 1), timezones=st.just(UTC)),
    later=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=10)),
    code=st.sampled_from(sorted(STEPS)),
)
def test_overdue_now_exactly_when_started_before_the_threshold(started, later, code):
    step = STEPS[code]
    now = started + later
    assert (now >= step.due_at(started)) == (started < step.overdue_if_started_before(now))


# seed 004, appendix 3, copied by hand: (table, action, performer, limit) of every step a person performs
REGULATION = {
    (1, 1, "ЖАО", "10 min"),
    (1, 5, "ЖАО", "15 min"),
    (1, 9, "ЖАО", "5 min"),
    (2, 1, "ХҚКО", "30 min"),
    (2, 5, "ЖАО", "10 min"),
    (2, 6, "ЖАО", "3 days"),
    (2, 11, "ЖАО", "1 min"),
    (2, 15, "ХҚКО", "15 min"),
    (3, 5, "ЖАО", "10 min"),
    (3, 6, "ЖАО", "15 min"),
    (3, 11, "ЖАО", "1 min"),
    (4, 5, "ЖАО", "5 min"),
    (4, 6, "ЖАО", "10 min"),
    (4, 11, "ЖАО", "1 min"),
}

INSTANTS = st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC))
DAY_STEPS = sorted(code for code, step in STEPS.items() if step.limit_days)
MINUTE_STEPS = sorted(code for code, step in STEPS.items() if step.limit_minutes)


def test_the_steps_are_the_regulations_people_steps_with_its_limits():
    assert {(s.table, s.number, s.actor, s.limit_text) for s in STEPS.values()} == REGULATION
    for channel, codes in REGISTRATION_STEPS.items():
        assert {STEPS[code].table for code in codes} == {CHANNEL_TABLE[channel]}
        assert [STEPS[code].number for code in codes] == [5, 6, 11]


@given(started=INSTANTS, code=st.sampled_from(DAY_STEPS))
def test_a_day_limit_ends_at_midnight_in_almaty_the_start_day_not_counted(started, code):
    step = STEPS[code]
    due = step.due_at(started).astimezone(ALMATY)
    # the whole start day and the limit's days after it are in time; the next midnight is the due instant
    assert due.time() == datetime.min.time()
    assert due.date() == started.astimezone(ALMATY).date() + timedelta(days=step.limit_days + 1)
    start_of_day = datetime.combine(started.astimezone(ALMATY).date(), datetime.min.time(), ALMATY)
    assert step.due_at(start_of_day) == step.due_at(start_of_day + timedelta(days=1, microseconds=-1)) == due
    assert timing(step, started, due)["overdue"] is False
    assert timing(step, started, due + timedelta(microseconds=1))["overdue"] is True


@given(started=INSTANTS, code=st.sampled_from(MINUTE_STEPS), extra=st.integers(min_value=-60, max_value=60))
def test_a_minute_limit_is_exactly_its_minutes(started, code, extra):
    step = STEPS[code]
    ended = started + timedelta(minutes=step.limit_minutes or 0, seconds=extra)
    assert timing(step, started, ended)["overdue"] is (extra > 0)
    assert timing(step, started, started)["overdue"] is False  # done by the system at once


@given(
    steps=st.lists(st.tuples(st.sampled_from(sorted(STEPS)), st.booleans()), max_size=6),
    event=st.sampled_from(["application.registered", "application.left", "application.handed_over"]),
)
def test_the_report_counts_each_step_a_change_ended_once(steps, event):
    details = {"steps": [{"step": code, "overdue": late} for code, late in steps]}
    counted = Counter()
    for name, delta in service_tallies(event, details):
        counted[name] += delta
    expected = Counter(f"service|{code}|{'over' if late else 'within'}" for code, late in steps)
    assert counted == expected


def test_records_before_step_lists_count_their_one_step():
    legacy = {"step": "edu.decision", "overdue": True, "started_at": "2026-01-10T06:00:00+00:00"}
    assert service_tallies("application.benefit_approved", legacy) == [("service|edu.decision|over", 1)]
    assert service_tallies("application.left", legacy) == []
