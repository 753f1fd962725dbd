"""Operators check benefit claims: approve (the child joins the category's queue) or refuse with a reason.

The decision is a statement the operator signs with their EDS (``domain/benefit_decisions.py``):
built by the server, signed in the browser through NCALayer, verified (the eight checks, the
signer = the signed-in operator) and compared fact by fact with the server's state; the signed XML
is kept in S3 as the legal record and referenced from the history.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from chalicelib.clock import Clock
from chalicelib.domain.benefit_decisions import REASON_MAX, BenefitDecisionFacts, decision_xml, read_reason
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.names import person_name
from chalicelib.domain.principal import Principal
from chalicelib.domain.queue import ApplicationStatus, benefit_not_pending, benefit_number_words, not_in_queue
from chalicelib.domain.reference import Bilingual
from chalicelib.domain.signed_facts import first_difference
from chalicelib.eds.model import KeyPurpose
from chalicelib.jobs.consequences import message_jobs, stamp
from chalicelib.notify.model import Notifier
from chalicelib.services.applications import reissue_jobs
from chalicelib.services.auth import Verifier
from chalicelib.store.applications import Application, ApplicationRepository
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository


def benefit_decided_message(app: Application, benefit_number: int | None, name: Bilingual) -> tuple[str, str]:
    """What the parent is told of the operator's decision (subject, text), as it stands when sent."""
    if app.benefit_status == "approved":
        kk_number, ru_number = benefit_number_words(benefit_number, app.benefit_status)
        text = (
            f"{app.id}: «{name.kk}» жеңілдігі расталды. Жеңілдік санаты бойынша кезек нөмірі: {kk_number}.\n"
            f"{app.id}: льгота «{name.ru}» подтверждена. Номер очереди по льготной категории: {ru_number}."
        )
    else:
        said = (app.benefit_reason or "").strip().rstrip(". ")
        text = (
            f"{app.id}: «{name.kk}» жеңілдігі расталмады. Себебі: {said}.\n"
            f"{app.id}: льгота «{name.ru}» не подтверждена. Причина: {said}."
        )
    return "Жеңілдікті тексеру / Проверка льготы", text


def scan_type(content: bytes) -> str:
    """The media type of a checked upload, by its first bytes (uploads are checked by content)."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return "application/octet-stream"


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def check_reason(reason: str | None) -> str:
    """A refusal's reason: given, at most REASON_MAX characters, without control characters."""
    said = (reason or "").strip()
    if not said:
        raise InvalidInput(
            "operator.reason_required",
            "Бас тарту себебін көрсетіңіз.",
            "Укажите причину отказа.",
            details={"field": "reason"},
        )
    if len(said) > REASON_MAX or _CONTROL.search(said):
        raise InvalidInput(
            "operator.reason_invalid",
            f"Себебі {REASON_MAX} таңбадан аспауы және басқару таңбаларынсыз болуы керек.",
            f"Причина должна быть не длиннее {REASON_MAX} символов и без управляющих символов.",
            details={"field": "reason"},
        )
    return said


def _outside_area() -> Forbidden:
    return Forbidden(
        "operator.outside_area",
        "Бұл өтініш сіздің өңіріңізге (ауданыңызға) жатпайды.",
        "Это заявление не относится к вашему региону (району).",
    )


