"""How values look in a document: dates DD.MM.YYYY in Asia/Almaty, tenge with grouped digits, IBAN in fours."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from chalicelib.clock import local_time

NBSP = "\u00a0"


def _local(at: datetime) -> datetime:
    if at.tzinfo is None:
        raise ValueError("a datetime must be timezone-aware")
    return local_time(at)


def format_date(value: date | datetime) -> str:
    """``DD.MM.YYYY``; an instant is shown as its calendar day in Kazakhstan."""
    day = _local(value).date() if isinstance(value, datetime) else value
    return day.strftime("%d.%m.%Y")


def format_datetime(value: datetime, *, seconds: bool = False) -> str:
    """``DD.MM.YYYY HH:MM`` (or with seconds) in Asia/Almaty."""
    return _local(value).strftime("%d.%m.%Y %H:%M:%S" if seconds else "%d.%m.%Y %H:%M")


def format_money(amount: Decimal) -> str:
    """``12 500,00``: groups of three separated by no-break spaces, comma before the tiyn."""
    quantized = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    whole, _, fraction = f"{quantized:.2f}".partition(".")
    sign = "-" if whole.startswith("-") else ""
    digits = whole.lstrip("-")
    groups = [digits[max(0, end - 3) : end] for end in range(len(digits), 0, -3)][::-1]
    return f"{sign}{NBSP.join(groups)},{fraction}"


def format_iban(iban: str) -> str:
    """An IBAN in groups of four, as printed on bank documents."""
    compact = "".join(iban.split()).upper()
    return " ".join(compact[i : i + 4] for i in range(0, len(compact), 4))


def format_phone(phone: str) -> str:
    """A Kazakhstan number in E.164 (``+77011234567``) as ``+7 701 123 45 67``; anything else as given."""
    digits = phone[1:] if phone.startswith("+") else ""
    if len(digits) == 11 and digits.isdigit() and digits[0] == "7":
        return f"+7 {digits[1:4]} {digits[4:7]} {digits[7:9]} {digits[9:11]}"
    return phone
