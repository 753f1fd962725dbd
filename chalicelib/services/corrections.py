"""An education-department operator corrects a data error in an application, with the reason recorded.

What may be corrected is what the parent typed and the registry does not give: the applicant's
address, e-mail and mobile phone (names, birth dates and the child come from the population
registry and are not the operator's to change). The change records what was, what is and why;
in the same transaction it writes the jobs of its consequences: the documents stating those
facts issued again (``domain/consequences.py``) and the parent's e-mail and SMS.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.clock import Clock
from chalicelib.domain.consequences import documents_reissued
from chalicelib.domain.contacts import validate_contacts
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.principal import Principal
from chalicelib.jobs.registry import job_for
from chalicelib.services.refusals import RefusalService
from chalicelib.store.applications import Application, ApplicationRepository
from chalicelib.store.jobs import Job

SUBJECT = "application"
EVENT = "application.corrected"
FIELD_WORDS = {
    "address": ("мекенжай", "адрес"),
    "email": ("электрондық пошта", "электронная почта"),
    "phone": ("ұялы телефон", "мобильный телефон"),
}


def correction_jobs(app: Application, version: int, now: datetime) -> list[Job]:
    """The documents stating the corrected facts, issued again, and the parent's messages."""
    subject = f"{SUBJECT}#{app.id}"
    documents = [
        job_for(
            "document.render",
            f"{subject}#{kind.value}#corrected#{version}",
            {"builder": "application.correction", "application_id": app.id, "kind": kind.value, "at": now.isoformat()},
            now=now,
            subject=subject,
        )
        for kind in documents_reissued(EVENT)
    ]
    message = {"template": EVENT, "application_id": app.id, "owner_iin": app.applicant_iin, "version": version}
    return [
        *documents,
        job_for(
            "message.email",
            f"{subject}#corrected#{version}",
            {**message, "attach_jobs": [job.id for job in documents]},
            now=now,
            subject=subject,
        ),
        job_for("message.sms", f"{subject}#corrected#{version}", message, now=now, subject=subject),
    ]


def corrected_message(app: Application, payload: dict[str, Any]) -> tuple[str, str]:
    """The subject and text telling the parent what was corrected and why (from the history record)."""
    from chalicelib import wiring

    records = [r for r in wiring.applications().history(app.id) if r.event == EVENT]
    version = payload.get("version")
    record = next((r for r in records if (r.details or {}).get("version") == version), None)
    fields = (record.details or {}).get("fields", []) if record else []
    kk_fields = ", ".join(FIELD_WORDS[f][0] for f in fields if f in FIELD_WORDS)
    ru_fields = ", ".join(FIELD_WORDS[f][1] for f in fields if f in FIELD_WORDS)
    why = record.why if record else ""
    text = (
        f"{app.id}: білім басқармасы өтініштегі деректерді түзетті ({kk_fields}). Себебі: {why}\n"
        f"{app.id}: управление образования исправило данные заявления ({ru_fields}). Причина: {why}\n\n"
        "Қайта берілген құжаттар тіркелген / Переизданные документы приложены."
    )
    return "Өтініштегі деректер түзетілді / Данные заявления исправлены", text


@dataclass(frozen=True)
class CorrectionService:
    clock: Clock
    applications: ApplicationRepository
    refusals: RefusalService  # who may act on which application (area, role)

    def correct(
        self, operator: Principal, application_id: str, *, address: dict[str, str], email: str, phone: str, reason: str
    ) -> Application:
        self.refusals._require_department(operator)
        self.refusals.application(operator, application_id)
        reason = reason.strip()
        if not reason:
            raise InvalidInput(
                "correction.reason_required",
                "Түзетудің себебін көрсетіңіз.",
                "Укажите причину исправления.",
                details={"field": "reason"},
            )
        contacts = validate_contacts(email, phone)
        now = self.clock.now()
        address = {k: (address.get(k) or "").strip() for k in ("city", "district", "street", "house", "flat")}
        return self.applications.correct_contacts(
            application_id,
            address=address,
            email=contacts.email,
            phone=contacts.phone,
            who=f"{operator.role.value}:{operator.iin}",
            now=now,
            why=reason,
            consequences=lambda app, version: correction_jobs(app, version, now),
        )
