"""The private-kindergarten choice's pure rules: the age limit, the warning, the kindergarten, the signed document."""

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from chalicelib.clock import ALMATY
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.domain.private_choice import (
    WARNING,
    PrivateChoice,
    check_acknowledged,
    check_age,
    check_kindergarten,
    choice_xml,
    private_choice_from,
    read_choice,
)
from chalicelib.domain.reference import Bilingual, Kindergarten

births = st.dates(min_value=date(2018, 1, 1), max_value=date(2026, 12, 31))


def kindergarten(**changes: object) -> Kindergarten:
    values: dict[str, object] = {
        "id": "ast-esil-nurly-bala",
        "region": "astana",
        "district": "esil",
        "number": None,
        "name": Bilingual("«Нұрлы бала» балабақшасы", "Детский сад «Нурлы бала»"),
        "address": Bilingual("Астана қ., Есіл ауданы, Тұран даңғылы, 5", "г. Астана, район Есиль, проспект Туран, 5"),
        "phone": "+77172555100",
        "head_name": "Сұлтанова Айжан",
        "bin": "120540012342",
        "ownership": "private",
        "takes_state_order": True,
        "state_order_places": 40,
        "contract_mode": "electronic",
        "languages": ("kk", "ru"),
        "min_age_years": 3,
    }
    values.update(changes)
    return Kindergarten(**values)  # type: ignore[arg-type]


def local_moment(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), ALMATY).astimezone(UTC)


@given(births, st.integers(min_value=0, max_value=23))
def test_a_child_may_choose_from_the_local_day_of_the_third_birthday(birth: date, hour: int):
    # given the first day the rules allow
    allowed = private_choice_from(birth, 3)
    # then any moment of that day in Almaty is allowed, and any moment of the day before is not
    check_age(birth, local_moment(allowed, hour), 3)
    with pytest.raises(InvalidInput) as refused:
        check_age(birth, local_moment(allowed - timedelta(days=1), hour), 3)
    assert refused.value.code == "private.child_too_young"
    assert refused.value.details["allowed_from"] == allowed.isoformat()


def test_a_leap_day_child_may_choose_from_the_first_of_march():
    assert private_choice_from(date(2024, 2, 29), 3) == date(2027, 3, 1)


def test_the_refusal_for_a_young_child_says_from_when_in_both_languages():
    with pytest.raises(InvalidInput) as refused:
        check_age(date(2024, 5, 17), datetime(2026, 1, 15, 6, tzinfo=UTC), 3)
    assert "3 жасқа толғанда" in refused.value.kk and "17.05.2027" in refused.value.kk
    assert "с 3 лет (с 17.05.2027)" in refused.value.ru


def test_the_warning_must_be_acknowledged():
    check_acknowledged(True)
    with pytest.raises(InvalidInput) as refused:
        check_acknowledged(False)
    assert refused.value.details == {"field": "acknowledged"}


def test_only_a_private_kindergarten_of_the_region_under_the_state_order_is_a_choice():
    assert check_kindergarten(kindergarten(), "ast-esil-nurly-bala", "astana").id == "ast-esil-nurly-bala"
    for other, code in (
        (kindergarten(ownership="state"), "private.not_private_state_order"),
        (kindergarten(takes_state_order=False), "private.not_private_state_order"),
        (kindergarten(state_order_places=0), "private.not_private_state_order"),
        (kindergarten(region="karaganda"), "private.other_region"),
    ):
        with pytest.raises(InvalidInput) as refused:
            check_kindergarten(other, other.id, "astana")
        assert refused.value.code == code
    with pytest.raises(NotFound):
        check_kindergarten(None, "nowhere", "astana")


def test_the_signed_document_reads_back_as_built_with_the_warning_in_both_languages():
    # given a choice built by the server
    choice = PrivateChoice("УО.2026.000001.1", "900512401234", "220910635004", "ast-esil-nurly-bala", "ru", True)
    xml = choice_xml(
        choice,
        kindergarten=kindergarten(),
        child_full_name="Серікова Аяла Дәуренқызы",
        child_birth_date=date(2022, 9, 10),
        prepared_at=datetime(2026, 1, 15, 6, tzinfo=UTC),
    )
    root = etree.fromstring(xml.encode())
    # then it reads back the same, and carries the words the parent agreed to
    assert read_choice(root) == choice
    assert [t.text for t in root.findall("warning/text")] == [WARNING.kk, WARNING.ru]
    assert root.find("kindergarten/name[@lang='ru']").text == "Детский сад «Нурлы бала»"


@pytest.mark.parametrize(
    ("xml", "missing"),
    [
        ("<queueApplication/>", "privateKindergartenChoice"),
        ("<privateKindergartenChoice><kindergarten id='k'/></privateKindergartenChoice>", "kindergarten/@language"),
        (
            "<privateKindergartenChoice><kindergarten id='k' language='en'/></privateKindergartenChoice>",
            "kindergarten/@language",
        ),
        (
            "<privateKindergartenChoice><kindergarten id='k' language='kk'/>"
            "<applicant iin='900512401234'/><child iin='220910635004'/></privateKindergartenChoice>",
            "application/@id",
        ),
    ],
)
def test_an_incomplete_document_is_refused_naming_what_is_missing(xml: str, missing: str):
    with pytest.raises(InvalidInput) as refused:
        read_choice(etree.fromstring(xml))
    assert refused.value.code == "private.malformed_document"
    assert refused.value.details == {"missing": missing}


def test_a_document_without_the_warning_counts_as_not_acknowledged():
    xml = (
        "<privateKindergartenChoice><application id='A'/><applicant iin='1'/><child iin='2'/>"
        "<kindergarten id='k' language='kk'/></privateKindergartenChoice>"
    )
    assert read_choice(etree.fromstring(xml)).acknowledged is False
