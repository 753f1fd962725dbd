"""Operators check benefit claims: approve (the child joins the category's queue) or refuse with a reason."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from chalicelib.clock import Clock
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.names import person_name
from chalicelib.domain.principal import Principal
from chalicelib.domain.queue import benefit_number_words
from chalicelib.domain.service_times import BENEFIT_DECISION
from chalicelib.notify.model import Notifier
from chalicelib.store.applications import Application, ApplicationRepository, claimed_at
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository


def scan_type(content: bytes) -> str:
    """The media type of a checked upload, by its first bytes (uploads are checked by content)."""
    if content.startswith(b"%PDF-"):
        return "application/pdf"
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if content.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    return "application/octet-stream"


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
    # issues again the application's documents the decision changed: (application id, event)
    reissue: Callable[[str, str], object] | None = None

    def pending(self, operator: Principal) -> list[dict[str, Any]]:
        """Claims waiting for a decision in the operator's region (and district, if they have one)."""
        found = self.applications.pending_benefit_checks(operator.region or "", operator.district)
        return [self._item(app) for app in found]

    def decide(self, operator: Principal, application_id: str, *, approve: bool, reason: str | None) -> dict[str, Any]:
        """Approve, or refuse with a motivated reason; the parent is told either way."""
        app = self.applications.get(application_id)
        self._require_area(operator, app)
        if not approve and not (reason or "").strip():
            raise InvalidInput(
                "operator.reason_required",
                "Бас тарту себебін көрсетіңіз.",
                "Укажите причину отказа.",
                details={"field": "reason"},
            )
        decided = self.applications.decide_benefit(
            application_id,
            approve=approve,
            who=f"{operator.role.value}:{operator.iin}",
            now=self.clock.now(),
            why=(reason or "").strip() or None,
        )
        event = "application.benefit_approved" if approve else "application.benefit_refused"
        if self.reissue is not None:
            self.reissue(decided.id, event)
        category = self.reference.get_benefit_category(decided.benefit_category or "")
        name_kk = category.name.kk if category else decided.benefit_category
        name_ru = category.name.ru if category else decided.benefit_category
        if approve:
            number = self.applications.queue_numbers(decided).benefit
            kk_number, ru_number = benefit_number_words(number, decided.benefit_status)
            text = (
                f"{decided.id}: «{name_kk}» жеңілдігі расталды. Жеңілдік санаты бойынша кезек нөмірі: {kk_number}.\n"
                f"{decided.id}: льгота «{name_ru}» подтверждена. Номер очереди по льготной категории: {ru_number}."
            )
        else:
            said = (reason or "").strip().rstrip(". ")
            text = (
                f"{decided.id}: «{name_kk}» жеңілдігі расталмады. Себебі: {said}.\n"
                f"{decided.id}: льгота «{name_ru}» не подтверждена. Причина: {said}."
            )
        self.notifier.send_email(decided.applicant.email, "Жеңілдікті тексеру / Проверка льготы", text)
        self.notifier.send_sms(decided.applicant.phone, text[:300])
        return self._item(decided)

    def overdue(self, operator: Principal) -> list[dict[str, Any]]:
        """Steps past their limit now (seed 004, appendix 3), per district of the operator's area."""
        now = self.clock.now()
        region = operator.region or ""
        districts = (
            [operator.district] if operator.district else [d.code for d in self.reference.list_districts(region)]
        )
        before = BENEFIT_DECISION.overdue_if_started_before(now)
        items = []
        for district in districts:
            for app in self.applications.overdue_benefit_checks(region, district, before):
                started = claimed_at(app)
                if started is None:
                    continue
                due = BENEFIT_DECISION.due_at(started)
                items.append(
                    {
                        "step": BENEFIT_DECISION.code,
                        "step_name": {"kk": BENEFIT_DECISION.name_kk, "ru": BENEFIT_DECISION.name_ru},
                        "limit": BENEFIT_DECISION.limit_text,
                        "application_id": app.id,
                        "district": app.district,
                        "started_at": started.isoformat(),
                        "due_at": due.isoformat(),
                        "overdue_minutes": int((now - due).total_seconds() // 60),
                    }
                )
        return items

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
