"""The operators' API: benefit checks (education department and service-centre staff), contract templates."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response, parse_body
from chalicelib.api.security import require_operator, require_role
from chalicelib.domain.principal import Role

bp = Blueprint(__name__)


@bp.route("/operator/benefit-checks", methods=["GET"], cors=True)
@handles_errors
def pending() -> Any:
    operator = require_operator(bp.current_request)
    return {"items": wiring.benefit_checks().pending(operator)}


@bp.route("/operator/overdue", methods=["GET"], cors=True)
@handles_errors
def overdue() -> Any:
    """What is past its time limit now (seed 004, appendix 3): the steps of the operator's role, per district."""
    operator = require_operator(bp.current_request)
    return {"items": wiring.service_times().overdue(operator)}


class DecisionDocumentRequest(BaseModel):
    approve: bool
    reason: str | None = Field(default=None, max_length=1000)


class SignedDecisionRequest(BaseModel):
    signed_xml: str = Field(min_length=1, max_length=200_000)


@bp.route("/operator/benefit-checks/{application_id}/decision-document", methods=["POST"], cors=True)
@handles_errors
def decision_document(application_id: str) -> Any:
    """The decision statement (approve, or refuse with the reason) the operator signs with their EDS."""
    operator = require_operator(bp.current_request)
    body = parse_body(bp.current_request, DecisionDocumentRequest)
    xml = wiring.benefit_checks().document(operator, unquote(application_id), approve=body.approve, reason=body.reason)
    return {"xml": xml}


