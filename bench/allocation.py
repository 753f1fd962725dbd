"""Allocation benchmarks: how fast seats are offered to a city's and the country's queue, and a cross-check.

- ``allocation city``: seconds for one ``allocate`` over a city of five districts — 50 000
  children (up to three preferred kindergartens each, five birth-year cohorts, Kazakh and
  Russian, about 2 % out of turn, 12 % first priority, 3 % blocked) and 5 000 free seats.
  Best of three runs; the result is audited (zero violations) before it is reported.
- ``allocation vs matching`` / ``allocation same as matching``: the same kind of instance with
  10 000 children, 40 kindergartens and 2 000 seats solved by the ``matching`` package
  (hospitals–residents, resident-optimal) on the **independent reference** of
  :mod:`bench.reference`: children rank the groups that fit their cohort and language in the
  order of their preferred kindergartens, every group ranks the children in the order rebuilt
  there from the written rules (not the project's order function), capacity = its free seats.
  The ratio is matching's time (building its game, then solving) divided by ours (``allocate``,
  explanations included), best of three runs each in the same process; the bool is 1 when both
  give exactly the same children the same groups.
- ``allocation stable city``: ``allocation city``'s instance in ``stable`` mode with every
  kindergarten priority on and a fifth of the children holding one; audited (no blocking pair).
- ``allocation stable vs matching`` / ``allocation stable same as matching``: as above, the
  reference ranking each group by its kindergarten's own order.
- ``allocation national``: seconds and peak memory (MiB, ``tracemalloc``: the most ``allocate``
  holds at once above its inputs, which the caller already holds, the offers it returns included)
  for 500 000 children in 17 regions of six districts each and 50 000 seats.

Every instance is generated from a fixed seed, so every run measures the same input.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from bench.reference import outcome, solve
from chalicelib.domain.allocation import PRIORITY_KINDS, Candidate, Offer, Seat, allocate, audit

Row = tuple[str, int, float | int, str]

COHORTS = (2020, 2021, 2022, 2023, 2024)
COHORT_WEIGHTS = (1, 2, 3, 3, 2)
TIERS = ("out_of_turn", "first_priority", "none")
TIER_WEIGHTS = (2, 12, 86)
BLOCKED = (None, "stop_list", "live_direction")
BLOCKED_WEIGHTS = (97, 1, 2)
REGISTERED_FROM = datetime(2021, 1, 1, tzinfo=UTC)
REGISTRATION_SPAN_MINUTES = 5 * 365 * 24 * 60


@dataclass(frozen=True)
class Instance:
    seats: list[Seat]
    candidates: list[Candidate]


def generate(
    seed: int,
    *,
    regions: int,
    districts: int,
    kindergartens: int,
    children: int,
    seats: int,
    cohorts=COHORTS,
    claims: float = 0.0,
) -> Instance:
    """A seeded instance: ``districts`` per region, ``kindergartens`` per district, popularity skewed.

    ``claims``: the share of children holding a kindergarten priority (sibling, staff or
    catchment) at one of their preferred kindergartens — drawn last, so the rest of the instance
    is the same with or without them.
    """
    rng = random.Random(seed)
    places = [(f"r{r:02d}", f"d{d}") for r in range(regions) for d in range(districts)]
    weights = COHORT_WEIGHTS[: len(cohorts)]
    taught: dict[tuple[str, str, str], tuple[list[str], list[float]]] = {}
    schools: list[tuple[str, str, str, tuple[str, ...]]] = []
    for region, district in places:
        for number in range(kindergartens):
            kindergarten = f"{region}-{district}-k{number:03d}"
            languages = rng.choices((("kk", "ru"), ("kk",), ("ru",)), (6, 3, 1))[0]
            popularity = 1.0 / (1 + number) ** 0.7  # a few sought-after kindergartens, a long tail
            schools.append((region, district, kindergarten, languages))
            for language in languages:
                names, chances = taught.setdefault((region, district, language), ([], []))
                names.append(kindergarten)
                chances.append(popularity)

    free: list[Seat] = []
    while len(free) < seats:
        region, district, kindergarten, languages = rng.choice(schools)
        cohort = rng.choices(cohorts, weights)[0]
        language = rng.choice(languages)
        group = f"{kindergarten}-{cohort}-{language}-{rng.choice('ab')}"
        for _ in range(min(rng.randint(1, 6), seats - len(free))):
            free.append(Seat(f"{group}-{len(free)}", kindergarten, group, region, district, cohort, language))

    minutes = rng.choices(range(REGISTRATION_SPAN_MINUTES), k=children)  # in the order the store hands them over
    seqs = [0] * children
    for seq, index in enumerate(sorted(range(children), key=minutes.__getitem__), start=1):
        seqs[index] = seq
    places_drawn = rng.choices(places, k=children)
    languages = rng.choices(("kk", "ru"), (6, 4), k=children)
    counts = rng.choices((1, 2, 3), k=children)
    preferences = _preferences(rng, taught, places_drawn, languages, counts)
    cohorts_drawn = rng.choices(cohorts, weights, k=children)
    tiers = rng.choices(TIERS, TIER_WEIGHTS, k=children)
    blocked = rng.choices(BLOCKED, BLOCKED_WEIGHTS, k=children)
    candidates = [
        Candidate(
            f"УО.{seqs[index]:07d}",
            region,
            district,
            cohorts_drawn[index],
            languages[index],
            tiers[index],
            REGISTERED_FROM + timedelta(minutes=minutes[index]),
            seqs[index],
            preferences[index],
            blocked[index],
        )
        for index, (region, district) in enumerate(places_drawn)
    ]
    if claims:
        for index, candidate in enumerate(candidates):
            if candidate.preferences and rng.random() < claims:
                held = ((rng.choice(candidate.preferences), rng.choice(PRIORITY_KINDS)),)
                candidates[index] = replace(candidate, claims=held)
    return Instance(free, candidates)


def _preferences(
    rng: random.Random,
    taught: dict[tuple[str, str, str], tuple[list[str], list[float]]],
    places: list[tuple[str, str]],
    languages: list[str],
    counts: list[int],
) -> list[tuple[str, ...]]:
    """Up to ``counts[i]`` distinct kindergartens of the child's district teaching its language, by popularity."""
    wanting: dict[tuple[str, str, str], list[int]] = {}
    for index, ((region, district), language) in enumerate(zip(places, languages, strict=True)):
        key = (region, district, language) if (region, district, language) in taught else (region, district, "kk")
        wanting.setdefault(key, []).append(index)
    chosen: list[tuple[str, ...]] = [()] * len(places)
    for key, children in wanting.items():
        names, chances = taught[key]
        drawn = iter(rng.choices(names, chances, k=3 * len(children)))
        for index in children:
            picks = [next(drawn) for _ in range(3)][: counts[index]]
            chosen[index] = tuple(dict.fromkeys(picks))
    return chosen


