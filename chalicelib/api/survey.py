"""The satisfaction survey in the parents' API (seed 004, appendix 12; ``docs/survey.md``).

- ``GET /applications/{id}/survey`` — the form (its title, two questions, three levels, kk/ru)
  and every service of the application with this parent's answer (``pending``: still to ask).
- ``POST /applications/{id}/survey`` — the answer to one service (both levels) or its dismissal.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal
from urllib.parse import unquote

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response, parse_body
from chalicelib.api.security import require_parent

if TYPE_CHECKING:
    from chalicelib.services.survey import PendingService

bp = Blueprint(__name__)

LevelIn = Literal["not_satisfied", "partly_satisfied", "satisfied"]


class SurveyAnswerRequest(BaseModel):
    service: Literal["registration", "direction", "contract"]
    instance: str = Field(min_length=1, max_length=60)
    result: LevelIn | None = None
    information: LevelIn | None = None
    dismissed: bool = False


def form_json() -> dict[str, Any]:
    from chalicelib.domain.survey import FORM_TITLE, LEVEL_WORDS, QUESTION_WORDS, Level, Question

    return {
        "title_kk": FORM_TITLE[0],
        "title_ru": FORM_TITLE[1],
        "questions": [
            {"code": q.value, "number": n, "text_kk": QUESTION_WORDS[q][0], "text_ru": QUESTION_WORDS[q][1]}
            for n, q in enumerate(Question, start=1)
        ],
        "levels": [
            {"code": level.value, "number": n, "text_kk": LEVEL_WORDS[level][0], "text_ru": LEVEL_WORDS[level][1]}
            for n, level in enumerate(Level, start=1)
        ],
    }


def item_json(pending: PendingService) -> dict[str, Any]:
    from chalicelib.domain.survey import SERVICE_WORDS, ServiceKind

    service, answer = pending.service, pending.answer
    kk, ru = SERVICE_WORDS[ServiceKind(service.service)]
    return {
        "service": service.service.value,
        "instance": service.instance,
        "name_kk": kk,
        "name_ru": ru,
        "at": service.at.isoformat() if service.at else None,
        "pending": answer is None,
        "answer": (
            {
                "result": answer.result,
                "information": answer.information,
                "dismissed": bool(answer.dismissed),
                "answered_at": answer.answered_at.isoformat(),
            }
            if answer is not None
            else None
        ),
    }


@bp.route("/applications/{application_id}/survey", methods=["GET"], cors=True)
@handles_errors
def survey(application_id: str) -> Any:
    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    items = [item_json(p) for p in wiring.satisfaction_survey().pending(principal, application_id)]
    return {**form_json(), "items": items, "pending": [item for item in items if item["pending"]]}


@bp.route("/applications/{application_id}/survey", methods=["POST"], cors=True)
@handles_errors
def answer(application_id: str) -> Any:
    from chalicelib.domain.survey import Received, ServiceKind
    from chalicelib.services.survey import PendingService

    application_id = unquote(application_id)  # API Gateway may pass it percent-encoded (УО.…)
    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, SurveyAnswerRequest)
    service = wiring.satisfaction_survey()
    kept = service.answer(
        principal,
        application_id,
        service=body.service,
        instance=body.instance,
        result=body.result,
        information=body.information,
        dismissed=body.dismissed,
    )
    received = Received(ServiceKind(kept.service), kept.instance, None)
    return json_response(item_json(PendingService(received, kept)), status=201)
