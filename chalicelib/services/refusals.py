"""An education-department operator refuses an application with a motivated answer signed with their EDS.

The statement (``domain/refusals.py``) is built by the server, signed in the browser through
NCALayer, verified (the eight checks, the signer = the signed-in operator) and compared fact by
fact with the server's state. The commit takes the application out of the queue and writes, in
the same transaction, the jobs of its consequences: the refusal document (PDF, kk/ru) and the
e-mail (carrying it) and SMS to the parent. The signed XML is kept as the legal record.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.clock import Clock
from chalicelib.documents.kinds import DocumentKind
from chalicelib.domain.errors import Forbidden, InvalidInput
from chalicelib.domain.names import person_name
from chalicelib.domain.principal import Principal, Role
from chalicelib.domain.queue import ApplicationStatus, not_in_queue
from chalicelib.domain.reference import Bilingual
from chalicelib.domain.refusals import (
    GROUNDS,
    MOTIVATION_MAX,
    Motivation,
    RefusalFacts,
    read_motivation,
    refusal_xml,
)
from chalicelib.domain.service_times import STEPS, prepared_at, timing
from chalicelib.domain.signed_facts import first_difference
from chalicelib.eds.model import KeyPurpose
from chalicelib.jobs.registry import job_for
from chalicelib.services.auth import Verifier
from chalicelib.store.applications import Application, ApplicationRepository
from chalicelib.store.history import Change, HistoryRecord
from chalicelib.store.jobs import Job
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.service_steps import Where, done_step

SUBJECT = "application"
BUILDER = "application.refusal"
TEMPLATE = "application.refused"
# appendix 3, table 1: the department's decision (a motivated refusal) and its output document
REFUSAL_DECISION, REFUSAL_OUTPUT = STEPS["edu.queue_decision"], STEPS["edu.output"]
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def outside_area() -> Forbidden:
    return Forbidden(
        "operator.outside_area",
        "Бұл өтініш сіздің өңіріңізге (ауданыңызға) жатпайды.",
        "Это заявление не относится к вашему региону (району).",
    )


def in_area(operator: Principal, region: str | None, district: str | None) -> bool:
    """An operator's area: their region, and their district if they have one."""
    return operator.region == region and (not operator.district or operator.district == district)


def check_motivation(motivation: Motivation) -> Motivation:
    """The ground is one of the standard's; both texts are given, in bounds, without control characters."""
    if motivation.ground not in GROUNDS:
        raise InvalidInput(
            "refusal.unknown_ground",
            "Бас тарту негізін тізімнен таңдаңыз.",
            "Выберите основание отказа из списка.",
            details={"field": "ground", "allowed": sorted(GROUNDS)},
        )
    for lang, text in (("kk", motivation.kk), ("ru", motivation.ru)):
        if not text.strip():
            raise InvalidInput(
                "refusal.motivation_required",
                "Бас тартудың дәлелін қазақ және орыс тілдерінде жазыңыз.",
                "Напишите мотивировку отказа на казахском и русском языках.",
                details={"field": f"motivation_{lang}"},
            )
        if len(text) > MOTIVATION_MAX or _CONTROL.search(text):
            raise InvalidInput(
                "refusal.motivation_invalid",
                f"Бас тартудың дәлелі {MOTIVATION_MAX} таңбадан аспауы және басқару таңбаларынсыз болуы керек.",
                f"Мотивировка должна быть не длиннее {MOTIVATION_MAX} символов и без управляющих символов.",
                details={"field": f"motivation_{lang}"},
            )
    return Motivation(motivation.ground, motivation.kk.strip(), motivation.ru.strip())


def refusal_record(records: list[HistoryRecord]) -> HistoryRecord | None:
    """The application's refusal in its history (the last one: an application is refused once)."""
    found = [r for r in records if r.event == "application.left" and r.to_state == ApplicationStatus.REFUSED.value]
    return found[-1] if found else None