def _timed(action: Callable[[], object]) -> tuple[float, object]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def _city_rows() -> list[Row]:
    city = generate(2026_04_01, regions=1, districts=5, kindergartens=40, children=50_000, seats=5_000)
    runs = [_timed(lambda: allocate(city.seats, city.candidates)) for _ in range(3)]
    offers = runs[0][1]
    assert isinstance(offers, list) and len(offers) > 4_000
    violations = audit(city.seats, city.candidates, offers)
    if violations:
        raise AssertionError(f"the city allocation has {len(violations)} violations: {violations[:3]}")
    return [("allocation city", 50_000, round(min(seconds for seconds, _ in runs), 3), "s")]


def _stable_city_rows() -> list[Row]:
    """The city in stable mode, every kindergarten priority on, a fifth of the children holding one."""
    city = generate(2026_04_01, regions=1, districts=5, kindergartens=40, children=50_000, seats=5_000, claims=0.2)
    options = {"mode": "stable", "priorities": PRIORITY_KINDS}
    runs = [_timed(lambda: allocate(city.seats, city.candidates, **options)) for _ in range(3)]
    offers = runs[0][1]
    assert isinstance(offers, list) and len(offers) > 4_000
    violations = audit(city.seats, city.candidates, offers, **options)
    if violations:
        raise AssertionError(f"the stable city allocation has {len(violations)} violations: {violations[:3]}")
    return [("allocation stable city", 50_000, round(min(seconds for seconds, _ in runs), 3), "s")]


def _versus_matching(name: str, seed: int, *, stable: bool) -> list[Row]:
    """Ours against the package solving the independent reference (bench/reference.py), best of three each.

    10 000 children: the package deep-copies its players recursively, so it runs with a raised
    recursion limit on a thread with a large stack.
    """
    size = 10_000
    instance = generate(seed, regions=1, districts=2, kindergartens=20, children=size, seats=2_000, claims=0.2)
    options = {"mode": "stable", "priorities": PRIORITY_KINDS} if stable else {}
    reference = {"stable": True, "priorities": PRIORITY_KINDS} if stable else {}
    theirs_runs = [_timed(lambda: solve(instance.seats, instance.candidates, **reference)) for _ in range(3)]
    ours_runs = [_timed(lambda: allocate(instance.seats, instance.candidates, **options)) for _ in range(3)]
    theirs, offers = theirs_runs[0][1], ours_runs[0][1]
    assert isinstance(offers, list) and isinstance(theirs, dict)
    ours = outcome(offers)
    ratio = min(seconds for seconds, _ in theirs_runs) / min(seconds for seconds, _ in ours_runs)
    return [
        (f"allocation {name}vs matching", size, round(ratio, 1), "ratio"),
        (f"allocation {name}same as matching", size, int(ours == theirs and len(ours) > 1_000), "bool"),
    ]


def _national_rows() -> list[Row]:
    size = 500_000
    country = generate(2026_04_03, regions=17, districts=6, kindergartens=40, children=size, seats=50_000)
    seconds, offers = _timed(lambda: allocate(country.seats, country.candidates))
    assert isinstance(offers, list) and len({offer.seat.seat_id for offer in offers}) == len(offers)
    del offers
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        traced: list[Offer] = allocate(country.seats, country.candidates)
        peak = tracemalloc.get_traced_memory()[1] - before
    finally:
        tracemalloc.stop()
    assert len(traced) > 40_000
    return [
        ("allocation national", size, round(seconds, 2), "s"),
        ("allocation national", size, round(peak / 2**20, 1), "MiB"),
    ]


def run() -> list[Row]:
    return (
        _city_rows()
        + _versus_matching("", 2026_04_02, stable=False)
        + _stable_city_rows()
        + _versus_matching("stable ", 2026_04_04, stable=True)
        + _national_rows()
    )
