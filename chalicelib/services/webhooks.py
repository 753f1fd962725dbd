"""Kindergarten portals' webhooks: registration, secrets, the delivery log, re-sends; dead letters.

A portal (or an operator of the kindergarten's region, for it) registers an endpoint and the
event types it wants; the answer carries the signing secret, shown this once. Registration
refuses a URL that is not HTTPS, or whose host resolves to an address a webhook must never
reach (the same check is made again at every delivery, on the address connected to).
"""

from __future__ import annotations

import base64
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from chalicelib.clock import Clock
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.principal import Principal, Role
from chalicelib.domain.webhooks import EVENTS, check_url
from chalicelib.jobs.handlers.webhooks import DELIVERY, loopback_allowed, resend
from chalicelib.store.jobs import Job, JobState, JobStore
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.webhooks import DeliveryAttempt, EndpointStatus, WebhookEndpoint, WebhookStore

MAX_ENDPOINTS = 5


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def _not_found() -> NotFound:
    return NotFound("webhook.not_found", "Мұндай вебхук жоқ.", "Такого вебхука нет.")


@dataclass(frozen=True)
class WebhookService:
    clock: Clock
    store: WebhookStore
    jobs: JobStore
    reference: ReferenceRepository
    overlap: timedelta

    # --- who may act for which kindergarten --------------------------------------------------------

    def kindergarten_of(self, principal: Principal, kindergarten_id: str | None = None) -> str:
        """The kindergarten the caller acts for: its own portal, or one of an operator's area."""
        if principal.role is Role.KINDERGARTEN and principal.kindergarten_id:
            if kindergarten_id not in (None, principal.kindergarten_id):
                raise _not_found()
            return principal.kindergarten_id
        if principal.role is Role.EDUCATION_DEPARTMENT and kindergarten_id:
            kindergarten = self.reference.get_kindergarten(kindergarten_id)
            if kindergarten is None:
                raise NotFound("kindergarten.not_found", "Мұндай балабақша жоқ.", "Такого детского сада нет.")
            if principal.region != kindergarten.region or (
                principal.district and principal.district != kindergarten.district
            ):
                raise Forbidden(
                    "operator.outside_area",
                    "Бұл балабақша сіздің аумағыңызда емес.",
                    "Этот детский сад не в вашей зоне ответственности.",
                )
            return kindergarten_id
        raise Forbidden("auth.role_not_allowed", "Бұл әрекетке рұқсатыңыз жоқ.", "У вас нет прав на это действие.")

    # --- endpoints --------------------------------------------------------------------------------

    def register(
        self, principal: Principal, url: str, events: list[str], kindergarten_id: str | None = None
    ) -> WebhookEndpoint:
        kindergarten = self.kindergarten_of(principal, kindergarten_id)
        unknown = sorted(set(events) - set(EVENTS))
        if unknown:
            raise InvalidInput(
                "webhook.unknown_events",
                f"Мұндай оқиға түрлері жоқ: {', '.join(unknown)}",
                f"Таких типов событий нет: {', '.join(unknown)}",
                details={"field": "events", "unknown": unknown, "known": list(EVENTS)},
            )
        self.check_endpoint(url)
        if len(self.store.endpoints(kindergarten)) >= MAX_ENDPOINTS:
            raise InvalidInput(
                "webhook.too_many",
                f"Бір балабақшаға {MAX_ENDPOINTS} вебхуктан артық тіркелмейді.",
                f"У детского сада не может быть больше {MAX_ENDPOINTS} вебхуков.",
            )
        endpoint = WebhookEndpoint(
            kindergarten,
            "ep_" + uuid.uuid4().hex[:16],
            url=url,
            events=sorted(set(events)),
            secret=new_secret(),
            status=EndpointStatus.ACTIVE,
            created_at=self.clock.now(),
            created_by=f"{principal.role.value}:{principal.iin}",
        )
        self.store.add(endpoint)
        return endpoint

    @staticmethod
    def check_endpoint(url: str) -> None:
        """The URL's form and every address its host resolves to (refusals name the rule broken)."""
        from chalicelib.gateways.webhooks import resolve

        allowed = loopback_allowed()
        scheme, host, port = check_url(url, loopback_allowed=allowed)
        try:
            resolve(host, port, loopback_allowed=allowed and scheme == "http")
        except OSError as error:
            raise InvalidInput(
                "webhook.url_refused",
                f"Вебхук мекенжайы қабылданбады: {host} табылмады",
                f"Адрес вебхука не принят: {host} не найден",
                details={"field": "url", "problem": "unresolvable"},
            ) from error

    def endpoints(self, principal: Principal, kindergarten_id: str | None = None) -> list[WebhookEndpoint]:
        return self.store.endpoints(self.kindergarten_of(principal, kindergarten_id))

    def _endpoint(self, principal: Principal, endpoint_id: str, kindergarten_id: str | None) -> WebhookEndpoint:
        endpoint = self.store.endpoint(self.kindergarten_of(principal, kindergarten_id), endpoint_id)
        if endpoint is None:
            raise _not_found()
        return endpoint

    def remove(self, principal: Principal, endpoint_id: str, kindergarten_id: str | None = None) -> None:
        self.store.remove(self._endpoint(principal, endpoint_id, kindergarten_id))

    def rotate_secret(
        self, principal: Principal, endpoint_id: str, kindergarten_id: str | None = None
    ) -> WebhookEndpoint:
        """A new secret; the old one keeps signing (a second signature) for the overlap."""
        endpoint = self._endpoint(principal, endpoint_id, kindergarten_id)
        self.store.rotate(endpoint, new_secret(), self.clock.now() + self.overlap)
        return self._endpoint(principal, endpoint_id, kindergarten_id)

    def enable(self, principal: Principal, endpoint_id: str, kindergarten_id: str | None = None) -> WebhookEndpoint:
        """Switch a disabled endpoint on again and re-drive its deliveries parked meanwhile."""
        endpoint = self._endpoint(principal, endpoint_id, kindergarten_id)
        self.store.enable(endpoint)
        now = self.clock.now()
        for job in self.jobs.dead_letters(limit=500):
            payload = job.payload or {}
            if job.kind == DELIVERY and payload.get("endpoint_id") == endpoint.endpoint_id:
                self.jobs.replay(job.id, now)
        return self._endpoint(principal, endpoint_id, kindergarten_id)

    # --- the delivery log -------------------------------------------------------------------------

    def deliveries(
        self, principal: Principal, kindergarten_id: str | None = None, limit: int = 100
    ) -> list[DeliveryAttempt]:
        return self.store.deliveries(self.kindergarten_of(principal, kindergarten_id), limit=limit)

    def resend(self, principal: Principal, job_id: str, kindergarten_id: str | None = None) -> Job:
        """Deliver an event again to the same endpoint, with the same ``webhook-id``."""
        kindergarten = self.kindergarten_of(principal, kindergarten_id)
        job = self.jobs.get(job_id)
        if job is None or job.kind != DELIVERY or (job.payload or {}).get("kindergarten_id") != kindergarten:
            raise NotFound("webhook.delivery_not_found", "Мұндай жеткізу жоқ.", "Такой доставки нет.")
        again = resend(kindergarten, job, self.clock.now())
        self.jobs.add(again)
        return again

    # --- dead letters (operators) -------------------------------------------------------------------

    def dead_letters(self, principal: Principal, limit: int = 100) -> list[Job]:
        """The dead letters of the operator's area (the ministry, region ``kz``, sees every one)."""
        _require_department(principal)
        return [job for job in self.jobs.dead_letters(limit) if self._job_in_area(principal, job)]

    def replay(self, principal: Principal, job_id: str) -> Job:
        _require_department(principal)
        found = self.jobs.get(job_id)
        if found is None or found.state != JobState.DEAD or not self._job_in_area(principal, found):
            raise NotFound("job.not_dead", "Мұндай тоқтаған тапсырма жоқ.", "Такого остановленного задания нет.")
        job = self.jobs.replay(job_id, self.clock.now())
        if job is None:
            raise NotFound("job.not_dead", "Мұндай тоқтаған тапсырма жоқ.", "Такого остановленного задания нет.")
        return job

    def _job_in_area(self, principal: Principal, job: Job) -> bool:
        """Whose a job is, by its subject: an application's, a kindergarten's or a contract's region and
        district. A job whose subject names none of them is the ministry's alone."""
        if principal.region == NATIONAL:
            return True
        kind, _, key = (job.subject or "").partition("#")
        key = key.split("#", 1)[0]
        payload = job.payload or {}
        if kind not in ("application", "kindergarten", "contract"):  # the payload may name it instead
            if payload.get("application_id"):
                kind, key = "application", str(payload["application_id"])
            elif payload.get("kindergarten_id"):
                kind, key = "kindergarten", str(payload["kindergarten_id"])
        region = district = None
        if kind == "application":
            from chalicelib import wiring

            app = wiring.applications().find(key)
            region, district = (app.region, app.district) if app else (None, None)
        elif kind in ("kindergarten", "contract"):
            kindergarten_id = key
            if kind == "contract":
                from chalicelib.store.contracts import ContractRepository

                contract = ContractRepository().find(key)
                kindergarten_id = contract.kindergarten_id if contract else ""
            kindergarten = self.reference.get_kindergarten(kindergarten_id) if kindergarten_id else None
            region, district = (kindergarten.region, kindergarten.district) if kindergarten else (None, None)
        if region is None:
            return False
        return region == principal.region and (not principal.district or principal.district == district)

    def disabled_endpoints(self, principal: Principal) -> list[WebhookEndpoint]:
        _require_department(principal)
        found = self.store.disabled()
        return [e for e in found if self._in_area(principal, e.kindergarten_id)]

    def _in_area(self, principal: Principal, kindergarten_id: str) -> bool:
        kindergarten = self.reference.get_kindergarten(kindergarten_id)
        return (
            kindergarten is not None
            and kindergarten.region == principal.region
            and (not principal.district or principal.district == kindergarten.district)
        )


