"""Reports: counted with the changes, compared with a naive recount of the same data.

The recount reads the tables the way nobody in production may (a scan of applications and of
the history), independently of the counters; the report is read back from what operators get:
the XLSX (openpyxl) and the PDF's text (pdftotext).
"""

from __future__ import annotations

import io
import subprocess
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import boto3
import pytest
from openpyxl import load_workbook

from chalicelib import wiring
from chalicelib.clock import ALMATY
from chalicelib.documents.reports import TOTAL, shown
from chalicelib.domain.queue import ApplicationStatus
from chalicelib.domain.reports import Period, Scope, ScopeLevel, covering, local_day
from chalicelib.settings import get_settings
from chalicelib.store.applications import Application
from chalicelib.store.counters import SHARDS, ReportCounter
from chalicelib.store.directions import Direction
from chalicelib.store.history import HistoryRecord
from chalicelib.store.jobs import Job
from chalicelib.store.objects import ObjectStore
from chalicelib.store.service_steps import ServiceStep
from infra.local.testca import NCA_EMPLOYEE, DemoPerson
from tests.integration.reports.conftest import Portal, enqueue

pytestmark = pytest.mark.usefixtures("atomic")

SERVICE_CENTRE = DemoPerson(
    "service_centre",
    "930909450177",
    "МҰХАМЕДЖАНОВА",
    "ӘСЕЛ",
    "ҒАБИТҚЫЗЫ",
    organisation="ХҚКО",
    bin="050340004567",
    role=NCA_EMPLOYEE,
)  # the demo service-centre operator of Есіл
ASTANA = Scope(ScopeLevel.REGION, "astana")
JANUARY = Period.month(2026, 1)


def naive(region: str, start: datetime, end: datetime, state_now: bool = True) -> dict[str, Counter[tuple[Any, ...]]]:
    """Every section's rows recounted from the applications, directions and history as stored."""
    apps = {app.id: app for app in Application.scan() if app.region == region}
    directions = {d.number: d for d in Direction.scan() if d.region == region}
    out: dict[str, Counter[tuple[Any, ...]]] = {
        name: Counter()
        for name in ("queue", "registered", "benefit", "direction", "stop", "left", "private", "service")
    }
    if state_now:
        for app in apps.values():
            if app.status == ApplicationStatus.ACTIVE:
                benefit = app.benefit_category if app.benefit_status == "approved" else "none"
                out["queue"][(app.district, str(app.cohort), benefit, app.language)] += 1
    for record in sorted(HistoryRecord.scan(), key=lambda r: r.at):
        if not start <= record.at < end:
            continue
        if record.subject_type == "application" and record.subject_id in apps:
            app = apps[record.subject_id]
            if record.event == "application.registered":
                out["registered"][(app.district, record.details["channel"])] += 1
            elif record.event in ("application.benefit_approved", "application.benefit_refused"):
                decision = record.event.rsplit("_", 1)[1]
                out["benefit"][(app.district, decision, record.to_state.split(":")[1])] += 1
            elif record.event == "application.left":
                out["left"][(app.district, record.to_state, record.why)] += 1
                if record.to_state == "left_for_private":
                    out["private"][(app.district,)] += 1
            elif record.event == "application.direction_missed":
                out["stop"][(app.district, "entered")] += 1
        elif record.subject_type == "direction" and record.subject_id in directions:
            out["direction"][(directions[record.subject_id].district, record.event.split(".")[1])] += 1
    for step in ServiceStep.scan():
        if step.step_region == region and step.outcome == "done" and start <= step.ended_at < end:
            late = "over" if step.ended_at > naive_due(step) else "within"
            out["service"][(step.step_district, step.step, late)] += 1
    return out


# seed 004, appendix 3, copied from its tables by hand: minutes, or calendar days ("3 күн")
REGULATION_LIMITS: dict[str, int | str] = {
    "edu.accept": 10,
    "edu.queue_decision": 15,
    "edu.output": 5,
    "desk.accept": 30,
    "desk.claim": 10,
    "edu.decision": "3 days",
    "desk.output": 1,
    "desk.hand_over": 15,
    "portal.accept": 10,
    "portal.decision": 15,
    "portal.output": 1,
    "astana.accept": 5,
    "astana.decision": 10,
    "astana.output": 1,
}


def naive_due(step: ServiceStep) -> datetime:
    """When a recorded step was due, by the regulation's limit (the start's day is not counted)."""
    limit = REGULATION_LIMITS[step.step]
    if limit == "3 days":
        return datetime.combine(step.started_at.astimezone(ALMATY).date() + timedelta(days=4), time(), ALMATY)
    assert isinstance(limit, int)
    return step.started_at + timedelta(minutes=limit)


