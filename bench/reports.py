"""Report benchmark: the monthly national report over 500 000 applications in 17 regions.

- ``report monthly national`` (s): reading the counters, assembling the report and rendering
  and storing both the XLSX and the PDF (S3) — what the schedule does for the nation;
- ``report monthly national`` (items read): DynamoDB items read for it (and requests).

The counters are produced by the very rules every transaction uses
(:func:`chalicelib.domain.reports.tallies`, checked against
:func:`chalicelib.store.counters.increments` on the first applications) from synthetic history
records — 500 000 registrations over 22 months, with benefit approvals and departures — and
written to moto in bulk. Day buckets are not loaded: the monthly report does not read them.

As in production, the schedule closed September on 1 October (``ReportService.close``: the
nation's states at 00:00 of 1 October, read from the loaded counters by the service and kept as a
closing); that is set-up, like the synthesis and the load, and not part of the figures. The
report of October then reads the closing and October's month bucket. Its totals are checked
against a naive count of the synthetic applications.
"""

from __future__ import annotations

import os
import random
import sys
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends

from bench.metering import metered
from bench.moto_tuning import partition_queries, plain_dynamodb_answers, unchecked_item_sizes
from chalicelib.clock import FixedClock
from chalicelib.domain.reference import Bilingual, District, Region
from chalicelib.domain.reports import NO_BENEFIT, Facts, Period, Scope, ScopeLevel, tallies
from chalicelib.services.reports import ReportService, StoredReport
from chalicelib.settings import get_settings
from chalicelib.store.counters import CounterStore, ReportCounter, increments, shard_of
from chalicelib.store.objects import ObjectStore
from chalicelib.store.report_subscriptions import ReportSubscriptions, SubscriptionItem

Row = tuple[str, int, float, str]

APPLICATIONS = int(os.environ.get("BQ_BENCH_REPORT_APPLICATIONS", "500000"))
REGIONS = 17
DISTRICTS_PER_REGION = 12
FIRST = datetime(2025, 1, 1, 3, 0, tzinfo=UTC)
NOW = datetime(2026, 10, 31, 19, 30, tzinfo=UTC)  # 1 November 00:30 in Almaty: October's report
OCTOBER = Period.month(2026, 10)
ALMATY_OFFSET = timedelta(hours=5)  # Asia/Almaty keeps UTC+5 all year
CHECKED = 2000  # applications also counted by increments() itself, to check the fast path
BENEFITS = ("military", "large_family", "disabled_child", "orphans")


class SyntheticReference:
    """17 regions of 12 districts (the names only matter to the rendered files)."""

    def __init__(self) -> None:
        self.regions = [Region(f"r{n:02d}", Bilingual(f"Облыс {n}", f"Область {n}")) for n in range(REGIONS)]

    def list_regions(self) -> list[Region]:
        return self.regions

    def list_districts(self, region: str) -> list[District]:
        return [
            District(region, f"d{n:02d}", Bilingual(f"Аудан {region}-{n}", f"Район {region}-{n}"))
            for n in range(DISTRICTS_PER_REGION)
        ]


class NoAnnouncer:
    def announce(self, report: StoredReport, subscribers: Any) -> int:
        return 0


def _record(subject_type: str, subject_id: str, event: str, at: datetime, **kw: Any) -> SimpleNamespace:
    return SimpleNamespace(
        subject_type=subject_type,
        subject_id=subject_id,
        event=event,
        at=at,
        from_state=kw.get("from_state"),
        to_state=kw.get("to_state"),
        why=kw.get("why"),
        details=kw.get("details"),
    )


def _facts(app: SimpleNamespace) -> Facts:
    benefit = app.benefit_category if app.benefit_status == "approved" else NO_BENEFIT
    return Facts(app.region, app.district, app.cohort, app.language, benefit)


