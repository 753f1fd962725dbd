"""Rendered documents as a parent receives them: readable Kazakh and Russian, the values, a working QR code.

The PDF is read back with poppler (pdftotext, pdftoppm, pdffonts) and the QR code is decoded from the
rasterised page with zxing-cpp, as a phone would read it.
"""

import shutil
import subprocess
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image

from chalicelib.documents.data import Bilingual, ContractSection
from chalicelib.documents.kinds import DocumentKind
from chalicelib.documents.render import render_document
from infra.local.render_samples import CHECK_CODE, DOCUMENT_ID, EXTRA_SAMPLES, ISSUED_AT, SAMPLES, render_sample

pytestmark = pytest.mark.skipif(
    not all(shutil.which(tool) for tool in ("pdftotext", "pdftoppm", "pdffonts")),
    reason="poppler-utils (pdftotext, pdftoppm, pdffonts) is not installed",
)

BASE_URL = "https://balabaqsha.example.kz"
URL = f"{BASE_URL}/verify/{DOCUMENT_ID}?c={CHECK_CODE}"
KAZAKH_LETTERS = "ӘҒҚҢӨҰҮҺІәғқңөұүһі"


def text_of(pdf: bytes, tmp_path: Path) -> str:
    """The text a reader copies out of the PDF, with runs of white space made single spaces."""
    source = tmp_path / "doc.pdf"
    source.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(source), "-"], capture_output=True, check=True).stdout
    return " ".join(out.decode("utf-8").replace("\u00a0", " ").split())


