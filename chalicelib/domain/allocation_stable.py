"""The ``stable`` allocation mode: child-proposing deferred acceptance over each kindergarten's own order.

A region may give kindergarten-specific priorities (``sibling``: a brother or sister attends the
kindergarten; ``staff``: a parent works there; ``catchment``: the home address is in its
catchment area). Kindergartens then rank the children differently, and "best free seat in one
common order" would let a child with no claim on a kindergarten take its seat before a child
the kindergarten ranks first. In ``stable`` mode:

- **A kindergarten's order** over the children of a pool (region, district, cohort, language):
  out-of-turn children first (the law's "вне очереди" stays above any local priority); then the
  children holding one of the region's priorities at this kindergarten, the priority earlier in
  the region's list first; then everybody else; inside each part the pool's common order
  (:func:`chalicelib.domain.allocation.priority_orders`: first priority and general interleaved,
  by registration).
- **The matching**: every child not blocked proposes to its preferred kindergartens in turn (with
  ``whole_district`` then to every other kindergarten of its pool, lowest id first); a
  kindergarten holds the best children of its order up to its free seats and rejects the rest,
  who propose further. The result is the child-optimal stable matching: no child and
  kindergarten would both rather have each other (no *blocking pair*), and no child is worse
  off than in any other stable outcome. Inside a kindergarten the children it holds take its
  seats in its order, seats in (group, seat) order.
- **The explanation** of each offer: the child's place in the kindergarten's order, the
  priority it held there, who was ahead in that order and why they did not get this seat
  (blocked; seated here or at a kindergarten they prefer; did not choose it), and for every
  kindergarten the child preferred, who took its last seat instead and why (out of turn, a
  priority, earlier in the common order) or that it had no seat of the child's cohort and
  language.

With every priority off the kindergartens' orders are the common order, and the outcome is the
serial one (deferred acceptance with one common order is serial dictatorship).
Everything is pure; deferred acceptance costs O(n · p) for n children of p preferences.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from heapq import heappush, heapreplace
from itertools import islice

from chalicelib.domain.allocation import (
    BLOCKED_PREFIX,
    EARLIER_IN_ORDER,
    MAX_EXPLAINED,
    NO_SEATS,
    NOT_IN_PREFERENCES,
    OUT_OF_TURN_AHEAD,
    PRIORITY_PREFIX,
    SEATED_EARLIER,
    STABLE,
    Candidate,
    Instead,
    Offer,
    PassedOver,
    Pool,
    Seat,
    _order,
    _seat_stacks,
    pool_of,
)
from chalicelib.domain.reference import BenefitTier

_OUT_OF_TURN = BenefitTier.OUT_OF_TURN.value


@dataclass
class _PoolState:
    """One pool: its children in the common order and each kindergarten's priority holders."""

    people: list[Candidate]  # the common order: index + 1 is the order position
    out_of_turn: int  # how many of them are out of turn (all first in the common order)
    holders: dict[str, list[tuple[int, int]]]  # kindergarten → (class, index) of the children holding a priority
    seats: dict[str, list[Seat]]  # kindergarten → its seats, the next to give last
    classes: dict[int, dict[str, int]] = field(default_factory=dict)  # index → kindergarten → its class there

    def klass(self, index: int, kindergarten: str, priorities: tuple[str, ...]) -> int:
        """The best of the region's priorities the child holds at the kindergarten (len: none)."""
        held = [
            priorities.index(kind) for k, kind in self.people[index].claims if k == kindergarten and kind in priorities
        ]
        return min(held, default=len(priorities))

    def key(self, index: int, kindergarten: str, priorities: tuple[str, ...]) -> tuple[int, int, int]:
        """Where the kindergarten ranks the child: (not out of turn, priority class, common position)."""
        held = self.classes.get(index)
        klass = held.get(kindergarten, len(priorities)) if held else len(priorities)
        return (0 if index < self.out_of_turn else 1, klass, index)


