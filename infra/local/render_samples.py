"""Sample output documents, one of every kind, written as PDF (and PNG pages) for people to look at.

``python -m infra.local.render_samples`` writes ``.local/samples/<kind>.pdf`` and, where poppler's
``pdftoppm`` is installed, ``<kind>-<page>.png``. :data:`SAMPLES` is also the test data of the
document tests. Dev-only: nothing in ``chalicelib`` imports this module.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import time
from datetime import UTC, date, datetime
from pathlib import Path

from chalicelib.documents.data import (
    AccountingBookEntryData,
    BankAccount,
    Bilingual,
    ChildCardData,
    ContractChild,
    ContractData,
    ContractKindergarten,
    ContractSection,
    ContractSignature,
    DirectionData,
    DocumentData,
    DocumentsReceiptData,
    IdentityDocument,
    LegalRepresentative,
    PriceLine,
    PrivateDirectionData,
    RefusalData,
    RegistrationNoticeData,
)
from chalicelib.documents.kinds import DocumentKind
from chalicelib.documents.render import render_document

ISSUED_AT = datetime(2026, 3, 2, 5, 30, tzinfo=UTC)  # 02.03.2026 10:30 in Almaty
DOCUMENT_ID = "01JNQ8Z6V3M2N4P7R9S1T0W2XK"
CHECK_CODE = "7KQ2M9XD"

DEPARTMENT = Bilingual('"Астана қаласының Білім басқармасы" ММ', 'ГУ "Управление образования города Астаны"')
KINDERGARTEN = Bilingual('"№ 12 «Ақбота» балабақшасы" МКҚК', 'ГККП "Ясли-сад № 12 «Акбота»"')
PRIVATE_KINDERGARTEN = Bilingual('"Күншуақ" ЖШС балабақшасы', 'Детский сад ТОО "Куншуак"')
BENEFIT = Bilingual("Көп балалы отбасылардың балалары", "Дети из многодетных семей")
IN_QUEUE = Bilingual("Шешім қабылданды (кезекте)", "Принято решение (в очереди)")
PORTAL = Bilingual("Электрондық үкімет порталы", "Портал электронного правительства")
ASTANA = Bilingual("Астана қ., Есіл ауданы", "г. Астана, район Есиль")
GROUP = Bilingual("Ортаңғы топ (2022 ж.т.), қазақ тілі", "Средняя группа (2022 г.р.), казахский язык")

REGISTRATION_NUMBER = "УО.2026.000024.1"
CHILD_IIN = "220518600127"
PARENT_IIN = "900101400123"


DEMO_DIR = Path(__file__).resolve().parent / "demo"
CONTRACT_KINDERGARTEN_ID = "ast-esil-012"  # whose demo contract settings give the sample's prices


def contract_template() -> tuple[Bilingual, tuple[ContractSection, ...]]:
    """The title and sections of the standard contract of the demo data (``demo/contract_template.json``)."""
    template = json.loads((DEMO_DIR / "contract_template.json").read_text(encoding="utf-8"))
    title = Bilingual(**template["title"])
    return title, tuple(ContractSection.model_validate(section) for section in template["sections"])


def contract_prices(kindergarten_id: str = CONTRACT_KINDERGARTEN_ID) -> tuple[PriceLine, ...]:
    """The prices of a kindergarten's demo contract settings (``demo/contract_settings.json``)."""
    settings = json.loads((DEMO_DIR / "contract_settings.json").read_text(encoding="utf-8"))
    entry = next(e for e in settings if e["kindergarten_id"] == kindergarten_id)
    return tuple(PriceLine.model_validate(line) for line in entry["prices"])


