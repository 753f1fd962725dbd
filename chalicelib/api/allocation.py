"""Allocation rules and records: a region's mode and priorities (public), siblings joined by a parent,
kindergartens' priority lists and runs' protocols (operators)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response, parse_body, raw_body
from chalicelib.api.security import require_operator, require_parent, require_role
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.principal import Principal, Role

if TYPE_CHECKING:
    from chalicelib.store.applications import Application

bp = Blueprint(__name__)

RULES_TEXT = {
    "serial": (
        "Орындар ортақ кезек тәртібімен беріледі: кезектен тыс, содан кейін бірінші кезектегілер мен жалпы кезек "
        "(1:3), әрқайсысы тіркелу уақыты бойынша; әр бала кезегі келгенде өзі таңдаған бос орынның ең жақсысын алады.",
        "Места распределяются в порядке общей очереди: вне очереди, затем первоочередники и общая очередь (1:3), "
        "каждые по времени регистрации; каждый ребёнок в свою очередь получает лучшее из выбранных свободных мест.",
    ),
    "stable": (
        "Әр балабақша балаларды өз тәртібімен орналастырады: кезектен тыс, содан кейін төмендегі басымдықтары "
        "барлар, содан кейін ортақ кезек. Ешбір бала мен балабақша бір-бірін қазіргі нәтижеден артық көрмейді "
        "(тұрақты сәйкестендіру).",
        "Каждый детский сад упорядочивает детей по-своему: вне очереди, затем имеющие указанные ниже приоритеты, "
        "затем общая очередь. Ни один ребёнок и ни один сад не предпочли бы друг друга полученному результату "
        "(устойчивое сопоставление).",
    ),
}


def _rules_json(region: str) -> dict[str, Any]:
    from chalicelib.domain import allocation_protocol

    rules = wiring.direction_service().options.rules_for(region)
    kk, ru = RULES_TEXT[rules.mode]
    return {
        "region": region,
        "mode": rules.mode,
        "mode_kk": allocation_protocol.MODES[rules.mode]["kk"],
        "mode_ru": allocation_protocol.MODES[rules.mode]["ru"],
        "rule_kk": kk,
        "rule_ru": ru,
        "priorities": [
            {
                "kind": kind,
                "name_kk": allocation_protocol.PRIORITIES[kind]["kk"],
                "name_ru": allocation_protocol.PRIORITIES[kind]["ru"],
            }
            for kind in rules.priorities
        ],
        "families": {
            "kk": "Бауырлар «тек бірге» таңдалса, бір балабақшаға бір бөлуде орналастырылады немесе ешқайсысы емес.",
            "ru": "Братья и сёстры с выбором «только вместе» получают места в одном саду в одном распределении "
            "или не получают их пока вовсе.",
        },
    }


@bp.route("/regions/{code}/allocation-rules", methods=["GET"], cors=True)
@handles_errors
def allocation_rules(code: str) -> Any:
    code = unquote(code)
    if wiring.reference().get_region(code) is None:
        raise NotFound("region.not_found", "Мұндай өңір жоқ.", "Такого региона нет.", details={"region": code})
    return _rules_json(code)


class FamilyRequest(BaseModel):
    application_ids: list[str] = Field(min_length=2, max_length=5)
    together: bool


def _family_json(apps: list[Application]) -> dict[str, Any]:
    first = apps[0]
    return {
        "family_id": first.family_id,
        "together": bool(first.family_together) if first.family_id else None,
        "application_ids": [app.id for app in apps],
    }


@bp.route("/applications/family", methods=["POST"], cors=True)
@handles_errors
def join_family() -> Any:
    request = bp.current_request
    principal = require_parent(request)
    body = parse_body(request, FamilyRequest)
    joined = wiring.family_service().join(principal, body.application_ids, body.together)
    return json_response(_family_json(joined), status=200)


@bp.route("/applications/{application_id}/family", methods=["DELETE"], cors=True)
@handles_errors
def separate_family(application_id: str) -> Any:
    principal = require_parent(bp.current_request)
    return _family_json(wiring.family_service().separate(principal, unquote(application_id)))


def _own_kindergarten(principal: Principal, kindergarten_id: str) -> None:
    kindergarten = wiring.reference().get_kindergarten(kindergarten_id)
    if kindergarten is None:
        raise NotFound(
            "kindergarten.not_found",
            "Мұндай балабақша жоқ.",
            "Такого детского сада нет.",
            details={"kindergarten_id": kindergarten_id},
        )
    if principal.region != kindergarten.region or (principal.district and principal.district != kindergarten.district):
        raise Forbidden(
            "operator.outside_area",
            "Бұл балабақша сіздің өңіріңізге (ауданыңызға) жатпайды.",
            "Этот детский сад не относится к вашему региону (району).",
        )


@bp.route("/operator/kindergartens/{kindergarten_id}/priority-lists", methods=["GET", "PUT"], cors=True)
@handles_errors
def priority_lists(kindergarten_id: str) -> Any:
    from chalicelib.services.allocation_priorities import parse_lists

    request = bp.current_request
    kindergarten_id = unquote(kindergarten_id)
    if request.method == "GET":
        principal = require_operator(request)
    else:
        principal = require_role(request, Role.EDUCATION_DEPARTMENT)
    _own_kindergarten(principal, kindergarten_id)
    facts = wiring.direction_service().priority_facts
    if request.method == "PUT":
        try:
            body = json.loads(raw_body(request) or b"{}")
            lists = parse_lists(kindergarten_id, body)
        except ValueError as error:
            raise InvalidInput(
                "priority_lists.invalid",
                "Тізімдер қате толтырылған.",
                "Списки заполнены неверно.",
                details={"error": str(error)},
            ) from error
        facts.keep(lists)
    return facts.lists(kindergarten_id).json()


@bp.route("/operator/allocations/{run_id}/protocol", methods=["GET"], cors=True)
@handles_errors
def protocol(run_id: str) -> Any:
    from chalicelib.domain import allocation_protocol

    request = bp.current_request
    principal = require_operator(request)
    params = request.query_params or {}
    language, kind = params.get("language", "kk"), params.get("format", "pdf")
    if language not in allocation_protocol.LANGUAGES or kind not in ("csv", "pdf"):
        raise InvalidInput(
            "protocol.unknown_form",
            "Хаттама kk немесе ru тілінде, csv немесе pdf пішімінде беріледі.",
            "Протокол выдаётся на языке kk или ru, в формате csv или pdf.",
            details={"language": language, "format": kind},
        )
    return wiring.direction_service().protocol_link(principal, unquote(run_id), language, kind)