@bp.route("/operator/benefit-checks/{application_id}/approve", methods=["POST"], cors=True)
@handles_errors
def approve(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    operator = require_operator(bp.current_request)
    body = parse_body(bp.current_request, SignedDecisionRequest)
    return wiring.benefit_checks().decide(operator, application_id, approve=True, signed_xml=body.signed_xml)


@bp.route("/operator/benefit-checks/{application_id}/refuse", methods=["POST"], cors=True)
@handles_errors
def refuse(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    operator = require_operator(bp.current_request)
    body = parse_body(bp.current_request, SignedDecisionRequest)
    return wiring.benefit_checks().decide(operator, application_id, approve=False, signed_xml=body.signed_xml)


# --- the standard contract (seed 000): the education department publishes its versions ------------


class TemplateWords(BaseModel):
    kk: str = Field(min_length=1, max_length=20000)
    ru: str = Field(min_length=1, max_length=20000)


class TemplateSection(BaseModel):
    title: TemplateWords | None = None
    paragraphs: list[TemplateWords] = Field(min_length=1, max_length=200)


class TemplateRequest(BaseModel):
    title: TemplateWords
    sections: list[TemplateSection] = Field(min_length=1, max_length=100)


def template_json(item: Any, *, text: bool = False) -> dict[str, Any]:
    body = {
        "region": item.region,
        "version": int(item.version),
        "title": item.title,
        "published_at": item.published_at.isoformat(),
        "published_by": item.published_by,
    }
    if text:
        body["sections"] = item.sections
    return body


@bp.route("/operator/contract-templates", methods=["GET"], cors=True)
@handles_errors
def contract_templates() -> Any:
    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    items = wiring.contract_service().templates(operator)
    return {"items": [template_json(item, text=index == 0) for index, item in enumerate(items)]}


@bp.route("/operator/contract-templates", methods=["POST"], cors=True)
@handles_errors
def publish_contract_template() -> Any:
    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    body = parse_body(bp.current_request, TemplateRequest)
    item = wiring.contract_service().publish_template(
        operator,
        title=body.title.model_dump(),
        sections=[section.model_dump() for section in body.sections],
    )
    return json_response(template_json(item, text=True), status=201)


# --- the operators' desk: one application, its motivated refusal, the claim's scans, the kindergartens --


class RefusalDraftRequest(BaseModel):
    ground: str = Field(min_length=1, max_length=40)
    motivation_kk: str = Field(min_length=1, max_length=2000)
    motivation_ru: str = Field(min_length=1, max_length=2000)


class SignedRequest(BaseModel):
    signed_xml: str = Field(min_length=1, max_length=200_000)


def _operator_application(application_id: str) -> Any:
    from chalicelib.api.applications import application_json, history_json
    from chalicelib.services.applications import ApplicationView

    operator = require_operator(bp.current_request)
    app = wiring.refusal_service().application(operator, application_id)
    applications = wiring.applications()
    body = application_json(ApplicationView(app, applications.queue_numbers(app)))
    body["applicant_iin"] = app.applicant_iin
    address = app.applicant.address
    body["applicant_contacts"] = {
        "address": {
            k: (getattr(address, k) or "") if address else "" for k in ("city", "district", "street", "house", "flat")
        },
        "email": app.applicant.email,
        "phone": app.applicant.phone,
    }
    body["history"] = [history_json(record) for record in applications.history(app.id)]
    body["documents"] = [
        {"kind": d.kind, "document_id": d.document_id, "url": wiring.document_service().download_link(d)}
        for d in wiring.document_service().documents.for_subject(f"application#{app.id}")
        if d.superseded_by is None
    ]
    return body


@bp.route("/operator/applications/{application_id}", methods=["GET"], cors=True)
@handles_errors
def operator_application(application_id: str) -> Any:
    """An application of the operator's area: its facts, its history and its documents in force."""
    return _operator_application(unquote(application_id))


@bp.route("/operator/applications/{application_id}/refusal/draft", methods=["POST"], cors=True)
@handles_errors
def refusal_draft(application_id: str) -> Any:
    from chalicelib.domain.refusals import Motivation

    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    body = parse_body(bp.current_request, RefusalDraftRequest)
    xml = wiring.refusal_service().draft(
        operator, unquote(application_id), Motivation(body.ground, body.motivation_kk, body.motivation_ru)
    )
    return {"xml": xml}


@bp.route("/operator/applications/{application_id}/refusal", methods=["POST"], cors=True)
@handles_errors
def refuse_application(application_id: str) -> Any:
    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    body = parse_body(bp.current_request, SignedRequest)
    application_id = unquote(application_id)
    wiring.refusal_service().refuse(operator, application_id, body.signed_xml)
    return _operator_application(application_id)


class CorrectionAddress(BaseModel):
    city: str = Field(min_length=1, max_length=100)
    district: str = Field(min_length=1, max_length=100)
    street: str = Field(min_length=1, max_length=200)
    house: str = Field(min_length=1, max_length=20)
    flat: str = Field(default="", max_length=20)


class CorrectionRequest(BaseModel):
    address: CorrectionAddress
    email: str = Field(min_length=3, max_length=254)
    phone: str = Field(min_length=5, max_length=32)
    reason: str = Field(min_length=1, max_length=1000)


@bp.route("/operator/applications/{application_id}/correction", methods=["POST"], cors=True)
@handles_errors
def correct_application(application_id: str) -> Any:
    """Correct the applicant's address, e-mail or phone with the reason recorded; the parent is told."""
    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    body = parse_body(bp.current_request, CorrectionRequest)
    application_id = unquote(application_id)
    wiring.correction_service().correct(
        operator,
        application_id,
        address=body.address.model_dump(),
        email=body.email,
        phone=body.phone,
        reason=body.reason,
    )
    return _operator_application(application_id)


@bp.route("/operator/benefit-checks/{application_id}/documents/{index}", methods=["GET"], cors=True)
@handles_errors
def benefit_scan(application_id: str, index: str) -> Any:
    """A scan of the claim, as bytes: the operator's page shows it inline with the session token."""
    from chalice import Response

    from chalicelib.domain.errors import NotFound

    operator = require_operator(bp.current_request)
    if not index.isdigit() or len(index) > 3:
        raise NotFound("operator.no_such_scan", "Мұндай құжат жоқ.", "Такого документа нет.")
    content, media_type, name = wiring.benefit_checks().scan(operator, unquote(application_id), int(index))
    return Response(
        body=content,
        status_code=200,
        headers={
            "Content-Type": media_type,
            "Content-Disposition": f'inline; filename="{name}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@bp.route("/operator/kindergartens", methods=["GET"], cors=True)
@handles_errors
def area_kindergartens() -> Any:
    """The kindergartens of the operator's area with their groups (the vacancies screen)."""
    from chalicelib.api.reference import kindergarten_json

    operator = require_operator(bp.current_request)
    reference = wiring.reference()
    region = operator.region or ""
    found = (
        reference.list_kindergartens(region, operator.district)
        if operator.district
        else reference.list_region_kindergartens(region)
    )
    return {
        "items": [
            kindergarten_json(k)
            | {
                "groups": [
                    {
                        "id": g.group_id,
                        "birth_year": g.birth_year,
                        "language": str(g.language),
                        "name_kk": g.name.kk,
                        "name_ru": g.name.ru,
                    }
                    for g in reference.list_groups(k.id)
                ]
            }
            for k in found
        ]
    }
