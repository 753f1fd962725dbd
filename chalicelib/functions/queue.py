"""The interest-confirmation sweep: reminders, removals, school age — on a schedule."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate

from chalicelib import wiring
from chalicelib.observability import logger

bp = Blueprint(__name__)


@bp.schedule(Rate(15, unit=Rate.MINUTES), name="application-timers")
def application_timers(event: Any) -> dict[str, int]:
    counts = wiring.application_service().run_timers()
    logger.info("application timers swept", extra=counts)
    return counts