def _pools(
    seats: list[Seat], candidates: Iterable[Candidate], ratio: tuple[int, int], priorities: tuple[str, ...]
) -> dict[Pool, _PoolState]:
    stacks = _seat_stacks(seats)
    ordered = _order(candidates, ratio)
    states: dict[Pool, _PoolState] = {}
    for pool, by_kindergarten in stacks.items():
        people = [ordered.by_registration[rank] for rank in ordered.orders.get(pool, [])]
        out_of_turn = sum(1 for candidate in people if candidate.tier == _OUT_OF_TURN)
        state = _PoolState(people, out_of_turn, defaultdict(list), by_kindergarten)
        if priorities:
            for index, candidate in enumerate(people):
                if not candidate.claims:
                    continue
                for kindergarten in {k for k, kind in candidate.claims if kind in priorities}:
                    klass = state.klass(index, kindergarten, priorities)
                    state.classes.setdefault(index, {})[kindergarten] = klass
                    state.holders[kindergarten].append((klass, index))
            for holders in state.holders.values():
                holders.sort()
        states[pool] = state
    return states


def _choices(candidate: Candidate, seats: dict[str, list[Seat]], whole_district: bool) -> list[str]:
    """The kindergartens the child proposes to, in turn: those of its preferences with seats, then the district."""
    if candidate.family_kindergarten is not None:
        return [candidate.family_kindergarten] if candidate.family_kindergarten in seats else []
    preferences = candidate.preferences
    if len(set(preferences)) != len(preferences):
        preferences = tuple(dict.fromkeys(preferences))
    listed = [k for k in preferences if k in seats]
    if whole_district:
        listed += sorted(k for k in seats if k not in listed)
    return listed


def _defer(
    state: _PoolState, whole_district: bool, priorities: tuple[str, ...]
) -> dict[str, list[tuple[tuple[int, int, int], int]]]:
    """Child-proposing deferred acceptance: kindergarten → the (negated key, index) it holds (a max-heap by key)."""
    capacity = {k: len(stack) for k, stack in state.seats.items()}
    held: dict[str, list[tuple[tuple[int, int, int], int]]] = {k: [] for k in state.seats}
    choices_of: dict[int, list[str]] = {}
    next_choice: dict[int, int] = {}  # a child held and then rejected goes on after the kindergarten that held it
    out_of_turn = state.out_of_turn
    for start, candidate in enumerate(state.people):
        if candidate.blocked:
            continue
        choices_of[start] = _choices(candidate, state.seats, whole_district)
        next_choice[start] = 0
        proposer: int | None = start
        while proposer is not None:
            choices, at = choices_of[proposer], next_choice[proposer]
            if at >= len(choices):
                break
            kindergarten = choices[at]
            next_choice[proposer] = at + 1
            if priorities:
                key = state.key(proposer, kindergarten, priorities)
                negated = (-key[0], -key[1], -key[2])
            else:
                negated = (-1 if proposer >= out_of_turn else 0, 0, -proposer)
            heap = held[kindergarten]
            if len(heap) < capacity[kindergarten]:
                heappush(heap, (negated, proposer))
                proposer = None
            elif heap[0][0] < negated:  # the worst one held ranks below the proposer: it is let go
                proposer = heapreplace(heap, (negated, proposer))[1]
            # else: refused, the proposer tries its next choice
    return held


def assign_stable(
    seats: list[Seat],
    candidates: Iterable[Candidate],
    *,
    ratio: tuple[int, int],
    whole_district: bool,
    priorities: tuple[str, ...],
) -> dict[str, str]:
    """Child → kindergarten of the stable outcome, without explanations (for the family decisions)."""
    got: dict[str, str] = {}
    for state in _pools(seats, candidates, ratio, priorities).values():
        for kindergarten, heap in _defer(state, whole_district, priorities).items():
            for _, index in heap:
                got[state.people[index].application_id] = kindergarten
    return got


