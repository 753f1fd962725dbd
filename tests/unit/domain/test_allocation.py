"""Allocation of free seats to the queue: the priority order, serial dictatorship, explanations, audit."""

from collections import defaultdict
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from chalicelib.domain.allocation import (
    MAX_EXPLAINED,
    Candidate,
    Offer,
    PassedOver,
    Seat,
    allocate,
    audit,
    pool_of,
    priority_order,
)

T0 = datetime(2024, 9, 2, 9, 0, tzinfo=UTC)
KINDERGARTENS = {"esil": ("k1", "k2", "k3", "k4"), "saryarqa": ("k5", "k6")}
TIER_WEIGHTS = ("none",) * 5 + ("first_priority",) * 3 + ("out_of_turn",)


def child(
    number: int,
    tier: str = "none",
    preferences: tuple[str, ...] = ("k1",),
    *,
    blocked: str | None = None,
    cohort: int = 2022,
    language: str = "kk",
    district: str = "esil",
) -> Candidate:
    """Child ``a<number>``, registered ``number`` hours after T0 (so numbers are registration order)."""
    return Candidate(
        application_id=f"a{number:02d}",
        region="astana",
        district=district,
        cohort=cohort,
        language=language,
        tier=tier,
        registered_at=T0 + timedelta(hours=number),
        seq=number,
        preferences=preferences,
        blocked=blocked,
    )


def seats_at(
    kindergarten: str, count: int, *, cohort: int = 2022, language: str = "kk", group: str = "g1"
) -> list[Seat]:
    district = next(name for name, ids in KINDERGARTENS.items() if kindergarten in ids)
    return [
        Seat(f"{kindergarten}-{group}-{n}", kindergarten, group, "astana", district, cohort, language)
        for n in range(1, count + 1)
    ]


def ids(items: list[Candidate]) -> list[str]:
    return [item.application_id for item in items]


def winners(offers: list[Offer]) -> dict[str, str]:
    return {offer.application_id: offer.seat.seat_id for offer in offers}


# --- readable examples -------------------------------------------------------------------------


def test_out_of_turn_first_then_one_priority_child_to_three_general():
    # given two first-priority children, seven general ones and an out-of-turn child who registered last
    candidates = [child(n, "first_priority") for n in (5, 9)] + [child(n) for n in (1, 2, 3, 4, 6, 7, 8)]
    candidates.append(child(10, "out_of_turn"))

    # when the order is built at the default ratio
    order = priority_order(candidates)

    # then: O, then P, G, G, G, P, G, …; when the priority children run out the general queue continues
    assert ids(order) == ["a10", "a05", "a01", "a02", "a03", "a09", "a04", "a06", "a07", "a08"]


def test_the_ratio_is_configurable_and_the_longer_list_continues_alone():
    candidates = [child(n, "first_priority") for n in (1, 2, 3, 4, 5)] + [child(n) for n in (6, 7)]

    assert ids(priority_order(candidates, ratio=(2, 1))) == ["a01", "a02", "a06", "a03", "a04", "a07", "a05"]
    with pytest.raises(ValueError):
        priority_order(candidates, ratio=(0, 0))


def test_four_seats_go_to_one_priority_child_and_three_general_ones():
    # given four seats and six children who all want that kindergarten; the priority child registered last
    candidates = [child(n) for n in (1, 2, 3, 4, 5)] + [child(6, "first_priority")]

    # when the seats are offered
    offers = allocate(seats_at("k1", 4), candidates)

    # then the priority child comes first, then the three general children who registered first
    assert [offer.application_id for offer in offers] == ["a06", "a01", "a02", "a03"]
    assert [offer.order_position for offer in offers] == [1, 2, 3, 4]


def test_a_child_gets_its_most_preferred_kindergarten_that_has_a_seat():
    # given seats at k1 and k2 and a child preferring k3 (full), then k2, then k1
    offers = allocate(seats_at("k1", 1) + seats_at("k2", 1), [child(1, preferences=("k3", "k2", "k1"))])

    assert [(offer.seat.kindergarten_id, offer.preference_rank) for offer in offers] == [("k2", 2)]


