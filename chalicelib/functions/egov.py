"""The e-government status relay: every 5 minutes, the status changes not yet delivered."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate

from chalicelib import wiring
from chalicelib.observability import logger

bp = Blueprint(__name__)


@bp.schedule(Rate(5, unit=Rate.MINUTES), name="egov-status")
def egov_status(event: Any) -> dict[str, int]:
    relay = wiring.egov_status_relay()
    if relay is None:
        return {"sent": 0, "skipped": 0, "failed": 0}
    counts = relay.run()
    logger.info("e-government statuses relayed", extra=counts)
    return counts
