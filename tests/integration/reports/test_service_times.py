"""Service times: the education department's decision on a claim, against seed 004's 3 days."""

from __future__ import annotations

from datetime import timedelta

import boto3
import pytest

from chalicelib import wiring
from chalicelib.domain.principal import Role
from chalicelib.domain.queue import ApplicationStatus
from chalicelib.domain.reference import Bilingual, Operator
from chalicelib.domain.reports import Period, Scope, ScopeLevel
from chalicelib.settings import get_settings
from chalicelib.store.counters import ReportCounter
from chalicelib.store.service_steps import ServiceStepRepository
from infra.local.testca import NCA_EMPLOYEE, DemoPerson
from tests.integration.reports.conftest import enqueue
from tests.integration.reports.test_reports import (
    SERVICE_CENTRE,
    as_strings,
    naive,
    rows_of,
)

pytestmark = pytest.mark.usefixtures("atomic")

NURA = DemoPerson(
    "nura_department",
    "820217350007",
    "ҚАСЫМОВ",
    "БАУЫРЖАН",
    "ӘДІЛҰЛЫ",
    organisation="Астана қаласы Нұра ауданының білім бөлімі",
    bin="050340004567",
    role=NCA_EMPLOYEE,
)  # the demo registry's other Astana department operator, given Нұра district below


def test_overdue_claims_are_listed_per_district_and_decisions_are_timed_and_reported(
    api, clock, operator, pki_ca, pki_people
):
    now = clock.now()  # Thursday 15 January 2026, 11:00 in Almaty
    repo = wiring.applications()
    late, fresh, elsewhere = (
        enqueue(at=now - timedelta(days=8)),
        enqueue(at=now - timedelta(days=8)),
        enqueue(at=now - timedelta(days=8), district="nura"),
    )
    repo.change_benefit(late.id, "large_family", who="parent:x", now=now - timedelta(days=5))  # due 14 Jan 00:00
    repo.change_benefit(fresh.id, "orphans", who="parent:x", now=now - timedelta(days=1))  # due 18 Jan 00:00
    repo.change_benefit(elsewhere.id, "orphans", who="parent:x", now=now - timedelta(days=6))

    # the region's operator sees both overdue claims, with start, limit and how late they are
    status, body = api.call("GET", "/operator/overdue", token=operator)
    assert status == 200, body
    overdue = {item["application_id"]: item for item in body["items"]}
    assert set(overdue) == {late.id, elsewhere.id}
    item = overdue[late.id]
    assert item["step"] == "edu.decision" and item["limit"] == "3 days" and item["district"] == "esil"
    assert item["due_at"] == "2026-01-13T19:00:00+00:00" and item["overdue_minutes"] == 24 * 60 + 11 * 60

    assert item["step_name"]["ru"] == "Исполнение запроса: принятие решения" and item["table"] == 2
    assert item["limit_words"] == {"kk": "3 күн", "ru": "3 дн."} and item["actor"] == "ЖАО"

    # a district's operator sees their district only: the Нұра department, Нұра's claim
    wiring.reference().upsert(
        Operator(
            iin=NURA.iin,
            full_name="Қасымов Бауыржан Әділұлы",
            role=Role.EDUCATION_DEPARTMENT,
            region="astana",
            district="nura",
            office=Bilingual("Нұра ауданының білім бөлімі", "Отдел образования района Нура"),
        )
    )
    nura = api.sign_in(pki_ca.issue_person(NURA), audience="operator")["token"]
    status, body = api.call("GET", "/operator/overdue", token=nura)
    assert status == 200 and [i["application_id"] for i in body["items"]] == [elsewhere.id]

    # the Есіл service centre's desk sees its own steps only: none of the department's claims
    desk = api.sign_in(pki_ca.issue_person(SERVICE_CENTRE), audience="operator")["token"]
    status, body = api.call("GET", "/operator/overdue", token=desk)
    assert status == 200 and body["items"] == []

    # and a parent is refused
    parent = api.sign_in(pki_people["parent"])["token"]
    assert api.call("GET", "/operator/overdue", token=parent)[0] == 403

    # each claim's step is recorded open, with its start and due instant
    [step] = [s for s in ServiceStepRepository().of_application(late.id) if s.step == "edu.decision"]
    assert step.ended_at is None and step.open_key.startswith("esil#2026-01-13T19:00:00+00:00#edu.decision#")

    # decisions record the step's start, end, limit and lateness in the history
    assert api.decide_benefit(operator, late.id, pki_people["operator"])[0] == 200
    status, _ = api.decide_benefit(operator, fresh.id, pki_people["operator"], approve=False, reason="Анықтама жоқ")
    assert status == 200
    [decided] = [r for r in repo.history(late.id) if r.event == "application.benefit_approved"]
    assert decided.details["overdue"] is True and decided.details["started_at"].startswith("2026-01-10T06:00")
    [refused] = [r for r in repo.history(fresh.id) if r.event == "application.benefit_refused"]
    assert refused.details["overdue"] is False and refused.details["limit"] == "3 days"
    assert [i["application_id"] for i in api.call("GET", "/operator/overdue", token=operator)[1]["items"]] == [
        elsewhere.id
    ]
    [step] = [s for s in ServiceStepRepository().of_application(late.id) if s.step == "edu.decision"]
    assert step.open_key is None and step.outcome == "done" and step.overdue is True

    # a claim that goes away undecided (the parent withdraws the application) is no longer overdue
    repo.leave(elsewhere.id, ApplicationStatus.WITHDRAWN, who="parent:x", why="withdrawn", now=now)
    assert api.call("GET", "/operator/overdue", token=operator)[1]["items"] == []
    [step] = [s for s in ServiceStepRepository().of_application(elsewhere.id) if s.step == "edu.decision"]
    assert step.outcome == "withdrawn" and step.open_key is None

    # and the month's report counts them as the naive recount does
    january = Period.month(2026, 1)
    report = wiring.report_service().build(Scope(ScopeLevel.REGION, "astana"), january)
    expected = naive("astana", january.start, january.end)["service"]
    assert rows_of(report, "service") == as_strings(expected)
    decisions = {k: n for k, n in rows_of(report, "service").items() if k[1] == "edu.decision"}
    assert decisions == {("esil", "edu.decision", "over"): 1, ("esil", "edu.decision", "within"): 1}
    # every registration counts the web channel's steps the system performs (table 4: 5, 6, 11)
    assert rows_of(report, "service")[("nura", "astana.accept", "within")] == 1

    # and a planted error (one more desk step counted in time) is caught by the same comparison
    counter = next(iter(ReportCounter.query("month#2026-01#astana")))
    boto3.client("dynamodb", region_name=get_settings().aws_region).update_item(
        TableName=ReportCounter.Meta.table_name,
        Key={"bucket": {"S": counter.bucket}, "cell": {"S": counter.cell}},
        UpdateExpression="ADD #n :one",
        ExpressionAttributeNames={"#n": "service|desk.hand_over|within"},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    planted = wiring.report_service().build(Scope(ScopeLevel.REGION, "astana"), january)
    assert rows_of(planted, "service") != as_strings(expected)