def test_blocked_children_keep_their_place_but_are_skipped_with_the_reason_recorded():
    # given a child on the stop-list and one holding a live direction ahead of a third child
    candidates = [
        child(1, blocked="stop_list"),
        child(2, blocked="live_direction"),
        child(3),
    ]

    # when one seat is offered
    [offer] = allocate(seats_at("k1", 1), candidates)

    # then the third child gets it, third in line, and the direction says why the first two did not
    assert offer.application_id == "a03"
    assert offer.order_position == 3
    assert offer.passed_over == (PassedOver("a01", "blocked:stop_list"), PassedOver("a02", "blocked:live_direction"))
    assert offer.passed_over_count == 2


def test_the_whole_district_switch_offers_other_kindergartens_of_the_district():
    # given a child who chose k1 only, and free seats at k3 and k2 of the same district but none at k1
    seats = seats_at("k3", 1) + seats_at("k2", 1)
    candidates = [child(1, preferences=("k1",))]

    # when the seats are offered without and with the switch
    strict = allocate(seats, candidates)
    widened = allocate(seats, candidates, whole_district=True)

    # then only the switch offers a seat: the lowest kindergarten id, with no preference rank
    assert strict == []
    assert [(offer.seat.kindergarten_id, offer.preference_rank) for offer in widened] == [("k2", None)]
    assert audit(seats, candidates, widened, whole_district=True) == []


def test_a_seat_goes_only_to_its_cohort_and_language():
    candidates = [child(1, cohort=2021), child(2, language="ru"), child(3)]

    [offer] = allocate(seats_at("k1", 1), candidates)

    assert offer.application_id == "a03"


def test_the_explanation_names_who_was_ahead_and_why():
    # given, ahead of the child who gets the k1 seat: a child seated at k2 (preferred), one who did not
    # choose k1, one on the stop-list; and children of the district who chose k1 and registered earlier
    # but are of another cohort or language
    candidates = [
        child(1, preferences=("k2", "k1")),
        child(2, preferences=("k3",)),
        child(3, blocked="stop_list"),
        child(4, cohort=2021),
        child(5, language="ru"),
        child(6),
        child(7),
    ]

    offers = allocate(seats_at("k1", 1) + seats_at("k2", 1), candidates)

    # then the k1 seat goes to a06, and its direction names every child ahead and why: those who
    # wanted k1 first, then the others ahead, then the other cohorts and languages
    by_child = {offer.application_id: offer for offer in offers}
    explained = by_child["a06"]
    assert explained.passed_over == (
        PassedOver("a01", "seated_earlier"),
        PassedOver("a03", "blocked:stop_list"),
        PassedOver("a02", "not_in_preferences"),
        PassedOver("a04", "other_cohort"),
        PassedOver("a05", "other_language"),
    )
    assert explained.passed_over_count == 5


def test_a_long_explanation_is_capped_with_a_full_count():
    # given 60 children on the stop-list ahead of the one who gets the seat
    candidates = [child(n, blocked="stop_list") for n in range(1, 61)] + [child(61)]

    [offer] = allocate(seats_at("k1", 1), candidates)

    assert len(offer.passed_over) == MAX_EXPLAINED
    assert offer.passed_over_count == 60


def test_seats_of_a_kindergarten_go_in_group_then_seat_order():
    seats = seats_at("k1", 2, group="g2") + seats_at("k1", 2, group="g1")

    offers = allocate(list(reversed(seats)), [child(n) for n in (1, 2, 3)])

    assert [offer.seat.seat_id for offer in offers] == ["k1-g1-1", "k1-g1-2", "k1-g2-1"]


def test_children_of_another_district_do_not_change_a_district_order():
    # given the Esil queue, then the same queue with a priority child in Saryarqa added
    esil = [child(1), child(2), child(3, "first_priority"), child(4)]
    saryarqa = child(5, "first_priority", ("k5",), district="saryarqa")

    # then the Esil children are offered the same seats either way
    assert allocate(seats_at("k1", 2), esil) == allocate(seats_at("k1", 2), [*esil, saryarqa])