def refusal_jobs(app: Application, now: datetime) -> list[Job]:
    """The consequences of a refusal: its document, the e-mail that carries it, the SMS."""
    subject = f"{SUBJECT}#{app.id}"
    document = job_for(
        "document.render",
        f"{subject}#{DocumentKind.REFUSAL.value}",
        {"builder": BUILDER, "application_id": app.id, "kind": DocumentKind.REFUSAL.value},
        now=now,
        subject=subject,
    )
    message = {"template": TEMPLATE, "application_id": app.id, "owner_iin": app.applicant_iin}
    return [
        document,
        job_for(
            "message.email", f"{subject}#refused", {**message, "attach_jobs": [document.id]}, now=now, subject=subject
        ),
        job_for("message.sms", f"{subject}#refused", message, now=now, subject=subject),
    ]


def refused_message(app: Application, record: HistoryRecord | None) -> tuple[str, str]:
    """The subject and text that tell the parent (e-mail and SMS)."""
    details = (record.details or {}) if record else {}
    ground = GROUNDS.get(app.status_reason or "")
    kk = f"{app.id}: білім басқармасы қызмет көрсетуден бас тартты, өтініш кезектен шығарылды."
    ru = f"{app.id}: управление образования отказало в оказании услуги, заявление снято с очереди."
    if ground:
        kk += f" Негізі: {ground.kk}."
        ru += f" Основание: {ground.ru}."
    if details.get("motivation_kk"):
        kk += f" {details['motivation_kk']}"
        ru += f" {details.get('motivation_ru', '')}"
    text = f"{kk}\n\n{ru}\n\nБас тарту туралы дәлелді жауап тіркелген / Мотивированный ответ об отказе приложен."
    return "Қызмет көрсетуден бас тарту / Отказ в оказании услуги", text


