"""IIN and BIN: Kazakhstan's 12-digit identification numbers of people (ЖСН/ИИН) and organisations (БСН/БИН).

An IIN carries the birth date (YYMMDD), a 7th digit that gives the century and the sex
(1/2: 1800s male/female, 3/4: 1900s, 5/6: 2000s), a 4-digit serial and a check digit.
A BIN carries the registration year and month (YYMM), the kind of entity (5th digit:
4 resident, 5 non-resident, 6 individual entrepreneur in joint venture), the kind of unit
(6th digit: 0 head office, 1 branch, 2 representative office, 3 peasant farm), a serial and
the same check digit.

Check digit: the first 11 digits weighted 1..11, modulo 11; when that gives 10, weighted
3,4,5,6,7,8,9,10,11,1,2 modulo 11; when that gives 10 again, the number cannot exist.
The 11th digit weighs 11 ≡ 0 in the first pass, so a mistyped 11th digit (the last serial
digit) passes unless the second pass decides; every other single typo is caught, except
where the second pass decides on one side (the tests state both blind spots exactly).
No maintained library does this (python-stdnum has no ``kz``), hence this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from chalicelib.domain.errors import InvalidInput

Sex = Literal["male", "female"]

_PRIMARY_WEIGHTS = tuple(range(1, 12))
_SECONDARY_WEIGHTS = (3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2)
_CENTURY_BASE = {1: 1800, 2: 1800, 3: 1900, 4: 1900, 5: 2000, 6: 2000}
_BIN_ENTITY_TYPES = frozenset("456")
_BIN_UNIT_TYPES = frozenset("0123")


@dataclass(frozen=True)
class IinInfo:
    """What an IIN says about its holder."""

    iin: str
    birth_date: date
    sex: Sex


def _weighted(digits: str, weights: tuple[int, ...]) -> int:
    return sum(int(d) * w for d, w in zip(digits, weights, strict=True)) % 11


def primary_remainder(first11: str) -> int:
    """The first-pass remainder (weights 1..11); 10 means the second pass decides the check digit."""
    return _weighted(first11, _PRIMARY_WEIGHTS)


def iin_checksum(first11: str) -> int | None:
    """The check digit for the first 11 digits, or None when no check digit exists for them.

    Shared by IIN and BIN.
    """
    if len(first11) != 11 or not first11.isascii() or not first11.isdigit():
        raise ValueError("the check digit is computed from exactly 11 decimal digits")
    remainder = primary_remainder(first11)
    if remainder == 10:
        remainder = _weighted(first11, _SECONDARY_WEIGHTS)
    return None if remainder == 10 else remainder


def _has_valid_check_digit(value: str) -> bool:
    return iin_checksum(value[:11]) == int(value[11])


def _is_twelve_digits(value: object) -> bool:
    return isinstance(value, str) and len(value) == 12 and value.isascii() and value.isdigit()


def _refusal(code: str, kk: str, ru: str, field: str) -> InvalidInput:
    return InvalidInput(f"iin.{code}", kk, ru, details={"field": field})


def parse_iin(value: str, *, field: str = "iin") -> IinInfo:
    """The birth date and sex an IIN encodes; refused with a message naming what is wrong.

    ``field`` names the form field in the refusal (``iin``, ``child_iin`` …).
    """
    if not _is_twelve_digits(value):
        raise _refusal(
            "format",
            "ЖСН 12 цифрдан тұруы керек.",
            "ИИН должен состоять из 12 цифр.",
            field,
        )
    century_digit = int(value[6])
    if century_digit not in _CENTURY_BASE:
        raise _refusal(
            "century",
            "ЖСН-ның 7-цифры (ғасыр мен жынысы) 1-ден 6-ға дейін болуы керек.",
            "7-я цифра ИИН (век и пол) должна быть от 1 до 6.",
            field,
        )
    try:
        birth_date = date(_CENTURY_BASE[century_digit] + int(value[:2]), int(value[2:4]), int(value[4:6]))
    except ValueError:
        raise _refusal(
            "birth_date",
            "ЖСН-ның алғашқы 6 цифры (ЖЖААКК) нақты туған күнді көрсетпейді.",
            "Первые 6 цифр ИИН (ГГММДД) не образуют существующую дату рождения.",
            field,
        ) from None
    if not _has_valid_check_digit(value):
        raise _refusal(
            "checksum",
            "ЖСН-ның бақылау цифры сәйкес келмейді: нөмірді тексеріңіз.",
            "Контрольная цифра ИИН не сходится: проверьте номер.",
            field,
        )
    return IinInfo(iin=value, birth_date=birth_date, sex="male" if century_digit % 2 else "female")


def is_valid_iin(value: str) -> bool:
    """True when ``value`` is a well-formed IIN with a real birth date and a matching check digit."""
    try:
        parse_iin(value)
    except InvalidInput:
        return False
    return True


def make_iin(birth_date: date, sex: Sex, serial: int) -> str:
    """The IIN of a person born on ``birth_date`` with this sex and 4-digit serial (0–9999).

    Raises ValueError for a birth year outside 1800–2099 or a serial for which no check
    digit exists (about one serial in a hundred: take the next one).
    """
    if not 1800 <= birth_date.year <= 2099:
        raise ValueError("an IIN encodes birth years 1800–2099 only")
    if not 0 <= serial <= 9999:
        raise ValueError("the IIN serial has four digits (0–9999)")
    if sex not in ("male", "female"):
        raise ValueError("sex is 'male' or 'female'")
    century_digit = (birth_date.year // 100 - 18) * 2 + (1 if sex == "male" else 2)
    first11 = f"{birth_date:%y%m%d}{century_digit}{serial:04d}"
    check = iin_checksum(first11)
    if check is None:
        raise ValueError(f"no check digit exists for serial {serial}: use another serial")
    return f"{first11}{check}"


def is_valid_bin(value: str) -> bool:
    """True when ``value`` is a well-formed BIN: YYMM of registration, entity and unit kind, check digit."""
    if not _is_twelve_digits(value):
        return False
    if not 1 <= int(value[2:4]) <= 12:
        return False
    if value[4] not in _BIN_ENTITY_TYPES or value[5] not in _BIN_UNIT_TYPES:
        return False
    return _has_valid_check_digit(value)


def make_bin(registered: date, serial: int, *, entity_type: int = 4, unit_type: int = 0) -> str:
    """The BIN of an organisation registered in the month of ``registered`` with a 5-digit serial.

    Raises ValueError for an impossible entity or unit kind, or a serial without a check digit.
    """
    if str(entity_type) not in _BIN_ENTITY_TYPES or str(unit_type) not in _BIN_UNIT_TYPES:
        raise ValueError("entity type is 4, 5 or 6; unit type is 0, 1, 2 or 3")
    if not 0 <= serial <= 99999:
        raise ValueError("the BIN serial has five digits (0–99999)")
    first11 = f"{registered:%y%m}{entity_type}{unit_type}{serial:05d}"
    check = iin_checksum(first11)
    if check is None:
        raise ValueError(f"no check digit exists for serial {serial}: use another serial")
    return f"{first11}{check}"