def test_registration_ties_are_broken_by_sequence_then_application_id():
    # given three children registered at the same instant
    same = T0 + timedelta(hours=1)
    candidates = [
        replace(child(1), registered_at=same, seq=7),
        replace(child(2), registered_at=same, seq=3),
        replace(child(3), application_id="a00", registered_at=same, seq=7),
    ]

    assert ids(priority_order(candidates)) == ["a02", "a00", "a01"]


def test_a_kindergarten_listed_twice_is_explained_once():
    candidates = [child(1, preferences=("k2", "k2")), child(2, preferences=("k2",))]

    offers = allocate(seats_at("k2", 2), candidates)

    assert offers[1].passed_over == (PassedOver("a01", "seated_earlier"),)
    assert offers[1].passed_over_count == 1


def test_a_seat_or_an_application_listed_twice_is_refused():
    with pytest.raises(ValueError):
        allocate(seats_at("k1", 1) * 2, [child(1)])
    with pytest.raises(ValueError):
        allocate(seats_at("k1", 1), [child(1), child(1)])
    with pytest.raises(ValueError):
        allocate(seats_at("k1", 1), [child(1, tier="vip")])


def test_the_audit_names_a_child_passed_over():
    # given one seat that went to the second child instead of the first
    seats, candidates = seats_at("k1", 1), [child(1), child(2)]
    [fair] = allocate(seats, candidates)
    unfair = replace(fair, application_id="a02", order_position=2)

    # when audited
    violations = audit(seats, candidates, [unfair])

    # then the audit says who was passed over, for whom, and that the recomputation disagrees
    assert "a01 (position 1) was passed over for a seat at k1 given to a02 (position 2)" in violations
    assert "seat k1-g1-1 went to a02, the recomputation gives it to a01" in violations


def test_the_audit_finds_an_offer_to_a_blocked_child_and_a_seat_left_free():
    seats = seats_at("k1", 2)
    candidates = [child(1, blocked="stop_list"), child(2)]
    offer = Offer(seats[0], "a01", 1, 1, (), 0)

    violations = audit(seats, candidates, [offer])

    assert "application a01 is blocked (stop_list) but was offered seat k1-g1-1" in violations
    assert "a seat at k1 stayed free while a02 wanted it" in violations


def test_the_audit_reports_inputs_it_cannot_replay():
    seats = seats_at("k1", 1)
    candidates = [child(1, tier="vip")]

    violations = audit(seats, candidates, [])

    assert any("unknown benefit tier" in violation for violation in violations)


# --- properties --------------------------------------------------------------------------------


def digits(code: int, *bases: int) -> list[int]:
    """Split one drawn integer into small choices (one draw per child keeps the search fast)."""
    chosen = []
    for base in bases:
        code, digit = divmod(code, base)
        chosen.append(digit)
    return chosen


def pick(code: int, options: tuple[str, ...], count: int) -> tuple[str, ...]:
    """``count`` distinct options, in an order decided by ``code``."""
    left, chosen = list(options), []
    for _ in range(min(count, len(options))):
        code, index = divmod(code, len(left))
        chosen.append(left.pop(index))
    return tuple(chosen)


DISTRICTS = sorted(KINDERGARTENS)
BLOCKED = (None, None, None, None, "stop_list", "live_direction")
codes = st.integers(0, 2**40)


