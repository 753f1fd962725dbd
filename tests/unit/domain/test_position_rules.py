"""The position explained: who is served before a child, why the number moved, the wait estimate."""

from __future__ import annotations

from datetime import date

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.position import (
    CategoryCount,
    Seen,
    estimate_months,
    last_months,
    moved,
    served_before,
)
from chalicelib.domain.reference import BenefitTier

MILITARY = CategoryCount("military", BenefitTier.OUT_OF_TURN, ahead=2, behind=3)
LARGE = CategoryCount("large_family", BenefitTier.FIRST_PRIORITY, ahead=4, behind=7)


def test_out_of_turn_children_registered_later_are_served_first_except_for_their_own_tier():
    assert served_before(10, [MILITARY, LARGE], BenefitTier.NONE) == 10 + 3
    assert served_before(10, [MILITARY, LARGE], BenefitTier.FIRST_PRIORITY) == 10 + 3
    assert served_before(10, [MILITARY, LARGE], BenefitTier.OUT_OF_TURN) == 2


def test_the_estimate_is_the_wait_at_last_years_rate_and_none_without_directions():
    assert estimate_months(0, 12) == 1
    assert estimate_months(11, 12) == 12
    assert estimate_months(1, 1) == 24
    assert estimate_months(5, 0) is None


@given(st.integers(0, 500), st.integers(0, 500), st.integers(1, 400))
def test_the_estimate_never_shrinks_with_more_children_ahead(a: int, b: int, directions: int):
    low, high = sorted((a, b))
    assert estimate_months(low, directions) <= estimate_months(high, directions)


seen = st.builds(
    Seen,
    general=st.integers(1, 1000),
    ahead=st.integers(0, 1000),
    directed=st.integers(0, 100),
    withdrawn=st.integers(0, 100),
    removed=st.integers(0, 100),
    priority_behind=st.integers(0, 100),
    benefit_status=st.sampled_from([None, "none", "pending", "approved", "refused"]),
)


@given(seen, seen)
def test_reasons_never_go_negative(before: Seen, now: Seen):
    change = moved(before, now)
    assert min(change.directed, change.withdrawn, change.removed, change.priority_joined) >= 0
    assert change.benefit_approved == (before.benefit_status != "approved" and now.benefit_status == "approved")


def test_reasons_are_the_differences_of_the_cumulative_departures():
    before = Seen(9, 8, 1, 0, 2, 0, "pending")
    now = Seen(5, 4, 3, 1, 3, 2, "approved")
    change = moved(before, now)
    assert (change.directed, change.withdrawn, change.removed, change.priority_joined) == (2, 1, 1, 2)
    assert change.benefit_approved and (change.general_before, change.general_now) == (9, 5)


def test_the_last_twelve_months_end_with_the_current_one_across_a_new_year():
    months = last_months(date(2026, 2, 14))
    assert months[0] == "month#2025-03" and months[-1] == "month#2026-02" and len(set(months)) == 12
