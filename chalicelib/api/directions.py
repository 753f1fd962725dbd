"""Directions for parents and operators: the child's directions, extend, revoke; vacancies, explanation, audit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response, parse_body
from chalicelib.api.security import require_operator, require_parent, require_role
from chalicelib.domain import allocation, allocation_protocol
from chalicelib.domain.principal import Role

if TYPE_CHECKING:
    from chalicelib.services.directions import AllocationRun, DirectionView
    from chalicelib.services.vacancies import Published

bp = Blueprint(__name__)

PASSED_OVER_WORDS: dict[str, tuple[str, str]] = {
    allocation.BLOCKED_PREFIX + allocation.STOP_LIST: ("Стоп-тізімде", "В стоп-листе"),
    allocation.BLOCKED_PREFIX + allocation.LIVE_DIRECTION: (
        "Әрекеттегі жолдамасы бар",
        "Уже есть действующее направление",
    ),
    allocation.SEATED_EARLIER: (
        "Осы бөлуде қалауы бойынша орынды бұрын алды",
        "Получил место раньше в этом распределении (по своему выбору)",
    ),
    allocation.NOT_IN_PREFERENCES: ("Бұл балабақшаны таңдамаған", "Не выбирал этот детский сад"),
    allocation.OTHER_COHORT: ("Басқа жас тобы (туған жылы)", "Другая возрастная группа (год рождения)"),
    allocation.OTHER_LANGUAGE: ("Басқа оқыту тілі", "Другой язык обучения"),
    allocation.BLOCKED_PREFIX + allocation.FAMILY_APART: (
        "«Тек бірге» таңдаған отбасына бір балабақшада орын жетпеді",
        "Семье с выбором «только вместе» не хватило мест в одном саду",
    ),
}
STABLE_SEATED = (
    "Осы балабақшада немесе өзі жоғары қойған балабақшада орын алды",
    "Получил место здесь или в детском саду, который поставил выше",
)
INSTEAD_WORDS: dict[str, tuple[str, str]] = {
    allocation.OUT_OF_TURN_AHEAD: ("Кезектен тыс бала", "Ребёнок вне очереди"),
    allocation.EARLIER_IN_ORDER: ("Ортақ кезекте алдыда тұрған", "Раньше в общей очереди"),
    allocation.NO_SEATS: (
        "Сіздің жас тобыңыз бен тіліңізге бос орын болмады",
        "Не было свободных мест для вашей возрастной группы и языка",
    ),
    **{
        allocation.PRIORITY_PREFIX + kind: (f"Басымдық: {words['kk']}", f"Приоритет: {words['ru']}")
        for kind, words in allocation_protocol.PRIORITIES.items()
    },
}


def _words(reason: str, mode: str | None) -> tuple[str, str]:
    if mode == allocation.STABLE and reason == allocation.SEATED_EARLIER:
        return STABLE_SEATED
    return PASSED_OVER_WORDS.get(reason, (reason, reason))


class ExtendRequest(BaseModel):
    days: int = Field(ge=1, le=366)


class OperatorVacancyRequest(BaseModel):
    kindergarten_id: str = Field(min_length=1, max_length=100)
    group_id: str = Field(min_length=1, max_length=100)
    seats: int = Field(ge=1, le=1000)


def direction_json(view: DirectionView, *, explanation: bool = False) -> dict[str, Any]:
    """One direction as the parent, the kindergarten and the operator see it."""
    from chalicelib.domain.directions import DirectionStatus, last_valid_day, revocable_until
    from chalicelib.domain.names import person_name

    d = view.direction
    status = DirectionStatus(d.status)
    k, g = view.kindergarten, view.group
    body: dict[str, Any] = {
        "number": d.number,
        "status": status.value,
        "status_kk": status.kk,
        "status_ru": status.ru,
        "status_at": d.status_at.isoformat(),
        "application_id": d.application_id,
        "child": {
            "iin": d.child_iin,
            "full_name": person_name(d.child_surname, d.child_given_name, d.child_patronymic),
            "birth_date": d.birth_date.isoformat(),
        },
        "kindergarten": {
            "id": d.kindergarten_id,
            "number": k.number if k else None,
            "name_kk": k.name.kk if k else None,
            "name_ru": k.name.ru if k else None,
            "address_kk": k.address.kk if k else None,
            "address_ru": k.address.ru if k else None,
            "phone": k.phone if k else None,
        },
        "group": {
            "id": d.group_id,
            "name_kk": g.name.kk if g else None,
            "name_ru": g.name.ru if g else None,
            "birth_year": int(d.cohort),
            "language": d.language,
        },
        "seat_id": d.seat_id,
        "issued_at": d.issued_at.isoformat(),
        "deadline": d.deadline.isoformat(),
        "valid_until": last_valid_day(d.deadline).isoformat(),
        "extended": bool(d.extended),
        "extended_days": int(d.extended_days) if d.extended_days is not None else None,
        "revocable_until": revocable_until(d.issued_at, wiring.direction_service().rules).isoformat(),
        "document_url": view.document_url,
        # the PDF is a job of the change: "being prepared" until it is rendered (the page looks again)
        "document_preparing": view.document_preparing,
        "actions": list(view.actions),
        "contract": {
            "mode": k.contract_mode if k else None,
            "number": d.contract_number,
            "status": d.contract_status,
            "clock_paused": d.paused_seconds is not None,
        },
    }
    if view.clock is not None:
        body["clock"] = {
            "state": view.clock.state,
            "valid_until": view.clock.valid_until.isoformat() if view.clock.valid_until else None,
            "working_days_left": view.clock.working_days_left,
        }
    if explanation:
        why = d.explanation or {}
        body["explanation"] = {
            "run_id": why.get("run_id"),
            "order_position": why.get("order_position"),
            "preference_rank": why.get("preference_rank"),
            "passed_over_count": why.get("passed_over_count", 0),
            "passed_over": [
                {
                    "application_id": item["application_id"],
                    "reason": item["reason"],
                    "reason_kk": _words(item["reason"], why.get("mode"))[0],
                    "reason_ru": _words(item["reason"], why.get("mode"))[1],
                }
                for item in why.get("passed_over", [])
            ],
            "mode": why.get("mode", allocation.SERIAL),
            "priority": why.get("priority"),
            "kindergarten_position": why.get("kindergarten_position"),
            "instead": [
                {
                    **item,
                    "reason_kk": INSTEAD_WORDS.get(item["reason"], (item["reason"], item["reason"]))[0],
                    "reason_ru": INSTEAD_WORDS.get(item["reason"], (item["reason"], item["reason"]))[1],
                }
                for item in why.get("instead", [])
            ],
        }
    return body


def allocation_json(run: AllocationRun | None) -> dict[str, Any] | None:
    if run is None:
        return None
    return {
        "run_id": run.run_id,
        "offers": run.offers,
        "issued": [d.number for d in run.issued],
        "skipped": len(run.skipped),
    }


def publication_json(published: Published) -> dict[str, Any]:
    publication = published.publication
    return {
        "publication_id": publication.publication_id,
        "new": publication.new,
        "kindergarten_id": published.kindergarten.id,
        "group_id": published.group.group_id,
        "birth_year": published.group.birth_year,
        "language": published.group.language,
        "channel": published.channel.value,
        "seats": [
            {"seat_id": seat.seat_id, "status": seat.status, "direction_number": seat.direction_number}
            for seat in publication.seats
        ],
        "allocation": allocation_json(published.allocation),
    }


# --- parents -------------------------------------------------------------------------------------


@bp.route("/applications/{application_id}/directions", methods=["GET"], cors=True)
@handles_errors
def of_application(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    language = "ru" if (bp.current_request.query_params or {}).get("lang") == "ru" else "kk"
    views = wiring.direction_service().of_application(principal, application_id, language)
    return {"items": [direction_json(view) for view in views]}


@bp.route("/directions/{number}/extend", methods=["POST"], cors=True)
@handles_errors
def extend(number: str) -> Any:
    number = unquote(number)  # Ж.2026.000123 may arrive percent-encoded
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, ExtendRequest)
    return direction_json(wiring.direction_service().extend(principal, number, body.days))


@bp.route("/directions/{number}/revoke", methods=["POST"], cors=True)
@handles_errors
def revoke(number: str) -> Any:
    number = unquote(number)
    principal = require_parent(bp.current_request)
    return direction_json(wiring.direction_service().revoke(principal, number))


# --- operators -----------------------------------------------------------------------------------


@bp.route("/operator/vacancies", methods=["POST"], cors=True)
@handles_errors
def publish_for_kindergarten() -> Any:
    request = bp.current_request
    principal = require_role(request, Role.EDUCATION_DEPARTMENT)
    body = parse_body(request, OperatorVacancyRequest)
    published = wiring.vacancy_service().publish_as_operator(
        principal, body.kindergarten_id, body.group_id, body.seats, request.headers.get("idempotency-key")
    )
    return json_response(publication_json(published), status=201 if published.publication.new else 200)


@bp.route("/operator/directions/{number}", methods=["GET"], cors=True)
@handles_errors
def explain(number: str) -> Any:
    number = unquote(number)
    principal = require_operator(bp.current_request)
    return direction_json(wiring.direction_service().explain(principal, number), explanation=True)


@bp.route("/operator/allocations/{run_id}/audit", methods=["GET"], cors=True)
@handles_errors
def audit(run_id: str) -> Any:
    principal = require_operator(bp.current_request)
    return wiring.direction_service().audit(principal, unquote(run_id))