def allocate_stable(
    seats: list[Seat],
    candidates: Iterable[Candidate],
    *,
    ratio: tuple[int, int],
    whole_district: bool,
    priorities: tuple[str, ...],
) -> list[Offer]:
    """The offers of the stable mode, pool by pool, each kindergarten's seats in its order."""
    offers: list[Offer] = []
    for _, state in sorted(_pools(seats, candidates, ratio, priorities).items()):
        held = _defer(state, whole_district, priorities)
        got = {index: kindergarten for kindergarten, heap in held.items() for _, index in heap}
        last = {kindergarten: heap[0][1] for kindergarten, heap in held.items() if heap}  # the one it ranks last
        explainer = _StableExplainer(state, got, priorities, whole_district)
        for kindergarten in sorted(held):
            stack = state.seats[kindergarten]
            admitted = sorted((tuple(-part for part in negated), index) for negated, index in held[kindergarten])
            for key, index in admitted:
                seat = stack.pop()
                candidate = state.people[index]
                preferences = candidate.preferences
                passed, count = explainer.ahead(kindergarten, key)
                offers.append(
                    Offer(
                        seat=seat,
                        application_id=candidate.application_id,
                        order_position=index + 1,
                        preference_rank=preferences.index(kindergarten) + 1 if kindergarten in preferences else None,
                        passed_over=passed,
                        passed_over_count=count,
                        mode=STABLE,
                        priority=priorities[key[1]] if key[1] < len(priorities) else None,
                        kindergarten_position=count + 1,
                        instead=tuple(explainer.instead(index, kindergarten, last)),
                    )
                )
    return offers


class _StableExplainer:
    def __init__(
        self, state: _PoolState, got: dict[int, str], priorities: tuple[str, ...], whole_district: bool
    ) -> None:
        self.state = state
        self.got = got
        self.priorities = priorities
        self.whole_district = whole_district
        self.ranked: dict[str, tuple[list[tuple[int, int, int]], list[int]]] = {}
        self.first: dict[str, tuple[list[tuple[int, int, int]], list[PassedOver]]] = {}  # the order's head

    def _holders(self, kindergarten: str) -> tuple[list[tuple[int, int, int]], list[int]]:
        """The priority holders' keys at the kindergarten, sorted, and their common positions, sorted."""
        found = self.ranked.get(kindergarten)
        if found is None:
            state = self.state
            holders = state.holders.get(kindergarten, [])
            keys = sorted((0 if index < state.out_of_turn else 1, klass, index) for klass, index in holders)
            found = self.ranked[kindergarten] = (keys, sorted(index for _, index in holders))
        return found

    def _walk(self, kindergarten: str) -> Iterator[tuple[tuple[int, int, int], int]]:
        """The kindergarten's order: holders of a priority merged into the common order by key."""
        state = self.state
        keys, indexes = self._holders(kindergarten)
        held_here = set(indexes)
        keyed = [(key, key[2]) for key in keys]
        plain = len(self.priorities)
        position = 0
        for key, index in keyed:
            tier_part = key[0]
            # everybody without a priority here in an earlier tier block comes first
            while position < len(state.people) and (0 if position < state.out_of_turn else 1) < tier_part:
                if position not in held_here:
                    yield (0 if position < state.out_of_turn else 1, plain, position), position
                position += 1
            yield key, index
        while position < len(state.people):
            if position not in held_here:
                yield (0 if position < state.out_of_turn else 1, plain, position), position
            position += 1

    def ahead(self, kindergarten: str, key: tuple[int, int, int]) -> tuple[tuple[PassedOver, ...], int]:
        """Who the kindergarten ranks ahead of the child (at most MAX_EXPLAINED listed) and how many."""
        state = self.state
        keys, indexes = self._holders(kindergarten)
        holders_ahead = bisect_left(keys, key)
        plain = len(self.priorities)
        # children without a priority here ahead: those of an earlier tier block, or of the same block and
        # earlier in the common order when the child holds no priority either
        boundary = key[2] if key[1] == plain else state.out_of_turn if key[0] == 1 else 0
        plain_ahead = boundary - bisect_left(indexes, boundary)
        count = holders_ahead + plain_ahead
        if not count:
            return (), 0
        first = self.first.get(kindergarten)
        if first is None:
            walked = list(islice(self._walk(kindergarten), MAX_EXPLAINED))
            first = self.first[kindergarten] = (
                [other_key for other_key, _ in walked],
                [PassedOver(state.people[index].application_id, self._why(index, kindergarten)) for _, index in walked],
            )
        return tuple(first[1][: bisect_left(first[0], key)]), count

    def _why(self, index: int, kindergarten: str) -> str:
        candidate = self.state.people[index]
        if candidate.blocked:
            return BLOCKED_PREFIX + candidate.blocked
        wanted = (
            kindergarten == candidate.family_kindergarten
            if candidate.family_kindergarten is not None
            else self.whole_district or kindergarten in candidate.preferences
        )
        if wanted:
            return SEATED_EARLIER  # stable: it holds this kindergarten or one it prefers
        return NOT_IN_PREFERENCES

    def instead(self, index: int, kindergarten: str, last: dict[str, int]) -> Iterator[Instead]:
        """For each kindergarten the child preferred: who took its last seat and why they rank ahead there."""
        state = self.state
        candidate = state.people[index]
        if candidate.family_kindergarten is not None:
            return
        for preferred in dict.fromkeys(candidate.preferences):
            if preferred == kindergarten:
                return
            if preferred not in state.seats:
                yield Instead(preferred, None, NO_SEATS)
                continue
            other = last[preferred]  # a preferred kindergarten with seats is full, or the child would be there
            mine = state.key(index, preferred, self.priorities)
            theirs = state.key(other, preferred, self.priorities)
            if theirs[0] < mine[0]:
                reason = OUT_OF_TURN_AHEAD
            elif theirs[1] < mine[1]:
                reason = PRIORITY_PREFIX + self.priorities[theirs[1]]
            else:
                reason = EARLIER_IN_ORDER
            yield Instead(preferred, state.people[other].application_id, reason)


