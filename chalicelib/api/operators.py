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


class RefusalRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


@bp.route("/operator/benefit-checks", methods=["GET"], cors=True)
@handles_errors
def pending() -> Any:
    operator = require_operator(bp.current_request)
    return {"items": wiring.benefit_checks().pending(operator)}


@bp.route("/operator/overdue", methods=["GET"], cors=True)
@handles_errors
def overdue() -> Any:
    """What is past its time limit now (seed 004, appendix 3), in the operator's districts."""
    operator = require_operator(bp.current_request)
    return {"items": wiring.benefit_checks().overdue(operator)}


@bp.route("/operator/benefit-checks/{application_id}/approve", methods=["POST"], cors=True)
@handles_errors
def approve(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    operator = require_operator(bp.current_request)
    return wiring.benefit_checks().decide(operator, application_id, approve=True, reason=None)


@bp.route("/operator/benefit-checks/{application_id}/refuse", methods=["POST"], cors=True)
@handles_errors
def refuse(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    operator = require_operator(bp.current_request)
    body = parse_body(bp.current_request, RefusalRequest)
    return wiring.benefit_checks().decide(operator, application_id, approve=False, reason=body.reason)


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