def rows_of(report: Any, section: str) -> Counter[tuple[Any, ...]]:
    return Counter({tuple(str(v) for v in row[:-1]): int(row[-1]) for row in report.section(section).rows})


def as_strings(counts: Counter[tuple[Any, ...]]) -> Counter[tuple[Any, ...]]:
    return Counter({tuple(str(v) for v in k): n for k, n in counts.items() if n})


def xlsx_rows(data: bytes, section: str) -> tuple[Counter[tuple[Any, ...]], int]:
    sheet = load_workbook(io.BytesIO(data))[section]
    rows = [list(row) for row in sheet.iter_rows(min_row=4, values_only=True)]
    *body, total = rows
    assert total[0] == TOTAL
    return Counter({tuple(row[:-1]): row[-1] for row in body}), total[-1]


def displayed(counts: Counter[tuple[Any, ...]], names: dict[str, str]) -> Counter[tuple[Any, ...]]:
    return Counter({(names.get(k[0], k[0]), *[shown(v) for v in k[1:]]): n for k, n in counts.items() if n})


def pdf_totals(data: bytes) -> list[int]:
    text = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True).stdout.decode()
    return [int(line.rsplit(":", 1)[1]) for line in text.splitlines() if line.startswith(TOTAL + ":")]


def populate(api: Any, clock: Any, portal: Portal) -> dict[str, Any]:
    """A month's worth of changes in Astana: registrations, benefits, directions, enrolment, leaving."""
    now = clock.now()
    repo = wiring.applications()
    made = [
        enqueue(at=now - timedelta(hours=20 - n), birth=date(2021 + n % 3, 4, 1), language="kk" if n % 2 else "ru")
        for n in range(6)
    ]
    made += [enqueue(at=now - timedelta(hours=3), district=district) for district in ("almaty", "nura", "nura")]
    made.append(enqueue(at=now - timedelta(hours=2), benefit="military"))
    published = portal.publish("2022-kk", seats=2)
    issued = published["allocation"]["issued"]
    assert len(issued) == 2
    status, _ = portal.enrol(issued[0])
    assert status == 200
    repo.leave(made[0].id, ApplicationStatus.WITHDRAWN, who="parent:x", why="withdrawn", now=now)
    claimant, refused = made[6], made[7]
    repo.change_benefit(claimant.id, "large_family", who="parent:x", now=now)
    repo.decide_benefit(claimant.id, approve=True, who="operator:y", now=now)
    repo.change_benefit(refused.id, "orphans", who="parent:x", now=now)
    repo.decide_benefit(refused.id, approve=False, who="operator:y", now=now, why="no document")
    return {"issued": issued}


