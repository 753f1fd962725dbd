"""A motivated refusal of an application by the education department (seed 004, appendix 3, step 7:
«қызмет көрсетуден бас тарту туралы дәлелді жауап» / «мотивированный ответ об отказе»).

The refusal is a statement the operator signs with their EDS: the server builds it from its own
state (the application, its child and applicant, the operator), the operator chooses the ground
and writes the motivation in Kazakh and Russian. On receipt the server builds it again with the
signed ground and words and compares the two fact by fact (``signed_facts.first_difference``).
Pure: the service hands over what it read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.reference import Bilingual

REFUSAL_ROOT = "applicationRefusal"
MOTIVATION_MAX = 2000

# The grounds of the standard of the service for a refusal (codes kept in the history and counted
# by the reports as ``left|refused|<ground>``).
GROUNDS: dict[str, Bilingual] = {
    "false_data": Bilingual(
        "ұсынылған құжаттардың және (немесе) олардағы деректердің (мәліметтердің) анық еместігі анықталды",
        "установлена недостоверность представленных документов и (или) данных (сведений), содержащихся в них",
    ),
    "requirements_not_met": Bilingual(
        "көрсетілетін қызметті алушының және (немесе) ұсынылған материалдардың талаптарға сәйкес келмеуі",
        "несоответствие услугополучателя и (или) представленных материалов требованиям",
    ),
    "court_decision": Bilingual(
        "көрсетілетін қызметті алушыға қатысты заңды күшіне енген сот шешімі бар",
        "в отношении услугополучателя имеется вступившее в законную силу решение суда",
    ),
}


@dataclass(frozen=True)
class RefusalFacts:
    """What the server knows when the statement is built (everything but the operator's choice)."""

    application_id: str
    child_iin: str
    child_full_name: str
    applicant_iin: str
    region: str
    district: str
    operator_iin: str
    operator_full_name: str
    office: Bilingual


@dataclass(frozen=True)
class Motivation:
    """What the operator decides: the ground and the motivation in both languages."""

    ground: str
    kk: str
    ru: str


def refusal_xml(facts: RefusalFacts, motivation: Motivation, prepared_at: datetime) -> str:
    """The refusal statement the operator signs."""
    from lxml import etree

    root = etree.Element(REFUSAL_ROOT, version="1", preparedAt=prepared_at.isoformat())
    etree.SubElement(
        root,
        "application",
        id=facts.application_id,
        region=facts.region,
        district=facts.district,
    )
    child = etree.SubElement(root, "child", iin=facts.child_iin)
    child.text = facts.child_full_name
    etree.SubElement(root, "applicant", iin=facts.applicant_iin)
    operator = etree.SubElement(root, "operator", iin=facts.operator_iin)
    etree.SubElement(operator, "fullName").text = facts.operator_full_name
    etree.SubElement(operator, "office", lang="kk").text = facts.office.kk
    etree.SubElement(operator, "office", lang="ru").text = facts.office.ru
    ground = etree.SubElement(root, "ground", code=motivation.ground)
    words = GROUNDS.get(motivation.ground)
    etree.SubElement(ground, "text", lang="kk").text = words.kk if words else ""
    etree.SubElement(ground, "text", lang="ru").text = words.ru if words else ""
    etree.SubElement(root, "motivation", lang="kk").text = motivation.kk
    etree.SubElement(root, "motivation", lang="ru").text = motivation.ru
    return etree.tostring(root, encoding="unicode")


def read_motivation(root: object) -> Motivation:
    """The operator's choice as the signed element carries it (checked afterwards by the rules)."""
    from lxml import etree

    assert isinstance(root, etree._Element)
    ground = root.find("ground")

    def text(lang: str) -> str:
        found = root.find(f"motivation[@lang='{lang}']")
        return (found.text or "") if found is not None else ""

    return Motivation(ground.get("code", "") if ground is not None else "", text("kk"), text("ru"))