def _contract(*, signed: bool) -> ContractData:
    """A contract of the sample family: the draft the parent reads, or the same contract signed by both."""
    title, sections = contract_template()
    signatures = (
        (
            ContractSignature(
                party="representative",
                signer_name="САПАРОВА АЙГҮЛ ҚАЙРАТҚЫЗЫ",
                signer_id=PARENT_IIN,
                certificate_serial="4A7F3C2E9B1D05A8C6E2F4B3D1A9C7E5F0B2D4A6",
                signed_at=datetime(2026, 3, 2, 4, 12, 31, tzinfo=UTC),
            ),
            ContractSignature(
                party="kindergarten",
                signer_name="ЖҰМАБЕКОВА ГҮЛНАР СӘБИТҚЫЗЫ",
                signer_id="150340012345",
                certificate_serial="1B9E4D7A2C5F8E0B3D6A9C2F5E8B1D4A7C0F3E6B",
                signed_at=datetime(2026, 3, 2, 5, 20, 4, tzinfo=UTC),
            ),
        )
        if signed
        else ()
    )
    return ContractData(
        contract_number="01.01-01.26.001",
        direction_number="378618",
        title=title,
        place=Bilingual("Астана қаласы", "город Астана"),
        draft=not signed,
        concluded_on=date(2026, 3, 2) if signed else None,
        prices_fixed_on=date(2026, 2, 27),
        kindergarten=ContractKindergarten(
            name=KINDERGARTEN,
            bin="150340012345",
            address="Астана қ., Уәлиханов көшесі, 17",
            phone="+77172556863",
            head="Жұмабекова Гүлнар Сәбитқызы",
            account=BankAccount(bank='АО "Народный Банк Казахстана"', bic="HSBKKZKX", iban="KZ026018741000301234"),
        ),
        representative=LegalRepresentative(
            full_name="Сапарова Айгүл Қайратқызы",
            iin=PARENT_IIN,
            authority=Bilingual("анасы", "мать"),
            identity_document=IdentityDocument(
                kind=Bilingual("жеке куәлік", "удостоверение личности"),
                number="048765432",
                issued_on=date(2019, 6, 14),
                issued_by="ҚР ІІМ / МВД РК",
            ),
            registered_address="Астана қ., Жеңіс даңғылы, 123 үй, 45 пәтер",
            actual_address="Астана қ., Жеңіс даңғылы, 123 үй, 45 пәтер",
            workplace='"Қазпошта" АҚ',
            position="менеджер",
            phone="+77011234567",
            extra_phone=None,
            email="aigul.saparova@example.kz",
            account=BankAccount(bank='АО "Kaspi Bank"', bic="CASPKZKA", iban="KZ86722S000001234567"),
        ),
        child=ContractChild(full_name="Сапаров Әлихан Ерғалиұлы", iin=CHILD_IIN, birth_date=date(2022, 5, 18)),
        sections=sections,
        prices=contract_prices(),
        signatures=signatures,
    )


def _direction_fields() -> dict[str, object]:
    return {
        "direction_number": "378618",
        "kindergarten_name": KINDERGARTEN,
        "kindergarten_address": Bilingual("Астана қ., Уәлиханов көшесі, 17", "г. Астана, ул. Уалиханова, 17"),
        "kindergarten_phone": "+77172556863",
        "kindergarten_head": "Жұмабекова Гүлнар Сәбитқызы",
        "group": GROUP,
        "language_of_instruction": "kk",
        "child_surname": "Сапаров",
        "child_name": "Әлихан",
        "child_birth_date": date(2022, 5, 18),
        "home_address": "Астана қ., Жеңіс даңғылы, 123 үй, 45 пәтер",
        "home_phone": "+77011234567",
        "valid_until": date(2026, 3, 10),
        "issued_by": DEPARTMENT,
    }


