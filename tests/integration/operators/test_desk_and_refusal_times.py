"""Service times of the desk and of a refusal (seed 004, appendix 3), and who sees what is overdue."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.domain.principal import Role
from chalicelib.domain.reference import Bilingual, Operator
from chalicelib.store.service_steps import ServiceStepRepository
from tests.integration.filing import Filing
from tests.integration.operators.test_refusals import MOTIVATION, draft, filed, operator_token
from tests.integration.operators.test_service_centre import desk, desk_body, file_at_desk  # noqa: F401

pytestmark = pytest.mark.usefixtures("seeded")


def steps_of(application_id: str) -> dict[str, Any]:
    return {step.step: step for step in ServiceStepRepository().of_application(application_id)}


def overdue(api: Any, token: str) -> list[tuple[str, str]]:
    status, body = api.call("GET", "/operator/overdue", token=token)
    assert status == 200, body
    return [(item["step"], item["application_id"]) for item in body["items"]]


def test_the_desk_hand_over_is_overdue_for_the_desk_only_until_the_pack_is_printed(
    api: Any,
    clock: Any,
    desk: Any,  # noqa: F811 (the service-centre tests' fixture)
    pki_people: Any,
) -> None:
    operator, token = desk
    department = operator_token(api, pki_people)
    status, application = file_at_desk(api, token, operator, desk_body())
    assert status == 201, application
    number = application["id"]
    filed_at = clock.now()
    # the registration recorded the desk's acceptance and table 2's steps the system performs at once,
    # and opened the hand-over of the result (15 minutes)
    steps = steps_of(number)
    assert set(steps) == {"desk.accept", "desk.claim", "edu.decision", "desk.output", "desk.hand_over"}
    for code in ("desk.claim", "edu.decision", "desk.output"):
        assert steps[code].started_at == steps[code].ended_at == filed_at and steps[code].overdue is False
    assert steps["desk.hand_over"].ended_at is None and steps["desk.hand_over"].due_at == filed_at + timedelta(
        minutes=15
    )
    [registered] = wiring.applications().history(number)
    assert [s["step"] for s in registered.details["steps"]] == [
        "desk.accept",
        "desk.claim",
        "edu.decision",
        "desk.output",
    ]

    # at the limit it is not overdue yet; a minute later the desk sees it, the department does not
    clock.advance(timedelta(minutes=15))
    assert overdue(api, token) == []
    clock.advance(timedelta(minutes=1))
    assert overdue(api, token) == [("desk.hand_over", number)]
    status, body = api.call("GET", "/operator/overdue", token=token)
    [item] = body["items"]
    assert item["overdue_minutes"] == 1 and item["limit_words"] == {"kk": "15 минут", "ru": "15 мин"}
    assert item["step_name"] == {"kk": "Нәтижені беру", "ru": "Выдача результата"} and item["district"] == "esil"
    assert overdue(api, department) == []

    # printing the pack is not handing it over; the desk says when the parent got it
    api.run_jobs()
    pack = f"/operator/service-centre/applications/{number}/pack"
    answer = api.client.http.get(pack, headers={"Authorization": f"Bearer {token}", "Accept": "*/*"})
    assert answer.status_code == 200 and overdue(api, token) == [("desk.hand_over", number)]
    # the department may not say so, nor may a parent
    hand_over = f"/operator/service-centre/applications/{number}/hand-over"
    assert api.call("POST", hand_over, {}, department)[0] == 403
    assert api.call("POST", hand_over, {}, Filing(api, pki_people["parent"]).token)[0] == 403
    # the step ends late, once, in the history with its timing
    status, body = api.call("POST", hand_over, {}, token)
    assert status == 200 and body["handed_over"] is True and body["step"]["overdue"] is True, body
    status, body = api.call("POST", hand_over, {}, token)
    assert status == 200 and body["handed_over"] is False
    assert overdue(api, token) == []
    handed = [r for r in wiring.applications().history(number) if r.event == "application.handed_over"]
    parent = Filing(api, pki_people["parent"])
    shown = parent.call("GET", f"/applications/{number}/history")[1]["items"]
    assert "выдал родителю результат услуги" in shown[-1]["text_ru"]  # the parent sees it in the history
    assert len(handed) == 1 and handed[0].details["overdue"] is True and handed[0].details["limit"] == "15 min"
    step = steps_of(number)["desk.hand_over"]
    assert step.ended_at == clock.now() and step.overdue is True and step.open_key is None

    # a desk of another district may not hand over Есіл's result
    wiring.reference().upsert(
        Operator(
            iin=operator.person.iin,
            full_name="Мұхамеджанова Әсел Ғабитқызы",
            role=Role.SERVICE_CENTER,
            region="astana",
            district="nura",
            office=Bilingual("Нұра ауданының ХҚКО", "ЦОН района Нура"),
        )
    )
    other = api.sign_in(operator, audience="operator")["token"]
    status, refused = api.call("POST", hand_over, {}, other)
    assert status == 403 and refused["error"]["code"] == "operator.outside_area"
    assert overdue(api, other) == []


def test_a_refusal_records_the_departments_decision_and_its_output_document(
    filing: Filing, api: Any, clock: Any, pki_people: Any
) -> None:
    application = filed(filing)
    number = application["id"]
    token = operator_token(api, pki_people)
    # the web registration recorded table 4's steps the system performs (start = end)
    assert {"astana.accept", "astana.decision", "astana.output"} <= set(steps_of(number))
    status, drafted = draft(api, token, number, MOTIVATION)
    assert status == 200, drafted
    clock.advance(timedelta(minutes=16))  # the operator took 16 minutes to sign it: the limit is 15
    signed = api.sign(drafted["xml"], pki_people["operator"].sign).decode()
    status, refused = api.call("POST", f"/operator/applications/{number}/refusal", {"signed_xml": signed}, token)
    assert status == 200, refused
    steps = steps_of(number)
    decision, output = steps["edu.queue_decision"], steps["edu.output"]
    assert decision.ended_at - decision.started_at == timedelta(minutes=16) and decision.overdue is True
    assert output.started_at == output.ended_at == clock.now() and output.overdue is False
    record = wiring.applications().history(number)[-1]
    assert [(s["step"], s["overdue"]) for s in record.details["steps"]] == [
        ("edu.queue_decision", True),
        ("edu.output", False),
    ]
