"""Document data, formatting and the verification URL: what callers must give and how values read."""

import subprocess
import sys
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from chalicelib.documents import render
from chalicelib.documents.catalog import CATALOG
from chalicelib.documents.data import (
    Bilingual,
    DirectionData,
    PrivateDirectionData,
    RegistrationNoticeData,
)
from chalicelib.documents.formatting import format_date, format_datetime, format_iban, format_money, format_phone
from chalicelib.documents.kinds import DocumentKind
from chalicelib.documents.render import document_data, render_document, verification_url
from chalicelib.settings import Settings
from infra.local.render_samples import SAMPLES


def notice_fields() -> dict:
    return SAMPLES[DocumentKind.REGISTRATION_NOTICE].model_dump()


def test_every_kind_has_a_model_a_builder_and_both_titles():
    # given / when / then
    for kind in DocumentKind:
        assert kind in CATALOG
        assert kind.title_kk and kind.title_ru and kind.title_kk != kind.title_ru
    assert DocumentKind.REGISTRATION_NOTICE.title_kk == "Баланы тіркеу туралы хабарлама"
    assert DocumentKind.DIRECTION.file_name("01ABC") == "direction-01ABC.pdf"


def test_a_forgotten_field_is_named():
    # given
    fields = notice_fields()
    del fields["queue_number"]
    del fields["issued_by"]

    # when
    with pytest.raises(ValidationError) as refused:
        document_data(DocumentKind.REGISTRATION_NOTICE, fields)

    # then
    missing = {e["loc"][0] for e in refused.value.errors() if e["type"] == "missing"}
    assert missing == {"queue_number", "issued_by"}


def test_an_optional_value_must_still_be_given_explicitly():
    # given
    fields = notice_fields()
    del fields["benefit_category"]

    # when / then
    with pytest.raises(ValidationError, match="benefit_category"):
        RegistrationNoticeData.model_validate(fields)
    assert RegistrationNoticeData.model_validate({**fields, "benefit_category": None}).benefit_category is None


def test_a_misspelt_field_is_refused():
    # given
    fields = {**notice_fields(), "queue_numbr": 5}

    # when / then
    with pytest.raises(ValidationError, match="queue_numbr"):
        document_data(DocumentKind.REGISTRATION_NOTICE, fields)


def test_a_naive_instant_is_refused():
    # given
    fields = {**notice_fields(), "application_date": datetime(2025, 7, 31, 17, 29)}

    # when / then
    with pytest.raises(ValidationError, match="application_date"):
        document_data(DocumentKind.REGISTRATION_NOTICE, fields)


def test_data_of_another_kind_is_refused():
    # given
    notice = SAMPLES[DocumentKind.REGISTRATION_NOTICE]

    # when / then
    with pytest.raises(TypeError, match="DirectionData"):
        document_data(DocumentKind.DIRECTION, notice)


def test_a_private_direction_needs_the_registration_number():
    # given
    fields = SAMPLES[DocumentKind.DIRECTION].model_dump()

    # when / then
    with pytest.raises(ValidationError, match="registration_number"):
        PrivateDirectionData.model_validate(fields)


def test_reference_texts_and_language_codes_are_accepted_as_they_are():
    # given: the domain's own bilingual texts (any object with kk and ru) and a language code
    class DomainText:
        def __init__(self, kk: str, ru: str) -> None:
            self.kk, self.ru = kk, ru

    fields = {
        **SAMPLES[DocumentKind.DIRECTION].model_dump(),
        "kindergarten_name": DomainText("№ 5 балабақша", "Детский сад № 5"),
        "kindergarten_address": DomainText("Абай көшесі, 1", "ул. Абая, 1"),
        "language_of_instruction": "ru",
    }

    # when
    data = DirectionData.model_validate(fields)

    # then
    assert data.kindergarten_name == Bilingual("№ 5 балабақша", "Детский сад № 5")
    assert data.kindergarten_address == Bilingual("Абай көшесі, 1", "ул. Абая, 1")
    assert data.language_of_instruction == Bilingual("орыс тілі", "русский язык")


