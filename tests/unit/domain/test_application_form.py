"""The queue application: what is signed is what is read back, and its rules."""

from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from chalicelib.domain.application_form import (
    Address,
    Applicant,
    ApplicationForm,
    Child,
    KindergartenChoice,
    age_on,
    application_xml,
    check_application,
    read_application,
)
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.iin import make_iin

NOW = datetime(2026, 11, 25, 6, 0, tzinfo=UTC)
KG = {
    "kg-1": KindergartenChoice("kg-1", "astana", "esil", ("kk", "ru"), 2),
    "kg-2": KindergartenChoice("kg-2", "astana", "esil", ("kk",), 2),
    "kg-3": KindergartenChoice("kg-3", "astana", "esil", ("ru",), 2),
    "kg-4": KindergartenChoice("kg-4", "astana", "esil", ("kk", "ru"), 2),
    "kg-9": KindergartenChoice("kg-9", "astana", "almaty", ("kk", "ru"), 2),
}


def form(child_birth: date = date(2023, 5, 4), **changes) -> ApplicationForm:
    base = ApplicationForm(
        applicant=Applicant(
            iin=make_iin(date(1990, 1, 1), "female", 1234),
            surname="Сапарова",
            given_name="Әйгерім",
            patronymic="Қайратқызы",
            birth_date=date(1990, 1, 1),
            address=Address("Астана", "Есіл", "Мәңгілік Ел даңғылы", "10", "25"),
            email="aigerim@mail.kz",
            phone="+77011234567",
        ),
        child=Child(
            iin=make_iin(child_birth, "male", 77),
            surname="Сапаров",
            given_name="Нұрсұлтан",
            patronymic="",
            birth_date=child_birth,
            sex="male",
        ),
        region="astana",
        district="esil",
        kindergartens=("kg-1",),
        language="kk",
        benefit=None,
    )
    return base.__class__(**{**base.__dict__, **changes})


def check(application: ApplicationForm) -> None:
    check_application(application, now=NOW, school_age_years=7, kindergartens=KG, benefit_codes={"large_family"})


def test_what_is_signed_is_what_is_read_back():
    # given a form with every field
    original = form(kindergartens=("kg-1", "kg-2"), benefit="large_family", attachments=("u1", "u2"))
    # when it is turned into the document to sign and read back from the parsed element
    root = etree.fromstring(application_xml(original, NOW).encode())
    # then nothing is lost or changed
    assert read_application(root) == original


def test_child_birth_date_and_sex_come_from_the_iin_not_from_the_form():
    # given a document whose child birth date text disagrees with the IIN
    root = etree.fromstring(application_xml(form(), NOW).encode())
    root.find("child/birthDate").text = "2015-01-01"
    # when read
    child = read_application(root).child
    # then the IIN decides
    assert child.birth_date == date(2023, 5, 4)


def test_a_valid_application_passes():
    check(form(kindergartens=("kg-1", "kg-2")))


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"kindergartens": ("kg-1", "kg-2", "kg-4", "kg-3")}, "application.too_many_kindergartens"),
        ({"kindergartens": ("kg-1", "kg-1")}, "application.too_many_kindergartens"),
        ({"kindergartens": ()}, "application.no_kindergarten"),
        ({"kindergartens": ("kg-9",)}, "application.kindergarten_outside_district"),
        ({"kindergartens": ("nope",)}, "application.kindergarten_outside_district"),
        ({"kindergartens": ("kg-3",)}, "application.language_not_taught"),
        ({"benefit": "made_up", "attachments": ("u1",)}, "application.unknown_benefit"),
        ({"benefit": "large_family"}, "application.benefit_without_documents"),
    ],
)
def test_broken_rules_are_refused_naming_them(changes, code):
    with pytest.raises(InvalidInput) as refused:
        check(form(**changes))
    assert refused.value.code == code
    assert refused.value.kk and refused.value.ru


def test_a_child_of_school_age_is_refused():
    # given a child who turned 7 yesterday (Almaty time)
    with pytest.raises(InvalidInput) as refused:
        check(form(child_birth=date(2019, 11, 24)))
    assert refused.value.code == "application.school_age"


def test_a_child_turning_seven_tomorrow_may_still_apply():
    check(form(child_birth=date(2019, 11, 26)))


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)), st.integers(0, 3000))
def test_age_grows_by_one_exactly_on_the_birthday(birth, days):
    from datetime import timedelta

    day = birth + timedelta(days=days)
    years = age_on(birth, day)
    assert 0 <= years <= days // 365 + 1
    if (day.month, day.day) == (birth.month, birth.day):
        assert years == day.year - birth.year
