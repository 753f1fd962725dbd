"""Steps 3–5 of the contract wizard: the legal representative, the contract details, the documents.

Each step's JSON is checked in full before it is saved. A refusal names the field by the label
the parent sees on the form (seed 000: "Заңды өкіл туралы ақпарат", "Шарттың деректемелері",
"құжаттарды жүктеу") and the rule that was broken, in Kazakh and Russian, with
``details.field`` giving the dotted path of the field. The checked values are frozen
dataclasses that round-trip through JSON for storage.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, TypeVar

from chalicelib.domain.bank import check_bic, check_iban
from chalicelib.domain.contacts import normalise_email, normalise_mobile
from chalicelib.domain.contracts import valid_register_code
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.iin import parse_iin
from chalicelib.domain.names import person_name

NAME_MAX = 100
ADDRESS_MAX = 300
TEXT_MAX = 200
EARLIEST_ISSUE_DATE = date(1990, 1, 1)

_LABELS: dict[str, tuple[str, str]] = {
    "representative": ("Заңды өкіл туралы ақпарат", "Сведения о законном представителе"),
    "details": ("Шарттың деректемелері", "Реквизиты договора"),
    "documents": ("Құжаттарды жүктеу", "Загрузка документов"),
    "representative.iin": ("ЖСН", "ИИН"),
    "representative.surname": ("Тегі", "Фамилия"),
    "representative.given_name": ("Аты", "Имя"),
    "representative.patronymic": ("Әкесінің аты", "Отчество"),
    "representative.authority": ("Өкілеттіктер", "Полномочия"),
    "representative.registered_address": ("Тіркелген мекенжайы", "Адрес регистрации"),
    "representative.actual_address": ("Тұрғылықты мекенжайы", "Фактический адрес"),
    "representative.workplace": ("Жұмыс орны", "Место работы"),
    "representative.position": ("Қызметі", "Должность"),
    "representative.phone": ("Негізгі телефон нөмірі", "Основной номер телефона"),
    "representative.extra_phone": ("Қосымша телефон нөмірі", "Дополнительный номер телефона"),
    "representative.email": ("Электрондық поштаның адресі", "Адрес электронной почты"),
    "identity_document": (
        "Баланың заңды өкілінің жеке басын куәландыратын мәліметтер",
        "Сведения о документе, удостоверяющем личность законного представителя ребёнка",
    ),
    "identity_document.kind": ("Жеке куәліктің түрі", "Вид документа, удостоверяющего личность"),
    "identity_document.number": ("Жеке куәліктің нөмірі", "Номер документа, удостоверяющего личность"),
    "identity_document.issued_on": ("Жеке куәліктің берілген күні", "Дата выдачи документа"),
    "identity_document.issued_by": ("Жеке куәлік беретін орган", "Орган, выдавший документ"),
    "bank": ("Заңды өкілдің банктік деректемелері", "Банковские реквизиты законного представителя"),
    "bank.bank": ("Банк", "Банк"),
    "bank.bic": ("БИК (Банктің сәйкестендіру коды)", "БИК (банковский идентификационный код)"),
    "bank.branch": ("Банк филиалының орналасқан жері", "Местонахождение филиала банка"),
    "bank.iban": ("ИИК / IBAN (Банк шотының нөмірі)", "ИИК / IBAN (номер банковского счёта)"),
    "documents.photo": ("Баланың фотосуреті", "Фотография ребёнка"),
    "documents.health_passport": ("Денсаулық паспорты", "Паспорт здоровья"),
    "documents.health_certificate": (
        "Денсаулық жағдайы туралы анықтама, 063-У нысаны",
        "Справка о состоянии здоровья, форма 063/у",
    ),
    "documents.pmpk": ("ПМПК қорытындысы", "Заключение ПМПК"),
}

_NAME_PUNCTUATION = frozenset(" -'’ʼ‘.")
_DOCUMENT_NUMBER = re.compile(r"[^\W_]{6,20}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_UPLOAD_ID = re.compile(r"[0-9a-f]{1,64}")
_NONCHARACTERS = frozenset("\ufffe\uffff")


class Authority(StrEnum):
    """On what ground the representative acts for the child (Өкілеттіктер / Полномочия)."""

    PARENT = "parent"
    GUARDIAN = "guardian"
    TRUSTEE = "trustee"
    ADOPTIVE_PARENT = "adoptive_parent"
    FOSTER_PARENT = "foster_parent"

    @property
    def kk(self) -> str:
        return _AUTHORITY_LABELS[self][0]

    @property
    def ru(self) -> str:
        return _AUTHORITY_LABELS[self][1]


_AUTHORITY_LABELS: dict[Authority, tuple[str, str]] = {
    Authority.PARENT: ("ата-ана", "родитель"),
    Authority.GUARDIAN: ("қорғаншы", "опекун"),
    Authority.TRUSTEE: ("қамқоршы", "попечитель"),
    Authority.ADOPTIVE_PARENT: ("асырап алушы", "усыновитель"),
    Authority.FOSTER_PARENT: ("патронаттық тәрбиеші", "патронатный воспитатель"),
}


class IdentityDocumentKind(StrEnum):
    """The representative's identity document (Жеке куәліктің түрі)."""

    ID_CARD = "id_card"
    PASSPORT = "passport"
    RESIDENCE_PERMIT = "residence_permit"
    STATELESS_CERTIFICATE = "stateless_certificate"

    @property
    def kk(self) -> str:
        return _DOCUMENT_KIND_LABELS[self][0]

    @property
    def ru(self) -> str:
        return _DOCUMENT_KIND_LABELS[self][1]


