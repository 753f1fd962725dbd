"""``webhook.event`` (fan-out) and ``webhook.delivery`` (one signed request to one endpoint).

A kindergarten's event (its history record, written in the transaction of the change) becomes
a ``webhook.event`` job in that transaction (``chalicelib.store.history.Change.put``). The
fan-out makes one ``webhook.delivery`` job per active endpoint subscribed to the event's type;
both are ordered per direction, per contract (``order_key``), and each endpoint's deliveries of
one direction or contract go one after the other. The ``webhook-id`` is derived from the event,
so that every attempt and every re-send of one event carries the same id.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

from chalicelib.domain.errors import InvalidInput
from chalicelib.domain.webhooks import event_body, event_of
from chalicelib.jobs.registry import Permanent, RetryLater, job_for
from chalicelib.jobs.worker import JobContext
from chalicelib.observability import logger
from chalicelib.settings import get_settings
from chalicelib.store.history import HistoryRecord, HistoryRepository, history_record
from chalicelib.store.jobs import Job
from chalicelib.store.webhooks import DeliveryAttempt, WebhookEndpoint, WebhookStore, log_entry

DELIVERY = "webhook.delivery"


def webhook_id(subject: str, entry: str) -> str:
    return "msg_" + hashlib.sha256(f"{subject}#{entry}".encode()).hexdigest()[:26]


def loopback_allowed() -> bool:
    """Plain HTTP to 127.0.0.1 is for the local stack (and its tests) only, never in production."""
    return get_settings().stage != "prod"


def fan_out(job: Job, context: JobContext) -> dict[str, Any]:
    payload = job.payload or {}
    try:
        record = HistoryRecord.get(payload["subject"], payload["entry"], consistent_read=True)
    except HistoryRecord.DoesNotExist as error:
        raise Permanent(f"no event {payload['subject']} {payload['entry']}") from error
    event = event_of(record.event, record.at, record.why, record.from_state, record.to_state, record.details or {})
    if event is None:
        HistoryRepository().mark_delivered(record)
        return {"deliveries": 0, "published": False}
    kindergarten_id = record.subject_id
    message_id = webhook_id(record.subject, record.entry)
    body = event_body(event)
    made = 0
    for endpoint in WebhookStore().endpoints(kindergarten_id):
        if not endpoint.wants(event.type):
            continue
        made += context.store.add(
            job_for(
                DELIVERY,
                f"{message_id}:{endpoint.endpoint_id}",
                {
                    "kindergarten_id": kindergarten_id,
                    "endpoint_id": endpoint.endpoint_id,
                    "webhook_id": message_id,
                    "type": event.type,
                    "body": body,
                },
                now=context.now(),
                subject=record.subject,
                order_key=f"{endpoint.endpoint_id}#{job.order_key}" if job.order_key else None,
                order_entry=job.order_entry,
            )
        )
    HistoryRepository().mark_delivered(record)
    return {"deliveries": made, "webhook_id": message_id, "type": event.type}


def sign(endpoint: WebhookEndpoint, message_id: str, signed_at: datetime, body: str, now: datetime) -> str:
    """The ``webhook-signature`` header: one ``v1,…`` per secret in force ``now`` (two during a rotation)."""
    from standardwebhooks.webhooks import Webhook

    return " ".join(Webhook(secret).sign(message_id, signed_at, body) for secret in endpoint.secrets_at(now))


def retry_after_seconds(value: str | None, now: datetime) -> float | None:
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        return max(0.0, (parsedate_to_datetime(value) - now).total_seconds())
    except (TypeError, ValueError):
        return None


def deliver(job: Job, context: JobContext) -> dict[str, Any]:
    from chalicelib.gateways.webhooks import post

    payload = job.payload or {}
    store = WebhookStore()
    kindergarten_id, endpoint_id = payload["kindergarten_id"], payload["endpoint_id"]
    endpoint = store.endpoint(kindergarten_id, endpoint_id)
    if endpoint is None:
        return {"skipped": "endpoint removed"}
    if endpoint.status != "active":
        raise Permanent(f"endpoint {endpoint_id} is disabled ({endpoint.disabled_reason})")
    now = context.now()
    # the signature's timestamp is wall-clock time: receivers compare it with their own clock
    # (the local stack's movable clock would make it "too new" there)
    signed_at = datetime.now(UTC)
    body: str = payload["body"]
    headers = {
        "webhook-id": payload["webhook_id"],
        "webhook-timestamp": str(int(signed_at.timestamp())),
        "webhook-signature": sign(endpoint, payload["webhook_id"], signed_at, body, now),
    }
    attempt = DeliveryAttempt(
        kindergarten_id,
        log_entry(now, job.id, context.attempt),
        job_id=job.id,
        webhook_id=payload["webhook_id"],
        endpoint_id=endpoint_id,
        event_type=payload["type"],
        attempt=context.attempt,
        at=now,
        outcome="failed",
    )
    try:
        answer = post(
            endpoint.url,
            body.encode(),
            headers,
            timeout=get_settings().webhook_timeout_seconds,
            loopback_allowed=loopback_allowed(),
        )
    except InvalidInput as refused:
        attempt.outcome, attempt.error = "refused_address", refused.ru
        store.log(attempt)
        raise RuntimeError(f"address refused: {refused.details}") from refused
    except Exception as error:
        attempt.error = f"{type(error).__name__}: {error}"[:500]
        store.log(attempt)
        raise
    attempt.status_code, attempt.seconds = answer.status, round(answer.seconds, 3)
    if 200 <= answer.status < 300:
        attempt.outcome = "delivered"
        store.log(attempt)
        return {"status": answer.status, "attempt": context.attempt}
    attempt.error = answer.body[:500] or None
    if answer.status == 410:
        attempt.outcome = "endpoint_gone"
        store.log(attempt)
        _disable(store, endpoint, now)
        raise Permanent(f"endpoint {endpoint_id} answered 410 Gone: disabled")
    store.log(attempt)
    if answer.status in (429, 503):
        wait = retry_after_seconds(answer.retry_after, now)
        if wait is not None:
            raise RetryLater(f"answered {answer.status}, Retry-After {answer.retry_after}", wait)
    raise RuntimeError(f"endpoint answered {answer.status}")


def _disable(store: WebhookStore, endpoint: WebhookEndpoint, now: datetime) -> None:
    """A 410 disables the endpoint; the operator is told (warning log + the kindergarten's history)."""
    if not store.disable(endpoint, "410 Gone", now):
        return
    logger.warning(
        "webhook endpoint disabled after 410 Gone",
        extra={"kindergarten": endpoint.kindergarten_id, "endpoint": endpoint.endpoint_id, "url": endpoint.url},
    )
    record = history_record(
        subject_type="kindergarten",
        subject_id=endpoint.kindergarten_id,
        ordinal=int(uuid.uuid4().int % 10**8),
        at=now,
        who="system",
        event="webhook.endpoint_disabled",
        to_state="disabled",
        why="410 Gone",
        details={"endpoint_id": endpoint.endpoint_id, "url": endpoint.url},
        publish=False,
    )
    record.save()


def resend(kindergarten_id: str, job: Job, now: datetime) -> Job:
    """A new delivery of the same event (same ``webhook-id``) to the same endpoint, now, out of order."""
    payload = dict(job.payload or {})
    if job.kind != DELIVERY or payload.get("kindergarten_id") != kindergarten_id:
        raise ValueError("not a delivery of this kindergarten")
    return job_for(
        DELIVERY,
        f"{payload['webhook_id']}:{payload['endpoint_id']}:resend:{uuid.uuid4().hex[:12]}",
        payload,
        now=now,
        subject=job.subject,
    )


def describe(job: Job) -> dict[str, Any]:
    payload = job.payload or {}
    return {"type": payload.get("type"), "webhook_id": payload.get("webhook_id"), "body": json.loads(payload["body"])}
