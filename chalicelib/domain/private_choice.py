"""A private kindergarten under the state educational order (seed 002): the rules and the signed choice.

The choice is possible only while the child is in the queue, is 3 years or older (configuration)
and a private kindergarten that takes the state order has a free seat for the child's birth-year
cohort. The parent must acknowledge that the child leaves the city queue without keeping its
number, and signs a document the server builds (:func:`choice_xml`); on submission every fact
is read back from the signed element (:func:`read_choice`), never from fields beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from chalicelib.clock import local_time
from chalicelib.domain.application_form import age_on
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.queue import birthday
from chalicelib.domain.reference import Bilingual, Kindergarten, Language

ROOT_TAG = "privateKindergartenChoice"

WARNING = Bilingual(
    "Мемлекеттік білім беру тапсырысы бойынша жеке балабақшаны таңдаған кезде Сіз кезектен автоматты түрде "
    "алынасыз: бала жалпы қалалық кезектен нөмірі сақталмай алынады.",
    "Доводим до Вашего сведения, что получение электронного направления в частную детскую дошкольную "
    "организацию по государственному заказу осуществляется без последующего сохранения номера "
    "в общегородской очередности.",
)
"""The warning of seed 002 (its "Назар аударуды сұраймыз!" and "ВНИМАНИЕ" windows)."""


@dataclass(frozen=True)
class PrivateChoice:
    """What the parent signed: this application's child goes to this kindergarten, taught in this language."""

    application_id: str
    applicant_iin: str
    child_iin: str
    kindergarten_id: str
    language: Language
    acknowledged: bool


def private_choice_from(birth_date: date, min_age_years: int) -> date:
    """The first day the child may be directed to a private kindergarten (the birthday of ``min_age_years``)."""
    return birthday(birth_date, min_age_years)


def check_age(birth_date: date, now: datetime, min_age_years: int) -> None:
    """Refused while the child is younger than ``min_age_years`` on today's date in Kazakhstan."""
    today = local_time(now).date()
    if age_on(birth_date, today) >= min_age_years:
        return
    allowed = private_choice_from(birth_date, min_age_years)
    raise InvalidInput(
        "private.child_too_young",
        f"Мемлекеттік тапсырыс бойынша жеке балабақшаны таңдау бала {min_age_years} жасқа толғанда ғана "
        f"мүмкін ({allowed:%d.%m.%Y} бастап).",
        f"Выбор частного детского сада по государственному заказу возможен только с {min_age_years} лет "
        f"(с {allowed:%d.%m.%Y}).",
        details={"min_age_years": min_age_years, "allowed_from": allowed.isoformat()},
    )


def check_acknowledged(acknowledged: bool) -> None:
    """Refused unless the parent confirmed the warning that the queue number is not kept."""
    if acknowledged is True:
        return
    raise InvalidInput(
        "private.warning_not_acknowledged",
        "Бала кезектен кезек нөмірі сақталмай алынатыны туралы ескертумен келісетініңізді растаңыз.",
        "Подтвердите, что ознакомлены с предупреждением: ребёнок снимается с очереди без сохранения номера.",
        details={"field": "acknowledged"},
    )


def check_kindergarten(kindergarten: Kindergarten | None, kindergarten_id: str, region: str) -> Kindergarten:
    """The chosen kindergarten, refused unless it is a private one of the region under the state order."""
    if kindergarten is None:
        raise NotFound(
            "private.unknown_kindergarten",
            "Мұндай балабақша жоқ.",
            "Такого детского сада нет.",
            details={"field": "kindergarten_id", "kindergarten_id": kindergarten_id},
        )
    if kindergarten.region != region:
        raise InvalidInput(
            "private.other_region",
            "Таңдалған балабақша бала кезекте тұрған өңірде емес.",
            "Выбранный детский сад находится не в регионе очереди ребёнка.",
            details={"field": "kindergarten_id", "kindergarten_id": kindergarten_id},
        )
    if not kindergarten.offers_private_state_order:
        raise InvalidInput(
            "private.not_private_state_order",
            "Таңдалған балабақша мемлекеттік білім беру тапсырысы бойынша жұмыс істейтін жеке балабақша емес.",
            "Выбранный детский сад не является частным детским садом с государственным образовательным заказом.",
            details={"field": "kindergarten_id", "kindergarten_id": kindergarten_id},
        )
    return kindergarten


def no_vacancy(kindergarten_id: str, cohort: int, language: str) -> Conflict:
    return Conflict(
        "private.no_vacancy",
        "Таңдалған балабақшада баланың жасына және оқыту тіліне сай мемлекеттік тапсырыс бойынша бос орын жоқ.",
        "В выбранном детском саду нет свободных мест по государственному заказу для возраста и языка обучения ребёнка.",
        details={"kindergarten_id": kindergarten_id, "cohort": cohort, "language": language},
    )


def choice_xml(
    choice: PrivateChoice,
    *,
    kindergarten: Kindergarten,
    child_full_name: str,
    child_birth_date: date,
    prepared_at: datetime,
) -> str:
    """The document the parent signs: the application, the child, the kindergarten and the warning agreed to."""
    root = etree.Element(ROOT_TAG, version="1", preparedAt=prepared_at.isoformat())
    etree.SubElement(root, "application", id=choice.application_id)
    etree.SubElement(root, "applicant", iin=choice.applicant_iin)
    child = etree.SubElement(root, "child", iin=choice.child_iin, birthDate=child_birth_date.isoformat())
    child.text = child_full_name
    chosen = etree.SubElement(root, "kindergarten", id=kindergarten.id, language=choice.language)
    etree.SubElement(chosen, "name", lang="kk").text = kindergarten.name.kk
    etree.SubElement(chosen, "name", lang="ru").text = kindergarten.name.ru
    etree.SubElement(chosen, "address", lang="kk").text = kindergarten.address.kk
    etree.SubElement(chosen, "address", lang="ru").text = kindergarten.address.ru
    warning = etree.SubElement(root, "warning", acknowledged="true" if choice.acknowledged else "false")
    etree.SubElement(warning, "text", lang="kk").text = WARNING.kk
    etree.SubElement(warning, "text", lang="ru").text = WARNING.ru
    return etree.tostring(root, encoding="unicode")


def _malformed(what: str) -> InvalidInput:
    return InvalidInput(
        "private.malformed_document",
        f"Қол қойылған құжат жеке балабақшаны таңдау туралы толық құжат емес: {what}.",
        f"Подписанный документ не является полным документом о выборе частного детского сада: {what}.",
        details={"missing": what},
    )


def _attr(element: etree._Element | None, name: str, what: str) -> str:
    value = element.get(name) if element is not None else None
    if value is None or not value.strip():
        raise _malformed(what)
    return value.strip()


def read_choice(root: etree._Element) -> PrivateChoice:
    """The choice exactly as signed."""
    if root.tag != ROOT_TAG:
        raise _malformed(ROOT_TAG)
    kindergarten = root.find("kindergarten")
    language = _attr(kindergarten, "language", "kindergarten/@language")
    if language not in ("kk", "ru"):
        raise _malformed("kindergarten/@language")
    warning = root.find("warning")
    return PrivateChoice(
        application_id=_attr(root.find("application"), "id", "application/@id"),
        applicant_iin=_attr(root.find("applicant"), "iin", "applicant/@iin"),
        child_iin=_attr(root.find("child"), "iin", "child/@iin"),
        kindergarten_id=_attr(kindergarten, "id", "kindergarten/@id"),
        language=language,  # type: ignore[arg-type]
        acknowledged=warning is not None and warning.get("acknowledged") == "true",
    )
