"""The kindergartens' portals: publish vacancies, list their directions, confirm enrolment.

Every call authenticates with the kindergarten's API key; every ``POST`` carries an
``Idempotency-Key`` (the same key and body get the same answer; the answer of a repeat carries
``Idempotent-Replayed: true``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import unquote

from chalice import Blueprint, Response
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.directions import direction_json, publication_json
from chalicelib.api.responses import handles_errors, json_response, parse_body, raw_body
from chalicelib.api.security import require_kindergarten
from chalicelib.domain.directions import DirectionStatus
from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.principal import Principal

bp = Blueprint(__name__)


class VacancyRequest(BaseModel):
    group_id: str = Field(min_length=1, max_length=100)
    seats: int = Field(ge=1, le=1000)


def _once(route: str, action: Callable[[Principal, str], tuple[int, Any]]) -> Response:
    """Authenticate, then run ``action`` once per idempotency key (a repeat gets the kept answer)."""
    request = bp.current_request
    principal = require_kindergarten(request)
    key = request.headers.get("idempotency-key")
    ran: list[bool] = []

    def run() -> tuple[int, Any]:
        ran.append(True)
        return action(principal, key or "")

    status, body = wiring.idempotent_requests().once(
        principal=principal,
        route=route,
        idempotency_key=key,
        body=raw_body(request),
        action=run,
        lambda_context=getattr(bp, "lambda_context", None),
    )
    return json_response(body, status=status, headers={} if ran else {"Idempotent-Replayed": "true"})


@bp.route("/partner/vacancies", methods=["POST"], cors=True)
@handles_errors
def publish() -> Any:
    def action(principal: Principal, key: str) -> tuple[int, Any]:
        body = parse_body(bp.current_request, VacancyRequest)
        published = wiring.vacancy_service().publish_as_kindergarten(principal, body.group_id, body.seats, key)
        return (201 if published.publication.new else 200), publication_json(published)

    return _once("/partner/vacancies", action)


@bp.route("/partner/directions", methods=["GET"], cors=True)
@handles_errors
def directions() -> Any:
    request = bp.current_request
    principal = require_kindergarten(request)
    params = request.query_params or {}
    status = params.get("status")
    if status is not None and status not in {s.value for s in DirectionStatus}:
        raise InvalidInput(
            "request.invalid_fields",
            "Өрістер дұрыс толтырылмаған: status",
            "Поля заполнены неверно: status",
            details={"fields": [{"field": "status", "problem": "unknown status"}]},
        )
    views = wiring.direction_service().for_kindergarten(principal, status=status)
    return {"items": [direction_json(view) for view in views]}


@bp.route("/partner/directions/{number}/enrolment", methods=["POST"], cors=True)
@handles_errors
def enrolment(number: str) -> Any:
    number = unquote(number)  # Ж.2026.000123 may arrive percent-encoded

    def action(principal: Principal, key: str) -> tuple[int, Any]:
        return 200, direction_json(wiring.direction_service().enrol(principal, number))

    return _once(f"/partner/directions/{number}/enrolment", action)
