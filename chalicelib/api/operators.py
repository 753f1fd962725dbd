"""The operators' API: benefit checks (education department and service-centre staff)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, parse_body
from chalicelib.api.security import require_operator

bp = Blueprint(__name__)


class RefusalRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


@bp.route("/operator/benefit-checks", methods=["GET"], cors=True)
@handles_errors
def pending() -> Any:
    operator = require_operator(bp.current_request)
    return {"items": wiring.benefit_checks().pending(operator)}


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
