"""The satisfaction survey (seed 004, appendix 12) through the API, counted and reported.

A parent whose child was registered, directed and got a contract signed by both sides answers
the survey of each service once; refusals change nothing; the operators' report (XLSX read back
with openpyxl, PDF text with pdftotext) equals a naive recount of the stored answers, and a
planted error in one counter is caught by the same comparison.
"""

from __future__ import annotations

import io
import subprocess
from collections import Counter
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from openpyxl import load_workbook

from chalicelib import wiring
from chalicelib.documents.reports import TOTAL, shown
from chalicelib.documents.survey_report import ANSWERS, SHEET
from chalicelib.domain.reports import Period, Scope, ScopeLevel
from chalicelib.settings import get_settings
from chalicelib.store.counters import ReportCounter
from chalicelib.store.objects import ObjectStore
from chalicelib.store.survey import SurveyAnswer
from tests.integration.contracts.conftest import Wizard, kindergarten_signs
from tests.integration.directions.conftest import Portal

pytestmark = pytest.mark.usefixtures("atomic")

ASTANA = Scope(ScopeLevel.REGION, "astana")
JANUARY = Period.month(2026, 1)
LEVELS = ("not_satisfied", "partly_satisfied", "satisfied")


def path(application_id: str) -> str:
    return f"/applications/{quote(application_id, safe='')}/survey"


def naive() -> dict[str, Counter[tuple[str, ...]]]:
    """The survey's rows recounted from the stored answers (a scan nobody may do in production)."""
    out: dict[str, Counter[tuple[str, ...]]] = {"survey": Counter(), "survey_info": Counter()}
    for answer in SurveyAnswer.scan():
        if answer.dismissed:
            continue
        out["survey"][(answer.district, answer.service, answer.result)] += 1
        out["survey_info"][(answer.district, answer.service, answer.information)] += 1
    return out


def report_rows(section: str) -> Counter[tuple[str, ...]]:
    report = wiring.report_service().build(ASTANA, JANUARY)
    return Counter({tuple(str(v) for v in row[:-1]): int(row[-1]) for row in report.section(section).rows})