_DOCUMENT_KIND_LABELS: dict[IdentityDocumentKind, tuple[str, str]] = {
    IdentityDocumentKind.ID_CARD: ("жеке куәлік", "удостоверение личности"),
    IdentityDocumentKind.PASSPORT: ("паспорт", "паспорт"),
    IdentityDocumentKind.RESIDENCE_PERMIT: ("ықтиярхат", "вид на жительство"),
    IdentityDocumentKind.STATELESS_CERTIFICATE: (
        "азаматтығы жоқ адамның куәлігі",
        "удостоверение лица без гражданства",
    ),
}


@dataclass(frozen=True)
class Representative:
    """The child's legal representative who signs the contract (step 3)."""

    iin: str
    surname: str
    given_name: str
    patronymic: str | None
    authority: Authority
    registered_address: str
    actual_address: str
    workplace: str
    position: str
    phone: str  # E.164, e.g. +77011234567
    extra_phone: str | None
    email: str

    @property
    def full_name(self) -> str:
        return person_name(self.surname, self.given_name, self.patronymic)

    def to_json(self) -> dict[str, Any]:
        return {
            "iin": self.iin,
            "surname": self.surname,
            "given_name": self.given_name,
            "patronymic": self.patronymic,
            "authority": str(self.authority),
            "registered_address": self.registered_address,
            "actual_address": self.actual_address,
            "workplace": self.workplace,
            "position": self.position,
            "phone": self.phone,
            "extra_phone": self.extra_phone,
            "email": self.email,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Representative:
        return cls(
            iin=data["iin"],
            surname=data["surname"],
            given_name=data["given_name"],
            patronymic=data.get("patronymic"),
            authority=Authority(data["authority"]),
            registered_address=data["registered_address"],
            actual_address=data["actual_address"],
            workplace=data["workplace"],
            position=data["position"],
            phone=data["phone"],
            extra_phone=data.get("extra_phone"),
            email=data["email"],
        )


@dataclass(frozen=True)
class IdentityDocument:
    kind: IdentityDocumentKind
    number: str
    issued_on: date
    issued_by: str

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": str(self.kind),
            "number": self.number,
            "issued_on": self.issued_on.isoformat(),
            "issued_by": self.issued_by,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> IdentityDocument:
        return cls(
            kind=IdentityDocumentKind(data["kind"]),
            number=data["number"],
            issued_on=date.fromisoformat(data["issued_on"]),
            issued_by=data["issued_by"],
        )


@dataclass(frozen=True)
class BankDetails:
    """The representative's account: the bank name as entered, its BIC, the branch, the IBAN."""

    bank: str
    bic: str
    branch: str
    iban: str

    def to_json(self) -> dict[str, Any]:
        return {"bank": self.bank, "bic": self.bic, "branch": self.branch, "iban": self.iban}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> BankDetails:
        return cls(bank=data["bank"], bic=data["bic"], branch=data["branch"], iban=data["iban"])


@dataclass(frozen=True)
class ContractDetails:
    """Step 4: the representative's identity document and bank account."""

    identity_document: IdentityDocument
    bank: BankDetails

    def to_json(self) -> dict[str, Any]:
        return {"identity_document": self.identity_document.to_json(), "bank": self.bank.to_json()}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContractDetails:
        return cls(
            identity_document=IdentityDocument.from_json(data["identity_document"]),
            bank=BankDetails.from_json(data["bank"]),
        )


@dataclass(frozen=True)
class ContractDocuments:
    """Step 5: upload ids of the child's photo, health passport, form 063/у and the optional PMPK conclusion."""

    photo: str
    health_passport: str
    health_certificate: str
    pmpk: str | None

    def upload_ids(self) -> tuple[str, ...]:
        """Every uploaded document, in the order of the form."""
        ids = (self.photo, self.health_passport, self.health_certificate, self.pmpk)
        return tuple(upload for upload in ids if upload)

    def to_json(self) -> dict[str, Any]:
        return {
            "photo": self.photo,
            "health_passport": self.health_passport,
            "health_certificate": self.health_certificate,
            "pmpk": self.pmpk,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ContractDocuments:
        return cls(
            photo=data["photo"],
            health_passport=data["health_passport"],
            health_certificate=data["health_certificate"],
            pmpk=data.get("pmpk"),
        )


def _refusal(code: str, field: str, kk: str, ru: str, **details: Any) -> InvalidInput:
    return InvalidInput(code, kk, ru, details={"field": field, **details})


def _only_known(raw: object, allowed: tuple[str, ...], prefix: str, section: str) -> Mapping[str, Any]:
    """``raw`` as a mapping with no key outside ``allowed``."""
    if not isinstance(raw, Mapping):
        kk, ru = _LABELS[section]
        raise _refusal(
            "contract.field_invalid",
            section,
            f"«{kk}» бөлімі өрістер жиынтығы (JSON объектісі) болуы керек.",
            f"Раздел «{ru}» должен быть набором полей (объектом JSON).",
        )
    unknown = sorted(str(key) for key in raw if key not in allowed)
    if unknown:
        path = f"{prefix}{unknown[0]}"
        raise _refusal(
            "request.unknown_field",
            path,
            f"Сұрауда белгісіз өріс бар: {path}.",
            f"В запросе неизвестное поле: {path}.",
        )
    return raw


def _is_empty(value: object) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _required(raw: Mapping[str, Any], key: str, field: str, max_length: int) -> str:
    """The field's text with whitespace trimmed and collapsed; refused when missing, not text or too long."""
    kk, ru = _LABELS[field]
    value = raw.get(key)
    if _is_empty(value):
        raise _refusal(
            "contract.field_required",
            field,
            f"«{kk}» өрісін толтырыңыз.",
            f"Заполните поле «{ru}».",
        )
    if not isinstance(value, str):
        raise _refusal(
            "contract.field_invalid",
            field,
            f"«{kk}» өрісінің мәні мәтін болуы керек.",
            f"Значение поля «{ru}» должно быть текстом.",
        )
    text = " ".join(value.split())
    if any(unicodedata.category(char) in ("Cc", "Cs") or char in _NONCHARACTERS for char in text):
        raise _refusal(
            "contract.field_invalid",
            field,
            f"«{kk}» өрісінде рұқсат етілмеген таңбалар бар.",
            f"Поле «{ru}» содержит недопустимые символы.",
        )
    if len(text) > max_length:
        raise _refusal(
            "contract.field_too_long",
            field,
            f"«{kk}» өрісі {max_length} таңбадан аспауы керек.",
            f"Поле «{ru}» должно быть не длиннее {max_length} знаков.",
            max_length=max_length,
        )
    return text


def _optional(raw: Mapping[str, Any], key: str, field: str, max_length: int) -> str | None:
    """Like :func:`_required`, but None when the field is absent, null or blank."""
    return None if _is_empty(raw.get(key)) else _required(raw, key, field, max_length)


def _person_name(text: str, field: str) -> str:
    if any(char.isalpha() for char in text) and all(char.isalpha() or char in _NAME_PUNCTUATION for char in text):
        return text
    kk, ru = _LABELS[field]
    raise _refusal(
        "contract.field_invalid",
        field,
        f"«{kk}» өрісінде тек әріптер, бос орын, сызықша және апостроф болуы мүмкін.",
        f"Поле «{ru}» может содержать только буквы, пробелы, дефис и апостроф.",
    )


Choice = TypeVar("Choice", Authority, IdentityDocumentKind)


def _choice(raw: Mapping[str, Any], key: str, field: str, kind: type[Choice]) -> Choice:
    value = _required(raw, key, field, 64)
    try:
        return kind(value)
    except ValueError:
        kk, ru = _LABELS[field]
        options = list(kind)
        raise _refusal(
            "contract.choice_invalid",
            field,
            f"«{kk}» өрісінің мәнін тізімнен таңдаңыз: {', '.join(o.kk for o in options)}.",
            f"Выберите значение поля «{ru}» из списка: {', '.join(o.ru for o in options)}.",
            allowed=[str(o) for o in options],
        ) from None


_REPRESENTATIVE_KEYS = (
    "iin",
    "surname",
    "given_name",
    "patronymic",
    "authority",
    "registered_address",
    "actual_address",
    "workplace",
    "position",
    "phone",
    "extra_phone",
    "email",
)


def validate_representative(raw: Mapping[str, Any], *, account_iin: str) -> Representative:
    """Step 3, checked: the representative is the account owner, who signs with their own EDS."""
    data = _only_known(raw, _REPRESENTATIVE_KEYS, "representative.", "representative")
    iin_text = _required(data, "iin", "representative.iin", 32).replace(" ", "")
    iin = parse_iin(iin_text, field="representative.iin").iin
    if iin != account_iin:
        raise _refusal(
            "contract.representative_not_owner",
            "representative.iin",
            "ЖСН жеке кабинет иесінің ЖСН-іне сәйкес келуі керек: шартқа өз ЭЦҚ-сымен заңды өкілдің өзі қол қояды.",
            "ИИН должен совпадать с ИИН владельца личного кабинета: договор подписывает сам законный "
            "представитель своей ЭЦП.",
        )
    surname = _person_name(_required(data, "surname", "representative.surname", NAME_MAX), "representative.surname")
    given_name = _person_name(
        _required(data, "given_name", "representative.given_name", NAME_MAX), "representative.given_name"
    )
    patronymic = _optional(data, "patronymic", "representative.patronymic", NAME_MAX)
    if patronymic is not None:
        patronymic = _person_name(patronymic, "representative.patronymic")
    authority = _choice(data, "authority", "representative.authority", Authority)
    registered_address = _required(data, "registered_address", "representative.registered_address", ADDRESS_MAX)
    actual_address = _required(data, "actual_address", "representative.actual_address", ADDRESS_MAX)
    workplace = _required(data, "workplace", "representative.workplace", TEXT_MAX)
    position = _required(data, "position", "representative.position", TEXT_MAX)
    phone = normalise_mobile(_required(data, "phone", "representative.phone", 32), "representative.phone")
    extra = _optional(data, "extra_phone", "representative.extra_phone", 32)
    extra_phone = normalise_mobile(extra, "representative.extra_phone") if extra else None
    email = normalise_email(_required(data, "email", "representative.email", 254), "representative.email")
    return Representative(
        iin=iin,
        surname=surname,
        given_name=given_name,
        patronymic=patronymic,
        authority=authority,
        registered_address=registered_address,
        actual_address=actual_address,
        workplace=workplace,
        position=position,
        phone=phone,
        extra_phone=extra_phone,
        email=email,
    )


def _section(raw: Mapping[str, Any], key: str, allowed: tuple[str, ...]) -> Mapping[str, Any]:
    if raw.get(key) is None:
        kk, ru = _LABELS[key]
        raise _refusal("contract.field_required", key, f"«{kk}» бөлімін толтырыңыз.", f"Заполните раздел «{ru}».")
    return _only_known(raw[key], allowed, f"{key}.", key)


def _issue_date(data: Mapping[str, Any], today: date) -> date:
    field = "identity_document.issued_on"
    kk, ru = _LABELS[field]
    text = _required(data, "issued_on", field, 32)
    try:
        if not _ISO_DATE.fullmatch(text):
            raise ValueError(text)
        issued_on = date.fromisoformat(text)
    except ValueError:
        raise _refusal(
            "contract.issue_date_invalid",
            field,
            f"«{kk}» өрісіне нақты күнді ЖЖЖЖ-АА-КК түрінде көрсетіңіз.",
            f"Укажите в поле «{ru}» существующую дату в виде ГГГГ-ММ-ДД.",
        ) from None
    if issued_on > today:
        raise _refusal(
            "contract.issue_date_invalid",
            field,
            f"«{kk}» болашақта болмауы керек.",
            f"«{ru}» не может быть в будущем.",
        )
    if issued_on < EARLIEST_ISSUE_DATE:
        raise _refusal(
            "contract.issue_date_invalid",
            field,
            f"«{kk}» {EARLIEST_ISSUE_DATE.year} жылдан ерте болмауы керек.",
            f"«{ru}» не может быть раньше {EARLIEST_ISSUE_DATE.year} года.",
        )
    return issued_on


def _identity_document(raw: Mapping[str, Any], today: date) -> IdentityDocument:
    data = _section(raw, "identity_document", ("kind", "number", "issued_on", "issued_by"))
    kind = _choice(data, "kind", "identity_document.kind", IdentityDocumentKind)
    number = "".join(_required(data, "number", "identity_document.number", 64).split()).upper()
    if not _DOCUMENT_NUMBER.fullmatch(number):
        kk, ru = _LABELS["identity_document.number"]
        raise _refusal(
            "contract.document_number_invalid",
            "identity_document.number",
            f"«{kk}» 6–20 әріп пен цифрдан тұруы керек.",
            f"«{ru}» должен состоять из 6–20 букв и цифр.",
        )
    issued_on = _issue_date(data, today)
    issued_by = _required(data, "issued_by", "identity_document.issued_by", TEXT_MAX)
    return IdentityDocument(kind=kind, number=number, issued_on=issued_on, issued_by=issued_by)


def _bank_details(raw: Mapping[str, Any]) -> BankDetails:
    data = _section(raw, "bank", ("bank", "bic", "branch", "iban"))
    bank = _required(data, "bank", "bank.bank", TEXT_MAX)
    bic = _required(data, "bic", "bank.bic", 32)
    branch = _required(data, "branch", "bank.branch", TEXT_MAX)
    iban = check_iban(_required(data, "iban", "bank.iban", 64), field="bank.iban")
    return BankDetails(bank=bank, bic=check_bic(bic, iban, field="bank.bic"), branch=branch, iban=iban)


def validate_details(raw: Mapping[str, Any], *, today: date) -> ContractDetails:
    """Step 4, checked: the identity document as of ``today`` and a Kazakhstan bank account with its bank's BIC."""
    data = _only_known(raw, ("identity_document", "bank"), "", "details")
    return ContractDetails(identity_document=_identity_document(data, today), bank=_bank_details(data))


_DOCUMENT_KEYS = ("photo", "health_passport", "health_certificate", "pmpk")


def _upload_id(text: str, field: str) -> str:
    if _UPLOAD_ID.fullmatch(text):
        return text
    kk, ru = _LABELS[field]
    raise _refusal(
        "contract.field_invalid",
        field,
        f"«{kk}»: файл дұрыс жүктелмеген, оны қайта жүктеңіз.",
        f"«{ru}»: файл загружен неверно, загрузите его заново.",
    )


def validate_documents(raw: Mapping[str, Any]) -> ContractDocuments:
    """Step 5, checked: an upload for each required document, the PMPK conclusion only if the child has one.

    Whether each upload exists, is the parent's and is a JPEG of at most 2 MB is checked where
    uploads are stored; here, that each document is a different file.
    """
    data = _only_known(raw, _DOCUMENT_KEYS, "documents.", "documents")
    documents = ContractDocuments(
        photo=_upload_id(_required(data, "photo", "documents.photo", 64), "documents.photo"),
        health_passport=_upload_id(
            _required(data, "health_passport", "documents.health_passport", 64), "documents.health_passport"
        ),
        health_certificate=_upload_id(
            _required(data, "health_certificate", "documents.health_certificate", 64), "documents.health_certificate"
        ),
        pmpk=_optional(data, "pmpk", "documents.pmpk", 64),
    )
    if documents.pmpk is not None:
        _upload_id(documents.pmpk, "documents.pmpk")
    seen: dict[str, str] = {}
    for key, upload in documents.to_json().items():
        if upload is None:
            continue
        if upload in seen:
            first, second = _LABELS[f"documents.{seen[upload]}"], _LABELS[f"documents.{key}"]
            raise _refusal(
                "contract.upload_reused",
                f"documents.{key}",
                f"«{first[0]}» мен «{second[0]}» үшін бір файл жүктелген: әр құжатты бөлек жүктеңіз.",
                f"Для «{first[1]}» и «{second[1]}» загружен один и тот же файл: загрузите каждый документ отдельно.",
            )
        seen[upload] = key
    return documents


# --- a kindergarten's contract terms (its settings) --------------------------------------------


@dataclass(frozen=True)
class ContractTerms:
    """A kindergarten's terms as stored: register code, bank account, prices (amounts as "15000.00")."""

    register_code: str
    account: dict[str, str]
    prices: list[dict[str, Any]]


def validate_terms(
    *, register_code: str, account: Mapping[str, Any], prices: Sequence[Mapping[str, Any]]
) -> ContractTerms:
    """The register code (``01.01-01``), a KZ account whose BIC is its bank's, and each price line."""
    if not valid_register_code(register_code):
        raise InvalidInput(
            "contract.register_code",
            "Тізілім коды «01.01-01» түрінде болуы керек.",
            "Код реестра должен иметь вид «01.01-01».",
            details={"field": "register_code"},
        )
    iban = check_iban(str(account.get("iban", "")), field="account.iban")
    bic = check_bic(str(account.get("bic", "")), iban, field="account.bic")
    bank = str(account.get("bank", "")).strip()
    if not bank:
        raise InvalidInput(
            "contract.field_required",
            "Банктің атауын көрсетіңіз.",
            "Укажите название банка.",
            details={"field": "account.bank"},
        )
    return ContractTerms(
        register_code,
        {"bank": bank, "bic": bic, "iban": iban},
        [_price_line(line, index) for index, line in enumerate(prices)],
    )


def _price_line(line: Mapping[str, Any], index: int) -> dict[str, Any]:
    """One price of the settings: service and period in both languages, an amount in tenge ≥ 0."""
    field = f"prices[{index}]"
    try:
        amount = Decimal(str(line.get("amount")))
        service, period = line["service"], line["period"]
        ok = (
            amount >= 0
            and amount == amount.quantize(Decimal("0.01"))
            and all(str(part.get(lang, "")).strip() for part in (service, period) for lang in ("kk", "ru"))
        )
    except (InvalidOperation, KeyError, TypeError, AttributeError):
        ok = False
    if not ok:
        raise InvalidInput(
            "contract.price_invalid",
            "Баға жолы қате: қызмет пен кезең қазақ және орыс тілдерінде, сома теңгемен (0 немесе одан көп, "
            "2 таңбаға дейін тиын).",
            "Неверная строка цены: услуга и период на казахском и русском, сумма в тенге (не меньше 0, "
            "до 2 знаков после запятой).",
            details={"field": field},
        )
    return {
        "service": {"kk": str(service["kk"]).strip(), "ru": str(service["ru"]).strip()},
        "period": {"kk": str(period["kk"]).strip(), "ru": str(period["ru"]).strip()},
        "amount": f"{amount:.2f}",
    }
