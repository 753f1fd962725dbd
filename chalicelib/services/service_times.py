"""What is overdue now (seed 004, appendix 3): the open steps past their limit, per district.

An operator sees the districts of their area (their district, or every district of their
region) and the steps their role performs: the education department's (ЖАО) or the service
centre's desk (ХҚКО). Each district is one query on the sparse ``by-open`` index of the
recorded steps (``chalicelib/store/service_steps.py``), bounded by what is late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from chalicelib.clock import Clock
from chalicelib.domain.principal import Principal
from chalicelib.domain.service_times import ACTOR_OF_ROLE, ACTOR_WORDS, BENEFIT_DECISION, STEPS, Step
from chalicelib.store.applications import ApplicationRepository, claimed_at
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.service_steps import ServiceStepRepository


def overdue_item(
    step: Step, application_id: str, region: str, district: str, started: datetime, now: datetime
) -> dict[str, Any]:
    due = step.due_at(started)
    return {
        "step": step.code,
        "step_name": {"kk": step.name_kk, "ru": step.name_ru},
        "table": step.table,
        "number": step.number,
        "actor": step.actor,
        "actor_words": ACTOR_WORDS[step.actor],
        "limit": step.limit_text,
        "limit_words": step.limit_words,
        "application_id": application_id,
        "region": region,
        "district": district,
        "started_at": started.isoformat(),
        "due_at": due.isoformat(),
        "overdue_minutes": int((now - due).total_seconds() // 60),
    }


@dataclass(frozen=True)
class ServiceTimeService:
    clock: Clock
    reference: ReferenceRepository
    steps: ServiceStepRepository
    applications: ApplicationRepository

    def overdue(self, operator: Principal) -> list[dict[str, Any]]:
        """The open steps of the operator's role past their limit now, per district, the latest due last."""
        now = self.clock.now()
        actor = ACTOR_OF_ROLE.get(operator.role.value)
        region = operator.region or ""
        if actor is None or not region:
            return []
        districts = (
            [operator.district] if operator.district else [d.code for d in self.reference.list_districts(region)]
        )
        items: list[dict[str, Any]] = []
        for district in sorted(districts):
            listed: set[tuple[str, str]] = set()
            for recorded in self.steps.overdue(region, district, now):
                step = STEPS.get(recorded.step)
                if step is None or step.actor != actor:
                    continue
                listed.add((recorded.application_id, step.code))
                items.append(overdue_item(step, recorded.application_id, region, district, recorded.started_at, now))
            if actor == BENEFIT_DECISION.actor:
                items += self._claims_before_steps(region, district, now, listed)
        return items

    def _claims_before_steps(
        self, region: str, district: str, now: datetime, listed: set[tuple[str, str]]
    ) -> list[dict[str, Any]]:
        """Claims made before steps were recorded (no step item): read from the claims' own index."""
        before = BENEFIT_DECISION.overdue_if_started_before(now)
        out = []
        for app in self.applications.overdue_benefit_checks(region, district, before):
            started = claimed_at(app)
            if started is None or (app.id, BENEFIT_DECISION.code) in listed:
                continue
            out.append(overdue_item(BENEFIT_DECISION, app.id, region, district, started, now))
        return out
