"""Scheduled and queue-driven blueprints (sweeps, reminders, reports, webhook delivery).

They live here and not in a top-level ``functions/`` because Chalice deploys
only ``app.py``, ``chalicelib/`` and ``vendor/``. In AWS, EventBridge invokes
them; in the local stack nothing would, so :func:`run_scheduled_functions`
invokes every ``@app.schedule`` handler once with the CloudWatch event
EventBridge would send (the local timer and ``POST /local/timers/run`` use it).
"""

from __future__ import annotations

import time
import traceback
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalice import Chalice
from chalice.app import ScheduledEventConfig

from chalicelib.observability import logger
from chalicelib.settings import get_settings

LOCAL_ACCOUNT = "123456789012"


@dataclass(frozen=True)
class TimerRun:
    """How one scheduled function went."""

    name: str
    schedule: str
    ok: bool
    seconds: float
    error: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "schedule": self.schedule,
            "ok": self.ok,
            "seconds": round(self.seconds, 3),
            "error": self.error,
        }


class InvocationContext:
    """The parts of a Lambda context that handlers and Powertools read."""

    def __init__(self, function_name: str, timeout_seconds: int = 900) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = (
            f"arn:aws:lambda:{get_settings().aws_region}:{LOCAL_ACCOUNT}:function:{function_name}"
        )
        self.memory_limit_in_mb = 512
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "local"
        self.identity = None
        self.client_context = None
        self._deadline = time.monotonic() + timeout_seconds

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


def scheduled_functions(app: Chalice) -> list[ScheduledEventConfig]:
    """Every ``@app.schedule`` handler of the app (blueprints included), in registration order."""
    return [source for source in app.event_sources if isinstance(source, ScheduledEventConfig)]


def scheduled_event(name: str, at: datetime) -> dict[str, Any]:
    """The event EventBridge sends to a scheduled function."""
    region = get_settings().aws_region
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": LOCAL_ACCOUNT,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [f"arn:aws:events:{region}:{LOCAL_ACCOUNT}:rule/{name}"],
        "detail": {},
    }


def run_scheduled_functions(app: Chalice, at: datetime) -> list[TimerRun]:
    """Invoke every scheduled function once; one failing does not stop the others."""
    runs = []
    for source in scheduled_functions(app):
        expression = source.schedule_expression
        schedule = expression if isinstance(expression, str) else expression.to_string()
        started = time.monotonic()
        try:
            app.handler_map[source.name](scheduled_event(source.name, at), InvocationContext(source.name))
        except Exception as error:  # a sweep that fails must not stop the next one
            logger.exception("scheduled function failed", extra={"function": source.name})
            detail = "".join(traceback.format_exception_only(type(error), error)).strip()
            runs.append(TimerRun(source.name, schedule, False, time.monotonic() - started, detail))
        else:
            runs.append(TimerRun(source.name, schedule, True, time.monotonic() - started))
    return runs
