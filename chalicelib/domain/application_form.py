"""The queue application as a signed document, and the rules it must meet.

The server builds the XML from the parent's form (:func:`application_xml`); the parent
signs it with the SIGN key; on submission every field is read back from the signed
element (:func:`read_application`), never from unsigned fields beside it.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from lxml import etree

from chalicelib.clock import local_time
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.iin import parse_iin
from chalicelib.domain.names import person_name

Language = Literal["kk", "ru"]
ROOT_TAG = "queueApplication"
MAX_KINDERGARTENS = 3


@dataclass(frozen=True)
class Address:
    city: str
    district: str
    street: str
    house: str
    flat: str = ""

    def one_line(self) -> str:
        flat = f", {self.flat}" if self.flat else ""
        return f"{self.city}, {self.district}, {self.street}, {self.house}{flat}"


@dataclass(frozen=True)
class Applicant:
    iin: str
    surname: str
    given_name: str
    patronymic: str
    birth_date: date | None
    address: Address
    email: str
    phone: str
    extra_email: str = ""
    extra_phone: str = ""

    @property
    def full_name(self) -> str:
        return person_name(self.surname, self.given_name, self.patronymic)


@dataclass(frozen=True)
class Child:
    iin: str
    surname: str
    given_name: str
    patronymic: str
    birth_date: date
    sex: str

    @property
    def full_name(self) -> str:
        return person_name(self.surname, self.given_name, self.patronymic)


CONSENTS = ("parent_eds", "paper")  # who signs at a service centre's desk: the parent, or the operator
CONSENT_WORDS = {
    "parent_eds": ("ата-ана өтінішке өз ЭЦҚ-сымен қол қойды", "родитель подписал заявление своей ЭЦП"),
    "paper": (
        "ата-ана қағаз жүзінде келісім берді, өтінішке оператор ЭЦҚ-мен қол қойды",
        "родитель дал согласие на бумаге, заявление подписал оператор своей ЭЦП",
    ),
}


@dataclass(frozen=True)
class Desk:
    """A service centre's desk that filed the application for a parent who came in person.

    ``consent`` says how the parent agreed: ``parent_eds`` (the parent signs the application with
    their own EDS at the desk) or ``paper`` (the operator signs it and records the paper consent).
    """

    operator_iin: str
    operator_name: str
    region: str
    district: str
    consent: str


@dataclass(frozen=True)
class ApplicationForm:
    applicant: Applicant
    child: Child
    region: str
    district: str
    kindergartens: tuple[str, ...]
    language: Language
    benefit: str | None
    attachments: tuple[str, ...] = field(default_factory=tuple)
    channel: str = "portal"
    desk: Desk | None = None


@dataclass(frozen=True)
class KindergartenChoice:
    """What the rules need to know about a preferred kindergarten."""

    id: str
    region: str
    district: str
    languages: tuple[str, ...]
    min_age_years: int


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, tag, {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        element.text = text
    return element


def application_xml(form: ApplicationForm, prepared_at: datetime) -> str:
    """The document the parent signs: every fact of the application, nothing else."""
    root = etree.Element(ROOT_TAG, version="1", preparedAt=prepared_at.isoformat(), channel=form.channel)
    applicant = _sub(root, "applicant", iin=form.applicant.iin)
    _sub(applicant, "surname", form.applicant.surname)
    _sub(applicant, "givenName", form.applicant.given_name)
    _sub(applicant, "patronymic", form.applicant.patronymic)
    if form.applicant.birth_date:
        _sub(applicant, "birthDate", form.applicant.birth_date.isoformat())
    address = form.applicant.address
    _sub(
        applicant,
        "address",
        city=address.city,
        district=address.district,
        street=address.street,
        house=address.house,
        flat=address.flat,
    )
    _sub(applicant, "email", form.applicant.email)
    _sub(applicant, "phone", form.applicant.phone)
    _sub(applicant, "extraEmail", form.applicant.extra_email)
    _sub(applicant, "extraPhone", form.applicant.extra_phone)
    child = _sub(root, "child", iin=form.child.iin)
    _sub(child, "surname", form.child.surname)
    _sub(child, "givenName", form.child.given_name)
    _sub(child, "patronymic", form.child.patronymic)
    _sub(child, "birthDate", form.child.birth_date.isoformat())
    _sub(child, "sex", form.child.sex)
    queue = _sub(root, "queue", region=form.region, district=form.district, language=form.language)
    for rank, kindergarten in enumerate(form.kindergartens, start=1):
        _sub(queue, "kindergarten", id=kindergarten, rank=str(rank))
    benefit = _sub(root, "benefit", code=form.benefit or "none")
    for upload in form.attachments:
        _sub(benefit, "attachment", id=upload)
    if form.desk is not None:
        desk = form.desk
        _sub(
            root,
            "serviceCentre",
            region=desk.region,
            district=desk.district,
            operatorIin=desk.operator_iin,
            operatorName=desk.operator_name,
            consent=desk.consent,
        )
    return etree.tostring(root, encoding="unicode")


def _malformed(what: str) -> InvalidInput:
    return InvalidInput(
        "application.malformed_document",
        f"Қол қойылған өтініш құжаты толық емес: {what}.",
        f"Подписанный документ заявления неполон: {what}.",
        details={"missing": what},
    )


def _text(element: etree._Element, path: str, *, required: bool = True) -> str:
    value = element.findtext(path)
    if value is None and required:
        raise _malformed(path)
    return (value or "").strip()


def _attr(element: etree._Element | None, name: str, what: str) -> str:
    if element is None or element.get(name) is None:
        raise _malformed(what)
    return element.get(name, "").strip()


def read_application(root: etree._Element) -> ApplicationForm:
    """The application exactly as signed; child's birth date and sex come from the IIN."""
    if root.tag != ROOT_TAG:
        raise _malformed(ROOT_TAG)
    applicant = root.find("applicant")
    child = root.find("child")
    queue = root.find("queue")
    benefit = root.find("benefit")
    if applicant is None or child is None or queue is None or benefit is None:
        raise _malformed("applicant/child/queue/benefit")
    address = applicant.find("address")
    child_iin = _attr(child, "iin", "child/@iin")
    child_info = parse_iin(child_iin, field="child.iin")
    birth = applicant.findtext("birthDate")
    language = _attr(queue, "language", "queue/@language")
    if language not in ("kk", "ru"):
        raise InvalidInput(
            "application.language",
            "Оқыту тілі қазақ немесе орыс болуы керек.",
            "Язык обучения должен быть казахским или русским.",
            details={"field": "language"},
        )
    code = _attr(benefit, "code", "benefit/@code")
    desk_element = root.find("serviceCentre")
    desk = (
        Desk(
            operator_iin=_attr(desk_element, "operatorIin", "serviceCentre/@operatorIin"),
            operator_name=_attr(desk_element, "operatorName", "serviceCentre/@operatorName"),
            region=_attr(desk_element, "region", "serviceCentre/@region"),
            district=_attr(desk_element, "district", "serviceCentre/@district"),
            consent=_attr(desk_element, "consent", "serviceCentre/@consent"),
        )
        if desk_element is not None
        else None
    )
    return ApplicationForm(
        applicant=Applicant(
            iin=_attr(applicant, "iin", "applicant/@iin"),
            surname=_text(applicant, "surname"),
            given_name=_text(applicant, "givenName"),
            patronymic=_text(applicant, "patronymic", required=False),
            birth_date=date.fromisoformat(birth) if birth else None,
            address=Address(
                city=_attr(address, "city", "address/@city"),
                district=_attr(address, "district", "address/@district"),
                street=_attr(address, "street", "address/@street"),
                house=_attr(address, "house", "address/@house"),
                flat=(address.get("flat", "") if address is not None else "").strip(),
            ),
            email=_text(applicant, "email"),
            phone=_text(applicant, "phone"),
            extra_email=_text(applicant, "extraEmail", required=False),
            extra_phone=_text(applicant, "extraPhone", required=False),
        ),
        child=Child(
            iin=child_iin,
            surname=_text(child, "surname"),
            given_name=_text(child, "givenName"),
            patronymic=_text(child, "patronymic", required=False),
            birth_date=child_info.birth_date,
            sex=child_info.sex,
        ),
        region=_attr(queue, "region", "queue/@region"),
        district=_attr(queue, "district", "queue/@district"),
        kindergartens=tuple(_attr(k, "id", "kindergarten/@id") for k in queue.findall("kindergarten")),
        language=language,  # type: ignore[arg-type]
        benefit=None if code == "none" else code,
        attachments=tuple(_attr(a, "id", "attachment/@id") for a in benefit.findall("attachment")),
        channel=root.get("channel", "portal"),
        desk=desk,
    )


