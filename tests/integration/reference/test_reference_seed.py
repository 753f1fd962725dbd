"""Demo reference data: seeded once or twice, read back as the service reads it."""

from dataclasses import replace

from chalicelib.domain.principal import Role
from chalicelib.domain.reference import (
    BenefitCategory,
    BenefitTier,
    District,
    Group,
    Kindergarten,
    Operator,
    Region,
)
from chalicelib.store.reference import ReferenceOperatorDirectory, ReferenceRepository
from infra.local.seed import load_demo_reference, seed_reference

EDUCATION_OPERATOR = "820217350007"
SERVICE_CENTRE_OPERATOR = "930909450177"


def test_seeding_twice_changes_nothing(aws):
    # given the demo data seeded once
    first = seed_reference()
    assert first.written == first.total > 100
    # when it is seeded again
    second = seed_reference()
    # then nothing is written
    assert second.written == 0
    assert second.total == first.total


def test_everything_seeded_reads_back_equal(aws):
    # given
    seed_reference()
    repository = ReferenceRepository()
    # when the demo data is read back through the repository's lists
    regions = repository.list_regions()
    kindergartens = [k for r in regions for k in repository.list_region_kindergartens(r.code)]
    stored = [
        *regions,
        *[d for r in regions for d in repository.list_districts(r.code)],
        *kindergartens,
        *[g for k in kindergartens for g in repository.list_groups(k.id)],
        *repository.list_benefit_categories(),
        *[repository.get_operator(o.iin) for o in load_demo_reference() if isinstance(o, Operator)],
    ]
    # then it is exactly what was seeded
    assert _by_key(stored) == _by_key(load_demo_reference())


def _by_key(entities) -> dict:
    keys = {
        Region: lambda e: e.code,
        District: lambda e: (e.region, e.code),
        Kindergarten: lambda e: e.id,
        Group: lambda e: (e.kindergarten_id, e.group_id),
        BenefitCategory: lambda e: e.code,
        Operator: lambda e: e.iin,
    }
    return {(type(e).__name__, keys[type(e)](e)): e for e in entities}


def test_a_changed_item_is_written_again_and_reseeding_restores_it(aws):
    # given seeded data where an administrator changed one group's capacity
    seed_reference()
    repository = ReferenceRepository()
    group = repository.get_group("ast-esil-012", "2022-kk")
    assert group is not None
    assert repository.upsert(replace(group, capacity=group.capacity + 5)) is True
    assert repository.upsert(replace(group, capacity=group.capacity + 5)) is False
    # when the demo data is seeded again
    result = seed_reference()
    # then exactly that item is written back
    assert result.written == 1
    assert repository.get_group("ast-esil-012", "2022-kk") == group


def test_astana_has_its_districts_and_its_own_portal(aws):
    # given
    seed_reference()
    repository = ReferenceRepository()
    # when
    regions = {region.code: region for region in repository.list_regions()}
    districts = {district.code: district for district in repository.list_districts("astana")}
    # then
    assert set(regions) == {"astana", "karaganda"}
    assert regions["astana"].own_portal and regions["astana"].portal_url == "https://e.astana.kz"
    assert not regions["karaganda"].own_portal
    assert {"almaty", "esil", "saryarka", "baikonur"} <= set(districts)
    assert districts["esil"].name.kk == "Есіл ауданы" and districts["esil"].name.ru == "район Есиль"
    assert len(repository.list_districts("karaganda")) == 2
    assert repository.list_districts("nowhere") == []


def test_kindergartens_of_a_district_numbered_first(aws):
    # given
    seed_reference()
    repository = ReferenceRepository()
    # when
    esil = repository.list_kindergartens("astana", "esil")
    # then the numbered (state) ones come by number, the private ones after them
    assert [k.id for k in esil] == ["ast-esil-012", "ast-esil-063", "ast-esil-nurly-bala"]
    assert esil[0].name.kk == "№ 12 «Балдырған» балабақшасы"
    assert esil[0].name.ru == "Детский сад № 12 «Балдырган»"
    assert esil[2].offers_private_state_order
    assert repository.list_kindergartens("karaganda", "esil") == []


def test_region_list_offers_private_state_order_kindergartens(aws):
    # given
    seed_reference()
    repository = ReferenceRepository()
    # when
    astana = repository.list_region_kindergartens("astana")
    # then
    assert len(astana) == 13
    private_with_order = {k.id for k in astana if k.offers_private_state_order}
    assert private_with_order == {"ast-esil-nurly-bala", "ast-saryarka-smart-kids", "ast-baikonur-bolashak"}
    assert {k.contract_mode for k in astana} == {"electronic", "paper"}
    assert {k.min_age_years for k in astana} == {2, 3}


def test_kindergartens_by_id_batch_and_bin(aws):
    # given
    seed_reference()
    repository = ReferenceRepository()
    baldyrgan = repository.get_kindergarten("ast-esil-012")
    assert baldyrgan is not None
    # when / then
    assert repository.find_kindergarten_by_bin(baldyrgan.bin) == baldyrgan
    assert repository.find_kindergarten_by_bin("000000000000") is None
    found = repository.get_kindergartens(["ast-esil-012", "ast-almaty-005", "missing", "ast-esil-012"])
    assert set(found) == {"ast-esil-012", "ast-almaty-005"}
    assert repository.get_kindergartens([]) == {}
    assert repository.get_kindergarten("missing") is None


def test_groups_follow_age_cohorts_and_languages(aws):
    # given
    seed_reference()
    repository = ReferenceRepository()
    # when
    groups = repository.list_groups("ast-esil-012")
    # then one group per birth year 2020–2025 and language of instruction
    assert {(g.birth_year, g.language) for g in groups} == {
        (year, language) for year in range(2020, 2026) for language in ("kk", "ru")
    }
    assert all(g.capacity > 0 for g in groups)
    # and a kindergarten that admits from 3 has no group for the youngest
    assert max(g.birth_year for g in repository.list_groups("ast-esil-063")) == 2023


def test_benefit_categories_come_in_order_of_service(aws):
    # given
    seed_reference()
    # when
    categories = ReferenceRepository().list_benefit_categories()
    # then out-of-turn categories first, "no benefit" last
    tiers = [c.tier for c in categories]
    assert tiers == sorted(tiers, key=[BenefitTier.OUT_OF_TURN, BenefitTier.FIRST_PRIORITY, BenefitTier.NONE].index)
    assert categories[-1].code == "none" and categories[-1].name.ru == "Без льготы"
    assert {c.code for c in categories if c.tier is BenefitTier.OUT_OF_TURN} == {"military", "special_state_bodies"}


def test_operators_are_found_by_iin_for_sign_in(aws):
    # given
    seed_reference()
    directory = ReferenceOperatorDirectory()
    # when
    department = directory.find_operator(EDUCATION_OPERATOR)
    centre = directory.find_operator(SERVICE_CENTRE_OPERATOR)
    # then
    assert department is not None and department.role is Role.EDUCATION_DEPARTMENT
    assert (department.region, department.district) == ("astana", None)
    assert centre is not None and centre.role is Role.SERVICE_CENTER
    assert (centre.region, centre.district) == ("astana", "esil")
    assert directory.find_operator("900314310002") is None  # a parent is not an operator
