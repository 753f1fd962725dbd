"""The scheduled reports: yesterday's every night, last month's on the first of the month.

Both run at 00:30 Asia/Almaty (19:30 UTC): the daily one for the day that just ended, the
monthly one (on the 1st) for the month that just ended — nation, regions and districts.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Cron

from chalicelib import wiring
from chalicelib.observability import logger

bp = Blueprint(__name__)


@bp.schedule(Cron(30, 19, "*", "*", "?", "*"), name="scheduled-reports")
def scheduled_reports(event: Any) -> dict[str, int]:
    return run_due_reports()


def run_due_reports() -> dict[str, int]:
    """The day just ended; and on the first of a month (Almaty), the month just ended.

    A period whose national report is already kept is not run again, so a repeated invocation
    (a retry, or the local stack's timer that runs every schedule each tick) costs one read.
    """
    from chalicelib.domain.reports import local_day, previous_day, previous_month

    service = wiring.report_service()
    now = wiring.clock().now()
    periods = [previous_day(now)] + ([previous_month(now)] if local_day(now).day == 1 else [])
    counts = {
        period.kind.value: len(service.run_scheduled(period))
        for period in periods
        if not service.kept_nationally(period)
    }
    logger.info("scheduled reports kept", extra=counts)
    return counts
