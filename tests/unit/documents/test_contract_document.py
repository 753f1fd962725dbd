"""The electronic contract as a parent and a kindergarten read it: the standard text, the prices, the signatures.

The contract is built from the demo data exactly as the local stack has it: the standard template
(``contract_template.json``), the kindergarten's contract settings (``contract_settings.json``) and the
kindergarten itself (``kindergartens.json``). The PDF is read back with poppler's pdftotext.
"""

import json
import re
import shutil
import subprocess
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from schwifty import IBAN

from chalicelib.documents.data import (
    BankAccount,
    Bilingual,
    ContractChild,
    ContractData,
    ContractKindergarten,
    ContractSection,
    ContractSignature,
    IdentityDocument,
    LegalRepresentative,
    PriceLine,
)
from chalicelib.documents.formatting import format_iban, format_money
from chalicelib.documents.kinds import DocumentKind
from chalicelib.documents.render import render_document

DEMO = Path(__file__).resolve().parents[3] / "infra" / "local" / "demo"
KINDERGARTEN_ID = "ast-saryarka-007"  # № 7 «Балапан», whose head has a certificate of the tests' CA
NUMBER = "01.05-02.26.001"
CHILD = "Серікова Аяла Дәуренқызы"
PARENT_SERIAL = "3C5A0F9E2B7D41C86A0E5F3B9D2C7A14E8B60F21"
HEAD_SERIAL = "7E21B4C9D03F5A86E1C2B7D94F0A3E58C6D1B29A"
KAZAKH_LETTERS = set("әғқңөұүі")

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils (pdftotext) is not installed")


def demo(name: str) -> object:
    return json.loads((DEMO / name).read_text(encoding="utf-8"))


def template() -> dict:
    return demo("contract_template.json")


def settings_of(kindergarten_id: str) -> dict:
    return next(entry for entry in demo("contract_settings.json") if entry["kindergarten_id"] == kindergarten_id)


def contract(*, signed: bool) -> ContractData:
    """The contract of Ахметова Айгүл for her daughter at № 7 «Балапан», as a draft or signed by both."""
    kindergarten = next(k for k in demo("kindergartens.json") if k["id"] == KINDERGARTEN_ID)
    settings = settings_of(KINDERGARTEN_ID)
    signatures = (
        ContractSignature(
            party="representative",
            signer_name="АХМЕТОВА АЙГҮЛ",
            signer_id="900512401234",
            certificate_serial=PARENT_SERIAL,
            signed_at=datetime(2026, 8, 24, 14, 2, 7, tzinfo=UTC),
        ),
        ContractSignature(
            party="kindergarten",
            signer_name="ЖҰМАБЕКОВА САУЛЕ ЕРЛАНҚЫЗЫ",
            signer_id=kindergarten["bin"],
            certificate_serial=HEAD_SERIAL,
            signed_at=datetime(2026, 8, 25, 4, 15, 0, tzinfo=UTC),
        ),
    )
    return ContractData(
        contract_number=NUMBER,
        direction_number="000412",
        title=Bilingual(**template()["title"]),
        place=Bilingual("Астана қаласы", "город Астана"),
        draft=not signed,
        concluded_on=date(2026, 8, 25) if signed else None,
        prices_fixed_on=date(2026, 8, 20),
        kindergarten=ContractKindergarten(
            name=kindergarten["name"],
            bin=kindergarten["bin"],
            address=kindergarten["address"]["ru"],
            phone=kindergarten["phone"],
            head=kindergarten["head_name"],
            account=BankAccount(**settings["account"]),
        ),
        representative=LegalRepresentative(
            full_name="Ахметова Айгүл",
            iin="900512401234",
            authority=Bilingual("ата-анасы", "родитель"),
            identity_document=IdentityDocument(
                kind=Bilingual("жеке куәлік", "удостоверение личности"),
                number="051234567",
                issued_on=date(2021, 3, 4),
                issued_by="ҚР ІІМ",
            ),
            registered_address="Астана қ., Сарыарқа ауданы, Сейфуллин к-сі, 31, 12 пәтер",
            actual_address="Астана қ., Сарыарқа ауданы, Сейфуллин к-сі, 31, 12 пәтер",
            workplace="«Астана су арнасы» МКК",
            position="инженер",
            phone="+77019876543",
            extra_phone=None,
            email="aigul.akhmetova@example.kz",
            account=BankAccount(bank="АО «Kaspi Bank»", bic="CASPKZKA", iban="KZ06722S000023871046"),
        ),
        child=ContractChild(full_name=CHILD, iin="220910635004", birth_date=date(2022, 9, 10)),
        sections=tuple(ContractSection.model_validate(section) for section in template()["sections"]),
        prices=tuple(PriceLine.model_validate(line) for line in settings["prices"]),
        signatures=signatures if signed else (),
    )