def test_a_monthly_report_matches_a_naive_recount_in_xlsx_and_pdf_and_catches_a_planted_error(
    api, clock, portal: Portal, operator
):
    populate(api, clock, portal)

    # when the operator runs January's report for Astana on demand
    status, stored = api.call("POST", "/operator/reports", {"kind": "month", "period": "2026-01"}, token=operator)
    assert status == 201, stored
    assert stored["id"] == "region-astana/month/2026-01"

    # then every section of the report equals the naive recount of the same data
    expected = naive("astana", JANUARY.start, JANUARY.end)
    report = wiring.report_service().build(ASTANA, JANUARY)
    for section, counts in expected.items():
        assert rows_of(report, section) == as_strings(counts), section
    assert report.section("queue").total == 8 and report.section("direction").total == 3  # 10 - used - withdrawn
    assert rows_of(report, "benefit") == Counter(
        {("almaty", "approved", "large_family"): 1, ("nura", "refused", "orphans"): 1}
    )

    # and so do the XLSX read back and the PDF's totals
    names = wiring.report_service().names()
    objects = ObjectStore()
    workbook = objects.get("reports/region-astana/month/2026-01.xlsx")
    for section, counts in expected.items():
        rows, total = xlsx_rows(workbook, section)
        assert rows == displayed(counts, names), section
        assert total == sum(counts.values())
    pdf = objects.get("reports/region-astana/month/2026-01.pdf")
    assert pdf.startswith(b"%PDF")
    assert pdf_totals(pdf) == [section.total for section in report.sections]

    # and the report read counters, not applications: a few items per district and shard
    buckets = 1 + len(covering(local_day(clock.now()), get_settings().reports_since_year)) + 1
    assert 0 < report.items_read <= 5 * SHARDS * buckets

    # and a planted error in one counter is caught by the same comparison
    counter = next(iter(ReportCounter.query("month#2026-01#astana")))
    boto3.client("dynamodb", region_name=get_settings().aws_region).update_item(
        TableName=ReportCounter.Meta.table_name,
        Key={"bucket": {"S": counter.bucket}, "cell": {"S": counter.cell}},
        UpdateExpression="ADD #n :one",
        ExpressionAttributeNames={"#n": "registered|portal"},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    planted = wiring.report_service().build(ASTANA, JANUARY)
    assert rows_of(planted, "registered") != as_strings(expected["registered"])


def test_a_past_month_keeps_its_end_state_and_its_events_after_the_next_month_moves_on(
    api, clock, portal: Portal, operator
):
    populate(api, clock, portal)
    end_of_january = naive("astana", JANUARY.start, JANUARY.end)
    queue_at_end = rows_of(wiring.report_service().build(ASTANA, JANUARY), "queue")
    assert queue_at_end == as_strings(end_of_january["queue"])

    # when February brings new children and a withdrawal
    clock.advance(timedelta(days=20))  # 4 February
    late = enqueue(at=clock.now(), district="saryarka")
    wiring.applications().leave(late.id, ApplicationStatus.WITHDRAWN, who="parent:x", why="withdrawn", now=clock.now())
    enqueue(at=clock.now(), district="saryarka", language="ru")

    # then January's report still shows the queue at the end of January and January's events only
    january = wiring.report_service().build(ASTANA, JANUARY)
    assert january.state_at == JANUARY.end
    assert rows_of(january, "queue") == queue_at_end
    assert rows_of(january, "registered") == as_strings(end_of_january["registered"])
    # and February's report has February's events and the queue now
    february = Period.month(2026, 2)
    feb = wiring.report_service().build(ASTANA, february)
    expected = naive("astana", february.start, february.end)
    for section in ("queue", "registered", "left"):
        assert rows_of(feb, section) == as_strings(expected[section]), section
    assert rows_of(feb, "registered") == Counter({("saryarka", "portal"): 2})


def test_the_schedule_keeps_every_scope_and_mails_the_subscribers(api, clock, portal: Portal, operator, pki_people):
    populate(api, clock, portal)
    status, body = api.call(
        "PUT", "/operator/report-subscription", {"email": "reports@edu.kz", "kinds": ["day", "month"]}, token=operator
    )
    assert status == 200, body
    assert body["subscription"]["scope"] == "region-astana"

    # when the schedule runs at 00:30 on 1 February (Almaty)
    clock.advance(datetime(2026, 1, 31, 19, 30, tzinfo=UTC) - clock.now())
    from chalicelib.functions.reports import run_due_reports

    counts = run_due_reports()
    scopes = 1 + 2 + 5 + 2  # the nation, 2 regions, 7 districts
    assert counts == {"day": scopes, "month": scopes}
    assert run_due_reports() == {}  # run once: a repeated invocation finds them kept
    assert wiring.report_service().counters.latest_closing(date(2026, 2, 1))[0] == date(2026, 2, 1)  # closed

    # then the operator lists them and downloads one
    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]
    status, listed = api.call("GET", "/operator/reports", token=operator)
    assert status == 200
    ids = {item["id"] for item in listed["items"]}
    assert {"region-astana/month/2026-01", "district-astana-esil/month/2026-01", "region-astana/day/2026-01-31"} <= ids
    assert not any(i.startswith(("national", "region-karaganda", "district-karaganda")) for i in ids)
    status, link = api.call("GET", "/operator/reports/district-astana-esil/month/2026-01/xlsx", token=operator)
    assert status == 200 and "district-astana-esil/month/2026-01.xlsx" in link["url"]

    # and the district's report counts what the region's counts for that district
    data = ObjectStore().get("reports/district-astana-esil/month/2026-01.xlsx")
    esil, _ = xlsx_rows(data, "queue")
    region, _ = xlsx_rows(ObjectStore().get("reports/region-astana/month/2026-01.xlsx"), "queue")
    names = wiring.report_service().names()
    assert esil == Counter({k: n for k, n in region.items() if k[0] == names["esil"]})
    national = load_workbook(io.BytesIO(ObjectStore().get("reports/national/month/2026-01.xlsx")))["queue"]
    assert list(national.iter_rows(values_only=True))[-1][-1] == 8

    # and the subscriber got one e-mail per report of their scope, with a link, each sent by its job
    from chalicelib.notify.outbox import OutboxNotifier

    mailed = [j for j in Job.scan() if j.kind == "message.email" and j.payload.get("to") == "reports@edu.kz"]
    assert len(mailed) == 2, mailed
    api.run_jobs()

    mails = OutboxNotifier().messages_for("reports@edu.kz")
    assert sorted(m.subject.rsplit("(", 1)[1] for m in mails) == ["region-astana)", "region-astana)"]
    assert all("operator.html#reports/region-astana/" in m.body_text for m in mails)