@dataclass(frozen=True)
class BenefitCheckService:
    clock: Clock
    applications: ApplicationRepository
    reference: ReferenceRepository
    objects: ObjectStore
    notifier: Notifier
    verifier: Verifier

    def pending(self, operator: Principal) -> list[dict[str, Any]]:
        """Claims waiting for a decision in the operator's region (and district, if they have one)."""
        found = self.applications.pending_benefit_checks(operator.region or "", operator.district)
        return [self._item(app) for app in found]

    def document(self, operator: Principal, application_id: str, *, approve: bool, reason: str | None) -> str:
        """The decision statement the operator signs with their signing key."""
        app = self._pending(operator, application_id)
        said = None if approve else check_reason(reason)
        return decision_xml(self._facts(operator, app), approve=approve, reason=said, prepared_at=self.clock.now())

    def decide(self, operator: Principal, application_id: str, *, approve: bool, signed_xml: str) -> dict[str, Any]:
        """Verify the signed decision, compare it with the server's state and the route's decision,
        then approve or refuse; the parent is told either way (jobs of the same transaction)."""
        self._pending(operator, application_id)
        now = self.clock.now()
        document = self.verifier.verify(signed_xml, purpose=KeyPurpose.SIGN, account_iin=operator.iin, at=now)
        root = document.signed_root
        app = self._pending(operator, application_id)
        signed_reason = None if approve else read_reason(root)
        expected = decision_xml(self._facts(operator, app), approve=approve, reason=signed_reason, prepared_at=now)
        differs = first_difference(root, expected)
        if differs is not None:
            raise InvalidInput(
                "operator.decision_mismatch",
                f"Қол қойылған құжат осы өтініш бойынша жеңілдік туралы шешім емес: «{differs}» сәйкес келмейді.",
                f"Подписанный документ не является решением о льготе по этому заявлению: не совпадает «{differs}».",
                details={"field": differs},
            )
        reason = None if approve else check_reason(signed_reason)
        if reason is not None and reason != signed_reason:
            raise InvalidInput(
                "operator.reason_invalid",
                "Себебі басында не соңында бос орынсыз болуы керек.",
                "Причина не должна начинаться или заканчиваться пробелами.",
                details={"field": "reason"},
            )
        event = "application.benefit_approved" if approve else "application.benefit_refused"
        # the documents it changed and the parent's e-mail and SMS: jobs of the deciding transaction
        # (the benefit queue number the message states is read when the job runs, after the commit)
        subject = f"application#{app.id}"
        told = message_jobs(
            f"{subject}#{event}#{stamp(now)}",
            subject=subject,
            owner_iin=app.applicant_iin,
            now=now,
            email=app.applicant.email,
            phone=app.applicant.phone,
            template={"template": "application.benefit_decided", "application_id": app.id},
        )
        key = f"signed/benefit-decisions/{now:%Y/%m/%d}/{secrets.token_hex(12)}.xml"
        self.objects.put(key, document.received, content_type="application/xml")
        try:
            decided = self.applications.decide_benefit(
                application_id,
                approve=approve,
                who=f"{operator.role.value}:{operator.iin}",
                now=now,
                why=reason,
                jobs=[*reissue_jobs(app.id, event, now), *told],
                details={
                    "signed_xml_key": key,
                    "operator_name": operator.full_name,
                    "certificate_serial": document.signer.certificate_serial,
                },
            )
        except Exception:
            self.objects.delete(key)
            raise
        return self._item(decided)

    def _pending(self, operator: Principal, application_id: str) -> Application:
        """A claim of the operator's area still waiting for a decision (403, 409 otherwise)."""
        app = self.applications.get(application_id)
        self._require_area(operator, app)
        if app.state is not ApplicationStatus.ACTIVE:
            raise not_in_queue(app.id)
        if app.benefit_status != "pending" or not app.benefit_category:
            raise benefit_not_pending(app.id)
        return app

    def _facts(self, operator: Principal, app: Application) -> BenefitDecisionFacts:
        entry = self.reference.get_operator(operator.iin)
        return BenefitDecisionFacts(
            application_id=app.id,
            child_iin=app.child_iin,
            applicant_iin=app.applicant_iin,
            benefit_code=app.benefit_category or "",
            operator_iin=operator.iin,
            operator_full_name=entry.full_name if entry is not None else operator.full_name,
        )

    def scan(self, operator: Principal, application_id: str, index: int) -> tuple[bytes, str, str]:
        """One of the claim's checked scans, as bytes for the operator's page: (content, type, name)."""
        app = self.applications.get(application_id)
        self._require_area(operator, app)
        keys = self._scan_keys(app)
        if not 0 <= index < len(keys):
            raise NotFound("operator.no_such_scan", "Мұндай құжат жоқ.", "Такого документа нет.")
        content = self.objects.get(keys[index])
        if content is None:
            raise NotFound("operator.no_such_scan", "Мұндай құжат жоқ.", "Такого документа нет.")
        return content, scan_type(content), keys[index].rsplit("/", 1)[-1]

    @staticmethod
    def _scan_keys(app: Application) -> list[str]:
        return [*(app.benefit_document_keys or []), *(app.attachment_keys or [])]

    def _require_area(self, operator: Principal, app: Application) -> None:
        if operator.region != app.region or (operator.district and operator.district != app.district):
            raise _outside_area()

    def _item(self, app: Application) -> dict[str, Any]:
        category = self.reference.get_benefit_category(app.benefit_category or "")
        applicant = app.applicant
        return {
            "application_id": app.id,
            "child": {
                "iin": app.child_iin,
                "full_name": person_name(app.child_surname, app.child_given_name, app.child_patronymic),
                "birth_date": app.birth_date.isoformat(),
            },
            "applicant": {
                "iin": applicant.iin,
                "full_name": person_name(applicant.surname, applicant.given_name, applicant.patronymic),
            },
            "region": app.region,
            "district": app.district,
            "benefit": {
                "code": app.benefit_category,
                "name_kk": category.name.kk if category else None,
                "name_ru": category.name.ru if category else None,
            },
            "benefit_status": app.benefit_status,
            "benefit_reason": app.benefit_reason,
            "documents": [
                {
                    "name": key.rsplit("/", 1)[-1],
                    "url": self.objects.presigned_get(key, file_name=key.rsplit("/", 1)[-1]),
                    # the bytes through the API with the operator's session: shown on the page itself
                    "content": f"/operator/benefit-checks/{quote(app.id, safe='')}/documents/{index}",
                }
                for index, key in enumerate(self._scan_keys(app))
            ],
        }