@st.composite
def instances(draw: st.DrawFn) -> tuple[list[Seat], list[Candidate]]:
    """A small region: two districts, two cohorts, both languages, groups of 1–3 free seats."""
    seats: list[Seat] = []
    for group, code in enumerate(draw(st.lists(codes, max_size=8))):
        district, kindergarten, cohort, language, group_id, count = digits(code, 2, 4, 2, 2, 2, 3)
        names = KINDERGARTENS[DISTRICTS[district]]
        seats += [
            Seat(
                f"s{group}-{n}",
                names[kindergarten % len(names)],
                f"g{group_id + 1}",
                "astana",
                DISTRICTS[district],
                2021 + cohort,
                ("kk", "ru")[language],
            )
            for n in range(count + 1)
        ]
    candidates: list[Candidate] = []
    for number, code in enumerate(draw(st.lists(codes, max_size=30))):
        district, cohort, language, tier, day, seq, blocked, count, order = digits(code, 2, 2, 2, 9, 5, 4, 6, 4, 24)
        candidates.append(
            Candidate(
                application_id=f"a{number}",
                region="astana",
                district=DISTRICTS[district],
                cohort=2021 + cohort,
                language=("kk", "ru")[language],
                tier=TIER_WEIGHTS[tier],
                registered_at=T0 + timedelta(days=day),  # ties are common
                seq=seq + 1,
                preferences=pick(order, KINDERGARTENS[DISTRICTS[district]], 3 - count),
                blocked=BLOCKED[blocked],
            )
        )
    return seats, candidates


ratios = st.tuples(st.integers(1, 3), st.integers(1, 4))


