"""The job worker: invoked by the jobs table's stream in AWS, and a sweep every minute.

- ``job_worker`` — DynamoDB Streams → Lambda: every new (or re-driven) pending job runs at once.
  The stream's ARN is the jobs table's (``infra/resources/template.py`` wires it in the template;
  the placeholder below only names the table for ``chalice package``). A record whose job fails
  is not retried by Lambda (the job's own retry policy takes over), so the batch never blocks.
- ``job_sweep`` — every minute: the retries that came due, and any job the stream did not run
  (a lost record, a worker that died holding a job); on the local stack the poller of
  ``infra.local.stack`` runs the same :meth:`Worker.run_due` every ``BQ_JOB_POLL_SECONDS``.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Rate

from chalicelib import wiring
from chalicelib.observability import JOB_DEAD_LETTERS_METRIC, JOBS_OVERDUE_METRIC, logger

if TYPE_CHECKING:
    from chalicelib.store.jobs import JobStore

bp = Blueprint(__name__)

# chalice needs a literal ARN; the template built by infra/build.py replaces it with the table's.
JOBS_STREAM_PLACEHOLDER = "arn:aws:dynamodb:eu-central-1:000000000000:table/balabaqsha-prod-jobs/stream/placeholder"


@bp.on_dynamodb_record(
    stream_arn=JOBS_STREAM_PLACEHOLDER, batch_size=25, starting_position="LATEST", name="job_worker"
)
def job_worker(event: Any) -> dict[str, int]:
    records = [record.to_dict() if hasattr(record, "to_dict") else record for record in event]
    outcome = wiring.job_worker().run_stream(records)
    logger.info("jobs run from the stream", extra=outcome.as_dict())
    return outcome.as_dict()


# A job still waiting this long after it came due is overdue: the stream and the sweep both missed it,
# or the sweep cannot keep up (alarmed on in AWS: infra/resources/alarms.py).
JOBS_OVERDUE_AFTER = timedelta(minutes=5)


@bp.schedule(Rate(1, unit=Rate.MINUTES), name="job-sweep")
def job_sweep(event: Any) -> dict[str, int]:
    worker = wiring.job_worker()
    outcome = worker.run_due(limit=500)
    result = outcome.as_dict()
    result.update(publish_backlog(worker.store, worker.clock.now()))
    logger.info("job sweep", extra=result)
    return result


def publish_backlog(store: JobStore, now: datetime) -> dict[str, int]:
    """Publish the overdue jobs and the dead letters (CloudWatch EMF metrics, printed to the log)."""
    from aws_lambda_powertools.metrics import MetricUnit

    from chalicelib.observability import metrics

    counts = {"overdue": store.overdue_count(now, JOBS_OVERDUE_AFTER), "dead_letters": store.dead_count()}
    metrics().add_metric(name=JOBS_OVERDUE_METRIC, unit=MetricUnit.Count, value=counts["overdue"])
    metrics().add_metric(name=JOB_DEAD_LETTERS_METRIC, unit=MetricUnit.Count, value=counts["dead_letters"])
    metrics().flush_metrics()
    return counts
