"""The operators' reports: list, run on demand for any period, download, subscribe to the e-mail."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

from chalice import Blueprint
from pydantic import BaseModel, ConfigDict, EmailStr, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response, parse_body
from chalicelib.api.security import require_role
from chalicelib.domain.principal import Role

if TYPE_CHECKING:
    from chalicelib.services.reports import StoredReport

bp = Blueprint(__name__)


class RunRequest(BaseModel):
    kind: Literal["day", "month"]
    period: str = Field(min_length=7, max_length=10)  # 2026-03-02 | 2026-03
    region: str | None = Field(default=None, max_length=40)
    district: str | None = Field(default=None, max_length=40)


class SubscriptionRequest(BaseModel):
    # built on first use: EmailStr's validator library costs a cold start ~0.07 s of CPU
    model_config = ConfigDict(defer_build=True)

    email: EmailStr
    kinds: list[Literal["day", "month"]] = Field(min_length=1, max_length=2)


def stored_json(report: StoredReport) -> dict[str, Any]:
    return {
        "id": report.id,
        "scope": report.scope,
        "kind": report.kind,
        "period": report.period,
        "generated_at": report.generated_at.isoformat() if report.generated_at else None,
        "formats": ["xlsx", "pdf"],
    }


@bp.route("/operator/reports", methods=["GET"], cors=True)
@handles_errors
def list_reports() -> Any:
    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    query = bp.current_request.query_params or {}
    service = wiring.report_service()
    scope = None
    if query.get("region") or query.get("district"):
        scope = service.scope_for(operator, query.get("region"), query.get("district"))
    return {"items": [stored_json(report) for report in service.list_for(operator, scope)]}


@bp.route("/operator/reports", methods=["POST"], cors=True)
@handles_errors
def run_report() -> Any:
    from chalicelib.domain.reports import Period
    from chalicelib.services.reports import bad_report_request

    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    body = parse_body(bp.current_request, RunRequest)
    try:
        period = Period.parse(body.kind, body.period)
    except ValueError as error:
        raise bad_report_request("period") from error
    service = wiring.report_service()
    scope = service.scope_for(operator, body.region, body.district)
    return json_response(stored_json(service.run_for(operator, scope, period)), status=201)


@bp.route("/operator/reports/{scope}/{kind}/{period}/{fmt}", methods=["GET"], cors=True)
@handles_errors
def download_report(scope: str, kind: str, period: str, fmt: str) -> Any:
    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    report_id = "/".join(unquote(part) for part in (scope, kind, period))
    return {"url": wiring.report_service().download(operator, report_id, fmt)}


@bp.route("/operator/report-subscription", methods=["GET"], cors=True)
@handles_errors
def get_subscription() -> Any:
    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    found = wiring.report_service().subscription(operator)
    return {"subscription": None if found is None else found.__dict__ | {"kinds": list(found.kinds)}}


@bp.route("/operator/report-subscription", methods=["PUT"], cors=True)
@handles_errors
def put_subscription() -> Any:
    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    body = parse_body(bp.current_request, SubscriptionRequest)
    found = wiring.report_service().subscribe(operator, str(body.email), list(body.kinds))
    return {"subscription": found.__dict__ | {"kinds": list(found.kinds)}}


@bp.route("/operator/report-subscription", methods=["DELETE"], cors=True)
@handles_errors
def delete_subscription() -> Any:
    operator = require_role(bp.current_request, Role.EDUCATION_DEPARTMENT)
    wiring.report_service().unsubscribe(operator)
    return json_response(None, status=204)
