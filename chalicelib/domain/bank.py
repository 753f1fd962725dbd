"""The parent's bank account in a contract: a Kazakhstan IBAN (ИИК) and the BIC of its bank.

Parents often type their payment-card number where the account number is asked for
("Банк картасының (MASTER/VISA) нөмірі және банк шотының нөмірі – әр түрлі нөмірлер"), so a
card number is recognised and refused with the guide's own explanation. Check digits, the
bank code and the bank's BIC come from schwifty and its Kazakhstan bank registry.

The IBAN check digits (ISO 7064 MOD 97-10) catch every single substitution of a digit for a
digit or a letter for a letter. A digit typed for a letter (or the reverse) in the account
part changes the length of the number that is checked, so about one such slip in 97 passes.
"""

from __future__ import annotations

import re

from schwifty import BIC, IBAN
from schwifty.exceptions import InvalidChecksumDigits, SchwiftyException

from chalicelib.domain.errors import InvalidInput

KZ_IBAN_LENGTH = 20
_SEPARATORS = re.compile(r"[\s\-]+")
_IBAN_SHAPE = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]+")
_CARD_PREFIXES = ("4", "5", "2")  # VISA; Mastercard (51–55 and 2221–2720)

_LABEL_IBAN = ("ИИК / IBAN (Банк шотының нөмірі)", "ИИК / IBAN (номер банковского счёта)")
_LABEL_BIC = ("БИК (Банктің сәйкестендіру коды)", "БИК (банковский идентификационный код)")
_IBAN_SHAPE_KK = "шот нөмірі KZ әріптерінен басталып, 20 латын әрпі мен цифрдан тұрады"
_IBAN_SHAPE_RU = "номер счёта начинается с букв KZ и состоит из 20 латинских букв и цифр"

CARD_NUMBER_KK = (
    "Банк картасының (MASTER/VISA) нөмірі және банк шотының нөмірі – әр түрлі нөмірлер, олар бірдей "
    "болмайды. Бұл қадамда банк шотының нөмірін көрсетуіңіз керек. Оны банктің қосымшасынан қарауға "
    "болады немесе банктің менеджеріне жолығуыңыз керек."
)
CARD_NUMBER_RU = (
    "Номер банковской карты (MASTER/VISA) и номер банковского счёта – разные номера, они не "
    "совпадают. На этом шаге нужно указать номер банковского счёта. Его можно посмотреть в "
    "приложении банка или узнать у менеджера банка."
)


def _compact(value: str) -> str:
    """Without spaces and dashes, upper-case; a non-ASCII letter stays non-ASCII (``ı`` is not ``I``)."""
    stripped = _SEPARATORS.sub("", value)
    return stripped.upper() if stripped.isascii() else stripped


def _luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = int(char)
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def looks_like_card(value: str) -> bool:
    """Whether ``value`` is a payment-card number (MASTER/VISA etc.) rather than an account number.

    Spaces and dashes are ignored; 13–19 digits passing the Luhn check, or 16 digits starting
    with 4, 5 or 2 (a card number with a typo is still a card number).
    """
    digits = _SEPARATORS.sub("", value)
    if not digits.isascii() or not digits.isdigit():
        return False
    if 13 <= len(digits) <= 19 and _luhn_valid(digits):
        return True
    return len(digits) == 16 and digits.startswith(_CARD_PREFIXES)


def _iban_refusal(code: str, kk: str, ru: str, field: str) -> InvalidInput:
    return InvalidInput(
        f"bank.{code}",
        f"«{_LABEL_IBAN[0]}» өрісі: {kk}",
        f"Поле «{_LABEL_IBAN[1]}»: {ru}",
        details={"field": field},
    )


def _registered_bank(iban: IBAN) -> tuple[str, str] | None:
    bank = iban.bank
    if bank is None or not bank.bic:
        return None
    name = (bank.name or "").strip()
    return bank.bic, name if len(name) >= 3 else bank.bic


