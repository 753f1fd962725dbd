"""The population registry fixture and the demo people: who a parent is, and whose parent they are."""

import json
from datetime import date

import pytest

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.iin import is_valid_bin, is_valid_iin, make_iin
from chalicelib.gateways.population import FixturePopulationRegistry, population_registry
from chalicelib.settings import Settings
from infra.local.seed import DEMO_DIR, PEOPLE, POPULATION_FIXTURE

DEMO_DAY = date(2026, 11, 25)  # the day the demo families' ages are described for (demo/README.md)
FATHER, MOTHER = "881105310141", "910130410219"
TWINS = ("220418530260", "220418630396")


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


@pytest.fixture
def registry():
    return FixturePopulationRegistry(POPULATION_FIXTURE)


def test_a_parent_is_found_with_name_birth_date_and_astana_address(registry):
    # when
    person = registry.find_person(FATHER)
    # then the form can be filled from the registry
    assert person is not None
    assert person.full_name == "Жұмабаев Ерлан Серікұлы"
    assert person.birth_date == date(1988, 11, 5) and person.sex == "male"
    assert person.address.city == "Астана" and person.address.flat == "12"


def test_unknown_or_invalid_iins_find_nobody(registry):
    assert registry.find_person(make_iin(date(1999, 9, 9), "female", 4321)) is None
    assert registry.find_person("not an iin") is None
    assert registry.parents_of("not an iin") == []


def test_twins_have_both_parents_and_each_parent_sees_their_children(registry):
    # then
    for twin in TWINS:
        assert sorted(registry.parents_of(twin)) == sorted([FATHER, MOTHER])
    assert set(TWINS) <= set(registry.children_of(MOTHER))
    assert registry.find_person(TWINS[0]).birth_date == registry.find_person(TWINS[1]).birth_date
    assert registry.parents_of(FATHER) == []


def test_demo_children_cover_the_ages_the_rules_care_about(registry):
    # given every child of the demo population, aged on the demo day
    children = [registry.find_person(iin) for iin in _all_iins() if registry.parents_of(iin)]
    ages = {child.iin: _age(child.birth_date, DEMO_DAY) for child in children}
    # then there are babies, children under 3, just over 3, one about to turn 7, one already 7
    assert any(age == 0 for age in ages.values())
    assert any(age < 3 for age in ages.values())
    assert any(age == 3 for age in ages.values())
    assert any(ages[c.iin] == 6 and _age(c.birth_date, date(2026, 12, 31)) == 7 for c in children)
    assert any(age == 7 for age in ages.values())
    assert len(children) >= 6 and len({c.iin for c in children}) == len(children)


def test_every_demo_iin_is_valid_and_unique():
    iins = _all_iins()
    assert all(is_valid_iin(iin) for iin in iins)
    assert len(set(iins)) == len(iins)


def test_people_for_demo_certificates_exist_in_the_registry(registry):
    # given the people who get demo certificates
    people = json.loads(PEOPLE.read_text(encoding="utf-8"))
    kindergartens = {k["id"]: k for k in json.loads((DEMO_DIR / "kindergartens.json").read_text(encoding="utf-8"))}
    operators = {o["iin"] for o in json.loads((DEMO_DIR / "operators.json").read_text(encoding="utf-8"))}
    # then each is a person of the registry with the same name
    for entry in people:
        person = registry.find_person(entry["iin"])
        assert person is not None, entry
        assert (person.surname, person.given_name, person.patronymic) == (
            entry["surname"],
            entry["given_name"],
            entry["patronymic"],
        )
        assert entry["role"] in {"parent", "operator", "head"}
        if entry["role"] == "head":
            # and a head carries the BIN of the kindergarten they run
            kindergarten = kindergartens[entry["kindergarten_id"]]
            assert entry["bin"] == kindergarten["bin"] and is_valid_bin(entry["bin"])
            assert kindergarten["head_name"] == person.full_name
    assert {e["iin"] for e in people if e["role"] == "operator"} == operators
    assert sum(e["role"] == "parent" for e in people) >= 4


def test_a_fixture_with_an_invalid_iin_is_refused(tmp_path):
    # given a fixture with a mistyped IIN
    path = tmp_path / "population.json"
    path.write_text(
        json.dumps(
            {
                "people": [
                    {
                        "iin": "900314310003",
                        "surname": "Сейітқали",
                        "given_name": "Нұрлан",
                        "address": {"city": "Астана", "district": "Есіл ауданы", "street": "Мәңгілік Ел", "house": 20},
                    }
                ]
            }
        ),
        encoding="utf-8",
    )
    # when / then
    with pytest.raises(InvalidInput):
        FixturePopulationRegistry(path).find_person("900314310002")


def test_the_registry_comes_from_the_setting():
    # given
    configured = population_registry(Settings(population_fixture=str(POPULATION_FIXTURE)))
    # then
    assert configured.find_person(FATHER) is not None
    with pytest.raises(RuntimeError):
        population_registry(Settings(population_fixture=None))


def _all_iins() -> list[str]:
    data = json.loads(POPULATION_FIXTURE.read_text(encoding="utf-8"))
    return [person["iin"] for person in data["people"]]