def synthesise(rng: random.Random) -> tuple[dict[tuple[str, str], Counter[str]], dict[str, int]]:
    """Counter items as the transactions would have left them, and the naive figures to check.

    Each record is counted by :func:`tallies` (what :func:`increments` calls in every
    transaction) into its (region, district, shard, month); months are then summed into their
    year. The first applications are also counted by :func:`increments` itself, and must agree.
    """
    by_month: dict[tuple[str, str, str], Counter[str]] = defaultdict(Counter)  # (region, cell, YYYY-MM)
    span = (NOW - FIRST).total_seconds()
    october_start, october_end = OCTOBER.start, OCTOBER.end
    naive = Counter[str]()
    checked: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    fast: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)

    def count(record: SimpleNamespace, app: SimpleNamespace, serial: int) -> None:
        found = tallies(record, app.facts)  # type: ignore[arg-type]
        local = record.at + ALMATY_OFFSET
        month = f"{local.year}-{local.month:02d}"
        cell = app.cell
        target = by_month[(app.region, cell, month)]
        for name, delta in found:
            target[name] += delta
        if serial < CHECKED:
            for key, counts in increments([record], [app]).items():  # type: ignore[list-item]
                if key[0].startswith("month#"):
                    checked[key].update(counts)
            for name, delta in found:
                fast[(f"month#{month}#{app.region}", cell)][name] += delta

    for serial in range(APPLICATIONS):
        region = f"r{rng.randrange(REGIONS):02d}"
        district = f"d{rng.randrange(DISTRICTS_PER_REGION):02d}"
        at = FIRST + timedelta(seconds=rng.random() * span)
        app = SimpleNamespace(
            id=f"УО.{serial:07d}",
            region=region,
            district=district,
            cohort=rng.randrange(2019, 2026),
            language=rng.choice(("kk", "ru")),
            benefit_status="none",
            benefit_category=None,
        )
        app.facts, app.cell = _facts(app), f"{district}#{shard_of(app.id)}"  # as they are before each change
        channel = rng.choice(("portal", "service_center"))
        count(_record("application", app.id, "application.registered", at, details={"channel": channel}), app, serial)
        if rng.random() < 0.08:
            category = rng.choice(BENEFITS)
            record = _record(
                "application",
                app.id,
                "application.benefit_approved",
                at + timedelta(days=3),
                from_state=f"pending:{category}",
                to_state=f"approved:{category}",
            )
            count(record, app, serial)
            app.benefit_status, app.benefit_category = "approved", category
            app.facts = _facts(app)
        left_at = at + timedelta(days=rng.randrange(1, 400))
        left = rng.random() < 0.25 and left_at < NOW
        if left:
            status, why = rng.choice(
                (("withdrawn", "withdrawn"), ("enrolled", "enrolled"), ("removed", "interest_not_confirmed"))
            )
            record = _record(
                "application", app.id, "application.left", left_at, from_state="active", to_state=status, why=why
            )
            count(record, app, serial)
        naive["registered_october"] += october_start <= at < october_end
        naive["queue_end_october"] += at < october_end and not (left and left_at < october_end)
        naive["left_october"] += left and october_start <= left_at < october_end
    if {k: +v for k, v in checked.items()} != {k: +v for k, v in fast.items()}:
        raise AssertionError("the bench's counting differs from the transactions' own")
    items: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for (region, cell, month), counts in by_month.items():
        items[(f"month#{month}#{region}", cell)].update(counts)
        items[(f"year#{month[:4]}#{region}", cell)].update(counts)
    return items, dict(naive)


def _load(items: dict[tuple[str, str], Counter[str]]) -> None:
    """Straight into moto's table (the items are what the transactions' ADD updates would leave)."""
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID][get_settings().aws_region]
    table = ReportCounter.Meta.table_name
    for (bucket, cell), counts in items.items():
        item = {"bucket": {"S": bucket}, "cell": {"S": cell}}
        item.update({name: {"N": str(value)} for name, value in counts.items() if value})
        backend.put_item(table, item)


def _say(text: str) -> None:
    print(f"bench.reports: {text}", file=sys.stderr, flush=True)


def run() -> list[Row]:
    rng = random.Random(11)
    begun = time.perf_counter()
    items, naive = synthesise(rng)
    _say(f"{len(items)} counter items synthesised in {time.perf_counter() - begun:.0f} s")
    with mock_aws():
        settings = get_settings()
        for model in (ReportCounter, SubscriptionItem):
            model.create_table(wait=False)
        boto3.client("s3", region_name=settings.aws_region).create_bucket(
            Bucket=settings.documents_bucket, CreateBucketConfiguration={"LocationConstraint": settings.aws_region}
        )
        begun = time.perf_counter()
        with unchecked_item_sizes():
            _load(items)
        _say(f"loaded in {time.perf_counter() - begun:.0f} s")
        service = ReportService(
            clock=FixedClock(NOW),
            counters=CounterStore(),
            reference=SyntheticReference(),  # type: ignore[arg-type]
            objects=ObjectStore(),
            subscriptions=ReportSubscriptions(),
            announcer=NoAnnouncer(),
            since_year=2025,
        )
        begun = time.perf_counter()
        with partition_queries(), plain_dynamodb_answers():
            if not service.close(Period.month(2026, 9)):
                raise AssertionError("September is over: its closing must be kept")
        _say(f"September closed (set-up) in {time.perf_counter() - begun:.0f} s")
        started = time.perf_counter()
        with metered() as meter, partition_queries():
            report = service.build(Scope(ScopeLevel.NATIONAL), OCTOBER)
        _say(f"built in {time.perf_counter() - started:.1f} s")
        service.store(report)
        seconds = time.perf_counter() - started
        _say(f"rendered and stored in {seconds:.1f} s")
    got = {
        "registered_october": report.section("registered").total,
        "queue_end_october": report.section("queue").total,
        "left_october": report.section("left").total,
    }
    if got != naive:
        raise AssertionError(f"report {got} differs from the naive count {naive}")
    return [
        ("report monthly national", APPLICATIONS, round(seconds, 2), "s"),
        ("report monthly national", APPLICATIONS, meter.items, "items read"),
        ("report monthly national", APPLICATIONS, meter.dynamodb_requests, "requests"),
    ]
