"""The satisfaction survey's rules (seed 004, appendix 12): the form, the services, the answer, the counts."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain import reports, survey
from chalicelib.domain.survey import Level, Question, ServiceKind, SurveyRuleBroken, check_answer, received, shares

ROOT = Path(__file__).resolve().parents[3]
AT = datetime(2026, 1, 15, 6, 0, tzinfo=UTC)


def test_the_form_uses_the_regulation_s_words_in_its_order():
    text = (ROOT / "docs" / "sources" / "004_fbbb6971c445f359.txt").read_text(encoding="utf-8")
    for level in Level:
        assert survey.LEVEL_WORDS[level][0] in text
    assert [survey.LEVEL_WORDS[level][0] for level in Level] == [
        "қанағаттанған жоқпын",
        "ішінара қанағаттанамын",
        "қанағаттанамын",
    ]
    flat = " ".join(text.split())
    for question in Question:
        assert survey.QUESTION_WORDS[question][0] in flat


def test_the_services_of_an_application_are_its_registration_directions_and_signed_contracts():
    found = received(
        application_id="УО.2026.000001.1",
        registered_at=AT,
        directions=[
            ("Ж.2026.000001", AT, "01.01-01.26.001", "signed"),
            ("Ж.2026.000002", AT, "01.01-01.26.002", "sent"),  # not signed: no contract service yet
            ("Ж.2026.000003", AT, None, None),
        ],
    )
    assert [(r.service, r.instance) for r in found] == [
        (ServiceKind.REGISTRATION, "УО.2026.000001.1"),
        (ServiceKind.DIRECTION, "Ж.2026.000001"),
        (ServiceKind.CONTRACT, "01.01-01.26.001"),
        (ServiceKind.DIRECTION, "Ж.2026.000002"),
        (ServiceKind.DIRECTION, "Ж.2026.000003"),
    ]
    assert survey.answer_id("direction", "Ж.2026.000001", "900314310002") == "direction:Ж.2026.000001#900314310002"


LEVELS = st.sampled_from([None, "", "great", *[level.value for level in Level]])


@given(result=LEVELS, information=LEVELS, dismissed=st.booleans())
def test_an_answer_is_both_levels_or_a_dismissal_with_neither(result, information, dismissed):
    known = {level.value for level in Level}
    try:
        answer = check_answer(result, information, dismissed)
    except SurveyRuleBroken as broken:
        if dismissed:
            assert broken.code == "survey.dismissed_with_answers" and (result, information) != (None, None)
        elif result is None or information is None:
            assert broken.code == "survey.incomplete"
        else:
            assert broken.code == "survey.unknown_level" and not {result, information} <= known
        return
    if dismissed:
        assert (result, information) == (None, None) and answer.dismissed
    else:
        assert {result, information} <= known and (answer.result, answer.information) == (result, information)


def record(event: str, **details: str | None) -> reports.RecordFacts:
    return reports.RecordFacts(subject_type="survey", subject_id="x", event=event, at=AT, details=details)


def test_an_answer_counts_one_per_question_in_its_service_and_a_dismissal_counts_nothing():
    facts = reports.Facts(region="astana", district="esil")
    answered = record(survey.ANSWERED, service="direction", result="satisfied", information="not_satisfied")
    assert reports.tallies(answered, facts) == [
        ("survey|direction|satisfied", 1),
        ("survey_info|direction|not_satisfied", 1),
    ]
    assert reports.tallies(record(survey.DISMISSED, service="direction", result=None, information=None), facts) == []


@given(st.lists(st.tuples(st.sampled_from(list(ServiceKind)), st.sampled_from(list(Level))), max_size=30))
def test_the_shares_add_up_to_the_answers_of_each_service(answers):
    rows = {"survey": [["esil", service.value, level.value, 1] for service, level in answers]}
    found = {(s.service, s.question): s for s in shares(rows)}
    assert len(found) == len(ServiceKind) * len(Question)  # every service listed, answered or not
    for service in ServiceKind:
        share = found[(service.value, Question.RESULT)]
        assert share.answers == sum(1 for s, _ in answers if s is service)
        if share.answers:
            assert sum(share.share(level) for level in Level) == pytest.approx(100.0, abs=0.2)
        else:
            assert all(share.share(level) == 0.0 for level in Level)
        assert found[(service.value, Question.INFORMATION)].answers == 0


def test_the_report_has_a_section_per_question_after_the_others():
    keys = list(reports.SECTIONS)
    assert keys[-2:] == ["survey", "survey_info"]
    built = reports.assemble(
        reports.Scope(reports.ScopeLevel.REGION, "astana"),
        reports.Period.month(2026, 1),
        events={"esil": {"survey|registration|satisfied": 2, "survey_info|registration|partly_satisfied": 2}},
        states={},
        generated_at=AT,
        state_at=AT,
    )
    assert built.section("survey").rows == [["esil", "registration", "satisfied", 2]]
    assert built.section("survey_info").total == 2