SAMPLES: dict[DocumentKind, DocumentData] = {
    DocumentKind.REGISTRATION_NOTICE: RegistrationNoticeData(
        registration_number=REGISTRATION_NUMBER,
        parent_full_name="Сапарова Айгүл Қайратқызы",
        child_surname="Сапаров",
        child_name="Әлихан",
        child_birth_date=date(2022, 5, 18),
        kindergarten_numbers=("12", "47", "103"),
        queue_number=18355,
        benefit_category=BENEFIT,
        benefit_queue_number=412,
        application_date=datetime(2025, 7, 31, 12, 29, 9, tzinfo=UTC),
        issued_by=DEPARTMENT,
    ),
    DocumentKind.DOCUMENTS_RECEIPT: DocumentsReceiptData(
        registration_number=REGISTRATION_NUMBER,
        received_at=datetime(2025, 7, 31, 12, 29, 9, tzinfo=UTC),
        channel=PORTAL,
        applicant_full_name="Сапарова Айгүл Қайратқызы",
        applicant_iin=PARENT_IIN,
        child_full_name="Сапаров Әлихан Ерғалиұлы",
        child_iin=CHILD_IIN,
        child_birth_date=date(2022, 5, 18),
        documents=(
            Bilingual("ЭЦҚ қол қойылған өтініш", "Заявление, подписанное ЭЦП"),
            Bilingual(
                "Көп балалы отбасы мәртебесін растайтын анықтама", "Справка, подтверждающая статус многодетной семьи"
            ),
        ),
        issued_by=DEPARTMENT,
    ),
    DocumentKind.ACCOUNTING_BOOK_ENTRY: AccountingBookEntryData(
        registration_number=REGISTRATION_NUMBER,
        registered_at=datetime(2025, 7, 31, 12, 29, 9, tzinfo=UTC),
        queue_area=ASTANA,
        child_full_name="Сапаров Әлихан Ерғалиұлы",
        child_iin=CHILD_IIN,
        child_birth_date=date(2022, 5, 18),
        applicant_full_name="Сапарова Айгүл Қайратқызы",
        applicant_iin=PARENT_IIN,
        home_address="Астана қ., Жеңіс даңғылы, 123 үй, 45 пәтер",
        phone="+77011234567",
        language_of_instruction="kk",
        kindergarten_numbers=("12", "47", "103"),
        benefit_category=BENEFIT,
        queue_number=18355,
        benefit_queue_number=412,
        issued_by=DEPARTMENT,
    ),
    DocumentKind.CHILD_CARD: ChildCardData(
        registration_number=REGISTRATION_NUMBER,
        child_surname="Сапаров",
        child_name="Әлихан",
        child_patronymic="Ерғалиұлы",
        child_iin=CHILD_IIN,
        child_birth_date=date(2022, 5, 18),
        child_sex="male",
        home_address="Астана қ., Жеңіс даңғылы, 123 үй, 45 пәтер",
        applicant_full_name="Сапарова Айгүл Қайратқызы",
        applicant_iin=PARENT_IIN,
        phone="+77011234567",
        email="aigul.saparova@example.kz",
        status=IN_QUEUE,
        status_since=datetime(2025, 7, 31, 12, 29, 9, tzinfo=UTC),
        queue_number=18355,
        benefit_category=BENEFIT,
        kindergarten=None,
        direction_number=None,
        issued_by=DEPARTMENT,
    ),
    DocumentKind.DIRECTION: DirectionData(**_direction_fields()),
    DocumentKind.PRIVATE_DIRECTION: PrivateDirectionData(
        **{
            **_direction_fields(),
            "kindergarten_name": PRIVATE_KINDERGARTEN,
            "kindergarten_address": "Астана қ., Қабанбай батыр даңғылы, 48/3",
            "kindergarten_head": "Оспанова Динара Маратқызы",
            "group": None,
            "language_of_instruction": "ru",
        },
        registration_number=REGISTRATION_NUMBER,
    ),
    DocumentKind.CONTRACT: _contract(signed=True),
    DocumentKind.REFUSAL: RefusalData(
        registration_number=REGISTRATION_NUMBER,
        child_full_name="Сапаров Әлихан Ерғалиұлы",
        child_iin=CHILD_IIN,
        child_birth_date=date(2022, 5, 18),
        applicant_full_name="Сапарова Айгүл Қайратқызы",
        applicant_iin=PARENT_IIN,
        ground=Bilingual(
            "ұсынылған құжаттардың және (немесе) олардағы деректердің (мәліметтердің) анық еместігі анықталды",
            "установлена недостоверность представленных документов и (или) данных (сведений), содержащихся в них",
        ),
        motivation=Bilingual(
            "Өтініште көрсетілген тұрғылықты мекенжай халықты тіркеу деректеріне сәйкес келмейді.",
            "Адрес проживания, указанный в заявлении, не совпадает с данными регистрации населения.",
        ),
        operator_full_name="Қасымов Бауыржан Әділұлы",
        operator_iin="820217350007",
        certificate_serial="4F2A91C07D3E",
        refused_at=datetime(2026, 3, 2, 4, 12, 31, tzinfo=UTC),
        issued_by=DEPARTMENT,
    ),
}

EXTRA_SAMPLES: dict[str, tuple[DocumentKind, DocumentData]] = {
    "contract-draft": (DocumentKind.CONTRACT, _contract(signed=False)),
}


def render_sample(kind: DocumentKind, data: DocumentData, *, base_url: str | None = None) -> bytes:
    """One sample document as PDF bytes, with the samples' id, check code and issue time."""
    return render_document(
        kind, data, document_id=DOCUMENT_ID, check_code=CHECK_CODE, issued_at=ISSUED_AT, base_url=base_url
    )


def write_samples(out: Path, *, png: bool = True, base_url: str | None = None) -> list[Path]:
    """Write every sample to ``out``; PNG pages too when asked and ``pdftoppm`` is installed."""
    out.mkdir(parents=True, exist_ok=True)
    jobs = [(kind.value, kind, data) for kind, data in SAMPLES.items()]
    jobs += [(name, kind, data) for name, (kind, data) in EXTRA_SAMPLES.items()]
    pdftoppm = shutil.which("pdftoppm") if png else None
    written: list[Path] = []
    for name, kind, data in jobs:
        started = time.perf_counter()
        pdf = out / f"{name}.pdf"
        pdf.write_bytes(render_sample(kind, data, base_url=base_url))
        print(f"{pdf}  {pdf.stat().st_size // 1024} KiB  {1000 * (time.perf_counter() - started):.0f} ms")
        written.append(pdf)
        if pdftoppm:
            subprocess.run([pdftoppm, "-r", "110", "-png", str(pdf), str(out / name)], check=True)
            written.extend(sorted(out.glob(f"{name}-*.png")))
    if png and not pdftoppm:
        print("pdftoppm not found (apt-get install poppler-utils): PDF only")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(".local/samples"))
    parser.add_argument("--no-png", action="store_true", help="write PDF only")
    parser.add_argument("--base-url", default=None, help="verification base URL (default: settings)")
    args = parser.parse_args()
    write_samples(args.out, png=not args.no_png, base_url=args.base_url)


if __name__ == "__main__":
    main()
