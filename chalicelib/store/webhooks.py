"""Kindergartens' webhook endpoints and the log of every delivery attempt.

- ``webhook-endpoints`` — :class:`WebhookEndpoint` (hash: kindergarten, range: endpoint id): the
  URL, the event types it wants, its signing secrets (the current one, and during a rotation the
  previous one until ``previous_until``), whether it is active or disabled (a 410, or by hand);
  the sparse GSI ``by-disabled`` (``disabled``, ``disabled_at``) holds the disabled ones only,
  so the operators' list is one query, not a scan;
- ``webhook-deliveries`` — :class:`DeliveryAttempt` (hash: kindergarten, range: time and
  attempt): what was sent where and what came back; kept 30 days (TTL).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pynamodb.attributes import (
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.exceptions import UpdateError
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.store.base import condition_failed, table_meta

LOG_KEPT = timedelta(days=30)


class EndpointStatus:
    ACTIVE = "active"
    DISABLED = "disabled"


DISABLED_PARTITION = "disabled"  # the one key of ``by-disabled`` (endpoints are few: one partition)


class EndpointsByDisabled(GlobalSecondaryIndex["WebhookEndpoint"]):
    class Meta:
        index_name = "by-disabled"
        projection = AllProjection()

    disabled = UnicodeAttribute(hash_key=True)
    disabled_at = UTCDateTimeAttribute(range_key=True)


class WebhookEndpoint(Model):
    Meta = table_meta("webhook-endpoints")

    kindergarten_id = UnicodeAttribute(hash_key=True)
    endpoint_id = UnicodeAttribute(range_key=True)
    url = UnicodeAttribute()
    events = ListAttribute(of=UnicodeAttribute, default=list)
    secret = UnicodeAttribute()  # "whsec_…" (the portal needs it to verify; it is shown once)
    previous_secret = UnicodeAttribute(null=True)
    previous_until = UTCDateTimeAttribute(null=True)
    status = UnicodeAttribute(default=EndpointStatus.ACTIVE)
    disabled_reason = UnicodeAttribute(null=True)
    disabled_at = UTCDateTimeAttribute(null=True)
    disabled = UnicodeAttribute(null=True)  # set while disabled (sparse: by-disabled)
    created_at = UTCDateTimeAttribute()
    created_by = UnicodeAttribute()

    by_disabled = EndpointsByDisabled()

    def secrets_at(self, now: datetime) -> list[str]:
        """The secrets that sign a delivery now (both during a rotation's overlap)."""
        secrets = [self.secret]
        if self.previous_secret and self.previous_until and now < self.previous_until:
            secrets.append(self.previous_secret)
        return secrets

    def wants(self, event_type: str) -> bool:
        return self.status == EndpointStatus.ACTIVE and (not self.events or event_type in self.events)


class DeliveryAttempt(Model):
    Meta = table_meta("webhook-deliveries")

    kindergarten_id = UnicodeAttribute(hash_key=True)
    entry = UnicodeAttribute(range_key=True)  # "<UTC ISO>#<job id>#<attempt>"
    job_id = UnicodeAttribute()
    webhook_id = UnicodeAttribute()
    endpoint_id = UnicodeAttribute()
    event_type = UnicodeAttribute()
    attempt = NumberAttribute()
    at = UTCDateTimeAttribute()
    outcome = UnicodeAttribute()  # delivered | failed | refused_address | endpoint_gone | resent
    status_code = NumberAttribute(null=True)
    error = UnicodeAttribute(null=True)
    seconds = NumberAttribute(null=True)
    expires = TTLAttribute(null=True)


WEBHOOK_MODELS: tuple[type[Model], ...] = (WebhookEndpoint, DeliveryAttempt)


class WebhookStore:
    def endpoints(self, kindergarten_id: str) -> list[WebhookEndpoint]:
        return list(WebhookEndpoint.query(kindergarten_id, consistent_read=True))

    def endpoint(self, kindergarten_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        try:
            return WebhookEndpoint.get(kindergarten_id, endpoint_id, consistent_read=True)
        except WebhookEndpoint.DoesNotExist:
            return None

    def add(self, endpoint: WebhookEndpoint) -> None:
        endpoint.save(condition=WebhookEndpoint.endpoint_id.does_not_exist())

    def remove(self, endpoint: WebhookEndpoint) -> None:
        endpoint.delete()

    def rotate(self, endpoint: WebhookEndpoint, new_secret: str, previous_until: datetime) -> None:
        endpoint.update(
            actions=[
                WebhookEndpoint.previous_secret.set(endpoint.secret),
                WebhookEndpoint.previous_until.set(previous_until),
                WebhookEndpoint.secret.set(new_secret),
            ],
            condition=WebhookEndpoint.secret == endpoint.secret,
        )

    def disable(self, endpoint: WebhookEndpoint, reason: str, now: datetime) -> bool:
        """Disable an active endpoint; False if it was not active."""
        try:
            endpoint.update(
                actions=[
                    WebhookEndpoint.status.set(EndpointStatus.DISABLED),
                    WebhookEndpoint.disabled_reason.set(reason),
                    WebhookEndpoint.disabled_at.set(now),
                    WebhookEndpoint.disabled.set(DISABLED_PARTITION),
                ],
                condition=WebhookEndpoint.status == EndpointStatus.ACTIVE,
            )
        except UpdateError as error:
            if condition_failed(error):
                return False
            raise
        return True

    def enable(self, endpoint: WebhookEndpoint) -> None:
        endpoint.update(
            actions=[
                WebhookEndpoint.status.set(EndpointStatus.ACTIVE),
                WebhookEndpoint.disabled_reason.remove(),
                WebhookEndpoint.disabled_at.remove(),
                WebhookEndpoint.disabled.remove(),
            ]
        )

    def disabled(self) -> list[WebhookEndpoint]:
        """Every disabled endpoint, oldest first: one query of the sparse ``by-disabled`` index
        (eventually consistent: an endpoint disabled a moment ago may appear a moment later)."""
        return list(WebhookEndpoint.by_disabled.query(DISABLED_PARTITION))

    def log(self, attempt: DeliveryAttempt) -> None:
        attempt.expires = attempt.at + LOG_KEPT
        attempt.save()

    def deliveries(self, kindergarten_id: str, limit: int = 100) -> list[DeliveryAttempt]:
        return list(DeliveryAttempt.query(kindergarten_id, scan_index_forward=False, limit=limit, consistent_read=True))


def log_entry(at: datetime, job_id: str, attempt: int) -> str:
    return f"{at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%S.%fZ')}#{job_id}#{attempt:03d}"
