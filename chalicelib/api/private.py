"""The parents' choice of a private kindergarten under the state educational order (seed 002)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.applications import SignedRequest, application_json
from chalicelib.api.reference import kindergarten_json
from chalicelib.api.responses import handles_errors, parse_body
from chalicelib.api.security import require_parent

if TYPE_CHECKING:
    from chalicelib.services.private_choice import PrivateOption

bp = Blueprint(__name__)


class PrivateDraftRequest(BaseModel):
    kindergarten_id: str = Field(min_length=1, max_length=100)
    language: Literal["kk", "ru"] | None = None
    acknowledged: bool = False


def option_json(option: PrivateOption) -> dict[str, Any]:
    district = option.district_name
    return {
        "kindergarten": kindergarten_json(option.kindergarten),
        "district": option.kindergarten.district,
        "district_name_kk": district.kk if district else option.kindergarten.district,
        "district_name_ru": district.ru if district else option.kindergarten.district,
        "language": option.language,
        "free_seats": option.free_seats,
        "group": (
            {"id": option.group.group_id, "name_kk": option.group.name.kk, "name_ru": option.group.name.ru}
            if option.group
            else None
        ),
    }


@bp.route("/applications/{application_id}/private-options", methods=["GET"], cors=True)
@handles_errors
def options(application_id: str) -> Any:
    from chalicelib.domain.private_choice import WARNING

    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    query = bp.current_request.query_params or {}
    found = wiring.private_choice_service().options(
        principal, application_id, district=query.get("district") or None, language=query.get("language") or None
    )
    return {
        "application_id": found.application.id,
        "cohort": found.cohort,
        "allowed_from": found.allowed_from.isoformat(),
        "warning_kk": WARNING.kk,
        "warning_ru": WARNING.ru,
        "items": [option_json(option) for option in found.options],
    }


@bp.route("/applications/{application_id}/private/draft", methods=["POST"], cors=True)
@handles_errors
def draft(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, PrivateDraftRequest)
    xml = wiring.private_choice_service().draft(
        principal,
        application_id,
        kindergarten_id=body.kindergarten_id,
        language=body.language,
        acknowledged=body.acknowledged,
    )
    return {"xml": xml}


@bp.route("/applications/{application_id}/private", methods=["POST"], cors=True)
@handles_errors
def choose(application_id: str) -> Any:
    from chalicelib.documents.kinds import DocumentKind
    from chalicelib.services.applications import ApplicationView
    from chalicelib.store.applications import QueueNumbers

    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, SignedRequest)
    chosen = wiring.private_choice_service().choose(principal, application_id, body.signed_xml)
    view = ApplicationView(chosen.application, QueueNumbers(None, None))  # the child has left the queue
    return {
        **application_json(view),
        "private_direction": {
            "number": chosen.number,
            "kindergarten": kindergarten_json(chosen.kindergarten),
            "language": chosen.language,
            "group": (
                {"id": chosen.group.group_id, "name_kk": chosen.group.name.kk, "name_ru": chosen.group.name.ru}
                if chosen.group
                else None
            ),
            "valid_until": chosen.valid_until.isoformat(),
            # a job of the choice's transaction renders it within seconds (the documents tab shows it)
            "document": {
                "kind": DocumentKind.PRIVATE_DIRECTION.value,
                "title_kk": DocumentKind.PRIVATE_DIRECTION.title_kk,
                "title_ru": DocumentKind.PRIVATE_DIRECTION.title_ru,
                "source": "system",
                "document_id": chosen.document_id,
                "url": None,
                "preparing": True,
            },
        },
        "documents": [],
        "documents_preparing": True,
    }