NATIONAL = "kz"  # the ministry's operators: every region


def _require_department(principal: Principal) -> None:
    if principal.role is not Role.EDUCATION_DEPARTMENT:
        raise Forbidden("auth.role_not_allowed", "Бұл әрекетке рұқсатыңыз жоқ.", "У вас нет прав на это действие.")


def endpoint_json(endpoint: WebhookEndpoint, *, with_secret: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": endpoint.endpoint_id,
        "kindergarten_id": endpoint.kindergarten_id,
        "url": endpoint.url,
        "events": list(endpoint.events or []),
        "status": endpoint.status,
        "disabled_reason": endpoint.disabled_reason,
        "created_at": endpoint.created_at.isoformat(),
        "previous_secret_until": endpoint.previous_until.isoformat() if endpoint.previous_until else None,
    }
    if with_secret:
        body["secret"] = endpoint.secret
    return body


def job_json(job: Job) -> dict[str, Any]:
    return {
        "id": job.id,
        "kind": job.kind,
        "subject": job.subject,
        "state": job.state,
        "attempts": int(job.attempts or 0),
        "last_error": job.last_error,
        "created_at": job.created_at.isoformat(),
        "dead_at": job.dead_at,
        "due_at": job.due_at,
        "done": job.state == JobState.DONE,
    }
