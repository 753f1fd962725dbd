"""An operator's decision on a parent's benefit claim: a statement signed with the operator's EDS.

The server builds it from its own state (the application, its child, applicant and claimed
category, the operator); the operator decides approve or refuse and, for a refusal, writes the
reason. On receipt the server builds it again with the signed decision and reason and compares the
two fact by fact (``signed_facts.first_difference``). Pure: the service hands over what it read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lxml import etree

DECISION_ROOT = "benefitDecision"
REASON_MAX = 1000
APPROVE = "approve"
REFUSE = "refuse"


@dataclass(frozen=True)
class BenefitDecisionFacts:
    """What the server knows when the statement is built (everything but the operator's choice)."""

    application_id: str
    child_iin: str
    applicant_iin: str
    benefit_code: str
    operator_iin: str
    operator_full_name: str


def decision_xml(facts: BenefitDecisionFacts, *, approve: bool, reason: str | None, prepared_at: datetime) -> str:
    """The decision statement the operator signs; a refusal carries the reason."""
    root = etree.Element(DECISION_ROOT, version="1", preparedAt=prepared_at.isoformat())
    etree.SubElement(root, "application", id=facts.application_id)
    etree.SubElement(root, "child", iin=facts.child_iin)
    etree.SubElement(root, "applicant", iin=facts.applicant_iin)
    etree.SubElement(root, "benefit", code=facts.benefit_code)
    operator = etree.SubElement(root, "operator", iin=facts.operator_iin)
    etree.SubElement(operator, "fullName").text = facts.operator_full_name
    decision = etree.SubElement(root, "decision", value=APPROVE if approve else REFUSE)
    if not approve:
        etree.SubElement(decision, "reason").text = reason or ""
    return etree.tostring(root, encoding="unicode")


def read_reason(root: etree._Element) -> str | None:
    """The reason as the signed element carries it (checked afterwards by the rules)."""
    found = root.find("decision/reason")
    return None if found is None else (found.text or "")
