"""Fair allocation of free kindergarten seats to the queue, its explanation and its audit.

The rules (SPEC "Directions"; seed 002 for the city-wide queue and the direction lifecycle):

- **Who competes.** A seat is offered only to a child of its age cohort and its language of
  instruction, in the seat's district (preferences are always kindergartens of the child's own
  district: ``application_form.validate``). The children who compete for the same seats — one
  region, district, birth-year cohort and language — form a :class:`Pool`; pools never compete
  with each other, so the order and the outcome inside a pool depend on that pool alone.
- **The order.** Inside a pool: out-of-turn children (``BenefitTier.OUT_OF_TURN``, an approved
  benefit) all first, by registration time; then first-priority children and the general queue
  interleaved at a configured ratio — by default one first-priority child to three general
  ones (P, G, G, G, P, G, G, G, …), the ratio Astana applies, configured by
  ``settings.priority_ratio_priority`` / ``priority_ratio_general`` — each list by registration
  time; when one list runs out the other continues. Registration ties are broken by ``seq`` and
  then by the application id, so the order never depends on the input order.
- **The offer.** Serial dictatorship in that order: each child not blocked (on the stop-list,
  or already holding a live direction — still in the queue, keeping its place, but not
  offerable now) takes the most preferred of its kindergartens that still has a free seat of its
  cohort and language; each child gets at most one seat per run. With ``whole_district``
  (``settings.allocation_whole_district``) a child whose preferred kindergartens are full takes
  a seat of any kindergarten of its district, the lowest kindergarten id first. Inside one
  kindergarten, seats go in (group id, seat id) order. This is exactly the resident-optimal
  stable matching of the hospitals–residents problem when every kindergarten group ranks the
  children in the same order: nobody ahead in the order is ever passed over for a seat they
  would have taken, and no seat stays free while somebody who wanted it goes without.
- **The explanation.** Every offer says who was ahead and why they did not get this seat:
  children ahead in the pool's order (blocked, seated earlier in this run at a kindergarten
  they prefer or at this one, or this kindergarten is not among their preferences), and the
  children of the district who chose this kindergarten and registered earlier but are of
  another cohort or language. At most :data:`MAX_EXPLAINED` are listed — those ahead who
  wanted this kindergarten, then the others ahead, then the other cohorts and languages, each
  in order — with a full count.

Everything is pure and runs in O(n log n) for n candidates: seats are indexed by pool and
kindergarten as stacks, a pool stops as soon as its seats are gone, and each explanation costs
O(:data:`MAX_EXPLAINED`) plus a few binary searches.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from heapq import nsmallest
from itertools import chain, compress, count, islice
from operator import attrgetter, eq, itemgetter
from typing import NamedTuple

from chalicelib.domain.reference import BenefitTier

MAX_EXPLAINED = 50
DEFAULT_RATIO = (1, 3)

STOP_LIST = "stop_list"  # Candidate.blocked: on the stop-list after a missed direction
LIVE_DIRECTION = "live_direction"  # Candidate.blocked: already holds a direction that is not over yet
FAMILY_APART = "family_apart"  # Candidate.blocked by allocation: its "together only" family has no common seat now

SERIAL = "serial"  # one common order, each child the best free seat in turn (the default)
STABLE = "stable"  # child-proposing deferred acceptance over each kindergarten's own order
MODES = (SERIAL, STABLE)
SIBLING = "sibling"  # a brother or sister attends this kindergarten
STAFF = "staff"  # a parent works at this kindergarten
CATCHMENT = "catchment"  # the home address is in this kindergarten's catchment area
PRIORITY_KINDS = (SIBLING, STAFF, CATCHMENT)

BLOCKED_PREFIX = "blocked:"  # PassedOver.reason: "blocked:stop_list", "blocked:live_direction"
SEATED_EARLIER = "seated_earlier"  # got a seat earlier in this run (a preferred kindergarten or this one)
NOT_IN_PREFERENCES = "not_in_preferences"  # did not choose this kindergarten
OTHER_COHORT = "other_cohort"  # chose it and registered earlier, but the seat is for another birth year
OTHER_LANGUAGE = "other_language"  # chose it and registered earlier, but the seat is taught in another language


@dataclass(frozen=True, slots=True)
class Seat:
    """One free seat of a published vacancy: a group of a kindergarten for one cohort and language."""

    seat_id: str
    kindergarten_id: str
    group_id: str
    region: str
    district: str
    cohort: int
    language: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """An active application as allocation sees it.

    ``tier`` is the ``BenefitTier`` value of the approved benefit (a pending or refused claim is
    ``"none"``); ``seq`` is the registration order in the queue; ``blocked`` says why a child in
    the queue cannot be offered a seat now (:data:`STOP_LIST`, :data:`LIVE_DIRECTION`).
    """

    application_id: str
    region: str
    district: str
    cohort: int
    language: str
    tier: str
    registered_at: datetime
    seq: int
    preferences: tuple[str, ...]  # kindergarten ids, most preferred first
    blocked: str | None = None
    claims: tuple[tuple[str, str], ...] = ()  # (kindergarten id, PRIORITY_KINDS value) the child holds there
    family: str | None = None  # siblings the parent joined share it
    together: bool = False  # "together only": the family is placed in one kindergarten or not at all
    family_kindergarten: str | None = None  # set by allocation alone: the only kindergarten its family may take


@dataclass(frozen=True, slots=True)
class PassedOver:
    """A child ahead of the one who got the seat, and why the seat did not go to them.

    "Ahead" is ahead in the pool's priority order, or — for :data:`OTHER_COHORT` and
    :data:`OTHER_LANGUAGE` — registered earlier and having chosen the seat's kindergarten.
    """

    application_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class Offer:
    """A seat offered to a child, with the reasons it went to this child.

    ``order_position`` is the child's 1-based place in the priority order of its pool (the
    children of its district, cohort and language); ``preference_rank`` is the place of the
    kindergarten among the child's preferences (``None``: not among them, offered under
    ``whole_district``);
    ``passed_over`` lists at most :data:`MAX_EXPLAINED` of the ``passed_over_count`` children
    who were ahead.
    """

    seat: Seat
    application_id: str
    order_position: int
    preference_rank: int | None
    passed_over: tuple[PassedOver, ...]
    passed_over_count: int
    mode: str = SERIAL
    priority: str | None = None  # stable mode: the kindergarten priority the child held here
    kindergarten_position: int | None = None  # stable mode: 1-based place in the kindergarten's own order
    instead: tuple[Instead, ...] = ()  # stable mode: each kindergarten the child preferred, and who took it


@dataclass(frozen=True, slots=True)
class Instead:
    """A kindergarten the child preferred to the one it got, and who took its last seat instead and why.

    ``application_id`` is the child admitted there that the kindergarten ranks last (None: the
    kindergarten had no seat of the child's cohort and language); ``reason`` is
    :data:`OUT_OF_TURN_AHEAD`, ``"priority:<kind>"``, :data:`EARLIER_IN_ORDER` or :data:`NO_SEATS`.
    """

    kindergarten_id: str
    application_id: str | None
    reason: str


OUT_OF_TURN_AHEAD = "out_of_turn"  # Instead.reason: the child admitted there is out of turn, this one is not
EARLIER_IN_ORDER = "earlier_in_order"  # Instead.reason: same standing there, but earlier in the common order
NO_SEATS = "no_seats"  # Instead.reason: no free seat of the child's cohort and language there
PRIORITY_PREFIX = "priority:"  # Instead.reason: "priority:sibling" — the kindergarten priority held there


@dataclass(frozen=True, slots=True)
class RegionRules:
    """How a region allocates: its mode and the kindergarten priorities it turned on (earlier first)."""

    mode: str = SERIAL
    priorities: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        check_mode(self.mode, self.priorities)


class Pool(NamedTuple):
    """The children who compete for the same seats: one region, district, cohort and language."""

    region: str
    district: str
    cohort: int
    language: str


def pool_of(item: Seat | Candidate) -> Pool:
    return Pool(item.region, item.district, item.cohort, item.language)


# --- the order ---------------------------------------------------------------------------------

_REGISTERED_AT = attrgetter("registered_at")
_APPLICATION_ID = attrgetter("application_id")
_TIERS = {tier.value: index for index, tier in enumerate(BenefitTier)}  # out_of_turn, first_priority, none


def _registration_key(candidate: Candidate) -> tuple[datetime, int, str]:
    return candidate.registered_at, candidate.seq, candidate.application_id


def _by_registration(candidates: Iterable[Candidate]) -> list[Candidate]:
    """Sorted by registration time, ties by ``seq`` then application id (sorting by time alone is much faster)."""
    people = sorted(candidates, key=_REGISTERED_AT)
    times = list(map(_REGISTERED_AT, people))
    tied = compress(count(1), map(eq, times, islice(times, 1, None)))  # i: people[i] registered with people[i - 1]
    start = end = -1
    for index in tied:
        if index != end + 1:  # a new run of ties begins at index - 1
            if end > start:
                people[start : end + 1] = sorted(people[start : end + 1], key=_registration_key)
            start = index - 1
        end = index
    if end > start:
        people[start : end + 1] = sorted(people[start : end + 1], key=_registration_key)
    return people


def _check_ratio(ratio: tuple[int, int]) -> tuple[int, int]:
    priority, general = ratio
    if priority < 0 or general < 0 or priority + general == 0:
        raise ValueError(f"a priority ratio needs non-negative parts, not both zero: {ratio!r}")
    return priority, general


def _interleave(tiers: tuple[list[int], list[int], list[int]], ratio: tuple[int, int]) -> list[int]:
    """Out of turn first, then ``ratio`` = (first priority, general) blocks until one list runs out."""
    out_of_turn, first, general = tiers
    take_first, take_general = ratio
    order = list(out_of_turn)
    i = j = 0
    while i < len(first) and j < len(general):
        order.extend(first[i : i + take_first])
        order.extend(general[j : j + take_general])
        i += take_first
        j += take_general
    order.extend(first[i:])
    order.extend(general[j:])
    return order


@dataclass
class _Ordered:
    """Candidates by registration (a child's index there is its *rank*), each pool's order, who chose what."""

    by_registration: list[Candidate]
    orders: dict[Pool, list[int]]  # pool → ranks in priority order
    chosen: dict[Pool, dict[str, list[int]]]  # pool → kindergarten with seats → ranks of those who chose it
    district_pools: dict[tuple[str, str], list[Pool]]


def _order(
    candidates: Iterable[Candidate], ratio: tuple[int, int], seated: dict[tuple[str, str], set[str]] | None = None
) -> _Ordered:
    """Order every pool; with ``seated`` (district → kindergartens with seats) also index who chose them."""
    people = _by_registration(candidates)
    # one entry per pool (the pool, its three tiers, who chose which kindergarten), looked up by a plain
    # tuple: cheaper than building a Pool per child
    known: dict[tuple[str, str, int, str], tuple[Pool, tuple[list[int], list[int], list[int]], dict[str, list[int]]]]
    known = {}
    for rank, candidate in enumerate(people):
        key = (candidate.region, candidate.district, candidate.cohort, candidate.language)
        entry = known.get(key)
        if entry is None:
            kindergartens = seated.get((candidate.region, candidate.district), ()) if seated else ()
            entry = known[key] = (Pool(*key), ([], [], []), {kindergarten: [] for kindergarten in kindergartens})
        _, tiers, chosen = entry
        tier = _TIERS.get(candidate.tier)
        if tier is None:
            raise ValueError(f"{candidate.application_id}: unknown benefit tier {candidate.tier!r}")
        tiers[tier].append(rank)
        if chosen:
            for kindergarten in candidate.preferences:
                ranks = chosen.get(kindergarten)
                if ranks is not None and (not ranks or ranks[-1] != rank):  # a kindergarten listed twice counts once
                    ranks.append(rank)
    district_pools: dict[tuple[str, str], list[Pool]] = defaultdict(list)
    for pool, _, _ in known.values():
        district_pools[(pool.region, pool.district)].append(pool)
    return _Ordered(
        people,
        {pool: _interleave(tiers, ratio) for pool, tiers, _ in sorted(known.values(), key=itemgetter(0))},
        {pool: chosen for pool, _, chosen in known.values()},
        dict(district_pools),
    )


def priority_orders(
    candidates: Iterable[Candidate], *, ratio: tuple[int, int] = DEFAULT_RATIO
) -> dict[Pool, list[Candidate]]:
    """Each pool's priority order (pools sorted by region, district, cohort, language)."""
    ordered = _order(candidates, _check_ratio(ratio))
    people = ordered.by_registration
    return {pool: [people[rank] for rank in ranks] for pool, ranks in ordered.orders.items()}


def priority_order(candidates: Iterable[Candidate], *, ratio: tuple[int, int] = DEFAULT_RATIO) -> list[Candidate]:
    """Every pool's priority order, pool after pool; a child's ``order_position`` counts in its own pool."""
    return [candidate for order in priority_orders(candidates, ratio=ratio).values() for candidate in order]


# --- the allocation ----------------------------------------------------------------------------


def _seat_stacks(seats: Iterable[Seat]) -> dict[Pool, dict[str, list[Seat]]]:
    """Pool → kindergarten → its free seats, the next to give last (so ``pop()`` gives it)."""
    stacks: dict[Pool, dict[str, list[Seat]]] = defaultdict(lambda: defaultdict(list))
    seen: set[str] = set()
    for seat in seats:
        if seat.seat_id in seen:
            raise ValueError(f"seat {seat.seat_id} appears twice")
        seen.add(seat.seat_id)
        stacks[pool_of(seat)][seat.kindergarten_id].append(seat)
    for by_kindergarten in stacks.values():
        for stack in by_kindergarten.values():
            stack.sort(key=attrgetter("group_id", "seat_id"), reverse=True)
    return {pool: dict(by_kindergarten) for pool, by_kindergarten in stacks.items()}


@dataclass(frozen=True, slots=True)
class _Taken:
    position: int
    rank: int  # registration rank of the child
    seat: Seat
    preference_rank: int | None


def _serve(
    order: list[int], people: list[Candidate], stacks: dict[str, list[Seat]], whole_district: bool
) -> list[_Taken]:
    """Serial dictatorship over one pool: each child in turn takes its best kindergarten with a free seat."""
    remaining = sum(map(len, stacks.values()))
    anywhere = sorted(stacks) if whole_district else []
    cursor = 0
    taken: list[_Taken] = []
    for position, rank in enumerate(order, start=1):
        if remaining == 0:
            break
        candidate = people[rank]
        if candidate.blocked:
            continue
        seat: Seat | None = None
        preference_rank: int | None = None
        only = candidate.family_kindergarten  # a "together only" family's kindergarten: nothing else
        for index, kindergarten in enumerate(candidate.preferences, start=1):
            if only is not None and kindergarten != only:
                continue
            stack = stacks.get(kindergarten)
            if stack:
                seat, preference_rank = stack.pop(), index
                break
        if seat is None and whole_district and candidate.family_kindergarten is None:
            while not stacks[anywhere[cursor]]:  # remaining > 0: some kindergarten still has a seat
                cursor += 1
            seat = stacks[anywhere[cursor]].pop()
        if seat is not None:
            remaining -= 1
            taken.append(_Taken(position, rank, seat, preference_rank))
    return taken


class _Explainer:
    """Builds each offer's ``passed_over``, creating only the entries that can be listed."""

    def __init__(self, ordered: _Ordered) -> None:
        self.people = ordered.by_registration
        self.ordered = ordered
        self.others: dict[tuple[Pool, str], tuple[list[int], list[PassedOver]]] = {}

    def offers(self, pool: Pool, taken: list[_Taken], whole_district: bool) -> Iterator[Offer]:
        """The offers of one pool: who was ahead (those who wanted the kindergarten first), then other pools.

        Index ``i`` of ``order`` is position ``i + 1``. At most MAX_EXPLAINED of those who wanted a
        kindergarten are listed, and fewer than MAX_EXPLAINED of them are skipped while looking for
        those who did not want it, so only the entries that can be listed are built.
        """
        order = self.ordered.orders[pool][: taken[-1].position - 1]  # everybody ahead of somebody seated
        people = self.people
        choosing: dict[str, list[int]] = {seated.seat.kindergarten_id: [] for seated in taken}
        as_wanting: dict[int, PassedOver] = {}  # index → why a child ahead who wanted the seat did not get it
        as_not_wanting: list[PassedOver] = []  # the same for one who did not choose the kindergarten
        for index, rank in enumerate(order[:MAX_EXPLAINED] if whole_district else order):
            candidate = people[rank]
            blocked = BLOCKED_PREFIX + candidate.blocked if candidate.blocked else None
            if index < MAX_EXPLAINED:
                as_not_wanting.append(PassedOver(candidate.application_id, blocked or NOT_IN_PREFERENCES))
            if whole_district:  # everybody ahead would have taken any seat of the district
                as_wanting[index] = PassedOver(candidate.application_id, blocked or SEATED_EARLIER)
                continue
            for kindergarten in candidate.preferences:
                indexes = choosing.get(kindergarten)
                if indexes is not None and (not indexes or indexes[-1] != index):
                    indexes.append(index)
                    if len(indexes) <= MAX_EXPLAINED and index not in as_wanting:
                        as_wanting[index] = PassedOver(candidate.application_id, blocked or SEATED_EARLIER)

        for seated in taken:
            ahead = seated.position - 1
            kindergarten = seated.seat.kindergarten_id
            if whole_district:
                listed = [as_wanting[index] for index in range(min(ahead, MAX_EXPLAINED))]
            else:
                wanted = choosing[kindergarten]
                listed = [as_wanting[index] for index in wanted[: min(bisect_left(wanted, ahead), MAX_EXPLAINED)]]
                index = 0
                while len(listed) < MAX_EXPLAINED and index < ahead:
                    if kindergarten not in people[order[index]].preferences:
                        listed.append(as_not_wanting[index])
                    index += 1
            others, earlier = self._other_pools(pool, seated, MAX_EXPLAINED - len(listed))
            yield Offer(
                seat=seated.seat,
                application_id=people[seated.rank].application_id,
                order_position=seated.position,
                preference_rank=seated.preference_rank,
                passed_over=(*listed, *others),
                passed_over_count=ahead + earlier,
            )

    def _other_pools(self, pool: Pool, seated: _Taken, room: int) -> tuple[list[PassedOver], int]:
        """Children of the district's other cohorts and languages who chose the kindergarten and registered earlier."""
        kindergarten = seated.seat.kindergarten_id
        total = 0
        for other in self.ordered.district_pools[(pool.region, pool.district)]:
            if other != pool and (ranks := self.ordered.chosen[other].get(kindergarten)):
                total += bisect_left(ranks, seated.rank)
        if not (room and total):
            return [], total
        ranks, passed = self._first_others(pool, kindergarten)
        return passed[: min(bisect_left(ranks, seated.rank), room)], total

    def _first_others(self, pool: Pool, kindergarten: str) -> tuple[list[int], list[PassedOver]]:
        """The first MAX_EXPLAINED children of other pools, by registration, who chose the kindergarten."""
        found = self.others.get((pool, kindergarten))
        if found is None:
            chosen = self.ordered.chosen
            ranks = nsmallest(
                MAX_EXPLAINED,
                chain.from_iterable(
                    chosen[other].get(kindergarten, ())[:MAX_EXPLAINED]
                    for other in self.ordered.district_pools[(pool.region, pool.district)]
                    if other != pool
                ),
            )
            people = self.people
            found = self.others[(pool, kindergarten)] = (
                ranks,
                [
                    PassedOver(
                        people[rank].application_id,
                        OTHER_COHORT if people[rank].cohort != pool.cohort else OTHER_LANGUAGE,
                    )
                    for rank in ranks
                ],
            )
        return found


def check_mode(mode: str, priorities: Iterable[str]) -> tuple[str, tuple[str, ...]]:
    """A known mode and known kindergarten priorities, each once; priorities only make sense in stable mode."""
    kinds = tuple(priorities)
    if mode not in MODES:
        raise ValueError(f"unknown allocation mode {mode!r}: {', '.join(MODES)}")
    if unknown := [kind for kind in kinds if kind not in PRIORITY_KINDS]:
        raise ValueError(f"unknown kindergarten priorities {unknown}: {', '.join(PRIORITY_KINDS)}")
    if len(set(kinds)) != len(kinds):
        raise ValueError(f"a kindergarten priority is listed twice: {kinds}")
    if kinds and mode != STABLE:
        raise ValueError("kindergarten priorities need the stable mode (serial uses one common order)")
    return mode, kinds


def allocate(
    seats: Iterable[Seat],
    candidates: Iterable[Candidate],
    *,
    ratio: tuple[int, int] = DEFAULT_RATIO,
    whole_district: bool = False,
    mode: str = SERIAL,
    priorities: Iterable[str] = (),
) -> list[Offer]:
    """Offer the free seats to the queue; offers come pool by pool.

    ``serial`` (the default): each pool in its priority order, every child the best free seat.
    ``stable``: child-proposing deferred acceptance, each kindergarten ranking by its own order
    (:mod:`chalicelib.domain.allocation_stable`). "Together only" families are decided first
    (:mod:`chalicelib.domain.allocation_families`). Raises ``ValueError`` when a seat id or an
    application id appears twice, a tier is unknown, the ratio is not a ratio or the mode and
    priorities are not known.
    """
    ratio = _check_ratio(ratio)
    mode, kinds = check_mode(mode, priorities)
    seat_list, listed = list(seats), list(candidates)
    if len(set(map(_APPLICATION_ID, listed))) != len(listed):
        raise ValueError("every application must appear once")
    listed = effective_candidates(
        seat_list, listed, ratio=ratio, whole_district=whole_district, mode=mode, priorities=kinds
    )
    if mode == STABLE:
        from chalicelib.domain.allocation_stable import allocate_stable

        return allocate_stable(seat_list, listed, ratio=ratio, whole_district=whole_district, priorities=kinds)
    return _allocate_serial(seat_list, listed, ratio, whole_district)


def effective_candidates(
    seats: list[Seat],
    candidates: list[Candidate],
    *,
    ratio: tuple[int, int],
    whole_district: bool,
    mode: str,
    priorities: tuple[str, ...],
) -> list[Candidate]:
    """The candidates with the "together only" families decided (unchanged when there are none)."""
    if not any(candidate.family and candidate.together for candidate in candidates):
        return candidates
    from chalicelib.domain.allocation_families import decide_families

    def assign(trial: list[Candidate]) -> dict[str, str]:
        if mode == STABLE:
            from chalicelib.domain.allocation_stable import assign_stable

            return assign_stable(seats, trial, ratio=ratio, whole_district=whole_district, priorities=priorities)
        return assign_serial(seats, trial, ratio, whole_district)

    return decide_families(candidates, assign)


def assign_serial(
    seats: Iterable[Seat], candidates: Iterable[Candidate], ratio: tuple[int, int], whole_district: bool
) -> dict[str, str]:
    """Child → kindergarten of the serial outcome, without explanations (for the family decisions)."""
    stacks = _seat_stacks(seats)
    copies = {pool: {k: list(stack) for k, stack in by_k.items()} for pool, by_k in stacks.items()}
    ordered = _order(candidates, ratio)
    got: dict[str, str] = {}
    for pool, by_kindergarten in sorted(copies.items()):
        for taken in _serve(ordered.orders.get(pool, []), ordered.by_registration, by_kindergarten, whole_district):
            got[ordered.by_registration[taken.rank].application_id] = taken.seat.kindergarten_id
    return got


def _allocate_serial(
    seats: list[Seat], listed: list[Candidate], ratio: tuple[int, int], whole_district: bool
) -> list[Offer]:
    stacks = _seat_stacks(seats)
    seated: dict[tuple[str, str], set[str]] = defaultdict(set)
    for pool, by_kindergarten in stacks.items():
        seated[(pool.region, pool.district)].update(by_kindergarten)
    ordered = _order(
        (candidate for candidate in listed if (candidate.region, candidate.district) in seated), ratio, seated
    )
    explainer = _Explainer(ordered)
    offers: list[Offer] = []
    for pool, by_kindergarten in sorted(stacks.items()):
        taken = _serve(ordered.orders.get(pool, []), ordered.by_registration, by_kindergarten, whole_district)
        if taken:
            offers += explainer.offers(pool, taken, whole_district)
    return offers


# --- the audit ---------------------------------------------------------------------------------


def _offer_checks(
    offers: list[Offer], seats: dict[str, Seat], people: dict[str, Candidate], whole_district: bool
) -> Iterator[str]:
    """What must hold of every offer on its own, and of offers taken together (no seat or child twice)."""
    seats_offered: set[str] = set()
    children_offered: set[str] = set()
    for offer in offers:
        seat, child = offer.seat, offer.application_id
        if seat.seat_id in seats_offered:
            yield f"seat {seat.seat_id} is offered twice"
        if child in children_offered:
            yield f"application {child} is offered more than one seat"
        seats_offered.add(seat.seat_id)
        children_offered.add(child)
        if seats.get(seat.seat_id) != seat:
            yield f"seat {seat.seat_id} offered to {child} is not one of the free seats"
        candidate = people.get(child)
        if candidate is None:
            yield f"application {child} offered seat {seat.seat_id} is not a candidate"
            continue
        if candidate.blocked:
            yield f"application {child} is blocked ({candidate.blocked}) but was offered seat {seat.seat_id}"
        if (candidate.region, candidate.district) != (seat.region, seat.district):
            yield f"seat {seat.seat_id} in {seat.region}/{seat.district} was offered to {child} of {candidate.district}"
        if candidate.cohort != seat.cohort:
            yield f"seat {seat.seat_id} for cohort {seat.cohort} was offered to {child} of cohort {candidate.cohort}"
        if candidate.language != seat.language:
            yield f"seat {seat.seat_id} in {seat.language} was offered to {child} who asked for {candidate.language}"
        preferences = candidate.preferences
        rank = preferences.index(seat.kindergarten_id) + 1 if seat.kindergarten_id in preferences else None
        if rank is None and (not whole_district or candidate.family_kindergarten is not None):
            yield f"kindergarten {seat.kindergarten_id} of seat {seat.seat_id} is not among {child}'s preferences"
        if offer.preference_rank != rank:
            yield f"offer to {child} gives preference rank {offer.preference_rank}, the kindergarten is {rank}"


class _Wants:
    """What the children served so far in a pool would have taken instead of what they got."""

    def __init__(self, whole_district: bool) -> None:
        self.whole_district = whole_district
        self.preferred: dict[str, Candidate] = {}  # kindergarten → the first child who preferred it to its seat
        self.unseated: Candidate | None = None  # whole district: the first child who got nothing at all
        self.below: tuple[str, Candidate] | None = None  # whole district: any kindergarten with a lower id

    def add(self, candidate: Candidate, got: str | None) -> None:
        preferences = candidate.preferences
        if candidate.family_kindergarten is not None:  # its family's kindergarten, nothing else
            better: tuple[str, ...] = () if got == candidate.family_kindergarten else (candidate.family_kindergarten,)
        elif got in preferences:
            better = preferences[: preferences.index(got)]
        else:
            better = preferences
            if self.whole_district and got is None:
                self.unseated = self.unseated or candidate
            elif self.whole_district and got is not None and (self.below is None or got > self.below[0]):
                self.below = (got, candidate)
        for kindergarten in better:
            self.preferred.setdefault(kindergarten, candidate)

    def who_wanted(self, kindergarten: str) -> Candidate | None:
        """A child served so far who would have taken a seat at ``kindergarten`` over its own, if any."""
        found = self.preferred.get(kindergarten)
        if found is None and self.whole_district:
            found = self.unseated
            if found is None and self.below is not None and kindergarten < self.below[0]:
                found = self.below[1]
        return found


def _order_checks(
    offers: list[Offer],
    seats: dict[str, Seat],
    candidates: list[Candidate],
    ratio: tuple[int, int],
    whole_district: bool,
) -> Iterator[str]:
    """Serial dictatorship: nobody ahead passed over for a seat they wanted, no wanted seat left free."""
    orders = priority_orders(candidates, ratio=ratio)
    got: dict[str, str] = {}
    for offer in offers:
        got.setdefault(offer.application_id, offer.seat.kindergarten_id)
    offered = {offer.seat.seat_id for offer in offers}
    free: dict[Pool, set[str]] = defaultdict(set)
    for seat in seats.values():
        if seat.seat_id not in offered:
            free[pool_of(seat)].add(seat.kindergarten_id)
    positions = {
        candidate.application_id: position
        for order in orders.values()
        for position, candidate in enumerate(order, start=1)
    }
    for offer in offers:
        expected = positions.get(offer.application_id)
        if expected is not None and offer.order_position != expected:
            yield f"offer to {offer.application_id} gives order position {offer.order_position}, it is {expected}"

    for pool, order in orders.items():
        wants = _Wants(whole_district)
        for position, candidate in enumerate(order, start=1):
            kindergarten = got.get(candidate.application_id)
            if kindergarten is not None and (envious := wants.who_wanted(kindergarten)) is not None:
                yield (
                    f"{envious.application_id} (position {positions[envious.application_id]}) was passed over "
                    f"for a seat at {kindergarten} given to {candidate.application_id} (position {position})"
                )
            if not candidate.blocked:
                wants.add(candidate, kindergarten)
        for kindergarten in sorted(free.get(pool, ())):
            if (envious := wants.who_wanted(kindergarten)) is not None:
                yield f"a seat at {kindergarten} stayed free while {envious.application_id} wanted it"


def _family_checks(candidates: list[Candidate], offers: list[Offer]) -> Iterator[str]:
    """A "together only" family is offered seats all in one kindergarten, its decided one, or none at all."""
    from chalicelib.domain.allocation_families import families_of

    got = {offer.application_id: offer.seat.kindergarten_id for offer in offers}
    for family, members in sorted(families_of(candidates).items()):
        places = {got.get(member.application_id) for member in members}
        if len(places) > 1:
            shown = ", ".join(f"{m.application_id}: {got.get(m.application_id) or 'nothing'}" for m in members)
            yield f"family {family} is together-only but was split ({shown})"


def _recomputation_checks(
    offers: list[Offer],
    seats: list[Seat],
    candidates: list[Candidate],
    ratio: tuple[int, int],
    whole_district: bool,
    mode: str,
    priorities: tuple[str, ...],
) -> Iterator[str]:
    try:
        expected = allocate(
            seats, candidates, ratio=ratio, whole_district=whole_district, mode=mode, priorities=priorities
        )
    except ValueError as error:
        yield f"the allocation cannot be recomputed: {error}"
        return
    mine = {offer.seat.seat_id: offer for offer in offers}
    theirs = {offer.seat.seat_id: offer for offer in expected}
    for seat_id in sorted(mine.keys() | theirs.keys()):
        given, due = mine.get(seat_id), theirs.get(seat_id)
        if given != due:
            shown = given.application_id if given else "nobody"
            owed = due.application_id if due else "nobody"
            detail = "" if shown != owed else " (same child, other details)"
            yield f"seat {seat_id} went to {shown}, the recomputation gives it to {owed}{detail}"


def audit(
    seats: Iterable[Seat],
    candidates: Iterable[Candidate],
    offers: Iterable[Offer],
    *,
    ratio: tuple[int, int] = DEFAULT_RATIO,
    whole_district: bool = False,
    mode: str = SERIAL,
    priorities: Iterable[str] = (),
) -> list[str]:
    """Replay an allocation and list every violation of the rules (an empty list: the offers are fair).

    Checks each offer (a free seat, a known child not blocked, its district, cohort, language and
    preferences, the preference rank and order position it states), that no seat and no child is
    offered twice, that no "together only" family is split; in ``serial`` mode that nobody ahead
    in the order was passed over for a seat they would have taken and that no seat someone
    wanted stayed free (i.e. the offers are the serial dictatorship outcome), in ``stable`` mode
    that there is no blocking pair (a child who would rather have a kindergarten that has a free
    seat left or holds a child it ranks lower); and finally that the offers are exactly what
    :func:`allocate` gives. Families are checked on the instance their decisions give.
    """
    seat_list, candidate_list, offer_list = list(seats), list(candidates), list(offers)
    ratio = _check_ratio(ratio)
    mode, kinds = check_mode(mode, priorities)
    seat_by_id = {seat.seat_id: seat for seat in seat_list}
    try:
        effective = effective_candidates(
            seat_list, candidate_list, ratio=ratio, whole_district=whole_district, mode=mode, priorities=kinds
        )
    except ValueError as error:  # an unknown benefit tier: the families cannot be decided
        effective = candidate_list
        violations = [f"the families cannot be decided: {error}"]
    else:
        violations = []
    people = {candidate.application_id: candidate for candidate in effective}
    violations += _offer_checks(offer_list, seat_by_id, people, whole_district)
    violations += _family_checks(candidate_list, offer_list)
    try:
        if mode == STABLE:
            from chalicelib.domain.allocation_stable import stability_checks

            violations += stability_checks(
                offer_list,
                seat_list,
                list(people.values()),
                ratio=ratio,
                whole_district=whole_district,
                priorities=kinds,
            )
        else:
            violations += _order_checks(offer_list, seat_by_id, list(people.values()), ratio, whole_district)
    except ValueError as error:  # an unknown benefit tier: there is no order to check against
        violations.append(f"the priority order cannot be built: {error}")
    violations += _recomputation_checks(offer_list, seat_list, candidate_list, ratio, whole_district, mode, kinds)
    return violations
