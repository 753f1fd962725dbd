"""The project's allocation against an independent reference: the written rules rebuilt in bench/reference.py
and solved by the ``matching`` package, on many random instances — and planted errors that the comparison finds."""

import random
from dataclasses import replace

import pytest

from bench.reference import check_families, outcome, random_instance, reference_order, solve
from chalicelib.domain import allocation, allocation_stable
from chalicelib.domain.allocation import FAMILY_APART, Candidate, allocate, effective_candidates

INSTANCES = 60
RATIOS = ((1, 3), (1, 1), (2, 1), (0, 3), (3, 0))
PRIORITIES = (("sibling", "staff", "catchment"), ("catchment", "sibling"), ("staff",))


def restricted(candidates: list[Candidate], effective: list[Candidate]) -> dict[str, str | None]:
    """The project's family decisions, as the reference takes them (only kindergarten, or None: out)."""
    before = {candidate.application_id: candidate for candidate in candidates}
    decisions: dict[str, str | None] = {}
    for candidate in effective:
        if candidate.family_kindergarten is not None:
            decisions[candidate.application_id] = candidate.family_kindergarten
        elif candidate.blocked == FAMILY_APART and not before[candidate.application_id].blocked:
            decisions[candidate.application_id] = None
    return decisions


def compare(seed: int, *, stable: bool, families: int = 0) -> list[str]:
    """Every difference between the project and the reference on the instance of ``seed``."""
    rng = random.Random(seed)
    seats, candidates = random_instance(
        rng,
        children=rng.randint(5, 60),
        districts=rng.randint(1, 3),
        kindergartens=rng.randint(2, 5),
        families=families,
    )
    ratio = rng.choice(RATIOS)
    whole_district = rng.random() < 0.3
    priorities = rng.choice(PRIORITIES) if stable else ()
    mode = "stable" if stable else "serial"
    offers = allocate(seats, candidates, ratio=ratio, whole_district=whole_district, mode=mode, priorities=priorities)
    effective = effective_candidates(
        seats, candidates, ratio=ratio, whole_district=whole_district, mode=mode, priorities=priorities
    )
    theirs = solve(
        seats,
        candidates,
        ratio=ratio,
        whole_district=whole_district,
        stable=stable,
        priorities=priorities,
        restricted=restricted(candidates, effective),
    )
    ours = outcome(offers)
    differences = [
        f"seed {seed}: {child} gets {ours.get(child)} here, {theirs.get(child)} in the reference"
        for child in sorted(ours.keys() | theirs.keys())
        if ours.get(child) != theirs.get(child)
    ]
    return differences + [f"seed {seed}: {problem}" for problem in check_families(candidates, offers)]


def test_serial_allocation_equals_the_reference_on_many_random_instances():
    assert [difference for seed in range(INSTANCES) for difference in compare(seed, stable=False)] == []


def test_stable_allocation_equals_the_reference_on_many_random_instances():
    assert [difference for seed in range(INSTANCES) for difference in compare(1000 + seed, stable=True)] == []


def test_families_decided_by_the_project_are_together_and_otherwise_the_reference_outcome():
    problems = [
        d for seed in range(30) for mode in (False, True) for d in compare(2000 + seed, stable=mode, families=4)
    ]
    assert problems == []


def test_the_instances_cover_the_edges_the_rules_have():
    # ties in registration time, pools without general or without priority children, short lists
    pools, tied, short = set(), 0, 0
    for seed in range(INSTANCES):
        _, candidates = random_instance(random.Random(seed), children=40)
        times = [candidate.registered_at for candidate in candidates]
        tied += len(times) - len(set(times))
        short += sum(1 for candidate in candidates if len(candidate.preferences) < 3)
        for order in reference_order(candidates, (1, 3)).values():
            pools.add(frozenset(candidate.tier for candidate in order))
    assert tied and short
    assert any("none" not in tiers for tiers in pools) and any("first_priority" not in tiers for tiers in pools)


# --- planted errors: the comparison can fail ---------------------------------------------------


def _wrong_tiers(monkeypatch):  # first priority before out of turn
    monkeypatch.setattr(allocation, "_TIERS", {"first_priority": 0, "out_of_turn": 1, "none": 2})


def _wrong_interleave(monkeypatch):  # the ratio read the other way round
    original = allocation._interleave
    monkeypatch.setattr(allocation, "_interleave", lambda tiers, ratio: original(tiers, (ratio[1], ratio[0])))


def _wrong_tie_break(monkeypatch):  # equal registration times: the later sequence first
    monkeypatch.setattr(allocation, "_registration_key", lambda c: (c.registered_at, -c.seq, c.application_id))


def _wrong_priority_precedence(monkeypatch):  # stable: kindergarten priorities in the reverse of the region's list
    original = allocation_stable._PoolState.klass

    def klass(self, index, kindergarten, priorities):
        return original(self, index, kindergarten, tuple(reversed(priorities)))

    monkeypatch.setattr(allocation_stable._PoolState, "klass", klass)


def _priorities_ignored(monkeypatch):  # stable: kindergarten priorities ignored
    monkeypatch.setattr(
        allocation_stable._PoolState, "klass", lambda self, index, kindergarten, priorities: len(priorities)
    )


@pytest.mark.parametrize(
    ("plant", "stable"),
    [
        (_wrong_tiers, False),
        (_wrong_interleave, False),
        (_wrong_tie_break, False),
        (_wrong_tiers, True),
        (_wrong_priority_precedence, True),
        (_priorities_ignored, True),
    ],
)
def test_a_planted_error_in_the_order_is_caught(monkeypatch, plant, stable):
    plant(monkeypatch)

    found = [difference for seed in range(INSTANCES) for difference in compare(3000 + seed, stable=stable)]

    assert found, "the comparison did not notice the planted error"


def test_a_planted_error_in_the_reference_is_caught_too():
    # given the reference with its tie-break reversed
    rng = random.Random(7)
    found = 0
    for _ in range(INSTANCES):
        seats, candidates = random_instance(rng, children=40, districts=1, kindergartens=2)
        flipped = [replace(candidate, seq=-candidate.seq) for candidate in candidates]
        offers = allocate(seats, candidates)
        found += outcome(offers) != solve(seats, flipped)
    assert found
