"""Webhooks of kindergarten portals (partner API, or an operator for a kindergarten) and dead letters.

Partner routes authenticate with the kindergarten's API key; the kindergarten is the key's.
Operator routes (``/operator/kindergartens/{id}/webhooks…``) act for a kindergarten of the
operator's area; ``/operator/jobs/dead-letters`` lists and replays the jobs that used up their
attempts (education departments only).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response, parse_body
from chalicelib.api.security import require_kindergarten, require_operator
from chalicelib.domain.principal import Principal

bp = Blueprint(__name__)


class EndpointRequest(BaseModel):
    url: str = Field(min_length=8, max_length=2000)
    events: list[str] = Field(default_factory=list, max_length=50)


def _delivery_json(attempt: Any) -> dict[str, Any]:
    return {
        "delivery_id": attempt.job_id,
        "webhook_id": attempt.webhook_id,
        "endpoint_id": attempt.endpoint_id,
        "type": attempt.event_type,
        "attempt": int(attempt.attempt),
        "at": attempt.at.isoformat(),
        "outcome": attempt.outcome,
        "status_code": int(attempt.status_code) if attempt.status_code is not None else None,
        "error": attempt.error,
        "seconds": float(attempt.seconds) if attempt.seconds is not None else None,
    }


def _limit() -> int:
    raw = (bp.current_request.query_params or {}).get("limit", "100")
    return max(1, min(500, int(raw))) if raw.isdigit() else 100


# --- one set of actions, for a portal (kindergarten None: its own) or an operator -------------------


def _register(principal: Principal, kindergarten_id: str | None) -> Any:
    from chalicelib.services.webhooks import endpoint_json

    body = parse_body(bp.current_request, EndpointRequest)
    endpoint = wiring.webhook_service().register(principal, body.url, body.events, kindergarten_id)
    return json_response(endpoint_json(endpoint, with_secret=True), status=201)


def _list(principal: Principal, kindergarten_id: str | None) -> Any:
    from chalicelib.services.webhooks import endpoint_json

    return {"items": [endpoint_json(e) for e in wiring.webhook_service().endpoints(principal, kindergarten_id)]}


def _deliveries(principal: Principal, kindergarten_id: str | None) -> Any:
    found = wiring.webhook_service().deliveries(principal, kindergarten_id, limit=_limit())
    return {"items": [_delivery_json(a) for a in found]}


@bp.route("/partner/webhooks", methods=["POST"], cors=True)
@handles_errors
def register() -> Any:
    return _register(require_kindergarten(bp.current_request), None)


@bp.route("/partner/webhooks", methods=["GET"], cors=True)
@handles_errors
def endpoints() -> Any:
    return _list(require_kindergarten(bp.current_request), None)


@bp.route("/partner/webhooks/deliveries", methods=["GET"], cors=True)
@handles_errors
def deliveries() -> Any:
    return _deliveries(require_kindergarten(bp.current_request), None)


@bp.route("/partner/webhooks/deliveries/{delivery_id}/resend", methods=["POST"], cors=True)
@handles_errors
def resend(delivery_id: str) -> Any:
    job = wiring.webhook_service().resend(require_kindergarten(bp.current_request), unquote(delivery_id))
    return json_response({"delivery_id": job.id, "webhook_id": (job.payload or {}).get("webhook_id")}, status=202)


@bp.route("/partner/webhooks/{endpoint_id}", methods=["DELETE"], cors=True)
@handles_errors
def remove(endpoint_id: str) -> Any:
    wiring.webhook_service().remove(require_kindergarten(bp.current_request), endpoint_id)
    return json_response(None, status=204)


@bp.route("/partner/webhooks/{endpoint_id}/secret", methods=["POST"], cors=True)
@handles_errors
def rotate(endpoint_id: str) -> Any:
    from chalicelib.services.webhooks import endpoint_json

    endpoint = wiring.webhook_service().rotate_secret(require_kindergarten(bp.current_request), endpoint_id)
    return endpoint_json(endpoint, with_secret=True)


@bp.route("/partner/webhooks/{endpoint_id}/enable", methods=["POST"], cors=True)
@handles_errors
def enable(endpoint_id: str) -> Any:
    from chalicelib.services.webhooks import endpoint_json

    return endpoint_json(wiring.webhook_service().enable(require_kindergarten(bp.current_request), endpoint_id))


# --- operators --------------------------------------------------------------------------------------


@bp.route("/operator/kindergartens/{kindergarten_id}/webhooks", methods=["POST"], cors=True)
@handles_errors
def operator_register(kindergarten_id: str) -> Any:
    return _register(require_operator(bp.current_request), kindergarten_id)


@bp.route("/operator/kindergartens/{kindergarten_id}/webhooks", methods=["GET"], cors=True)
@handles_errors
def operator_endpoints(kindergarten_id: str) -> Any:
    return _list(require_operator(bp.current_request), kindergarten_id)


@bp.route("/operator/kindergartens/{kindergarten_id}/webhooks/deliveries", methods=["GET"], cors=True)
@handles_errors
def operator_deliveries(kindergarten_id: str) -> Any:
    return _deliveries(require_operator(bp.current_request), kindergarten_id)


@bp.route("/operator/webhooks/disabled", methods=["GET"], cors=True)
@handles_errors
def disabled() -> Any:
    from chalicelib.services.webhooks import endpoint_json

    found = wiring.webhook_service().disabled_endpoints(require_operator(bp.current_request))
    return {"items": [endpoint_json(e) for e in found]}


@bp.route("/operator/jobs/dead-letters", methods=["GET"], cors=True)
@handles_errors
def dead_letters() -> Any:
    from chalicelib.services.webhooks import job_json

    found = wiring.webhook_service().dead_letters(require_operator(bp.current_request), limit=_limit())
    return {"items": [job_json(j) for j in found]}


@bp.route("/operator/jobs/dead-letters/{job_id}/replay", methods=["POST"], cors=True)
@handles_errors
def replay(job_id: str) -> Any:
    from chalicelib.services.webhooks import job_json

    job = wiring.webhook_service().replay(require_operator(bp.current_request), unquote(job_id))
    return json_response(job_json(job), status=202)