def stored() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Every answer and every counter item as stored (to show that a refusal changed nothing)."""
    answers = sorted((a.attribute_values for a in SurveyAnswer.scan()), key=lambda a: a["id"])
    counters = sorted(
        boto3.client("dynamodb", region_name=get_settings().aws_region).scan(TableName=ReportCounter.Meta.table_name)[
            "Items"
        ],
        key=lambda item: (item["bucket"]["S"], item["cell"]["S"]),
    )
    return answers, counters


def test_a_parent_answers_each_service_once_and_the_report_equals_a_naive_recount(
    sent: Wizard, balapan: Portal, api: Any, pki_people: Any, operator: str
) -> None:
    # given a contract the kindergarten signed: three services received
    status, signed = kindergarten_signs(api, balapan, sent.number, pki_people["kindergarten_head"].sign)
    assert status == 200, signed
    filing, application = sent.filing, sent.application_id

    # when the parent opens the application's survey
    status, survey = filing.call("GET", path(application))
    assert status == 200, survey

    # then the form is appendix 12's, and every service is still to ask
    assert survey["questions"][0]["text_kk"].startswith("Электрондық мемлекеттік қызметті көрсету үдерісінің")
    assert [level["text_kk"] for level in survey["levels"]] == [
        "қанағаттанған жоқпын",
        "ішінара қанағаттанамын",
        "қанағаттанамын",
    ]
    assert [(i["service"], i["instance"]) for i in survey["pending"]] == [
        ("registration", application),
        ("direction", sent.direction),
        ("contract", sent.number),
    ]

    # when they answer the registration's survey
    answer = {
        "service": "registration",
        "instance": application,
        "result": "satisfied",
        "information": "partly_satisfied",
    }
    status, kept = filing.call("POST", path(application), answer)
    assert status == 201, kept
    assert kept["answer"]["result"] == "satisfied" and not kept["pending"]
    before = stored()

    # then a second answer, an incomplete one, an unknown level, a service of someone else's
    # application and someone else's application are refused — and nothing changes
    status, again = filing.call("POST", path(application), {**answer, "result": "not_satisfied"})
    assert status == 409 and again["error"]["code"] == "survey.already_answered"
    assert again["error"]["messages"]["kk"] and again["error"]["messages"]["ru"]
    status, body = filing.call(
        "POST", path(application), {"service": "direction", "instance": sent.direction, "result": "satisfied"}
    )
    assert status == 422 and body["error"]["code"] == "survey.incomplete"
    status, body = filing.call("POST", path(application), {**answer, "service": "direction", "result": "great"})
    assert status == 422 and body["error"]["code"] == "request.invalid_fields"
    status, body = filing.call(
        "POST", path(application), {"service": "direction", "instance": "Ж.2026.999999", "dismissed": True}
    )
    assert status == 404 and body["error"]["code"] == "survey.unknown_service"
    status, body = filing.call(
        "POST",
        path(application),
        {"service": "contract", "instance": sent.number, "result": "satisfied", "dismissed": True},
    )
    assert status == 422 and body["error"]["code"] == "survey.dismissed_with_answers"
    stranger = api.parent_token(pki_people["other_parent"])
    status, body = api.call("POST", path(application), {**answer, "instance": application}, stranger)
    assert status == 403 and body["error"]["code"] == "application.not_yours"
    assert api.call("GET", path(application), token=stranger)[0] == 403
    assert api.call("GET", path("УО.2026.999999.1"), token=stranger)[0] == 404
    operator_answer = api.call("POST", path(application), answer, operator)
    assert operator_answer[0] == 403
    assert stored() == before

    # when the child's other parent links the application, they answer for themselves
    second = api.parent_token(pki_people["second_parent"])
    status, linked = api.call(
        "POST", "/applications/link", {"registration_number": application, "child_iin": "220910635004"}, second
    )
    assert status == 200, linked
    status, theirs = api.call("GET", path(application), token=second)
    assert [i["service"] for i in theirs["pending"]] == ["registration", "direction", "contract"]
    status, body = api.call("POST", path(application), {**answer, "result": "not_satisfied"}, second)
    assert status == 201, body

    # and the parent answers the direction and dismisses the contract's survey
    status, body = filing.call(
        "POST",
        path(application),
        {"service": "direction", "instance": sent.direction, "result": "partly_satisfied", "information": "satisfied"},
    )
    assert status == 201, body
    status, body = filing.call(
        "POST", path(application), {"service": "contract", "instance": sent.number, "dismissed": True}
    )
    assert status == 201 and body["answer"]["dismissed"], body
    status, survey = filing.call("GET", path(application))
    assert survey["pending"] == [] and len(survey["items"]) == 3

    # then the report's survey sections equal the naive recount of the answers (the dismissal counts nothing)
    expected = naive()
    assert sum(expected["survey"].values()) == 3
    for section, counts in expected.items():
        assert report_rows(section) == counts, section

    # and so do the workbook read back and the PDF's text, including the shares per service
    status, kept_report = api.call("POST", "/operator/reports", {"kind": "month", "period": "2026-01"}, token=operator)
    assert status == 201, kept_report
    objects = ObjectStore()
    workbook = load_workbook(io.BytesIO(objects.get("reports/region-astana/month/2026-01.xlsx")))
    names = wiring.report_service().names()
    for section, counts in expected.items():
        *body_rows, total = [list(r) for r in workbook[section].iter_rows(min_row=4, values_only=True)]
        assert total[0] == TOTAL and total[-1] == sum(counts.values())
        assert Counter({tuple(r[:-1]): r[-1] for r in body_rows}) == Counter(
            {(names[k[0]], shown(k[1]), shown(k[2])): n for k, n in counts.items()}
        )
    shares = {(row[0], row[1]): row[2:] for row in workbook[SHEET].iter_rows(min_row=3, values_only=True)}
    for question, section in (("1-сұрақ / вопрос 1", "survey"), ("2-сұрақ / вопрос 2", "survey_info")):
        for service in ("registration", "direction", "contract"):
            by_level = [sum(n for k, n in expected[section].items() if k[1:] == (service, level)) for level in LEVELS]
            answers = sum(by_level)
            percent = [round(100 * n / answers, 1) if answers else 0.0 for n in by_level]
            assert shares[(shown(service), question)] == (*by_level, answers, *percent), (service, question)
    assert shares[(shown("registration"), "1-сұрақ / вопрос 1")] == (1, 0, 1, 2, 50.0, 0.0, 50.0)
    pdf = objects.get("reports/region-astana/month/2026-01.pdf")
    text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert f"{ANSWERS}: 3" in text
    totals = [int(line.rsplit(":", 1)[1]) for line in text.splitlines() if line.startswith(TOTAL + ":")]
    report = wiring.report_service().build(ASTANA, JANUARY)
    assert totals == [section.total for section in report.sections]
    assert totals[-2:] == [3, 3]

    # and a planted error in one survey counter is caught by the same comparison
    counter = next(iter(ReportCounter.query("month#2026-01#astana")))
    boto3.client("dynamodb", region_name=get_settings().aws_region).update_item(
        TableName=ReportCounter.Meta.table_name,
        Key={"bucket": {"S": counter.bucket}, "cell": {"S": counter.cell}},
        UpdateExpression="ADD #n :one",
        ExpressionAttributeNames={"#n": "survey|contract|satisfied"},
        ExpressionAttributeValues={":one": {"N": "1"}},
    )
    assert report_rows("survey") != expected["survey"]


def test_two_answers_sent_at_once_keep_one_and_count_it_once(filing: Any, api: Any) -> None:
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier

    from chalicelib.domain.errors import DomainError
    from chalicelib.domain.principal import Principal, Role

    # given a child just registered: the registration's survey is pending
    status, filed = filing.file()
    assert status == 201, filed
    principal = Principal(filing.person.person.iin, "", Role.PARENT, "")
    start = Barrier(2)

    def send(level: str) -> Any:
        start.wait()
        try:
            return wiring.satisfaction_survey().answer(
                principal,
                filed["id"],
                service="registration",
                instance=filed["id"],
                result=level,
                information=level,
                dismissed=False,
            )
        except DomainError as refused:
            return refused

    # when two answers arrive at the same moment (moto answering one request at a time, as DynamoDB does)
    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(send, ["satisfied", "not_satisfied"]))

    # then one is kept, the other refused as already answered, and the report counts one
    refused = [o for o in outcomes if isinstance(o, DomainError)]
    kept = [o for o in outcomes if not isinstance(o, DomainError)]
    assert len(kept) == 1 and [r.code for r in refused] == ["survey.already_answered"]
    assert [a.result for a in SurveyAnswer.scan()] == [kept[0].result]
    assert report_rows("survey") == Counter({("esil", "registration", kept[0].result): 1})
    assert report_rows("survey") == naive()["survey"]
