"""Service times: the education department's decision on a claim, against seed 004's 3 days."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.domain.reports import Period, Scope, ScopeLevel
from tests.integration.reports.conftest import enqueue
from tests.integration.reports.test_reports import SERVICE_CENTRE, as_strings, naive, rows_of

pytestmark = pytest.mark.usefixtures("atomic")


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

    # the Есіл service centre's operator sees Есіл only
    desk = api.sign_in(pki_ca.issue_person(SERVICE_CENTRE), audience="operator")["token"]
    status, body = api.call("GET", "/operator/overdue", token=desk)
    assert status == 200 and [i["application_id"] for i in body["items"]] == [late.id]

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

    # and the month's report counts them as the naive recount does
    january = Period.month(2026, 1)
    report = wiring.report_service().build(Scope(ScopeLevel.REGION, "astana"), january)
    expected = naive("astana", january.start, january.end)["service"]
    assert rows_of(report, "service") == as_strings(expected)
    assert rows_of(report, "service") == {("esil", "edu.decision", "over"): 1, ("esil", "edu.decision", "within"): 1}
