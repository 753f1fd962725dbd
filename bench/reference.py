"""An independent reading of the allocation rules, solved by the ``matching`` package.

This module shares nothing with :mod:`chalicelib.domain.allocation` but its input types: the
order is rebuilt here from the written rules (docs/directions.md, "The order") the slow,
obvious way — a sort key per child — and the outcome comes from the ``matching`` package's
hospitals–residents solver (resident-optimal deferred acceptance), so a wrong category order,
interleave, tie-break, kindergarten priority or family decision in the project's code gives a
different outcome here. The tests (``tests/unit/domain/test_allocation_reference.py``) and the
bench (``bench/allocation.py``) compare both on many random instances
(:func:`random_instance`).

- **Serial mode**: every group of a kindergarten ranks the children of its pool in the common
  order; deferred acceptance then equals serial dictatorship in that order.
- **Stable mode**: every group ranks its pool by its kindergarten's order — out of turn first,
  then the children holding one of the region's kindergarten priorities at this kindergarten
  (the earlier priority in the region's list first), then everybody else, each part in the
  common order.
- A child ranks the groups of its preferred kindergartens that fit its cohort and language, in
  preference order, a kindergarten's groups by group id; with ``whole_district`` then the other
  kindergartens of its pool by id. Blocked children take part in nothing.
- Families "together only" are not solved here (the package has no couples): the caller passes
  the project's family decisions as ``restricted`` (a member's only kindergarten, or ``None``:
  the family is not offered now), which :func:`check_families` verifies independently.
"""

from __future__ import annotations

import random
import sys
import threading
import warnings
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from matching.games import HospitalResident

from chalicelib.domain.allocation import Candidate, Offer, Seat

PoolKey = tuple[str, str, int, str]
OUT_OF_TURN, FIRST_PRIORITY, GENERAL = "out_of_turn", "first_priority", "none"


def pool_key(item: Seat | Candidate) -> PoolKey:
    return item.region, item.district, item.cohort, item.language