def money(amount: Decimal) -> str:
    """An amount as the text of the PDF reads (the no-break spaces between groups as spaces)."""
    return format_money(amount).replace("\u00a0", " ")


def pages_of(data: ContractData, tmp_path: Path) -> list[str]:
    """The text of each page, with runs of white space made single spaces."""
    pdf = render_document(
        DocumentKind.CONTRACT,
        data,
        document_id="01JQCONTRACT7BALAPAN000001",
        check_code="K7M2Q9XD",
        issued_at=datetime(2026, 8, 25, 4, 15, tzinfo=UTC),
        base_url="https://balabaqsha.example.kz",
    )
    source = tmp_path / f"contract-{data.draft}.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True).stdout
    pages = out.decode("utf-8").replace("\u00a0", " ").split("\f")
    return [" ".join(page.split()) for page in pages if page.strip()]


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> list[str]:
    return pages_of(contract(signed=True), tmp_path_factory.mktemp("signed"))


@pytest.fixture(scope="module")
def draft(tmp_path_factory) -> list[str]:
    return pages_of(contract(signed=False), tmp_path_factory.mktemp("draft"))


def test_the_signed_contract_names_the_contract_the_child_the_prices_and_its_validity(signed):
    # given
    text = " ".join(signed)
    prices = [money(line.amount) for line in contract(signed=True).prices]

    # then
    assert f"№ {NUMBER}" in text
    assert CHILD in text and "220910635004" in text
    assert "мерзімсіз / бессрочно" in text
    assert "Мектепке дейінгі тәрбие мен оқыту қызметтерін көрсету туралы үлгілік шарт" in text
    assert "Типовой договор оказания услуг дошкольного воспитания и обучения" in text
    assert prices == ["15 500,00", "18 900,00", "7 000,00"]
    assert all(price in text for price in prices)
    appendix = signed[-1]
    assert "Приложение" in appendix and "к договору № 01.05-02.26.001" in appendix
    assert "Цены действуют на дату" in appendix and "20.08.2026" in appendix
    assert all(price in appendix for price in prices)


def test_the_signed_contract_shows_both_signatures_in_almaty_time(signed):
    # given
    text = " ".join(signed)

    # then: who signed, with which certificate, when (UTC+5)
    assert PARENT_SERIAL in text and HEAD_SERIAL in text
    assert "АХМЕТОВА АЙГҮЛ" in text and "ЖСН / ИИН: 900512401234" in text
    assert "ЖҰМАБЕКОВА САУЛЕ ЕРЛАНҚЫЗЫ" in text and "БСН / БИН: 120540012342" in text
    assert "Подписано: 24.08.2026 19:02:07 (UTC+05:00)" in text
    assert "Подписано: 25.08.2026 09:15:00 (UTC+05:00)" in text
    assert "25.08.2026" in signed[0]
    assert "ПРОЕКТ" not in text and "не подписан" not in text


def test_the_contract_carries_the_template_text_section_by_section_in_both_languages(signed):
    # given
    text = " ".join(signed)

    # then
    for section in template()["sections"]:
        assert section["title"]["kk"] in text and section["title"]["ru"] in text
    assert "Шарт Тараптардың соңғысы қол қойған күні жасалды деп есептеледі." in text
    assert "действует бессрочно" in text


