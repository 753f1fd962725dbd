"""IIN and BIN: what a mistyped number does, and that every number we make is one a parent could have."""

from datetime import date

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.iin import (
    iin_checksum,
    is_valid_bin,
    is_valid_iin,
    make_bin,
    make_iin,
    parse_iin,
    primary_remainder,
)

birth_dates = st.dates(min_value=date(1800, 1, 1), max_value=date(2099, 12, 31))
sexes = st.sampled_from(["male", "female"])
serials = st.integers(min_value=0, max_value=9999)


def _made(birth_date, sex, serial) -> str:
    try:
        return make_iin(birth_date, sex, serial)
    except ValueError:
        assume(False)
        raise


@given(birth_dates, sexes, serials)
def test_every_made_iin_parses_back_to_its_birth_date_and_sex(birth_date, sex, serial):
    # given an IIN made for a person
    iin = _made(birth_date, sex, serial)
    # when it is read
    info = parse_iin(iin)
    # then it says who was born when
    assert (info.iin, info.birth_date, info.sex) == (iin, birth_date, sex)
    assert len(iin) == 12 and iin.isdigit()


@given(
    birth_dates,
    sexes,
    serials,
    st.integers(min_value=0, max_value=11).filter(lambda position: position != 10),
    st.integers(min_value=1, max_value=9),
)
def test_a_mistyped_digit_is_caught_or_changes_what_the_iin_says(birth_date, sex, serial, position, shift):
    # given a valid IIN with one digit (other than the 11th) mistyped
    iin = _made(birth_date, sex, serial)
    typo = iin[:position] + str((int(iin[position]) + shift) % 10) + iin[position + 1 :]
    # when it is checked
    if not is_valid_iin(typo):
        return
    # then a typo that still passes either reads as someone else (date or sex) or went through the
    # documented blind spot of the algorithm: a first-pass remainder of 10 on one side
    info = parse_iin(typo)
    assert (
        (info.birth_date, info.sex) != (birth_date, sex)
        or primary_remainder(iin[:11]) == 10
        or primary_remainder(typo[:11]) == 10
    )


@given(birth_dates, sexes, serials, st.integers(min_value=1, max_value=9))
def test_a_mistyped_eleventh_digit_passes_unless_the_second_pass_decides(birth_date, sex, serial, shift):
    # given a valid IIN whose 11th digit (weight 11, i.e. 0 modulo 11) is mistyped
    iin = _made(birth_date, sex, serial)
    typo = iin[:10] + str((int(iin[10]) + shift) % 10) + iin[11]
    # then the first pass cannot see it: the typo passes exactly when neither side needs the second pass
    if primary_remainder(iin[:11]) != 10 and primary_remainder(typo[:11]) != 10:
        assert parse_iin(typo).birth_date == birth_date


@given(birth_dates, sexes, serials)
def test_a_wrong_check_digit_is_always_refused(birth_date, sex, serial):
    # given a valid IIN and every other last digit
    iin = _made(birth_date, sex, serial)
    for digit in "0123456789":
        if digit == iin[-1]:
            continue
        # when / then
        with pytest.raises(InvalidInput) as refused:
            parse_iin(iin[:11] + digit)
        assert refused.value.code == "iin.checksum"


def test_a_serial_without_a_check_digit_gives_no_valid_iin():
    # given the serials for which both weightings give 10 (born 1 January 2000, male)
    impossible = [serial for serial in range(10000) if iin_checksum(f"0001015{serial:04d}") is None]
    assert impossible
    for serial in impossible:
        first11 = f"0001015{serial:04d}"
        # then no 12th digit makes an IIN of them, and make_iin refuses them
        assert not any(is_valid_iin(first11 + d) for d in "0123456789")
        with pytest.raises(ValueError):
            make_iin(date(2000, 1, 1), "male", serial)


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("12345678901", "iin.format"),  # 11 digits
        ("1234567890123", "iin.format"),
        ("90031431000a", "iin.format"),
        ("９００３１４３１０００２", "iin.format"),  # full-width digits are not ASCII
        ("", "iin.format"),
        ("900314010002", "iin.century"),  # 7th digit 0
        ("900314710002", "iin.century"),  # 7th digit 7
        ("901314310002", "iin.birth_date"),  # month 13
        ("900230310002", "iin.birth_date"),  # 30 February
        ("010229510002", "iin.birth_date"),  # 29 February 2001 (not a leap year)
        ("900314310003", "iin.checksum"),
        ("123456789011", "iin.century"),  # the IIN of the NCA test certificates: 7th digit 7
    ],
)
def test_a_bad_iin_is_refused_naming_the_problem_in_both_languages(value, code):
    # when
    with pytest.raises(InvalidInput) as refused:
        parse_iin(value, field="child.iin")
    # then
    assert refused.value.code == code
    assert refused.value.details == {"field": "child.iin"}
    assert "ЖСН" in refused.value.kk and "ИИН" in refused.value.ru
    assert not is_valid_iin(value)


def test_known_iin_reads_as_a_man_born_in_1990():
    # given the IIN of a demo parent (born 14 March 1990)
    info = parse_iin("900314310002")
    # then
    assert info.birth_date == date(1990, 3, 14)
    assert info.sex == "male"


@pytest.mark.parametrize(
    ("digit", "century", "sex"),
    [("1", 1800, "male"), ("2", 1800, "female"), ("3", 1900, "male"), ("4", 1900, "female"),
     ("5", 2000, "male"), ("6", 2000, "female")],
)
def test_the_seventh_digit_gives_century_and_sex(digit, century, sex):
    # given
    iin = make_iin(date(century + 12, 5, 6), sex, 42)
    # then
    assert iin[6] == digit
    assert parse_iin(iin).birth_date.year == century + 12


def test_leap_day_births_are_real_dates():
    # given a child born on 29 February 2024
    iin = make_iin(date(2024, 2, 29), "female", 917)
    # then
    assert parse_iin(iin).birth_date == date(2024, 2, 29)


def test_make_iin_refuses_what_cannot_be_encoded():
    with pytest.raises(ValueError):
        make_iin(date(2100, 1, 1), "male", 1)
    with pytest.raises(ValueError):
        make_iin(date(2020, 1, 1), "male", 10000)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2099, 12, 31)),
    st.integers(min_value=0, max_value=99999),
    st.sampled_from([4, 5, 6]),
    st.sampled_from([0, 1, 2, 3]),
)
def test_every_made_bin_is_valid_and_a_wrong_check_digit_is_not(registered, serial, entity, unit):
    # given a BIN made for an organisation
    try:
        bin_ = make_bin(registered, serial, entity_type=entity, unit_type=unit)
    except ValueError:
        assume(False)
        raise
    # then it is valid and says its registration month
    assert is_valid_bin(bin_)
    assert bin_[:4] == f"{registered:%y%m}"
    # and any other check digit is not
    assert not any(is_valid_bin(bin_[:11] + d) for d in "0123456789" if d != bin_[-1])


@pytest.mark.parametrize(
    "value",
    [
        "090840100001",  # wrong check digit
        "091340100000",  # month 13
        "090870100000",  # 5th digit 7: no such kind of entity
        "090845100000",  # 6th digit 5: no such kind of unit
        "09084010000",
        "0908401000000",
    ],
)
def test_bad_bins_are_refused(value):
    assert not is_valid_bin(value)


def test_demo_kindergarten_bin_is_valid():
    assert is_valid_bin("090840100000")