def reference_order(candidates: Iterable[Candidate], ratio: tuple[int, int]) -> dict[PoolKey, list[Candidate]]:
    """The written rule: out of turn first; then ``ratio`` first-priority to general children; by registration.

    Each child gets a slot number: the i-th out-of-turn child (by registration, then sequence, then
    application id) slot (0, i); the i-th first-priority child slot (1, (i // p) * (p + g) + i % p);
    the j-th general child slot (1, (j // g) * (p + g) + p + j % g). When one list runs out the
    other's slots simply keep counting. A zero part puts its tier after the other one.
    """
    p, g = ratio
    pools: dict[PoolKey, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        pools[pool_key(candidate)].append(candidate)
    orders = {}
    for key in sorted(pools):
        people = sorted(pools[key], key=lambda c: (c.registered_at, c.seq, c.application_id))
        slots = []
        for tier in (OUT_OF_TURN, FIRST_PRIORITY, GENERAL):
            members = [c for c in people if c.tier == tier]
            for i, candidate in enumerate(members):
                if tier == OUT_OF_TURN:
                    slot = (0, i)
                elif tier == FIRST_PRIORITY:
                    slot = (2, i) if p == 0 else (1, (i // p) * (p + g) + i % p)
                else:
                    slot = (2, i) if g == 0 else (1, (i // g) * (p + g) + p + i % g)
                slots.append((slot, candidate))
        orders[key] = [candidate for _, candidate in sorted(slots, key=lambda pair: pair[0])]
    return orders


def kindergarten_rank(
    candidate: Candidate, kindergarten: str, position: int, priorities: tuple[str, ...]
) -> tuple[int, int, int]:
    """Stable mode: out of turn, then the best of the region's priorities held here, then the common order."""
    held = [priorities.index(kind) for k, kind in candidate.claims if k == kindergarten and kind in priorities]
    return (0 if candidate.tier == OUT_OF_TURN else 1, min(held, default=len(priorities)), position)


def matching_game(
    seats: list[Seat],
    candidates: list[Candidate],
    *,
    ratio: tuple[int, int] = (1, 3),
    whole_district: bool = False,
    stable: bool = False,
    priorities: tuple[str, ...] = (),
    restricted: Mapping[str, str | None] | None = None,
    order: Callable[[Iterable[Candidate], tuple[int, int]], dict[PoolKey, list[Candidate]]] = reference_order,
) -> HospitalResident | None:
    """Children are residents, groups are hospitals (capacity: their free seats); None when nobody can play."""
    restricted = restricted or {}
    capacity: dict[str, int] = defaultdict(int)
    groups: dict[PoolKey, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for seat in seats:
        capacity[seat.group_id] += 1
        groups[pool_key(seat)][seat.kindergarten_id].add(seat.group_id)
    resident_prefs: dict[str, list[str]] = {}
    ranked: dict[str, list[tuple[Any, str]]] = defaultdict(list)
    for key, members in order(candidates, ratio).items():
        offered = groups.get(key, {})
        for position, child in enumerate(members, start=1):
            if child.blocked:
                continue
            if child.application_id in restricted:
                only = restricted[child.application_id]
                kindergartens = [only] if only is not None else []
            else:
                kindergartens = list(dict.fromkeys(child.preferences))
                if whole_district:
                    kindergartens += sorted(k for k in offered if k not in kindergartens)
            fitting = [group for k in kindergartens for group in sorted(offered.get(k, ()))]
            if not fitting:
                continue
            resident_prefs[child.application_id] = fitting
            for k in kindergartens:
                rank = kindergarten_rank(child, k, position, priorities) if stable else position
                for group in offered.get(k, ()):
                    ranked[group].append((rank, child.application_id))
    if not resident_prefs:
        return None
    hospital_prefs = {group: [name for _, name in sorted(entries)] for group, entries in ranked.items()}
    capacities = {group: capacity[group] for group in hospital_prefs}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return HospitalResident.create_from_dictionaries(resident_prefs, hospital_prefs, capacities)


def _deep(action: Callable[[], Any]) -> Any:
    """Run with a deep recursion limit on a thread with a large stack (the package deep-copies its players)."""
    result: list[Any] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            result.append(action())
        except BaseException as error:  # re-raised in the caller's thread
            errors.append(error)

    limit, size = sys.getrecursionlimit(), threading.stack_size()
    sys.setrecursionlimit(1_000_000)
    threading.stack_size(1 << 29)
    try:
        thread = threading.Thread(target=work)
        thread.start()
        thread.join()
    finally:
        threading.stack_size(size)
        sys.setrecursionlimit(limit)
    if errors:
        raise errors[0]
    return result[0]


def solve(seats: list[Seat], candidates: list[Candidate], **options: Any) -> dict[str, str]:
    """Child → group in the resident-optimal stable matching the package finds."""

    def run() -> dict[str, str]:
        game = matching_game(seats, candidates, **options)
        if game is None:
            return {}
        solved = game.solve(optimal="resident")
        return {resident.name: hospital.name for hospital, residents in solved.items() for resident in residents}

    return _deep(run) if len(candidates) > 500 else run()


def outcome(offers: Iterable[Offer]) -> dict[str, str]:
    """Child → group of the project's offers."""
    return {offer.application_id: offer.seat.group_id for offer in offers}


def check_families(candidates: list[Candidate], offers: list[Offer]) -> list[str]:
    """Every "together only" family is offered seats all in one kindergarten, or none at all."""
    families: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in candidates:
        if candidate.family and candidate.together:
            families[candidate.family].append(candidate)
    got = {offer.application_id: offer.seat.kindergarten_id for offer in offers}
    problems = []
    for family, members in sorted(families.items()):
        places = [got.get(member.application_id) for member in members]
        if len(members) > 1 and (len(set(places)) != 1):
            problems.append(f"family {family} is split: {places}")
    return problems


# --- random instances --------------------------------------------------------------------------

T0 = datetime(2025, 1, 6, 9, 0, tzinfo=UTC)
KINDS = ("sibling", "staff", "catchment")


def random_instance(
    rng: random.Random,
    *,
    children: int,
    districts: int = 2,
    kindergartens: int = 5,
    seats: int | None = None,
    families: int = 0,
) -> tuple[list[Seat], list[Candidate]]:
    """A small region with what the rules have edges for.

    Registration times drawn from a few days (ties are common, broken by sequence and id, and the
    sequence itself sometimes ties), some pools without general or without priority children
    (each pool draws its own tier mix), two cohorts and both languages, one to three (sometimes
    repeated) preferences, a few blocked children, kindergarten priorities (claims) on a third
    of the children, and ``families`` pairs or triplets of siblings.
    """
    names = {f"d{d}": [f"d{d}-k{k}" for k in range(kindergartens)] for d in range(districts)}
    mixes = [(0, 0, 1), (0, 1, 0), (1, 2, 5), (0, 1, 3), (1, 0, 2), (2, 3, 1)]
    mix: dict[PoolKey, tuple[int, int, int]] = {}
    seat_list: list[Seat] = []
    for n in range(seats if seats is not None else max(1, children // 2)):
        district = rng.choice(sorted(names))
        kindergarten = rng.choice(names[district])
        cohort, language = rng.choice((2021, 2022)), rng.choice(("kk", "ru"))
        group = f"{kindergarten}-{cohort}-{language}-{rng.choice('ab')}"
        seat_list.append(Seat(f"s{n:05d}", kindergarten, group, "r1", district, cohort, language))
    people: list[Candidate] = []
    for n in range(children):
        district = rng.choice(sorted(names))
        cohort, language = rng.choice((2021, 2022)), rng.choice(("kk", "ru"))
        key = ("r1", district, cohort, language)
        weights = mix.setdefault(key, rng.choice(mixes))
        tier = rng.choices((OUT_OF_TURN, FIRST_PRIORITY, GENERAL), weights)[0]
        count = rng.choice((1, 2, 3, 3))
        preferences = tuple(rng.choice(names[district]) for _ in range(count))
        if rng.random() < 0.8:
            preferences = tuple(dict.fromkeys(preferences))
        claims = ()
        if rng.random() < 0.35:
            claims = tuple((rng.choice(names[district]), rng.choice(KINDS)) for _ in range(rng.randint(1, 2)))
        people.append(
            Candidate(
                application_id=f"a{n:05d}",
                region="r1",
                district=district,
                cohort=cohort,
                language=language,
                tier=tier,
                registered_at=T0 + timedelta(hours=rng.randint(0, 3)),
                seq=rng.randint(1, max(1, children // 2)),
                preferences=preferences,
                blocked=rng.choices((None, "stop_list", "live_direction"), (12, 1, 1))[0],
                claims=claims,
            )
        )
    for f in range(min(families, children // 3)):
        lead = rng.randrange(len(people))
        size = rng.choice((2, 2, 3))
        members = [lead, *rng.sample([i for i in range(len(people)) if i != lead], size - 1)]
        if any(people[i].family for i in members):
            continue
        first = people[lead]
        twins = rng.random() < 0.5
        for i in members:
            other = people[i]
            people[i] = Candidate(
                application_id=other.application_id,
                region=first.region,
                district=first.district,
                cohort=first.cohort if twins else other.cohort,
                language=first.language,
                tier=other.tier,
                registered_at=other.registered_at,
                seq=other.seq,
                preferences=first.preferences if rng.random() < 0.7 else other.preferences,
                blocked=other.blocked if rng.random() < 0.3 else None,
                claims=other.claims,
                family=f"f{f}",
                together=rng.random() < 0.7,
            )
    return seat_list, people
