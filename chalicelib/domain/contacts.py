"""Contact details: every notification goes to the e-mail and mobile phone, so both must be real."""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.domain.errors import InvalidInput

_LABELS = {
    "email": ("электрондық пошта", "электронная почта"),
    "extra_email": ("қосымша электрондық пошта", "дополнительная электронная почта"),
    "phone": ("ұялы телефон", "мобильный телефон"),
    "extra_phone": ("қосымша телефон", "дополнительный телефон"),
    "representative.email": ("электрондық поштаның адресі", "адрес электронной почты"),
    "representative.phone": ("негізгі телефон нөмірі", "основной номер телефона"),
    "representative.extra_phone": ("қосымша телефон нөмірі", "дополнительный номер телефона"),
}


@dataclass(frozen=True)
class Contacts:
    email: str
    phone: str  # E.164, e.g. +77011234567
    extra_email: str | None = None
    extra_phone: str | None = None


def normalise_email(value: str, field: str = "email") -> str:
    """A syntactically valid e-mail address, normalised; refused with the field named."""
    from email_validator import EmailNotValidError, validate_email  # on first use (cold start)

    try:
        return validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidInput(
            "contacts.invalid_email",
            f"Электрондық пошта мекенжайы қате ({_LABELS[field][0]}).",
            f"Неверный адрес электронной почты ({_LABELS[field][1]}).",
            details={"field": field},
        ) from error


def normalise_mobile(value: str, field: str = "phone") -> str:
    """A Kazakhstan mobile number in E.164 (+7 7xx …); landlines cannot receive SMS."""
    import phonenumbers  # on first use (cold start)

    refusal = InvalidInput(
        "contacts.invalid_phone",
        f"Ұялы телефон нөмірі қате ({_LABELS[field][0]}): мысалы, +7 701 123 45 67.",
        f"Неверный номер мобильного телефона ({_LABELS[field][1]}): например, +7 701 123 45 67.",
        details={"field": field},
    )
    try:
        number = phonenumbers.parse(value, "KZ")
    except phonenumbers.NumberParseException as error:
        raise refusal from error
    if (
        not phonenumbers.is_valid_number(number)
        or phonenumbers.region_code_for_number(number) != "KZ"
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise refusal
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_contacts(
    email: str, phone: str, extra_email: str | None = None, extra_phone: str | None = None
) -> Contacts:
    """Required e-mail and mobile phone, optional extra ones, each checked.

    Every wrong field is named at once (``details.fields``, each with its own kk and ru message),
    so the parent corrects them all in one go; ``details.field`` is the first of them.
    """
    checks = (
        ("email", lambda: normalise_email(email)),
        ("phone", lambda: normalise_mobile(phone)),
        ("extra_email", lambda: normalise_email(extra_email, "extra_email") if extra_email else None),
        ("extra_phone", lambda: normalise_mobile(extra_phone, "extra_phone") if extra_phone else None),
    )
    values: dict[str, str | None] = {}
    refused: list[InvalidInput] = []
    for name, check in checks:
        try:
            values[name] = check()
        except InvalidInput as error:
            refused.append(error)
    if len(refused) == 1:
        raise refused[0]
    if refused:
        raise InvalidInput(
            refused[0].code,
            " ".join(error.kk for error in refused),
            " ".join(error.ru for error in refused),
            details={
                "field": (refused[0].details or {}).get("field"),
                "fields": [
                    {"field": (error.details or {}).get("field"), "kk": error.kk, "ru": error.ru} for error in refused
                ],
            },
        )
    return Contacts(
        email=values["email"] or "",
        phone=values["phone"] or "",
        extra_email=values["extra_email"],
        extra_phone=values["extra_phone"],
    )
