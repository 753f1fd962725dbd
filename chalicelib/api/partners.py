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
from chalicelib.api.contracts import contract_json
from chalicelib.api.directions import direction_json, publication_json
from chalicelib.api.responses import canonical_json, handles_errors, json_response, parse_body, raw_body
from chalicelib.api.security import require_kindergarten
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
        body=canonical_json(raw_body(request)),
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
    from chalicelib.domain.directions import DirectionStatus

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


# --- electronic contracts (seed 000) ---------------------------------------------------------------


class ContractSignatureRequest(BaseModel):
    signed_xml: str = Field(min_length=1)


class ContractRefusalRequest(BaseModel):
    reason: str = Field(min_length=1, max_length=1000)


class Words(BaseModel):
    kk: str = Field(min_length=1, max_length=500)
    ru: str = Field(min_length=1, max_length=500)


class PriceRequest(BaseModel):
    service: Words
    period: Words
    amount: str = Field(min_length=1, max_length=20)


class AccountRequest(BaseModel):
    bank: str = Field(min_length=1, max_length=200)
    bic: str = Field(min_length=8, max_length=11)
    iban: str = Field(min_length=15, max_length=40)


class ContractSettingsRequest(BaseModel):
    register_code: str = Field(min_length=8, max_length=8)
    account: AccountRequest
    prices: list[PriceRequest] = Field(min_length=1, max_length=30)


def settings_json(item: Any) -> dict[str, Any]:
    return {
        "kindergarten_id": item.kindergarten_id,
        "register_code": item.register_code,
        "account": item.account,
        "prices": item.prices,
        "updated_at": item.updated_at.isoformat(),
    }


@bp.route("/partner/contracts", methods=["GET"], cors=True)
@handles_errors
def contracts() -> Any:
    from chalicelib.domain.contracts import ContractStatus

    request = bp.current_request
    principal = require_kindergarten(request)
    status = (request.query_params or {}).get("status")
    if status is not None and status not in {s.value for s in ContractStatus}:
        raise InvalidInput(
            "request.invalid_fields",
            "Өрістер дұрыс толтырылмаған: status",
            "Поля заполнены неверно: status",
            details={"fields": [{"field": "status", "problem": "unknown status"}]},
        )
    views = wiring.contract_service().for_kindergarten(principal, status=status)
    return {"items": [contract_json(view, full=False) for view in views]}


@bp.route("/partner/contracts/{number}", methods=["GET"], cors=True)
@handles_errors
def contract(number: str) -> Any:
    principal = require_kindergarten(bp.current_request)
    view = wiring.contract_service().kindergarten_view(principal, unquote(number))
    return contract_json(view, for_kindergarten=True)


@bp.route("/partner/contracts/{number}/signing-document", methods=["GET"], cors=True)
@handles_errors
def contract_signing_document(number: str) -> Any:
    principal = require_kindergarten(bp.current_request)
    return {"xml": wiring.contract_service().kindergarten_signing_document(principal, unquote(number))}


@bp.route("/partner/contracts/{number}/signature", methods=["POST"], cors=True)
@handles_errors
def contract_signature(number: str) -> Any:
    number = unquote(number)

    def action(principal: Principal, key: str) -> tuple[int, Any]:
        body = parse_body(bp.current_request, ContractSignatureRequest)
        view = wiring.contract_service().sign_as_kindergarten(principal, number, body.signed_xml)
        return 200, contract_json(view, for_kindergarten=True)

    return _once(f"/partner/contracts/{number}/signature", action)


@bp.route("/partner/contracts/{number}/refusal", methods=["POST"], cors=True)
@handles_errors
def contract_refusal(number: str) -> Any:
    number = unquote(number)

    def action(principal: Principal, key: str) -> tuple[int, Any]:
        body = parse_body(bp.current_request, ContractSignatureRequest)
        view = wiring.contract_service().refuse_signed(principal, number, body.signed_xml)
        return 200, contract_json(view, for_kindergarten=True)

    return _once(f"/partner/contracts/{number}/refusal", action)


@bp.route("/partner/contracts/{number}/refusal-document", methods=["POST"], cors=True)
@handles_errors
def contract_refusal_document(number: str) -> Any:
    """The refusal with the kindergarten's reason, to be signed with the organisation's EDS."""
    principal = require_kindergarten(bp.current_request)
    body = parse_body(bp.current_request, ContractRefusalRequest)
    return {"xml": wiring.contract_service().kindergarten_refusal_document(principal, unquote(number), body.reason)}


@bp.route("/partner/contract-settings", methods=["GET"], cors=True)
@handles_errors
def contract_settings() -> Any:
    from chalicelib.domain.contracts import no_contract_settings

    principal = require_kindergarten(bp.current_request)
    item = wiring.contract_service().settings_of(principal)
    if item is None:
        raise no_contract_settings()
    return settings_json(item)


@bp.route("/partner/contract-settings", methods=["PUT"], cors=True)
@handles_errors
def save_contract_settings() -> Any:
    principal = require_kindergarten(bp.current_request)
    body = parse_body(bp.current_request, ContractSettingsRequest)
    item = wiring.contract_service().save_settings(
        principal,
        register_code=body.register_code,
        account=body.account.model_dump(),
        prices=[line.model_dump() for line in body.prices],
    )
    return settings_json(item)
