"""Scheduled reports: built from the counters, rendered as XLSX and PDF, kept in S3, announced.

- :meth:`ReportService.build` reads the counters of a scope (the nation, a region, a district)
  — the period's day or month buckets for the events, and the few year, month and day buckets
  before the period's end for the states (``chalicelib/domain/reports.py``) — never the
  applications.
- :meth:`ReportService.run` renders both formats and keeps them in S3 under
  ``reports/<scope>/<day|month>/<period>.{xlsx,pdf}``; running the same report again replaces
  them with the new reading.
- :meth:`ReportService.run_scheduled` is what the schedule calls: the nation, every region and
  every district, all from **one** reading of the counters (each region's query returns all its
  districts), then the announcement to the subscribers of each scope. That reading's states at
  the period's end are kept as a closing (``chalicelib/store/counters.py``), where the next
  reports start from.
- Who sees what: an education-department operator of a district, that district's reports; of a
  region (no district), the region's and its districts'; of the region ``kz`` (the ministry),
  also the national ones. Service-centre staff see none.

The announcement (an e-mail with a link to each subscriber) goes through a
:class:`ReportAnnouncer`; :class:`MailAnnouncer` writes each e-mail as a durable ``message.email`` job.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from chalicelib.clock import Clock
from chalicelib.domain.errors import Forbidden, InvalidInput, NotFound
from chalicelib.domain.principal import Principal, Role
from chalicelib.domain.reports import (
    Period,
    PeriodKind,
    Report,
    Scope,
    ScopeLevel,
    assemble,
    covering,
    local_day,
)
from chalicelib.store.counters import CounterStore
from chalicelib.store.objects import ObjectStore
from chalicelib.store.reference import ReferenceRepository
from chalicelib.store.report_subscriptions import ReportSubscriptions, Subscription

NATIONAL_REGION = "kz"  # the ministry's operators: the national reports too
PREFIX = "reports/"
# a closing is kept this long after its instant at the earliest: a change counts at the instant it
# began, and one begun just before midnight may commit a moment after it (the schedule runs at 00:30)
CLOSING_MARGIN = timedelta(minutes=10)
FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}


@dataclass(frozen=True)
class StoredReport:
    """A report kept in S3: its scope, period and the keys of both formats."""

    scope: str  # the scope's label: national, region-astana, district-astana-esil
    kind: str  # day | month
    period: str  # 2026-03-02 | 2026-03
    generated_at: datetime | None = None

    @property
    def id(self) -> str:
        return f"{self.scope}/{self.kind}/{self.period}"

    def key(self, fmt: str) -> str:
        return f"{PREFIX}{self.id}.{fmt}"


class ReportAnnouncer(Protocol):
    """Tells the subscribers that a report is ready (an e-mail with a link)."""

    def announce(self, report: StoredReport, subscribers: Sequence[Subscription]) -> int: ...


class MailAnnouncer:
    """An e-mail to each subscriber, with a link to the report's page in the operators' screens.

    Each e-mail is a ``message.email`` job (``docs/jobs.md``): retried with back-off, parked as a
    dead letter if it keeps failing, and keyed by the report and the address, so a report announced
    again (a repeated invocation) tells each subscriber once.
    """

    def __init__(self, base_url: str, now: Callable[[], datetime]) -> None:
        self.base_url = base_url.rstrip("/")
        self.now = now

    def announce(self, report: StoredReport, subscribers: Sequence[Subscription]) -> int:
        from chalicelib.jobs.registry import job_for
        from chalicelib.store.jobs import JobStore

        link = f"{self.base_url}/operator.html#reports/{report.id}"
        subject = f"Есеп дайын / Отчёт готов: {report.period} ({report.scope})"
        body = f"Есеп дайын: {report.id}. Жүктеп алу: {link}\nОтчёт готов: {report.id}. Скачать: {link}\n"
        jobs = JobStore()
        added = 0
        for subscriber in subscribers:
            payload = {"to": subscriber.email, "subject": subject, "text": body}
            job = job_for("message.email", f"report#{report.id}#{subscriber.email}", payload, now=self.now())
            added += jobs.add(job)
        return added


def report_forbidden(scope: str) -> Forbidden:
    return Forbidden(
        "report.not_allowed",
        "Бұл есепті көруге рұқсатыңыз жоқ.",
        "У вас нет доступа к этому отчёту.",
        details={"scope": scope},
    )


def report_not_found(report_id: str) -> NotFound:
    return NotFound("report.not_found", "Мұндай есеп жоқ.", "Такого отчёта нет.", details={"report": report_id})


def bad_report_request(why: str) -> InvalidInput:
    return InvalidInput(
        "report.bad_request",
        "Есептің аумағы немесе кезеңі дұрыс емес.",
        "Неверно указана территория или период отчёта.",
        details={"why": why},
    )


class ReportService:
    def __init__(
        self,
        *,
        clock: Clock,
        counters: CounterStore,
        reference: ReferenceRepository,
        objects: ObjectStore,
        subscriptions: ReportSubscriptions,
        announcer: ReportAnnouncer,
        since_year: int,
    ) -> None:
        self.clock = clock
        self.counters = counters
        self.reference = reference
        self.objects = objects
        self.subscriptions = subscriptions
        self.announcer = announcer
        self.since_year = since_year

    # --- reading and building ---------------------------------------------------------------------

    def _regions(self, scope: Scope) -> list[str]:
        if scope.level is ScopeLevel.NATIONAL:
            return [region.code for region in self.reference.list_regions()]
        return [scope.region or ""]

    def names(self) -> dict[str, str]:
        """Display names of regions and districts (and ``region/district`` for national reports)."""
        names: dict[str, str] = {}
        for region in self.reference.list_regions():
            names[region.code] = f"{region.name.kk} / {region.name.ru}"
            for district in self.reference.list_districts(region.code):
                text = f"{district.name.kk} / {district.name.ru}"
                names.setdefault(district.code, text)
                names[f"{region.code}/{district.code}"] = text
        return names

    def _read(
        self, scope: Scope, period: Period
    ) -> tuple[dict[tuple[str, str], Counter[str]], dict[tuple[str, str], Counter[str]], int]:
        """Events of the period and states at its end (or now), per (region, district); items read.

        The states start from the latest complete closing before their instant (or from the
        beginning of the counters): the monthly report of a closed month reads the closing of its
        1st and its own month bucket, which also holds its events — each bucket is read once.
        """
        now = self.clock.now()
        state_at = min(period.end, now)
        event_buckets = (
            [f"month#{period.label}"] if period.kind is PeriodKind.MONTH else [f"day#{period.first.isoformat()}"]
        )
        state_day = local_day(state_at)
        closed, items = self.counters.latest_closing(state_day)
        state_buckets = covering(state_day, self.since_year, closed)
        if state_at == now:
            state_buckets.append(f"day#{local_day(now).isoformat()}")  # today so far
        shared = all(bucket in state_buckets for bucket in event_buckets)
        if shared:
            state_buckets = [bucket for bucket in state_buckets if bucket not in event_buckets]
        events: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        states: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        for region in self._regions(scope):
            read = self.counters.read(event_buckets, [region], scope.district)
            items += read.items
            for district, counts in read.counts.items():
                events[(region, district)].update(counts)
                if shared:
                    states[(region, district)].update(counts)
            read = self.counters.read(state_buckets, [region], scope.district)
            items += read.items
            for district, counts in read.counts.items():
                states[(region, district)].update(counts)
        return events, states, items

    def closable(self, period: Period) -> bool:
        """Whether ``period`` is over long enough for its end to be kept (:data:`CLOSING_MARGIN`)."""
        return self.clock.now() - period.end >= CLOSING_MARGIN

    def close(self, period: Period) -> bool:
        """Keep the nation's states at the end of ``period`` if it is over (what the schedule does)."""
        if not self.closable(period):
            return False
        _, states, _ = self._read(Scope(ScopeLevel.NATIONAL), period)
        return self._close(period, states)

    def _close(self, period: Period, states: dict[tuple[str, str], Counter[str]]) -> bool:
        """The nation's states read at the period's end become the closing of the next day's 00:00."""
        if not self.closable(period):
            return False  # not over (the states were read now, not at its end), or only just
        self.counters.close(local_day(period.end), states)
        return True

    def _assemble(
        self,
        scope: Scope,
        period: Period,
        events: dict[tuple[str, str], Counter[str]],
        states: dict[tuple[str, str], Counter[str]],
        items: int,
    ) -> Report:
        def keyed(counts: dict[tuple[str, str], Counter[str]]) -> dict[str, Counter[str]]:
            out: dict[str, Counter[str]] = defaultdict(Counter)
            for (region, district), value in counts.items():
                if (scope.region and region != scope.region) or (scope.district and district != scope.district):
                    continue
                out[f"{region}/{district}" if scope.level is ScopeLevel.NATIONAL else district].update(value)
            return out

        now = self.clock.now()
        return assemble(
            scope,
            period,
            events=keyed(events),
            states=keyed(states),
            generated_at=now,
            state_at=min(period.end, now),
            items_read=items,
        )

    def build(self, scope: Scope, period: Period) -> Report:
        """The report of ``scope`` for ``period``, from the counters."""
        events, states, items = self._read(scope, period)
        return self._assemble(scope, period, events, states, items)

    # --- keeping ----------------------------------------------------------------------------------

    def store(self, report: Report, names: dict[str, str] | None = None) -> StoredReport:
        from chalicelib.documents.reports import render_pdf, render_xlsx

        names = names if names is not None else self.names()
        stored = StoredReport(report.scope.label, report.period.kind.value, report.period.label, report.generated_at)
        metadata = {"generated-at": report.generated_at.isoformat(), "items-read": str(report.items_read)}
        self.objects.put(
            stored.key("xlsx"), render_xlsx(report, names), content_type=FORMATS["xlsx"], metadata=metadata
        )
        self.objects.put(stored.key("pdf"), render_pdf(report, names), content_type=FORMATS["pdf"], metadata=metadata)
        return stored

    def run(self, scope: Scope, period: Period, *, announce: bool = True) -> StoredReport:
        stored = self.store(self.build(scope, period))
        if announce:
            self.announcer.announce(stored, self.subscriptions.for_scope(stored.scope, stored.kind))
        return stored

    def run_scheduled(self, period: Period) -> list[StoredReport]:
        """The nation, every region and every district for ``period``: one reading of the counters."""
        national = Scope(ScopeLevel.NATIONAL)
        events, states, items = self._read(national, period)
        self._close(period, states)
        names = self.names()
        scopes = [national]
        for region in self.reference.list_regions():
            scopes.append(Scope(ScopeLevel.REGION, region.code))
            scopes += [
                Scope(ScopeLevel.DISTRICT, region.code, district.code)
                for district in self.reference.list_districts(region.code)
            ]
        stored = []
        for scope in scopes:
            report = self._assemble(scope, period, events, states, items)
            kept = self.store(report, names)
            self.announcer.announce(kept, self.subscriptions.for_scope(kept.scope, kept.kind))
            stored.append(kept)
        return stored

    def kept_nationally(self, period: Period) -> bool:
        """Whether the scheduled run of ``period`` is done (its national report is kept)."""
        return self.objects.exists(StoredReport("national", period.kind.value, period.label).key("pdf"))

    # --- operators ---------------------------------------------------------------------------------

    @staticmethod
    def visible_scopes(operator: Principal) -> tuple[str, ...]:
        """Label prefixes of the scopes the operator may read."""
        if operator.role is not Role.EDUCATION_DEPARTMENT:
            return ()
        if operator.district:
            return (f"district-{operator.region}-{operator.district}",)
        prefixes: tuple[str, ...] = (f"region-{operator.region}", f"district-{operator.region}-")
        if operator.region == NATIONAL_REGION:
            prefixes += ("national", "region-", "district-")
        return prefixes

    def _may_see(self, operator: Principal, scope_label: str) -> bool:
        return any(
            scope_label == prefix or (prefix.endswith("-") and scope_label.startswith(prefix))
            for prefix in self.visible_scopes(operator)
        )

    def scope_for(self, operator: Principal, region: str | None, district: str | None) -> Scope:
        """The scope an operator asks for (default: their own), refused outside their reach."""
        if region is None and district is None:
            region, district = operator.region, operator.district
        if region == NATIONAL_REGION or region == "national":
            scope = Scope(ScopeLevel.NATIONAL)
        elif region and district:
            if self.reference.get_district(region, district) is None:
                raise bad_report_request("unknown district")
            scope = Scope(ScopeLevel.DISTRICT, region, district)
        elif region:
            if self.reference.get_region(region) is None:
                raise bad_report_request("unknown region")
            scope = Scope(ScopeLevel.REGION, region)
        else:
            raise bad_report_request("no region")
        if not self._may_see(operator, scope.label):
            raise report_forbidden(scope.label)
        return scope

    def run_for(self, operator: Principal, scope: Scope, period: Period) -> StoredReport:
        if period.first > local_day(self.clock.now()):
            raise bad_report_request("the period has not begun")
        if period.first.year < self.since_year:
            raise bad_report_request("before the counters began")
        return self.run(scope, period, announce=False)

    def list_for(self, operator: Principal, scope: Scope | None = None) -> list[StoredReport]:
        """The operator's reports kept in S3 (of one scope, or of every scope they may see), newest first."""
        prefixes = [scope.label] if scope is not None else list(self.visible_scopes(operator))
        found: dict[str, StoredReport] = {}
        for prefix in prefixes:
            for key, modified in self._keys(PREFIX + prefix):
                parts = key[len(PREFIX) :].rsplit(".", 1)[0].split("/")
                if len(parts) != 3 or not self._may_see(operator, parts[0]):
                    continue
                report = StoredReport(parts[0], parts[1], parts[2], modified)
                found[report.id] = report
        return sorted(found.values(), key=lambda r: (r.period, r.scope, r.kind), reverse=True)

    def _keys(self, prefix: str) -> Iterable[tuple[str, datetime]]:
        paginator = self.objects.client.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.objects.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                yield item["Key"], item["LastModified"]

    def download(self, operator: Principal, report_id: str, fmt: str) -> str:
        parts = report_id.split("/")
        if fmt not in FORMATS or len(parts) != 3:
            raise report_not_found(report_id)
        if not self._may_see(operator, parts[0]):
            raise report_forbidden(parts[0])
        stored = StoredReport(*parts)
        if not self.objects.exists(stored.key(fmt)):
            raise report_not_found(report_id)
        return self.objects.presigned_get(stored.key(fmt), file_name=f"{'-'.join(parts)}.{fmt}")

    def subscribe(self, operator: Principal, email: str, kinds: Sequence[str]) -> Subscription:
        if operator.role is not Role.EDUCATION_DEPARTMENT:
            raise report_forbidden("subscription")
        scope = self.scope_for(operator, None, None)
        return self.subscriptions.put(operator.iin, scope.label, email, sorted(set(kinds)), self.clock.now())

    def unsubscribe(self, operator: Principal) -> None:
        self.subscriptions.delete(operator.iin)

    def subscription(self, operator: Principal) -> Subscription | None:
        return self.subscriptions.get(operator.iin)