def naive_allocation(
    seats: list[Seat], candidates: list[Candidate], ratio: tuple[int, int], whole_district: bool
) -> dict[str, str]:
    """The rules written the slow, obvious way: a sort key per child, then every child scans every seat."""
    take_first, take_general = ratio
    block = take_first + take_general
    members: dict[tuple, dict[str, list[Candidate]]] = defaultdict(lambda: defaultdict(list))
    for candidate in sorted(candidates, key=lambda c: (c.registered_at, c.seq, c.application_id)):
        members[pool_of(candidate)][candidate.tier].append(candidate)
    free = sorted(seats, key=lambda seat: (seat.kindergarten_id, seat.group_id, seat.seat_id))
    given: dict[str, str] = {}
    for pool, tiers in members.items():
        keyed = [((0, i), c) for i, c in enumerate(tiers["out_of_turn"])]
        keyed += [((1, i // take_first * block + i % take_first), c) for i, c in enumerate(tiers["first_priority"])]
        keyed += [
            ((1, j // take_general * block + take_first + j % take_general), c) for j, c in enumerate(tiers["none"])
        ]
        for _, candidate in sorted(keyed, key=lambda pair: pair[0]):
            if candidate.blocked:
                continue
            fitting = [seat for seat in free if pool_of(seat) == pool]
            chosen = next(
                (seat for k in candidate.preferences for seat in fitting if seat.kindergarten_id == k),
                fitting[0] if whole_district and fitting else None,
            )
            if chosen is not None:
                free.remove(chosen)
                given[candidate.application_id] = chosen.seat_id
    return given


@given(instances(), ratios, st.booleans())
def test_allocation_is_the_serial_dictatorship_outcome(instance, ratio, whole_district):
    seats, candidates = instance

    offers = allocate(seats, candidates, ratio=ratio, whole_district=whole_district)

    assert winners(offers) == naive_allocation(seats, candidates, ratio, whole_district)


@given(instances(), st.booleans())
def test_no_seat_twice_no_child_twice_and_only_fitting_seats(instance, whole_district):
    seats, candidates = instance
    people = {candidate.application_id: candidate for candidate in candidates}

    offers = allocate(seats, candidates, whole_district=whole_district)

    assert len({offer.seat.seat_id for offer in offers}) == len(offers)
    assert len({offer.application_id for offer in offers}) == len(offers)
    for offer in offers:
        candidate = people[offer.application_id]
        assert candidate.blocked is None
        assert pool_of(candidate) == pool_of(offer.seat)
        assert whole_district or offer.seat.kindergarten_id in candidate.preferences


@given(instances(), st.booleans())
def test_an_out_of_turn_child_is_never_passed_over_for_a_general_child(instance, whole_district):
    seats, candidates = instance

    offers = allocate(seats, candidates, whole_district=whole_district)

    # then every out-of-turn child who wanted a kindergarten where a general child got a seat
    # got a seat there or at a kindergarten it prefers
    got = {offer.application_id: offer.seat.kindergarten_id for offer in offers}
    people = {candidate.application_id: candidate for candidate in candidates}
    for offer in offers:
        if people[offer.application_id].tier != "none":
            continue
        kindergarten = offer.seat.kindergarten_id
        for candidate in candidates:
            if candidate.tier != "out_of_turn" or candidate.blocked or pool_of(candidate) != pool_of(offer.seat):
                continue
            if kindergarten in candidate.preferences:
                own = got.get(candidate.application_id)
                assert own in candidate.preferences
                assert candidate.preferences.index(own) <= candidate.preferences.index(kindergarten)
            elif whole_district:
                assert candidate.application_id in got


@given(instances(), st.booleans(), st.randoms(use_true_random=False))
def test_the_outcome_does_not_depend_on_the_input_order(instance, whole_district, rng):
    seats, candidates = instance
    shuffled_seats, shuffled_candidates = list(seats), list(candidates)
    rng.shuffle(shuffled_seats)
    rng.shuffle(shuffled_candidates)

    first = allocate(seats, candidates, whole_district=whole_district)
    second = allocate(shuffled_seats, shuffled_candidates, whole_district=whole_district)

    assert first == second


@given(instances(), ratios, st.booleans())
def test_the_audit_finds_nothing_wrong_with_an_allocation(instance, ratio, whole_district):
    seats, candidates = instance

    offers = allocate(seats, candidates, ratio=ratio, whole_district=whole_district)

    assert audit(seats, candidates, offers, ratio=ratio, whole_district=whole_district) == []


@given(instances(), st.booleans())
def test_explanations_are_capped_counted_and_true(instance, whole_district):
    seats, candidates = instance
    people = {candidate.application_id: candidate for candidate in candidates}

    offers = allocate(seats, candidates, whole_district=whole_district)

    seated = {offer.application_id for offer in offers}
    for offer in offers:
        assert len(offer.passed_over) <= min(offer.passed_over_count, MAX_EXPLAINED)
        assert offer.passed_over_count >= offer.order_position - 1
        for passed in offer.passed_over:
            candidate = people[passed.application_id]
            assert passed.application_id != offer.application_id
            if passed.reason.startswith("blocked:"):
                assert passed.reason == f"blocked:{candidate.blocked}"
            elif passed.reason == "seated_earlier":
                assert passed.application_id in seated
            elif passed.reason == "not_in_preferences":
                assert offer.seat.kindergarten_id not in candidate.preferences
            else:
                assert passed.reason in ("other_cohort", "other_language")
                assert pool_of(candidate) != pool_of(offer.seat)


@given(instances(), st.booleans(), st.sampled_from(("drop", "duplicate", "reassign", "swap")), st.data())
@settings(max_examples=150)
def test_the_audit_finds_a_planted_violation(instance, whole_district, plant, data):
    seats, candidates = instance
    offers = allocate(seats, candidates, whole_district=whole_district)
    assume(offers)
    victim = data.draw(st.integers(0, len(offers) - 1))
    others = [c.application_id for c in candidates if c.application_id != offers[victim].application_id]
    if plant == "drop":  # a seat someone was entitled to is left free
        tampered = offers[:victim] + offers[victim + 1 :]
    elif plant == "duplicate":  # the same seat twice
        assume(others)
        tampered = [*offers, replace(offers[victim], application_id=data.draw(st.sampled_from(others)))]
    elif plant == "reassign":  # the seat goes to somebody else
        assume(others)
        tampered = [*offers]
        tampered[victim] = replace(offers[victim], application_id=data.draw(st.sampled_from(others)))
    else:  # two children exchange their seats
        assume(len(offers) > 1)
        other = data.draw(st.integers(0, len(offers) - 1).filter(lambda n: n != victim))
        tampered = [*offers]
        tampered[victim] = replace(offers[victim], seat=offers[other].seat)
        tampered[other] = replace(offers[other], seat=offers[victim].seat)
        assume(winners(tampered) != winners(offers))

    violations = audit(seats, candidates, tampered, whole_district=whole_district)

    # then the audit finds it; a child or a kindergarten changed is caught by the rules themselves,
    # not only by the recomputation
    assert violations
    if plant != "swap":
        assert [violation for violation in violations if "recomputation" not in violation]
    if plant == "drop":
        assert any("stayed free" in violation for violation in violations)
