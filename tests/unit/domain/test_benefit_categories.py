"""The standard benefit categories: who is served out of turn, who first, and everyone else."""

from chalicelib.domain.reference import NO_BENEFIT, STANDARD_BENEFIT_CATEGORIES, BenefitTier

TIER_ORDER = [BenefitTier.OUT_OF_TURN, BenefitTier.FIRST_PRIORITY, BenefitTier.NONE]


def test_a_higher_tier_is_always_served_before_a_lower_one():
    # given every pair of standard categories
    for a in STANDARD_BENEFIT_CATEGORIES:
        for b in STANDARD_BENEFIT_CATEGORIES:
            # then the rank agrees with the tier
            if TIER_ORDER.index(a.tier) < TIER_ORDER.index(b.tier):
                assert a.rank < b.rank
            if a.tier == b.tier:
                assert a.rank == b.rank


def test_the_categories_of_the_rules_are_there_in_both_languages():
    by_code = {c.code: c for c in STANDARD_BENEFIT_CATEGORIES}
    assert len(by_code) == len(STANDARD_BENEFIT_CATEGORIES)
    assert {c for c, v in by_code.items() if v.tier is BenefitTier.OUT_OF_TURN} == {"military", "special_state_bodies"}
    assert {c for c, v in by_code.items() if v.tier is BenefitTier.FIRST_PRIORITY} == {
        "disabled_parents",
        "orphans",
        "large_family",
        "special_needs",
        "disabled_child",
    }
    assert by_code["special_needs"].name.ru == "Дети с особыми образовательными потребностями"  # seed 003
    assert not by_code[NO_BENEFIT].is_benefit and by_code["orphans"].is_benefit
    assert all(c.name.kk and c.name.ru for c in STANDARD_BENEFIT_CATEGORIES)
