"""The queue position explained (``GET /applications/{id}/position``): numbers, who is ahead, why the
number moved since the parent's last visit, the number over time and an estimate of the wait.

Reads: the application, one TransactGetItems of the queue heads and chunks (general, pool, benefit,
one per benefit category of the pool), the parent's journal link (their visits), the benefit
categories, and 12 month buckets of the pool's report counters — never the queue's members.
Writes: today's visit on the parent's journal link.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from chalicelib.clock import Clock
from chalicelib.domain import position as rules
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.principal import Principal
from chalicelib.domain.queue import ALMATY, ApplicationStatus, Departure, benefit_number_words
from chalicelib.domain.reference import BenefitTier
from chalicelib.store.applications import Application, ApplicationRepository, Visit
from chalicelib.store.counters import CounterStore
from chalicelib.store.reference import ReferenceRepository


def _refuse_foreign() -> Forbidden:
    return Forbidden(
        "application_not_yours",
        "Бұл өтініш сіздің жеке кабинетіңізге жатпайды",
        "Это заявление не относится к вашему личному кабинету",
    )


def _seen(visit: Visit) -> rules.Seen:
    return rules.Seen(
        general=int(visit.general),
        ahead=int(visit.ahead),
        directed=int(visit.directed),
        withdrawn=int(visit.withdrawn),
        removed=int(visit.removed),
        priority_behind=int(visit.priority_behind),
        benefit_status=visit.benefit_status,
    )


@dataclass
class PositionService:
    clock: Clock
    applications: ApplicationRepository
    reference: ReferenceRepository
    counters: CounterStore

    def explain(self, principal: Principal, application_id: str) -> dict[str, Any]:
        app = self.applications.get(application_id)
        if not app.visible_to(principal.iin):
            raise _refuse_foreign()
        now = self.clock.now()
        categories = [c for c in self.reference.list_benefit_categories() if c.tier is not BenefitTier.NONE]
        visits = self.applications.visits(principal.iin, app.id)
        snapshot = self.applications.pool_snapshot(app, [c.code for c in categories])
        out: dict[str, Any] = {
            "application_id": app.id,
            "in_queue": snapshot is not None,
            "status": app.status,
            "district": app.district,
            "cohort": app.cohort,
            "language": app.language,
            "history": [{"at": v.at.isoformat(), "general": int(v.general)} for v in visits],
        }
        if snapshot is None:
            out["reason"] = "not_in_queue" if app.state is not ApplicationStatus.ACTIVE else "not_counted"
            return out
        tiers = {c.code: c.tier for c in categories}
        own_tier = tiers.get(app.benefit_category or "", BenefitTier.NONE)
        if app.benefit_status != "approved":
            own_tier = BenefitTier.NONE
        counts = [
            rules.CategoryCount(c.code, c.tier, snapshot.categories[c.code].ahead, snapshot.categories[c.code].behind)
            for c in categories
        ]
        pool = snapshot.pool
        now_seen = rules.Seen(
            general=snapshot.numbers.general or 0,
            ahead=pool.ahead,
            directed=pool.gone[Departure.DIRECTED],
            withdrawn=pool.gone[Departure.WITHDRAWN],
            removed=pool.gone[Departure.REMOVED],
            priority_behind=rules.priority_behind(counts, own_tier),
            benefit_status=app.benefit_status,
        )
        kk, ru = benefit_number_words(snapshot.numbers.benefit, app.benefit_status)
        waiting_for = rules.served_before(pool.ahead, counts, own_tier)
        directed = self._directed_last_year(app, now)
        months = rules.estimate_months(waiting_for, directed)
        with_benefit = sum(c.ahead for c in counts)
        out.update(
            {
                "general": snapshot.numbers.general,
                "benefit": snapshot.numbers.benefit,
                "benefit_status": app.benefit_status,
                "benefit_category": app.benefit_category,
                "benefit_words": {"kk": kk, "ru": ru},
                "pool": {"ahead": pool.ahead, "size": pool.size},
                "ahead": [
                    {
                        "category": c.code,
                        "name": {"kk": cat.name.kk, "ru": cat.name.ru},
                        "tier": c.tier.value,
                        "ahead": c.ahead,
                        "served_first_behind": c.behind if first(c.tier, own_tier) else 0,
                    }
                    for c, cat in zip(counts, categories, strict=True)
                ]
                + [{"category": "none", "tier": "none", "ahead": pool.ahead - with_benefit, "served_first_behind": 0}],
                "served_before": waiting_for,
                "estimate": {
                    "is_estimate": True,
                    "months": months,
                    "directions_last_12_months": directed,
                    "waiting_for": waiting_for,
                },
                "since_last_visit": None,
            }
        )
        if visits:
            last = visits[-1]
            change = rules.moved(_seen(last), now_seen)
            out["since_last_visit"] = {"at": last.at.isoformat(), **change.__dict__}
        today = now.astimezone(ALMATY).date()
        earlier = [h for h in out["history"] if _day(h["at"]) != today]
        out["history"] = [*earlier, {"at": now.isoformat(), "general": now_seen.general}]
        visit = _visit(now, now_seen, snapshot.numbers.benefit)
        self.applications.record_visit(principal.iin, app.id, visit, rules.KEEP_VISITS)
        return out

    def _directed_last_year(self, app: Application, now: datetime) -> int:
        if app.cohort is None:
            return 0
        buckets = rules.last_months(now.astimezone(ALMATY).date())
        read = self.counters.read(buckets, [app.region], app.district)
        return int(read.counts.get(app.district, {}).get(rules.directed_counter(int(app.cohort), app.language), 0))


def first(tier: BenefitTier, own: BenefitTier) -> bool:
    """Whether children of ``tier`` registered later are still served before a child of ``own``."""
    return tier is BenefitTier.OUT_OF_TURN and own is not BenefitTier.OUT_OF_TURN


def _day(text: str) -> date:
    return datetime.fromisoformat(text).astimezone(ALMATY).date()


def _visit(now: datetime, seen: rules.Seen, benefit: int | None) -> Visit:
    return Visit(
        at=now,
        general=seen.general,
        benefit=benefit,
        benefit_status=seen.benefit_status,
        ahead=seen.ahead,
        directed=seen.directed,
        withdrawn=seen.withdrawn,
        removed=seen.removed,
        priority_behind=seen.priority_behind,
    )