def age_on(birth_date: date, day: date) -> int:
    """Full years of age on ``day``."""
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def check_application(
    form: ApplicationForm,
    *,
    now: datetime,
    school_age_years: int,
    kindergartens: Mapping[str, KindergartenChoice],
    benefit_codes: Collection[str],
) -> None:
    """Every rule of an application that can be checked from the form and reference data alone."""
    today = local_time(now).date()
    if form.child.birth_date > today:
        raise InvalidInput(
            "application.child_not_born",
            "Баланың туған күні болашақта.",
            "Дата рождения ребёнка в будущем.",
            details={"field": "child.iin"},
        )
    if age_on(form.child.birth_date, today) >= school_age_years:
        raise InvalidInput(
            "application.school_age",
            f"Бала мектеп жасына ({school_age_years} жас) толған: кезекке қою мүмкін емес.",
            f"Ребёнок достиг школьного возраста ({school_age_years} лет): постановка в очередь невозможна.",
            details={"field": "child.iin"},
        )
    if form.child.iin == form.applicant.iin:
        raise InvalidInput(
            "application.child_is_applicant",
            "Баланың ЖСН өтініш берушінің ЖСН-мен бірдей.",
            "ИИН ребёнка совпадает с ИИН заявителя.",
            details={"field": "child.iin"},
        )
    if not form.kindergartens:
        raise InvalidInput(
            "application.no_kindergarten",
            "Кемінде бір балабақшаны таңдаңыз.",
            "Выберите хотя бы один детский сад.",
            details={"field": "kindergartens"},
        )
    if len(form.kindergartens) > MAX_KINDERGARTENS or len(set(form.kindergartens)) != len(form.kindergartens):
        raise InvalidInput(
            "application.too_many_kindergartens",
            f"Ең көбі {MAX_KINDERGARTENS} түрлі балабақша таңдауға болады.",
            f"Можно выбрать не более {MAX_KINDERGARTENS} разных детских садов.",
            details={"field": "kindergartens"},
        )
    for kindergarten_id in form.kindergartens:
        choice = kindergartens.get(kindergarten_id)
        if choice is None or choice.region != form.region or choice.district != form.district:
            raise InvalidInput(
                "application.kindergarten_outside_district",
                "Таңдалған балабақша кезек ауданында емес.",
                "Выбранный детский сад не находится в районе очереди.",
                details={"field": "kindergartens", "kindergarten": kindergarten_id},
            )
        if form.language not in choice.languages:
            raise InvalidInput(
                "application.language_not_taught",
                "Таңдалған балабақшада бұл тілде оқытылмайды.",
                "В выбранном детском саду нет обучения на этом языке.",
                details={"field": "kindergartens", "kindergarten": kindergarten_id, "language": form.language},
            )
    if form.benefit is not None and form.benefit not in benefit_codes:
        raise InvalidInput(
            "application.unknown_benefit",
            "Мұндай жеңілдік санаты жоқ.",
            "Такой категории льготы нет.",
            details={"field": "benefit"},
        )
    if form.benefit is not None and not form.attachments:
        raise InvalidInput(
            "application.benefit_without_documents",
            "Жеңілдікті растайтын құжаттарды тіркеңіз.",
            "Приложите документы, подтверждающие льготу.",
            details={"field": "attachments"},
        )
