"""The direction sweeps on a schedule: lapse the directions nobody used in time; offer the free seats."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate

from chalicelib import wiring
from chalicelib.observability import logger

bp = Blueprint(__name__)


@bp.schedule(Rate(15, unit=Rate.MINUTES), name="direction-expiry")
def direction_expiry(event: Any) -> dict[str, int]:
    counts = wiring.direction_service().expire_due()
    logger.info("directions swept", extra=counts)
    return counts


@bp.schedule(Rate(15, unit=Rate.MINUTES), name="allocate-vacancies")
def allocate_vacancies(event: Any) -> dict[str, Any]:
    runs = wiring.direction_service().allocate_everywhere()
    summary = {
        "runs": [run.run_id for run in runs],
        "offers": sum(run.offers for run in runs),
        "issued": sum(len(run.issued) for run in runs),
        "skipped": sum(len(run.skipped) for run in runs),
    }
    logger.info("vacancies allocated", extra=summary)
    return summary