# --- the audit ---------------------------------------------------------------------------------


def stability_checks(
    offers: list[Offer],
    seats: list[Seat],
    candidates: list[Candidate],
    *,
    ratio: tuple[int, int],
    whole_district: bool,
    priorities: tuple[str, ...],
) -> Iterator[str]:
    """No blocking pair: no child not blocked would rather have a kindergarten that has a free seat left
    or holds a child it ranks below this one; each offer states the child's true order positions."""
    states = _pools(seats, candidates, ratio, priorities)
    got = {offer.application_id: offer.seat.kindergarten_id for offer in offers}
    offered = {offer.seat.seat_id for offer in offers}
    free: dict[Pool, set[str]] = defaultdict(set)
    for seat in seats:
        if seat.seat_id not in offered:
            free[pool_of(seat)].add(seat.kindergarten_id)
    for pool, state in sorted(states.items()):
        index_of = {candidate.application_id: index for index, candidate in enumerate(state.people)}
        worst: dict[str, tuple[tuple[int, int, int], str]] = {}
        for offer in offers:
            index = index_of.get(offer.application_id)
            if index is None or pool_of(offer.seat) != pool:
                continue
            kindergarten = offer.seat.kindergarten_id
            key = state.key(index, kindergarten, priorities)
            if offer.order_position != index + 1:
                yield f"offer to {offer.application_id} gives order position {offer.order_position}, it is {index + 1}"
            if kindergarten not in worst or worst[kindergarten][0] < key:
                worst[kindergarten] = (key, offer.application_id)
        for index, candidate in enumerate(state.people):
            if candidate.blocked:
                continue
            mine = got.get(candidate.application_id)
            for kindergarten in _choices(candidate, state.seats, whole_district):
                if kindergarten == mine:
                    break
                if kindergarten in free.get(pool, ()):
                    yield f"a seat at {kindergarten} stayed free while {candidate.application_id} wanted it"
                elif kindergarten in worst and worst[kindergarten][0] > state.key(index, kindergarten, priorities):
                    yield (
                        f"blocking pair: {candidate.application_id} would rather have {kindergarten}, which ranks "
                        f"it above {worst[kindergarten][1]} who got a seat there"
                    )
