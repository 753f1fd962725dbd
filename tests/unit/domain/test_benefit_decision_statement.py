"""The benefit decision statement: built from the server's facts, read back, and every fact compared."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from chalicelib.domain.benefit_decisions import REASON_MAX, BenefitDecisionFacts, decision_xml, read_reason
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.signed_facts import first_difference
from chalicelib.services.benefit_checks import check_reason

AT = datetime(2026, 12, 5, 5, 0, tzinfo=UTC)
FACTS = BenefitDecisionFacts(
    application_id="УО.2026.000001.1",
    child_iin="230314553117",
    applicant_iin="890411441071",
    benefit_code="large_family",
    operator_iin="820217350007",
    operator_full_name="Қасымов Бауыржан Әділұлы",
)


def test_the_reason_is_read_back_and_the_statement_agrees_with_itself():
    refused = etree.fromstring(decision_xml(FACTS, approve=False, reason="Жоқ", prepared_at=AT).encode())
    assert read_reason(refused) == "Жоқ" and refused.find("decision").get("value") == "refuse"
    approved = etree.fromstring(decision_xml(FACTS, approve=True, reason=None, prepared_at=AT).encode())
    assert read_reason(approved) is None
    later = datetime(2026, 12, 6, tzinfo=UTC)
    assert first_difference(approved, decision_xml(FACTS, approve=True, reason=None, prepared_at=later)) is None


@pytest.mark.parametrize(
    ("path", "change"),
    [
        ("application/@id", lambda r: r.find("application").set("id", "УО.2026.000002.1")),
        ("child/@iin", lambda r: r.find("child").set("iin", "230101500009")),
        ("applicant/@iin", lambda r: r.find("applicant").set("iin", "900512401234")),
        ("benefit/@code", lambda r: r.find("benefit").set("code", "orphans")),
        ("operator/@iin", lambda r: r.find("operator").set("iin", "850415306547")),
        ("operator/fullName", lambda r: setattr(r.find("operator/fullName"), "text", "Басқа адам")),
        ("decision/@value", lambda r: r.find("decision").set("value", "refuse")),
        ("@version", lambda r: r.set("version", "2")),
    ],
)
def test_a_planted_difference_is_named(path, change):
    signed = etree.fromstring(decision_xml(FACTS, approve=True, reason=None, prepared_at=AT).encode())
    change(signed)
    assert first_difference(signed, decision_xml(FACTS, approve=True, reason=None, prepared_at=AT)) == path


def test_a_refusal_signed_for_an_approval_is_named_at_the_decision():
    signed = etree.fromstring(decision_xml(FACTS, approve=False, reason="Жоқ", prepared_at=AT).encode())
    assert first_difference(signed, decision_xml(FACTS, approve=True, reason=None, prepared_at=AT)) == "decision/@value"


@given(st.text(max_size=REASON_MAX + 5))
def test_a_reason_is_given_bounded_and_printable(text):
    try:
        said = check_reason(text)
    except InvalidInput as refused:
        assert refused.details == {"field": "reason"}
        return
    assert said == text.strip() and 0 < len(said) <= REASON_MAX
    assert all(ch >= " " or ch in "\t\n\r" for ch in said)