def test_the_contract_gives_the_parties_details_and_where_to_pay(signed):
    # given
    text = " ".join(signed)
    account = settings_of(KINDERGARTEN_ID)["account"]

    # then
    assert "Детский сад № 7 «Балапан» (далее – Исполнитель) в лице руководителя Жұмабекова Сауле Ерланқызы" in text
    assert "Ахметова Айгүл, законный представитель ребенка (далее – Заказчик)" in text
    assert format_iban(account["iban"]) in text and account["bic"] in text
    assert "KZ06 722S 0000 2387 1046" in text
    assert "не позднее 10 числа текущего месяца, на банковский счет Исполнителя" in text


def test_a_draft_is_marked_on_every_page_and_shows_no_signature(draft):
    # given
    text = " ".join(draft)

    # then
    assert "ШАРТ ЖОБАСЫ / ПРОЕКТ ДОГОВОРА" in draft[0]
    assert all("ШАРТ ЖОБАСЫ / ПРОЕКТ ДОГОВОРА" in page for page in draft[1:])
    assert "шартқа әлі қол қойылмаған" in draft[0] and "договор еще не подписан" in draft[0]
    assert text.count("ЖОБА — қол қойылмаған / ПРОЕКТ — не подписан") == 2
    assert "Договор еще никем не подписан." in text
    assert PARENT_SERIAL not in text and HEAD_SERIAL not in text
    assert "Подписано:" not in text


def test_a_draft_already_has_the_whole_text_and_the_prices(draft, signed):
    # then: what the parent reads before signing is what is signed
    text = " ".join(draft)
    assert f"№ {NUMBER}" in text and CHILD in text and "мерзімсіз" in text
    assert all(money(line.amount) in text for line in contract(signed=False).prices)
    assert 6 <= len(signed) <= 12 and 6 <= len(draft) <= 12


def test_the_standard_template_loads_clause_by_clause_in_kazakh_and_russian():
    # when
    raw = template()
    sections = [ContractSection.model_validate(section) for section in raw["sections"]]

    # then: numbered sections, each clause in both languages under the same number, no blanks to fill
    assert raw["version"] == 1 and raw["title"]["kk"] and raw["title"]["ru"]
    assert 9 <= len(sections) <= 11
    for n, section in enumerate(sections, 1):
        assert section.title is not None
        assert section.title.kk.startswith(f"{n}. ") and section.title.ru.startswith(f"{n}. ")
        assert 3 <= len(section.paragraphs) <= 6
        for m, clause in enumerate(section.paragraphs, 1):
            assert clause.kk.startswith(f"{n}.{m}. ") and clause.ru.startswith(f"{n}.{m}. ")
            assert not re.search(r"_{2,}|[{}<>]|\.\.\.", clause.kk + clause.ru)
    kazakh = " ".join(p.kk for s in sections for p in s.paragraphs)
    assert set(kazakh) >= KAZAKH_LETTERS


def test_every_electronic_kindergarten_has_contract_settings_with_a_valid_account():
    # given
    kindergartens = demo("kindergartens.json")
    regions = demo("regions.json")
    electronic = {k["id"] for k in kindergartens if k["contract_mode"] == "electronic"}
    settings = demo("contract_settings.json")

    # then
    assert sorted(entry["kindergarten_id"] for entry in settings) == sorted(electronic)
    assert len({entry["register_code"] for entry in settings}) == len(settings)
    for entry in settings:
        k = next(k for k in kindergartens if k["id"] == entry["kindergarten_id"])
        region = next(i for i, r in enumerate(regions, 1) if r["code"] == k["region"])
        district = next(
            i
            for i, d in enumerate(next(r for r in regions if r["code"] == k["region"])["districts"], 1)
            if d["code"] == k["district"]
        )
        assert re.fullmatch(rf"{region:02d}\.{district:02d}-\d\d", entry["register_code"])
        iban = IBAN(entry["account"]["iban"])
        assert iban.country_code == "KZ" and str(iban.bic) == entry["account"]["bic"]
        assert 2 <= len(entry["prices"]) <= 4
        assert all(re.fullmatch(r"\d+\.\d\d", line["amount"]) for line in entry["prices"])
        assert all(PriceLine.model_validate(line) for line in entry["prices"])
