"""Service-time limits of seed 004 (appendix 3): minutes, and days not counting the first day."""

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.clock import ALMATY
from chalicelib.domain.service_times import BENEFIT_DECISION, STEPS, timing


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
