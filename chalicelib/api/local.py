"""Routes of the local stack only: the notification outbox, the movable clock, the timers.

They answer only when ``BQ_STAGE=local`` and ``BQ_LOCAL_CLOCK=true``; anywhere
else every one of them is a 404, and in production ``app.py`` does not register them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from chalice import Blueprint
from pydantic import AwareDatetime, BaseModel, TypeAdapter, model_validator

from chalicelib.api.responses import handles_errors, parse_body
from chalicelib.clock import local_time
from chalicelib.domain.errors import InvalidInput, NotFound
from chalicelib.runtime import advance_clock, movable_clock_enabled, read_clock_offset, service_clock

bp = Blueprint(__name__)

_DURATION = TypeAdapter(timedelta)


class ClockMove(BaseModel):
    """Move forward by a duration (ISO 8601 ``P3D`` or seconds) or up to an instant."""

    advance: timedelta | None = None
    to: AwareDatetime | None = None

    @model_validator(mode="after")
    def _exactly_one(self) -> ClockMove:
        if (self.advance is None) == (self.to is None):
            raise ValueError("give either 'advance' or 'to'")
        return self


def _local_only() -> None:
    if not movable_clock_enabled():
        raise NotFound("not_found", "Табылмады.", "Не найдено.")


def _clock_state() -> dict[str, Any]:
    offset = read_clock_offset()
    now = datetime.now(UTC) + offset
    return {
        "now": now.isoformat(),
        "now_local": local_time(now).isoformat(),
        "offset": _DURATION.dump_python(offset, mode="json"),
        "offset_seconds": offset.total_seconds(),
    }


@bp.route("/local/outbox", methods=["GET"], cors=True)
@handles_errors
def outbox() -> dict[str, Any]:
    _local_only()
    from chalicelib.notify.outbox import OutboxNotifier

    params = bp.current_request.query_params or {}
    to = (params.get("to") or "").strip()
    if not to:
        raise InvalidInput(
            "local.outbox.to_required",
            "Алушының e-mail мекенжайын немесе телефонын көрсетіңіз (to=…).",
            "Укажите e-mail или телефон получателя (to=…).",
        )
    raw_limit = params.get("limit") or ""
    limit = min(int(raw_limit), 200) if raw_limit.isdigit() and int(raw_limit) > 0 else 50
    notifier = OutboxNotifier()
    messages = notifier.messages_for(to, limit=limit)
    return {
        "to": to,
        "messages": [
            {
                "id": m.message_id,
                "channel": m.channel,
                "to": m.to,
                "sent_at": m.sent_at.isoformat(),
                "subject": m.subject,
                "body_text": m.body_text,
                "attachments": [
                    {
                        "filename": a.filename,
                        "content_type": a.content_type,
                        "size": a.size,
                        "url": notifier.attachment_url(a.key),
                    }
                    for a in m.attachments
                ],
            }
            for m in messages
        ],
    }


@bp.route("/local/clock", methods=["GET"], cors=True)
@handles_errors
def clock() -> dict[str, Any]:
    _local_only()
    return _clock_state()


@bp.route("/local/clock", methods=["POST"], cors=True)
@handles_errors
def move_clock() -> dict[str, Any]:
    _local_only()
    move = parse_body(bp.current_request, ClockMove, strict=False)  # seconds as a number: a developer's tool
    if move.advance is not None:
        delta = move.advance
    else:
        delta = move.to - service_clock().now() if move.to is not None else timedelta(0)
    if delta <= timedelta(0):
        raise InvalidInput(
            "local.clock.backwards",
            "Сағат тек алға жылжиды.",
            "Часы двигаются только вперёд.",
            details={"advance_seconds": delta.total_seconds()},
        )
    advance_clock(delta)
    return _clock_state()


@bp.route("/local/timers/run", methods=["POST"], cors=True)
@handles_errors
def run_timers() -> dict[str, Any]:
    _local_only()
    from chalicelib.functions import run_scheduled_functions

    at = service_clock().now()
    runs = run_scheduled_functions(bp.current_app, at)
    return {"at": at.isoformat(), "runs": [r.as_dict() for r in runs], "ok": all(r.ok for r in runs)}
