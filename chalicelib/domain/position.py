"""The queue position explained to a parent: who is ahead, why the number moved, how long it may take.

Pure rules on counts the store reads (``ApplicationRepository.pool_snapshot``) — never the queue
itself. The children who compete for the same seats are the **pool**: the same district, birth
year and language (``chalicelib/domain/allocation.py``). In the pool, out-of-turn children are
served first whenever they registered; first-priority children and the others are interleaved;
everyone else goes by registration.

- **Ahead.** The pool's children registered earlier and still in the queue, by approved benefit
  category (the rest have no approved benefit), plus the out-of-turn children registered later
  who are served first anyway (none for an out-of-turn child: among them registration decides).
- **Why it moved.** Each visit keeps the counts of that day: the cumulative departures of children
  who stood ahead (directed, withdrawn, removed) and the out-of-turn children behind. The
  differences since the last visit say why the number changed.
- **The wait.** An estimate: the directions issued to the pool in the last 12 months give a monthly
  rate; the children ahead in the order of service divided by that rate is the number of months.
  It is labelled an estimate everywhere it is shown: seats open unevenly over the year.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from chalicelib.domain.reference import BenefitTier

ESTIMATE_MONTHS = 12
KEEP_VISITS = 60


@dataclass(frozen=True)
class CategoryCount:
    """One benefit category of the pool: registered earlier (``ahead``) and later (``behind``)."""

    code: str
    tier: BenefitTier
    ahead: int
    behind: int


@dataclass(frozen=True)
class Seen:
    """The counts of one visit (or of now)."""

    general: int
    ahead: int  # the pool's children registered earlier, still in the queue
    directed: int  # cumulative: children registered earlier who left with a place
    withdrawn: int
    removed: int
    priority_behind: int  # out-of-turn children registered later (served first)
    benefit_status: str | None


@dataclass(frozen=True)
class Moved:
    """Why the number changed between two visits."""

    general_before: int
    general_now: int
    directed: int
    withdrawn: int
    removed: int
    priority_joined: int
    benefit_approved: bool


def priority_behind(categories: Sequence[CategoryCount], own_tier: BenefitTier) -> int:
    """Out-of-turn children registered later who are served before this child."""
    if own_tier is BenefitTier.OUT_OF_TURN:
        return 0
    return sum(c.behind for c in categories if c.tier is BenefitTier.OUT_OF_TURN)


def served_before(pool_ahead: int, categories: Sequence[CategoryCount], own_tier: BenefitTier) -> int:
    """The children served before this one in the pool's order.

    An out-of-turn child waits only for the out-of-turn children registered earlier; anyone else
    waits for everyone registered earlier and for every out-of-turn child registered later.
    """
    if own_tier is BenefitTier.OUT_OF_TURN:
        return sum(c.ahead for c in categories if c.tier is BenefitTier.OUT_OF_TURN)
    return pool_ahead + priority_behind(categories, own_tier)


def moved(before: Seen, now: Seen) -> Moved:
    """The reasons between two visits (departures are cumulative, so their differences never go negative)."""
    return Moved(
        general_before=before.general,
        general_now=now.general,
        directed=max(0, now.directed - before.directed),
        withdrawn=max(0, now.withdrawn - before.withdrawn),
        removed=max(0, now.removed - before.removed),
        priority_joined=max(0, now.priority_behind - before.priority_behind),
        benefit_approved=before.benefit_status != "approved" and now.benefit_status == "approved",
    )


def estimate_months(waiting_for: int, directions_last_year: int) -> int | None:
    """Months until this child's turn at the pool's rate of the last 12 months; None without directions."""
    if directions_last_year <= 0:
        return None
    rate = directions_last_year / ESTIMATE_MONTHS
    return max(1, math.ceil((waiting_for + 1) / rate))


def last_months(today: date, count: int = ESTIMATE_MONTHS) -> list[str]:
    """The month buckets of the ``count`` months up to and including ``today``'s (``month#YYYY-MM``)."""
    index = today.year * 12 + today.month - 1
    return [f"month#{(i // 12):04d}-{(i % 12) + 1:02d}" for i in range(index - count + 1, index + 1)]


def directed_counter(cohort: int, language: str) -> str:
    """The report counter of directions issued to a pool (``chalicelib/domain/reports.py``)."""
    return f"directed|{cohort}|{language}"