def test_reports_are_for_the_education_department_of_the_scope_only(api, clock, pki_ca, pki_people, operator):
    # a report of another region, a parent and a service-centre operator are refused
    status, body = api.call(
        "POST", "/operator/reports", {"kind": "month", "period": "2026-01", "region": "karaganda"}, token=operator
    )
    assert status == 403 and body["error"]["code"] == "report.not_allowed"
    status, body = api.call("GET", "/operator/reports/national/month/2026-01/pdf", token=operator)
    assert status == 403
    status, body = api.call("POST", "/operator/reports", {"kind": "month", "period": "2026-13"}, token=operator)
    assert status == 422 and body["error"]["code"] == "report.bad_request"
    status, body = api.call("POST", "/operator/reports", {"kind": "day", "period": "2026-02-01"}, token=operator)
    assert status == 422  # not begun yet (the clock is at 15 January)
    status, body = api.call("GET", "/operator/reports/region-astana/month/2025-12/pdf", token=operator)
    assert status == 404 and body["error"]["code"] == "report.not_found"
    desk = api.sign_in(pki_ca.issue_person(SERVICE_CENTRE), audience="operator")["token"]
    assert api.call("GET", "/operator/reports", token=desk)[0] == 403
    parent = api.parent_token(pki_people["parent"])
    assert api.call("GET", "/operator/reports", token=parent)[0] == 403


def test_the_schedule_closes_the_month_and_the_next_reports_start_from_that_closing(
    api, clock, portal: Portal, operator
):
    populate(api, clock, portal)
    service = wiring.report_service()
    assert not service.close(JANUARY)  # not over yet: nothing is kept
    end_of_january = naive("astana", JANUARY.start, JANUARY.end)

    # when January is closed at 00:30 on 1 February (Almaty), as the schedule does, then February moves on
    clock.advance(datetime(2026, 1, 31, 19, 5, tzinfo=UTC) - clock.now())
    assert not service.close(JANUARY)  # 00:05: a change begun before midnight may still be committing
    clock.advance(timedelta(minutes=25))
    assert service.close(JANUARY)
    dynamodb = boto3.client("dynamodb", region_name=get_settings().aws_region)
    closed = dynamodb.query(
        TableName=ReportCounter.Meta.table_name,
        KeyConditionExpression="#b = :b",
        ExpressionAttributeNames={"#b": "bucket"},
        ExpressionAttributeValues={":b": {"S": "closed#2026-02-01#astana"}},
    )["Items"]
    assert {item["cell"]["S"] for item in closed} == {"esil#-", "almaty#-", "nura#-"}
    clock.advance(timedelta(days=3))
    late = enqueue(at=clock.now(), district="saryarka")
    wiring.applications().leave(late.id, ApplicationStatus.WITHDRAWN, who="parent:x", why="withdrawn", now=clock.now())
    enqueue(at=clock.now(), district="esil", language="ru")

    # then January's report, read from the closing alone, still shows the end of January
    january = service.build(ASTANA, JANUARY)
    assert rows_of(january, "queue") == as_strings(end_of_january["queue"])
    assert rows_of(january, "registered") == as_strings(end_of_january["registered"])
    assert january.items_read <= 1 + len(closed) + 5 * SHARDS  # the marker, the closing, January's bucket
    # and February's report equals the naive recount of February and of the queue now
    february = Period.month(2026, 2)
    expected = naive("astana", february.start, february.end)
    for section, counts in expected.items():
        assert rows_of(service.build(ASTANA, february), section) == as_strings(counts), section

    # and a planted error in the closing is caught by the same comparison: the closing is what is read
    esil = next(item for item in closed if item["cell"]["S"] == "esil#-")
    name = next(name for name in esil if name.startswith("queue|"))
    dynamodb.update_item(
        TableName=ReportCounter.Meta.table_name,
        Key={"bucket": esil["bucket"], "cell": esil["cell"]},
        UpdateExpression="ADD #n :one",
        ExpressionAttributeNames={"#n": name},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    assert rows_of(service.build(ASTANA, february), "queue") != as_strings(expected["queue"])