def qr_codes(pdf: bytes, tmp_path: Path) -> list[list[str]]:
    """For each page, the texts of the QR codes a camera finds in its lower left corner (150 dpi, grey)."""
    source = tmp_path / "scan.pdf"
    source.write_bytes(pdf)
    corner = ["-x", "0", "-y", "1400", "-W", "400", "-H", "354"]  # of 1240 x 1754 pixels
    subprocess.run(["pdftoppm", "-r", "150", "-gray", *corner, "-png", str(source), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return [
        [code.text for code in zxingcpp.read_barcodes(Image.open(page)) if code.format == zxingcpp.BarcodeFormat.QRCode]
        for page in pages
    ]


def fonts_of(pdf: bytes, tmp_path: Path) -> list[tuple[str, str]]:
    """(font name, embedded yes/no) for every font the PDF uses."""
    source = tmp_path / "fonts.pdf"
    source.write_bytes(pdf)
    lines = subprocess.run(["pdffonts", str(source)], capture_output=True, text=True, check=True).stdout.splitlines()
    return [(line.split()[0], line.split()[-5]) for line in lines[2:]]


@pytest.fixture(scope="module")
def rendered() -> dict[DocumentKind, bytes]:
    return {kind: render_sample(kind, data, base_url=BASE_URL) for kind, data in SAMPLES.items()}


EXPECTED: dict[DocumentKind, list[str]] = {
    DocumentKind.REGISTRATION_NOTICE: [
        "Баланы тіркеу туралы хабарлама",
        "Уведомление о регистрации ребенка",
        "Ата-анасының аты-жөні",
        "Ф.И.О. родителей",
        "Сапарова Айгүл Қайратқызы",
        "Баланың тегі",
        "Фамилия ребенка",
        "Сапаров",
        "Баланың есімі",
        "Әлихан",
        "Баланың туған күні",
        "18.05.2022",
        "Номера выбранных ДДО",
        "№ 12, № 47, № 103",
        "Кезектің нөмірі",
        "18355",
        "Номер очереди по льготной категории",
        "412",
        "Өтінішті берген күні",
        "Дата подачи заявки",
        "31.07.2025",
        "УО.2026.000024.1",
        "Берілді",
        "Выдано",
        "Управление образования города Астаны",
    ],
    DocumentKind.DOCUMENTS_RECEIPT: [
        "Құжаттарды қабылдау туралы хабарлама",
        "Извещение о приеме документов",
        "31.07.2025 17:29",
        "Портал электронного правительства",
        "900101400123",
        "Сапаров Әлихан Ерғалиұлы",
        "220518600127",
        "Принятые документы",
        "Заявление, подписанное ЭЦП",
        "Көп балалы отбасы мәртебесін растайтын анықтама",
    ],
    DocumentKind.ACCOUNTING_BOOK_ENTRY: [
        "Баланы есепке алу кітабында тіркеу",
        "Регистрация ребенка в книге учета",
        "Дата регистрации в книге учета",
        "г. Астана, район Есиль",
        "Жеңіс даңғылы, 123 үй, 45 пәтер",
        "+7 701 123 45 67",
        "қазақ тілі",
        "казахский язык",
        "18355",
        "412",
    ],
    DocumentKind.CHILD_CARD: [
        "Бала карточкасы",
        "Карточка ребенка",
        "Ерғалиұлы",
        "ер / мужской",
        "aigul.saparova@example.kz",
        "Принято решение (в очереди)",
        "31.07.2025 17:29",
        "Номер направления",
    ],
    DocumentKind.DIRECTION: [
        "Мектепке дейінгі ұйымға жолдама",
        "Направление в дошкольную организацию",
        "№ 378618",
        "Ясли-сад № 12 «Акбота»",
        "г. Астана, ул. Уалиханова, 17",
        "+7 717 255 68 63",
        "Сапаров Әлихан",
        "18.05.2022",
        "Жеңіс даңғылы, 123 үй, 45 пәтер",
        "+7 701 123 45 67",
        "Басшы (ТАӘ)",
        "Жұмабекова Гүлнар Сәбитқызы",
        "до 10.03.2026 (включительно)",
        "10.03.2026 дейін (қоса алғанда)",
    ],
    DocumentKind.PRIVATE_DIRECTION: [
        "Жеке мектепке дейінгі ұйымға жолдама",
        "Направление в частную дошкольную организацию",
        "по государственному образовательному заказу",
        "УО.2026.000024.1",
        'Детский сад ТОО "Куншуак"',
        "орыс тілі",
        "без последующего сохранения номера в общегородской очередности",
    ],
    DocumentKind.REFUSAL: [
        "Мемлекеттік қызмет көрсетуден бас тарту туралы дәлелді жауап",
        "Мотивированный ответ об отказе в оказании",
        "Бас тарту негізі",
        "Основание отказа",
        "анық еместігі анықталды",
        "Мотивировка отказа",
        "не совпадает с данными регистрации",
        "Қасымов Бауыржан Әділұлы",
        "820217350007",
        "4F2A91C07D3E",
    ],
    DocumentKind.CONTRACT: [
        "Білім беру қызметтерін көрсету шарты",
        "Договор оказания образовательных услуг",
        "№ 01.01-01.26.001",
        "378618",
        "мерзімсіз",
        "бессрочно",
        "1. Шарттың мәні",
        "1. Предмет договора",
        "Стоимость услуг",
        "14 500,00",
        "6 000,00",
        "150340012345",
        "KZ02 6018 7410 0030 1234",
        "KZ86 722S 0000 0123 4567",
        "048765432, 14.06.2019",
        "Электронные цифровые подписи",
        "4A7F3C2E9B1D05A8C6E2F4B3D1A9C7E5F0B2D4A6",
        "Подписано: 02.03.2026 09:12:31",
        "Подписано: 02.03.2026 10:20:04",
    ],
}


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_document_shows_its_fields_in_kazakh_and_russian(kind, rendered, tmp_path):
    # given
    pdf = rendered[kind]

    # when
    text = text_of(pdf, tmp_path)

    # then
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    missing = [value for value in EXPECTED[kind] if value not in text]
    assert not missing, f"not in the {kind.value} text: {missing}"


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_each_document_carries_the_legal_note_the_id_and_the_check_code(kind, rendered, tmp_path):
    # when
    text = text_of(rendered[kind], tmp_path)

    # then
    assert "қағаз тасымалдағы құжатқа тең" in text
    assert "равнозначен документу на бумажном носителе" in text
    assert "Об электронном документе и электронной цифровой подписи" in text
    assert DOCUMENT_ID in text and CHECK_CODE in text
    assert "Выдано" in text or kind is DocumentKind.CONTRACT


@pytest.mark.parametrize("kind", list(DocumentKind))
def test_the_qr_code_leads_to_the_verification_of_this_document(kind, rendered, tmp_path):
    # when
    pages = qr_codes(rendered[kind], tmp_path)

    # then: every page has exactly one code, the verification URL
    assert pages and all(codes == [URL] for codes in pages)


@pytest.mark.parametrize("kind", [DocumentKind.REGISTRATION_NOTICE, DocumentKind.CONTRACT])
def test_only_the_embedded_dejavu_fonts_are_used(kind, rendered, tmp_path):
    # when
    fonts = fonts_of(rendered[kind], tmp_path)

    # then
    assert {name.split("+")[-1] for name, _ in fonts} == {"DejaVuSans", "DejaVuSans-Bold"}
    assert all(embedded == "yes" for _, embedded in fonts)


def test_every_kazakh_letter_survives_in_the_text(tmp_path):
    # given
    notice = SAMPLES[DocumentKind.REGISTRATION_NOTICE].model_copy(
        update={"child_surname": KAZAKH_LETTERS[:9], "child_name": KAZAKH_LETTERS[9:]}
    )

    # when
    text = text_of(render_sample(DocumentKind.REGISTRATION_NOTICE, notice), tmp_path)

    # then
    assert KAZAKH_LETTERS[:9] in text and KAZAKH_LETTERS[9:] in text


def test_times_are_shown_in_almaty(tmp_path):
    # given: late evening in UTC is the next morning in Kazakhstan
    notice = SAMPLES[DocumentKind.REGISTRATION_NOTICE].model_copy(
        update={"application_date": datetime(2025, 7, 31, 20, 0, tzinfo=UTC)}
    )

    # when
    pdf = render_document(
        DocumentKind.REGISTRATION_NOTICE,
        notice,
        document_id=DOCUMENT_ID,
        check_code=CHECK_CODE,
        issued_at=datetime(2026, 3, 1, 20, 30, tzinfo=UTC),
    )
    text = text_of(pdf, tmp_path)

    # then
    assert "01.08.2025" in text and "31.07.2025" not in text
    assert "02.03.2026 01:30" in text
    assert b"D:20260302013000+05'00'" in pdf


def test_a_mapping_renders_the_same_document_as_the_model():
    # given
    data = SAMPLES[DocumentKind.CHILD_CARD]

    # when
    from_model = render_sample(DocumentKind.CHILD_CARD, data)
    from_mapping = render_sample(DocumentKind.CHILD_CARD, data.model_dump())  # type: ignore[arg-type]

    # then: byte for byte, and again on a second render
    assert from_model == from_mapping == render_sample(DocumentKind.CHILD_CARD, data)


def test_text_from_people_is_shown_literally(tmp_path):
    # given
    direction = SAMPLES[DocumentKind.DIRECTION].model_copy(update={"home_address": "Абай к-сі <b>5</b> & 7"})

    # when
    text = text_of(render_sample(DocumentKind.DIRECTION, direction), tmp_path)

    # then
    assert "Абай к-сі <b>5</b> & 7" in text


def test_a_draft_contract_is_marked_and_says_nobody_has_signed(tmp_path):
    # given
    kind, draft = EXTRA_SAMPLES["contract-draft"]

    # when
    text = text_of(render_sample(kind, draft), tmp_path)

    # then
    assert "ШАРТ ЖОБАСЫ / ПРОЕКТ ДОГОВОРА" in text
    assert "Договор еще никем не подписан." in text
    assert "договор еще не подписан" in text
    assert "ПРОЕКТ ДОГОВОРА" not in text_of(render_sample(kind, SAMPLES[DocumentKind.CONTRACT]), tmp_path)


def test_a_long_contract_runs_over_pages_with_the_qr_code_on_each(tmp_path):
    # given: a dozen clauses and one clause longer than a page
    clauses = tuple(
        Bilingual(
            f"{n}.1. Тараптар келіседі: " + "тәрбиеленуші " * 60, f"{n}.1. Стороны согласны: " + "воспитанник " * 60
        )
        for n in range(4, 16)
    )
    huge = Bilingual("16.1. Ұзын тармақ " + "жалғасы " * 900 + "соңы.", "16.1. Длинный пункт " + "продолжение " * 700)
    contract = SAMPLES[DocumentKind.CONTRACT]
    contract = contract.model_copy(
        update={
            "sections": (
                *contract.sections,
                ContractSection(title=Bilingual("4. Қосымша", "4. Дополнительно"), paragraphs=clauses),
                ContractSection(title=None, paragraphs=(huge,)),
            ),
            "concluded_on": date(2026, 3, 2),
        }
    )

    # when
    pdf = render_sample(DocumentKind.CONTRACT, contract, base_url=BASE_URL)
    pages = qr_codes(pdf, tmp_path)
    text = text_of(pdf, tmp_path)

    # then
    assert len(pages) >= 4
    assert all(codes == [URL] for codes in pages)
    assert "15.1. Стороны согласны" in text and "жалғасы соңы." in text
    assert f"{len(pages)}-бет / стр. {len(pages)}" in text
    assert "Подписано: 02.03.2026 10:20:04" in text


def test_the_pdf_dates_are_the_issue_time_in_almaty(rendered):
    # given: the samples were issued at 05:30 UTC
    assert datetime(2026, 3, 2, 5, 30, tzinfo=UTC) == ISSUED_AT

    # then: the PDF's own creation date is 10:30 in Almaty
    assert all(b"D:20260302103000+05'00'" in pdf for pdf in rendered.values())
