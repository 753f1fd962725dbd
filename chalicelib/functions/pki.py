"""Scheduled refresh of the certificate revocation lists that signature checks rely on.

Every ``crl_refresh_minutes`` the configured CRLs are fetched and the newer ones are
kept in S3, so that a signature check finds a current CRL without waiting for the CA.
When every address fails the run fails too, so that the function's error metric shows
the CA outage long before the cached CRLs go stale.
"""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib.settings import get_settings

bp = Blueprint(__name__)


class RevocationRefreshFailed(RuntimeError):
    """No configured CRL could be fetched."""


@bp.schedule(Rate(get_settings().crl_refresh_minutes, unit=Rate.MINUTES), name="refresh_revocation_data")
def refresh_revocation_data(event: CloudWatchEvent) -> dict[str, Any]:
    from chalicelib import wiring
    from chalicelib.eds.crl import refresh_revocation_data as refresh

    results = refresh(wiring.clock())
    summary = {
        "crls": [
            {
                "url": r.url,
                "outcome": r.outcome,
                "next_update": r.next_update.isoformat() if r.next_update else None,
            }
            for r in results
        ]
    }
    now = wiring.clock().now()
    stale = sum(1 for r in results if r.next_update is None or r.next_update < now)
    summary["stale"] = stale
    _publish_staleness(stale)
    if results and all(r.outcome == "failed" for r in results):
        raise RevocationRefreshFailed(f"no CRL could be fetched: {summary}")
    return summary


STALE_CRL_METRIC = "StaleRevocationLists"


def _publish_staleness(stale: int) -> None:
    """How many configured CRLs are missing or past their next-update (alarmed on in AWS)."""
    from aws_lambda_powertools.metrics import MetricUnit

    from chalicelib.observability import metrics

    metrics().add_metric(name=STALE_CRL_METRIC, unit=MetricUnit.Count, value=stale)
    metrics().flush_metrics()