@dataclass(frozen=True)
class RefusalService:
    clock: Clock
    verifier: Verifier
    reference: ReferenceRepository
    applications: ApplicationRepository
    objects: ObjectStore
    # ends a live direction the child held when it left the queue: (direction number, who)

    def application(self, operator: Principal, application_id: str) -> Application:
        """An application of the operator's area (403 otherwise)."""
        app = self.applications.get(application_id)
        if not in_area(operator, app.region, app.district):
            raise outside_area()
        return app

    def draft(self, operator: Principal, application_id: str, motivation: Motivation) -> str:
        """The refusal statement the operator signs with their signing key."""
        self._require_department(operator)
        app = self.application(operator, application_id)
        self._require_in_queue(app)
        return refusal_xml(self._facts(operator, app), check_motivation(motivation), self.clock.now())

    def refuse(self, operator: Principal, application_id: str, signed_xml: str) -> Application:
        """Verify the signed refusal, compare it with the server's state, take the application out of
        the queue and write the jobs of the document and the messages in the same transaction."""
        self._require_department(operator)
        self.application(operator, application_id)
        now = self.clock.now()
        document = self.verifier.verify(signed_xml, purpose=KeyPurpose.SIGN, account_iin=operator.iin, at=now)
        root = document.signed_root
        app = self.application(operator, application_id)
        self._require_in_queue(app)
        motivation = read_motivation(root)
        expected = refusal_xml(self._facts(operator, app), motivation, now)
        differs = first_difference(root, expected)
        if differs is not None:
            raise InvalidInput(
                "refusal.document_mismatch",
                f"Қол қойылған құжат осы өтініш бойынша бас тарту емес: «{differs}» сәйкес келмейді.",
                f"Подписанный документ не является отказом по этому заявлению: не совпадает «{differs}».",
                details={"field": differs},
            )
        motivation = check_motivation(motivation)
        if motivation.kk != (root.find("motivation[@lang='kk']").text or "") or motivation.ru != (
            root.find("motivation[@lang='ru']").text or ""
        ):
            raise InvalidInput(
                "refusal.motivation_invalid",
                "Бас тартудың дәлелі басында не соңында бос орынсыз болуы керек.",
                "Мотивировка не должна начинаться или заканчиваться пробелами.",
                details={"field": "motivation_kk"},
            )
        key = f"signed/refusals/{now:%Y/%m/%d}/{secrets.token_hex(12)}.xml"
        self.objects.put(key, document.received, content_type="application/xml")
        who = f"{operator.role.value}:{operator.iin}"
        # service times: from the statement prepared to the signed refusal registered; the refusal
        # document is formed by the job this transaction writes (start = end = now)
        prepared = prepared_at(root, now)
        where = Where(app.id, app.region, app.district)
        details: dict[str, Any] = {
            "steps": [timing(REFUSAL_DECISION, prepared, now), timing(REFUSAL_OUTPUT, now, now)],
            "signed_xml_key": key,
            "operator_name": operator.full_name,
            "certificate_serial": document.signer.certificate_serial,
            "motivation_kk": motivation.kk,
            "motivation_ru": motivation.ru,
        }

        def jobs(change: Change) -> None:
            for number, job in enumerate(refusal_jobs(app, now)):
                change.job(f"refusal-job.{number}", job)
            done_step(change, "step.refusal", REFUSAL_DECISION, where, prepared, now)
            done_step(change, "step.refusal_output", REFUSAL_OUTPUT, where, now, now)

        try:
            left = self.applications.leave(
                application_id,
                ApplicationStatus.REFUSED,
                who=who,
                why=motivation.ground,
                now=now,
                details=details,
                also=jobs,
            )
        except Exception:
            self.objects.delete(key)
            raise
        return left  # a direction the child held is released by the job leaving the queue wrote

    def _facts(self, operator: Principal, app: Application) -> RefusalFacts:
        entry = self.reference.get_operator(operator.iin)
        office = entry.office if entry is not None else Bilingual(operator.region or "", operator.region or "")
        return RefusalFacts(
            application_id=app.id,
            child_iin=app.child_iin,
            child_full_name=person_name(app.child_surname, app.child_given_name, app.child_patronymic),
            applicant_iin=app.applicant_iin,
            region=app.region,
            district=app.district,
            operator_iin=operator.iin,
            operator_full_name=entry.full_name if entry is not None else operator.full_name,
            office=office,
        )

    @staticmethod
    def _require_department(operator: Principal) -> None:
        if operator.role is not Role.EDUCATION_DEPARTMENT:
            raise Forbidden("auth.role_not_allowed", "Бұл әрекетке рұқсатыңыз жоқ.", "У вас нет прав на это действие.")

    @staticmethod
    def _require_in_queue(app: Application) -> None:
        if app.state is not ApplicationStatus.ACTIVE:
            raise not_in_queue(app.id)


def refusal_document(app: Application, record: HistoryRecord, issued_by: Bilingual) -> dict[str, Any]:
    """The refusal document's facts, from the application and its refusal record (the signed statement's)."""
    details = record.details or {}
    ground = GROUNDS.get(record.why or "") or Bilingual(record.why or "—", record.why or "—")
    applicant = app.applicant
    return {
        "registration_number": app.id,
        "child_full_name": person_name(app.child_surname, app.child_given_name, app.child_patronymic),
        "child_iin": app.child_iin,
        "child_birth_date": app.birth_date,
        "applicant_full_name": person_name(applicant.surname, applicant.given_name, applicant.patronymic),
        "applicant_iin": applicant.iin,
        "ground": ground,
        "motivation": Bilingual(details.get("motivation_kk", "—"), details.get("motivation_ru", "—")),
        "operator_full_name": details.get("operator_name") or record.who,
        "operator_iin": record.who.split(":", 1)[-1],
        "certificate_serial": details.get("certificate_serial") or "—",
        "refused_at": record.at,
        "issued_by": issued_by,
    }
