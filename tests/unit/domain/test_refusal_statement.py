"""The refusal statement: built from the server's facts, read back, and every fact compared."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.reference import Bilingual
from chalicelib.domain.refusals import GROUNDS, Motivation, RefusalFacts, read_motivation, refusal_xml
from chalicelib.domain.signed_facts import first_difference
from chalicelib.services.refusals import check_motivation

AT = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
FACTS = RefusalFacts(
    application_id="УО.2026.000001.1",
    child_iin="230314553117",
    child_full_name="Беков Нұрали Ерболұлы",
    applicant_iin="890411441071",
    region="astana",
    district="nura",
    operator_iin="820217350007",
    operator_full_name="Қасымов Бауыржан Әділұлы",
    office=Bilingual("Астана қаласының Білім басқармасы", "Управление образования города Астаны"),
)
MOTIVATION = Motivation("false_data", "Мекенжай сәйкес келмейді.", "Адрес не совпадает.")


def test_the_operators_choice_is_read_back_and_the_statement_agrees_with_itself():
    root = etree.fromstring(refusal_xml(FACTS, MOTIVATION, AT).encode())
    assert read_motivation(root) == MOTIVATION
    assert first_difference(root, refusal_xml(FACTS, MOTIVATION, datetime(2026, 12, 6, tzinfo=UTC))) is None
    assert root.find("ground/text[@lang='ru']").text == GROUNDS["false_data"].ru


@pytest.mark.parametrize(
    ("path", "change"),
    [
        ("application/@id", lambda r: r.find("application").set("id", "УО.2026.000002.1")),
        ("application/@district", lambda r: r.find("application").set("district", "esil")),
        ("child/@iin", lambda r: r.find("child").set("iin", "230101500009")),
        ("child", lambda r: setattr(r.find("child"), "text", "Басқа бала")),
        ("applicant/@iin", lambda r: r.find("applicant").set("iin", "900512401234")),
        ("operator/@iin", lambda r: r.find("operator").set("iin", "850415306547")),
        ("operator/office[2]", lambda r: setattr(r.findall("operator/office")[1], "text", "Другое управление")),
        ("ground/text[1]", lambda r: setattr(r.find("ground/text"), "text", "басқа негіз")),
    ],
)
def test_a_planted_difference_is_named(path, change):
    # given the statement as the operator might have changed it before signing
    signed = etree.fromstring(refusal_xml(FACTS, MOTIVATION, AT).encode())
    change(signed)
    # when the server builds it again from its state with the signed choice
    expected = refusal_xml(FACTS, read_motivation(signed), AT)
    # then the first difference names the changed fact
    assert first_difference(signed, expected) == path


@given(st.text(min_size=1, max_size=50).filter(lambda t: t.strip() and t not in GROUNDS))
def test_only_the_standards_grounds_are_accepted(ground):
    with pytest.raises(InvalidInput) as refused:
        check_motivation(Motivation(ground, "а", "б"))
    assert refused.value.details["field"] == "ground"


def test_both_languages_are_required_and_bounded():
    for kk, ru, field in (
        ("  ", "б", "motivation_kk"),
        ("а", "", "motivation_ru"),
        ("а" * 2001, "б", "motivation_kk"),
        ("а\x07", "б", "motivation_kk"),
    ):
        with pytest.raises(InvalidInput) as refused:
            check_motivation(Motivation("court_decision", kk, ru))
        assert refused.value.details["field"] == field
    assert check_motivation(Motivation("court_decision", " а ", "б")) == Motivation("court_decision", "а", "б")
