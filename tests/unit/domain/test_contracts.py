"""The contract's pure rules: its number, the order of the wizard's steps, the signed documents."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from chalicelib.domain import contract_xml as xml
from chalicelib.domain.contracts import (
    ContractNumber,
    ContractStatus,
    Step,
    check_step_order,
    contract_year,
    first_missing_step,
    is_contract_number,
    paused_remaining,
    valid_register_code,
)
from chalicelib.domain.errors import Conflict

codes = st.builds(
    lambda a, b, c: f"{a:02d}.{b:02d}-{c:02d}",
    st.integers(0, 99),
    st.integers(0, 99),
    st.integers(0, 99),
)


def test_the_number_has_the_guides_shape() -> None:
    assert str(ContractNumber("01.01-01", 2021, 1)) == "01.01-01.21.001"
    assert is_contract_number("01.01-01.21.001")
    assert not is_contract_number("01.01-01.2021.001")
    assert not is_contract_number("Ж.2026.000001")


@given(codes, st.integers(2000, 2099), st.integers(1, 10**6))
def test_a_number_reads_back_as_it_was_made(code: str, year: int, serial: int) -> None:
    number = ContractNumber(code, year, serial)
    assert ContractNumber.parse(str(number)) == number
    assert valid_register_code(code)


def test_the_year_is_kazakhstans() -> None:
    # 31 December 20:00 UTC is already 1 January in Astana (UTC+5)
    assert contract_year(datetime(2026, 12, 31, 20, 0, tzinfo=UTC)) == 2027


@given(st.sets(st.sampled_from([s for s in Step if s is not Step.CONFIRM])))
def test_the_wizard_opens_at_the_first_step_not_done(done: set[Step]) -> None:
    step = first_missing_step(done)
    assert all(earlier in done for earlier in Step if earlier < step and earlier is not Step.CONFIRM)
    assert step is Step.CONFIRM or step not in done


@given(st.sampled_from(list(Step)), st.sets(st.sampled_from(list(Step))))
def test_a_step_is_refused_until_every_earlier_one_is_done(step: Step, done: set[Step]) -> None:
    missing = [s for s in Step if s < step and s not in done]
    if missing:
        with pytest.raises(Conflict) as refused:
            check_step_order(step, done)
        assert refused.value.details["missing_step"] == missing[0].value
    else:
        check_step_order(step, done)


def test_only_a_draft_or_a_refused_contract_can_be_edited() -> None:
    assert {s for s in ContractStatus if s.editable} == {ContractStatus.DRAFT, ContractStatus.REFUSED}
    assert ContractStatus.SIGNED.kk == "Қол қойылды"


def test_the_time_left_is_never_negative() -> None:
    now = datetime(2026, 1, 15, tzinfo=UTC)
    assert paused_remaining(now + timedelta(hours=5), now) == 5 * 3600
    assert paused_remaining(now - timedelta(hours=5), now) == 0


def _contract(prices_amount: str = "15000.00", prepared: datetime | None = None) -> str:
    return xml.contract_xml(
        number="01.05-02.26.001",
        direction_number="Ж.2026.000001",
        kindergarten={"id": "ast-saryarka-007", "bin": "120540012342", "name": "Детский сад № 7"},
        child={"iin": "220910635004", "full_name": "Серікова Аяла", "birth_date": "2022-09-10"},
        representative={"iin": "900512401234", "surname": "Ахметова", "given_name": "Айгүл", "authority": "parent"},
        details={"bank": {"iban": "KZ297220000000000123", "bic": "CASPKZKA", "bank": "Kaspi", "branch": "Астана"}},
        documents={"photo": "ab", "health_passport": "cd", "health_certificate": "ef", "pmpk": None},
        template_version=1,
        digest="0" * 64,
        prices=[
            {
                "service": {"kk": "Тамақ", "ru": "Питание"},
                "period": {"kk": "ай", "ru": "месяц"},
                "amount": prices_amount,
            }
        ],
        prices_fixed_on="2026-01-15",
        prepared_at=prepared or datetime(2026, 1, 15, 6, tzinfo=UTC),
    )


def test_the_same_contract_prepared_at_another_time_is_the_same() -> None:
    signed = etree.fromstring(_contract(prepared=datetime(2026, 1, 15, 6, tzinfo=UTC)))
    assert xml.same_contract(signed, _contract(prepared=datetime(2026, 1, 15, 9, tzinfo=UTC)))


def test_another_price_makes_another_contract() -> None:
    signed = etree.fromstring(_contract("15000.00"))
    assert not xml.same_contract(signed, _contract("16000.00"))


def test_a_kindergartens_signature_names_the_contract_and_the_parents_document() -> None:
    document = xml.signature_xml(
        number="01.05-02.26.001",
        kindergarten_bin="120540012342",
        representative_sha256="ab" * 32,
        prepared_at=datetime(2026, 1, 15, tzinfo=UTC),
    )
    from chalicelib.domain.signed_facts import first_difference

    root = etree.fromstring(document)
    assert root.get("number") == "01.05-02.26.001"
    assert root.find("representativeDocument").get("sha256") == "ab" * 32
    assert root.find("kindergarten").get("bin") == "120540012342"
    assert first_difference(etree.fromstring(_contract()), document) == "(document)"


def test_an_eds_check_reads_back_its_nonce() -> None:
    document = xml.eds_check_xml("01.05-02.26.001", "nonce-1", datetime(2026, 1, 15, tzinfo=UTC))
    assert xml.read_eds_check(etree.fromstring(document)) == ("01.05-02.26.001", "nonce-1")
    assert xml.read_eds_check(etree.fromstring("<login><nonce>x</nonce></login>")) is None