def _checked(value: str, field: str) -> tuple[str, tuple[str, str]]:
    compact = _compact(value) if isinstance(value, str) else ""
    if looks_like_card(compact):
        raise _iban_refusal(
            "iban_is_card",
            f"{CARD_NUMBER_KK} {_IBAN_SHAPE_KK[0].upper()}{_IBAN_SHAPE_KK[1:]}.",
            f"{CARD_NUMBER_RU} {_IBAN_SHAPE_RU[0].upper()}{_IBAN_SHAPE_RU[1:]}.",
            field,
        )
    if not compact.isascii() or not _IBAN_SHAPE.fullmatch(compact):
        raise _iban_refusal("iban_format", f"{_IBAN_SHAPE_KK}.", f"{_IBAN_SHAPE_RU}.", field)
    if not compact.startswith("KZ"):
        raise _iban_refusal(
            "iban_not_kz",
            f"тек Қазақстан банктеріндегі шот қабылданады: {_IBAN_SHAPE_KK}.",
            f"принимается только счёт в банке Казахстана: {_IBAN_SHAPE_RU}.",
            field,
        )
    if len(compact) != KZ_IBAN_LENGTH:
        raise _iban_refusal(
            "iban_format",
            f"{len(compact)} таңба енгізілді, ал {_IBAN_SHAPE_KK}.",
            f"введено знаков: {len(compact)}, а {_IBAN_SHAPE_RU}.",
            field,
        )
    try:
        iban = IBAN(compact)
    except InvalidChecksumDigits:
        raise _iban_refusal(
            "iban_checksum",
            "бақылау цифрлары сәйкес келмейді: нөмірді банктің қосымшасынан қайта көшіріп алыңыз.",
            "контрольные цифры не сходятся: скопируйте номер заново из приложения банка.",
            field,
        ) from None
    except SchwiftyException:
        raise _iban_refusal(
            "iban_format",
            f"банк коды (5–7 таңбалар) цифрлардан тұруы керек; {_IBAN_SHAPE_KK}.",
            f"код банка (знаки 5–7) должен состоять из цифр; {_IBAN_SHAPE_RU}.",
            field,
        ) from None
    bank = _registered_bank(iban)
    if bank is None:
        raise _iban_refusal(
            "iban_unknown_bank",
            f"{iban.bank_code} коды бар банк Қазақстан банктерінің тізімінде жоқ: нөмірді тексеріңіз.",
            f"банка с кодом {iban.bank_code} нет в перечне банков Казахстана: проверьте номер.",
            field,
        )
    return str(iban.compact), bank


def check_iban(value: str, *, field: str = "bank.iban") -> str:
    """The compact upper-case IBAN of an account in a Kazakhstan bank; refused naming the rule."""
    return _checked(value, field)[0]


def bank_of(iban: str) -> tuple[str, str] | None:
    """The BIC and name of the bank that holds the account ``iban``, from the registry; None if unknown."""
    try:
        return _registered_bank(IBAN(_compact(iban)))
    except SchwiftyException:
        return None


def _bank_name(bic: BIC) -> str | None:
    names = [name.strip() for name in bic.bank_names if len(name.strip()) >= 3]
    return names[0] if names else None


def check_bic(bic: str, iban: str, *, field: str = "bank.bic") -> str:
    """The compact BIC, valid and belonging to the bank of the account ``iban``; refused naming the rule.

    ``iban`` is checked first (refusals name ``bank.iban``). Only the first 8 characters are
    compared: an 11-character BIC names a branch (or, with the branch code of three X, the
    head office) of the bank its first 8 characters name.
    """
    _, (expected_bic, account_bank) = _checked(iban, "bank.iban")
    try:
        code = BIC(_compact(bic) if isinstance(bic, str) else "")
    except SchwiftyException:
        raise InvalidInput(
            "bank.bic_format",
            f"«{_LABEL_BIC[0]}» өрісі: БИК 8 немесе 11 латын әрпі мен цифрдан тұрады, мысалы CASPKZKA.",
            f"Поле «{_LABEL_BIC[1]}»: БИК состоит из 8 или 11 латинских букв и цифр, например CASPKZKA.",
            details={"field": field},
        ) from None
    if str(code)[:8] != expected_bic[:8]:
        owner = _bank_name(code)
        if owner:
            kk = f"БИК {code} «{owner}» банкіне тиесілі, ал шот (IBAN) «{account_bank}» банкінде ашылған"
            ru = f"БИК {code} принадлежит банку «{owner}», а счёт (IBAN) открыт в банке «{account_bank}»"
        else:
            kk = f"БИК {code} шот (IBAN) ашылған «{account_bank}» банкіне тиесілі емес"
            ru = f"БИК {code} не принадлежит банку «{account_bank}», в котором открыт счёт (IBAN)"
        raise InvalidInput(
            "bank.bic_mismatch",
            f"«{_LABEL_BIC[0]}» өрісі: {kk}. Бұл банктің БИК-і: {expected_bic}.",
            f"Поле «{_LABEL_BIC[1]}»: {ru}. БИК этого банка: {expected_bic}.",
            details={"field": field, "expected_bic": expected_bic, "bank": account_bank},
        )
    return str(code)
