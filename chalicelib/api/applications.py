"""The parents' queue: prefill, draft and submit a signed application; the journal and its actions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import quote, unquote

from chalice import Blueprint, Response
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response, parse_body
from chalicelib.api.security import require_parent
from chalicelib.domain.names import person_name

if TYPE_CHECKING:
    from chalicelib.services.applications import ApplicationView
    from chalicelib.store.documents import IssuedDocument
    from chalicelib.store.history import HistoryRecord

bp = Blueprint(__name__)


class AddressIn(BaseModel):
    city: str = Field(min_length=1, max_length=100)
    district: str = Field(min_length=1, max_length=100)
    street: str = Field(min_length=1, max_length=200)
    house: str = Field(min_length=1, max_length=20)
    flat: str = Field(default="", max_length=20)


class ApplicantIn(BaseModel):
    address: AddressIn
    email: str = Field(min_length=3, max_length=254)
    phone: str = Field(min_length=5, max_length=32)
    extra_email: str | None = Field(default=None, max_length=254)
    extra_phone: str | None = Field(default=None, max_length=32)


class ChildIn(BaseModel):
    iin: str = Field(min_length=1, max_length=20)
    surname: str = Field(default="", max_length=100)
    given_name: str = Field(default="", max_length=100)
    patronymic: str | None = Field(default=None, max_length=100)


class DraftRequest(BaseModel):
    applicant: ApplicantIn
    child: ChildIn
    region: str = Field(min_length=1, max_length=50)
    district: str = Field(min_length=1, max_length=50)
    kindergartens: list[str] = Field(max_length=10)
    language: Literal["kk", "ru"]
    benefit: str | None = None
    attachments: list[str] = Field(default_factory=list, max_length=10)


class SignedRequest(BaseModel):
    signed_xml: str = Field(min_length=1)


class BenefitRequest(BaseModel):
    benefit: str | None
    attachments: list[str] = Field(default_factory=list, max_length=10)


class LinkRequest(BaseModel):
    registration_number: str = Field(min_length=1, max_length=40)
    child_iin: str = Field(min_length=1, max_length=20)


class WithdrawDraftRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


def application_json(view: ApplicationView) -> dict[str, Any]:
    """One application as the journal and the application view show it."""
    from chalicelib.domain.application_form import CONSENT_WORDS
    from chalicelib.domain.queue import ApplicationStatus, BenefitStatus, benefit_number_words, interest_deadline
    from chalicelib.services.applications import REASON_WORDS, STATUS_WORDS
    from chalicelib.store.applications import rules_from_settings


    app, numbers = view.application, view.numbers
    status = ApplicationStatus(app.status)
    words = STATUS_WORDS[status]
    reason = REASON_WORDS.get(app.status_reason or "")
    benefit = wiring.reference().get_benefit_category(app.benefit_category) if app.benefit_category else None
    active = status is ApplicationStatus.ACTIVE
    applicant = app.applicant
    return {
        "id": app.id,
        "registration_number": app.id,
        "child": {
            "iin": app.child_iin,
            "full_name": person_name(app.child_surname, app.child_given_name, app.child_patronymic),
            "birth_date": app.birth_date.isoformat(),
            "sex": app.sex,
        },
        "applicant_name": person_name(applicant.surname, applicant.given_name, applicant.patronymic),
        "queue_number": numbers.general,
        "benefit_queue_number": numbers.benefit,  # null unless the benefit is approved
        "benefit_queue_text": dict(
            zip(("kk", "ru"), benefit_number_words(numbers.benefit, app.benefit_status), strict=True)
        ),
        "status": status.value,
        "status_kk": words.kk,
        "status_ru": words.ru,
        "status_reason_kk": reason.kk if reason else app.status_reason,
        "status_reason_ru": reason.ru if reason else app.status_reason,
        "status_at": app.status_at.isoformat() if app.status_at else None,
        "created_at": app.registered_at.isoformat() if app.registered_at else None,
        "registered_at": app.registered_at.isoformat() if app.registered_at else None,
        "benefit": (
            {"code": benefit.code, "name_kk": benefit.name.kk, "name_ru": benefit.name.ru} if benefit else None
        ),
        "benefit_status": app.benefit_status,
        "benefit_reason": app.benefit_reason,
        "region": app.region,
        "district": app.district,
        "kindergartens": list(app.preferences or []),
        "language": app.language,
        "channel": app.channel,
        "egov_number": app.egov_number,
        "service_center_number": app.service_center_number,
        # filed at a service centre's desk: the operator and how the parent consented
        "service_centre": (
            {
                "operator_iin": app.desk_operator_iin,
                "consent": app.desk_consent,
                "consent_kk": CONSENT_WORDS.get(app.desk_consent or "", ("", ""))[0],
                "consent_ru": CONSENT_WORDS.get(app.desk_consent or "", ("", ""))[1],
            }
            if app.desk_operator_iin
            else None
        ),
        "next_confirmation_due": (
            interest_deadline(app.registered_at, app.last_confirmed_at, rules_from_settings()).isoformat()
            if active and app.registered_at
            else None
        ),
        "live_direction": app.live_direction_id,
        "family": {"id": app.family_id, "together": bool(app.family_together)} if app.family_id else None,
        "stop_list_until": app.stop_list_until.isoformat() if app.stop_list_until else None,
        "missed_directions": int(app.missed_directions or 0),
        "actions": ["confirm_interest", "change_benefit", "withdraw"] if active else [],
        "benefit_pending": app.benefit_status == BenefitStatus.PENDING.value,
    }


def document_json(record: IssuedDocument) -> dict[str, Any]:
    from chalicelib.documents.kinds import DocumentKind

    kind = DocumentKind(record.kind)
    return {
        "kind": kind.value,
        "title_kk": kind.title_kk,
        "title_ru": kind.title_ru,
        "source": "system",
        "url": wiring.document_service().download_link(record),
    }


WHO_WORDS = {
    "parent": ("Өтініш беруші", "Заявитель"),
    "education_department": ("Білім басқармасының қызметкері", "Сотрудник управления образования"),
    "service_center": ("ХҚКО операторы", "Оператор ЦОН"),
    "kindergarten": ("Балабақша", "Детский сад"),
    "system": ("Жүйе", "Система"),
}


def history_json(record: HistoryRecord) -> dict[str, Any]:
    """One change: when, who (in words), and what happened as one sentence in Kazakh and Russian."""
    from chalicelib.domain import history_words
    from chalicelib.services.applications import REASON_WORDS

    reason = REASON_WORDS.get(record.why or "")
    who_kk, who_ru = WHO_WORDS.get(record.who.split(":", 1)[0], (record.who, record.who))
    reference = wiring.reference()
    text = history_words.sentence(
        history_words.Entry(
            event=record.event,
            subject_id=record.subject_id,
            at=record.at,
            who=record.who,
            from_state=record.from_state,
            to_state=record.to_state,
            why=record.why,
            details=record.details,
        ),
        kindergarten_name=lambda kg: found.name if (found := reference.get_kindergarten(kg)) else None,
        benefit_name=lambda code: found.name if (found := reference.get_benefit_category(code)) else None,
        reasons=REASON_WORDS,
    )
    return {
        "at": record.at.isoformat(),
        "who": record.who,
        "who_kk": who_kk,
        "who_ru": who_ru,
        "subject": record.subject_type,
        "subject_id": record.subject_id,
        "event": record.event,
        "text_kk": text.kk,
        "text_ru": text.ru,
        "from": record.from_state,
        "to": record.to_state,
        "why": record.why,
        "why_kk": reason.kk if reason else record.why,
        "why_ru": reason.ru if reason else record.why,
    }


@bp.route("/applications/prefill", methods=["GET"], cors=True)
@handles_errors
def prefill() -> Any:
    principal = require_parent(bp.current_request)
    return wiring.application_service().prefill(principal)


@bp.route("/applications/draft", methods=["POST"], cors=True)
@handles_errors
def draft() -> Any:
    from chalicelib.domain.application_form import Address
    from chalicelib.services.applications import DraftInput

    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, DraftRequest)
    xml = wiring.application_service().draft(
        principal,
        DraftInput(
            address=Address(**body.applicant.address.model_dump()),
            email=body.applicant.email,
            phone=body.applicant.phone,
            extra_email=body.applicant.extra_email,
            extra_phone=body.applicant.extra_phone,
            child_iin=body.child.iin,
            child_surname=body.child.surname,
            child_given_name=body.child.given_name,
            child_patronymic=body.child.patronymic,
            region=body.region,
            district=body.district,
            kindergartens=tuple(body.kindergartens),
            language=body.language,
            benefit=body.benefit or None,
            attachments=tuple(body.attachments),
        ),
    )
    return {"xml": xml}


@bp.route("/applications", methods=["POST"], cors=True)
@handles_errors
def submit() -> Any:
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, SignedRequest)
    submitted = wiring.application_service().submit(principal, body.signed_xml)
    # the documents are jobs of the registering transaction: they appear within seconds
    # (GET /applications/{id}/documents says "preparing" until all of them are issued)
    answer = {**application_json(submitted.view), "documents": [], "documents_preparing": True}
    if submitted.replayed:
        return json_response(answer, status=200, headers={"Idempotent-Replayed": "true"})
    return json_response(answer, status=201)


@bp.route("/applications", methods=["GET"], cors=True)
@handles_errors
def journal() -> Any:
    principal = require_parent(bp.current_request)
    return {"items": [application_json(v) for v in wiring.application_service().journal(principal)]}


@bp.route("/applications/link", methods=["POST"], cors=True)
@handles_errors
def link() -> Any:
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, LinkRequest)
    service = wiring.application_service()
    return application_json(service.link_to_me(principal, body.registration_number.strip(), body.child_iin.strip()))


@bp.route("/applications/{application_id}", methods=["GET"], cors=True)
@handles_errors
def view(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    return application_json(wiring.application_service().view(principal, application_id))


@bp.route("/applications/{application_id}/position", methods=["GET"], cors=True)
@handles_errors
def position(application_id: str) -> Any:
    """The queue position explained: who is ahead, why it moved since the last visit, the wait (estimate)."""
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    return wiring.position_service().explain(principal, application_id)


@bp.route("/applications/{application_id}/history", methods=["GET"], cors=True)
@handles_errors
def history(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    return {"items": [history_json(r) for r in wiring.application_service().history(principal, application_id)]}


@bp.route("/applications/{application_id}/documents", methods=["GET"], cors=True)
@handles_errors
def documents(application_id: str) -> Any:
    from chalicelib.services.applications import REGISTRATION_KINDS

    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    language = download_language(bp.current_request)
    items = wiring.application_service().documents_of(principal, application_id, language)
    issued = {item["kind"] for item in items if item["source"] == "system"}
    preparing = [kind.value for kind in REGISTRATION_KINDS if kind.value not in issued]
    if items and "private_direction" not in issued:  # a private direction's PDF is a job of the choice
        app = wiring.application_service().view(principal, application_id).application
        if app.status == "left_for_private":
            preparing.append("private_direction")
    return {"items": items, "preparing": preparing}


@bp.route("/applications/{application_id}/documents.zip", methods=["GET"], cors=True)
@handles_errors
def documents_archive(application_id: str) -> Any:
    application_id = unquote(application_id)
    principal = require_parent(bp.current_request)
    name, body = wiring.application_service().documents_archive(
        principal, application_id, download_language(bp.current_request)
    )
    return Response(
        body=body,
        status_code=200,
        headers={
            "Content-Type": "application/zip",
            "Content-Disposition": f"attachment; filename=\"documents.zip\"; filename*=UTF-8''{quote(name, safe='')}",
            "Cache-Control": "no-store",
        },
    )


def download_language(request: Any) -> str:
    """``?lang=ru`` names downloaded files in Russian; Kazakh otherwise."""
    return "ru" if (request.query_params or {}).get("lang") == "ru" else "kk"


@bp.route("/applications/{application_id}/confirm-interest", methods=["POST"], cors=True)
@handles_errors
def confirm_interest(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    return application_json(wiring.application_service().confirm_interest(principal, application_id))


@bp.route("/applications/{application_id}/benefit/draft", methods=["POST"], cors=True)
@handles_errors
def benefit_draft(application_id: str) -> Any:
    """The benefit claim to sign (like the application, with the SIGN key)."""
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, BenefitRequest)
    xml = wiring.application_service().benefit_draft(
        principal, application_id, body.benefit or None, tuple(body.attachments)
    )
    return {"xml": xml}


@bp.route("/applications/{application_id}/benefit", methods=["POST"], cors=True)
@handles_errors
def change_benefit(application_id: str) -> Any:
    """The signed benefit claim: a new category and documents, pending an operator's check."""
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, SignedRequest)
    return application_json(wiring.application_service().change_benefit(principal, application_id, body.signed_xml))


@bp.route("/applications/{application_id}/withdraw/draft", methods=["POST"], cors=True)
@handles_errors
def withdraw_draft(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, WithdrawDraftRequest)
    return {"xml": wiring.application_service().withdraw_draft(principal, application_id, body.reason)}


@bp.route("/applications/{application_id}/withdraw", methods=["POST"], cors=True)
@handles_errors
def withdraw(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, SignedRequest)
    return application_json(wiring.application_service().withdraw(principal, application_id, body.signed_xml))