def test_kindergarten_numbers_may_be_given_as_numbers():
    # given: numbers as the reference data holds them
    fields = {**notice_fields(), "kindergarten_numbers": (12, 47)}

    # when
    data = RegistrationNoticeData.model_validate(fields)

    # then
    assert data.kindergarten_numbers == ("12", "47")


def test_a_deadline_given_as_an_instant_is_its_day_in_almaty():
    # given: 19:30 UTC on 10 March is already 11 March in Kazakhstan
    fields = {**SAMPLES[DocumentKind.DIRECTION].model_dump(), "valid_until": datetime(2026, 3, 10, 19, 30, tzinfo=UTC)}

    # when
    data = DirectionData.model_validate(fields)

    # then
    assert data.valid_until == date(2026, 3, 11)


def test_dates_read_dd_mm_yyyy_in_almaty():
    # given
    late_evening_utc = datetime(2026, 2, 28, 21, 15, 7, tzinfo=UTC)

    # when / then
    assert format_date(date(2022, 5, 8)) == "08.05.2022"
    assert format_date(late_evening_utc) == "01.03.2026"
    assert format_datetime(late_evening_utc) == "01.03.2026 02:15"
    assert format_datetime(late_evening_utc, seconds=True) == "01.03.2026 02:15:07"
    with pytest.raises(ValueError, match="timezone-aware"):
        format_date(datetime(2026, 3, 1, 10, 0))


@given(st.decimals(min_value=0, max_value=10**9, places=2, allow_nan=False, allow_infinity=False))
def test_money_reads_back_as_the_same_amount(amount: Decimal):
    # when
    shown = format_money(amount)

    # then
    whole, fraction = shown.split(",")
    assert all(len(group) == 3 for group in whole.split("\u00a0")[1:])
    assert Decimal(whole.replace("\u00a0", "") + "." + fraction) == amount


def test_bank_details_and_phones_read_as_printed_on_paper():
    # when / then
    assert format_money(Decimal("14500")) == "14\u00a0500,00"
    assert format_iban("kz86722s000001234567") == "KZ86 722S 0000 0123 4567"
    assert format_phone("+77011234567") == "+7 701 123 45 67"
    assert format_phone("8 (7172) 55-68-63") == "8 (7172) 55-68-63"


def test_the_verification_url_leads_to_the_public_site(monkeypatch):
    # given
    monkeypatch.setattr(render, "get_settings", lambda: Settings(public_base_url="https://balabaqsha.kz/"))

    # when
    url = verification_url("01JNQ8Z6V3", "7KQ2M9XD")

    # then
    assert url == "https://balabaqsha.kz/verify/01JNQ8Z6V3?c=7KQ2M9XD"
    assert verification_url("A1", "B2", base_url="http://127.0.0.1:9") == "http://127.0.0.1:9/verify/A1?c=B2"


@pytest.mark.parametrize("document_id", ["", "a b", "../etc", "x" * 65, "Құжат"])
def test_an_id_that_cannot_travel_in_a_url_is_refused(document_id: str):
    # when / then
    with pytest.raises(ValueError, match="document_id"):
        verification_url(document_id, "CODE", base_url="http://127.0.0.1")


def test_a_naive_issue_time_is_refused_before_anything_is_drawn():
    # when / then
    with pytest.raises(ValueError, match="issued_at"):
        render_document(
            DocumentKind.REGISTRATION_NOTICE,
            SAMPLES[DocumentKind.REGISTRATION_NOTICE],
            document_id="A1",
            check_code="B2",
            issued_at=datetime(2026, 3, 2, 10, 30),
        )


def test_modules_that_do_not_render_do_not_load_reportlab():
    # given: a fresh interpreter that imports the public API and the data, and the engine without rendering
    probe = (
        "import sys\n"
        "import chalicelib.documents.render, chalicelib.documents.data, chalicelib.documents.catalog\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'reportlab', 'segno'})\n"
        "assert not heavy, heavy\n"
        "import chalicelib.documents.pdf\n"
        "from reportlab.pdfbase import pdfmetrics\n"
        "assert 'DejaVuSans' not in pdfmetrics.getRegisteredFontNames(), 'fonts registered at import'\n"
    )

    # when
    root = Path(__file__).resolve().parents[3]
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, cwd=root)

    # then
    assert result.returncode == 0, result.stderr
