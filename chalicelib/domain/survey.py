"""The satisfaction survey (seed 004, appendix 12): the form, which services are asked about, the counts.

Pure rules (no I/O). The regulation's form ("сауалнаманың нысаны") is headed by the name of
the service and asks two questions, each answered on three levels:

1. «Электрондық мемлекеттік қызметті көрсету үдерісінің сапасына және нәтижесіне қанағаттанасыз ба?»
2. «Электрондық мемлекеттік қызметті көрсету тәртібі туралы ақпараттың сапасына қанағаттанасыз ба?»

— 1) қанағаттанған жоқпын; 2) ішінара қанағаттанамын; 3) қанағаттанамын.

A **service** is a result the parent received (``docs/survey.md``): the application accepted
and the child registered in the queue (``registration``, per application), a direction issued
(``direction``, per direction) and an electronic contract signed by both sides (``contract``,
per contract). Each parent who sees the application answers each service once, or dismisses
it once (then it is not asked again and nothing is counted).

An answer counts itself like every other change (``chalicelib/store/counters.py``): its history
record (subject ``survey``) gives ``survey|<service>|<level>`` (question 1) and
``survey_info|<service>|<level>`` (question 2) in the district of the application.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

SUBJECT = "survey"
ANSWERED = "survey.answered"
DISMISSED = "survey.dismissed"
MEASURES = {"result": "survey", "information": "survey_info"}  # question → counter measure


class ServiceKind(StrEnum):
    REGISTRATION = "registration"
    DIRECTION = "direction"
    CONTRACT = "contract"


class Level(StrEnum):
    """The three levels of appendix 12, in the form's order (1, 2, 3)."""

    NOT_SATISFIED = "not_satisfied"
    PARTLY_SATISFIED = "partly_satisfied"
    SATISFIED = "satisfied"


class Question(StrEnum):
    RESULT = "result"  # 1: the quality of the process and its result
    INFORMATION = "information"  # 2: the quality of the information on the procedure


FORM_TITLE = (
    "Электрондық мемлекеттік қызметтерінің «сапа» және «қолжетімділік» көрсеткіштерін анықтау үшін сауалнама",
    "Анкета для определения показателей «качества» и «доступности» электронных государственных услуг",
)

QUESTION_WORDS: dict[Question, tuple[str, str]] = {
    Question.RESULT: (
        "Электрондық мемлекеттік қызметті көрсету үдерісінің сапасына және нәтижесіне қанағаттанасыз ба?",
        "Удовлетворены ли Вы качеством процесса и результатом оказания электронной государственной услуги?",
    ),
    Question.INFORMATION: (
        "Электрондық мемлекеттік қызметті көрсету тәртібі туралы ақпараттың сапасына қанағаттанасыз ба?",
        "Удовлетворены ли Вы качеством информации о порядке оказания электронной государственной услуги?",
    ),
}

LEVEL_WORDS: dict[Level, tuple[str, str]] = {
    Level.NOT_SATISFIED: ("қанағаттанған жоқпын", "не удовлетворен(а)"),
    Level.PARTLY_SATISFIED: ("ішінара қанағаттанамын", "частично удовлетворен(а)"),
    Level.SATISFIED: ("қанағаттанамын", "удовлетворен(а)"),
}

SERVICE_WORDS: dict[ServiceKind, tuple[str, str]] = {
    ServiceKind.REGISTRATION: (
        "Өтініш қабылданды, бала кезекке тіркелді",
        "Заявление принято, ребенок поставлен в очередь",
    ),
    ServiceKind.DIRECTION: (
        "Мектепке дейінгі ұйымға жолдама берілді",
        "Выдано направление в дошкольную организацию",
    ),
    ServiceKind.CONTRACT: (
        "Электрондық шартқа қол қойылды",
        "Электронный договор подписан",
    ),
}


@dataclass(frozen=True)
class Received:
    """One service the parent received: which, its instance (application, direction or contract number), when."""

    service: ServiceKind
    instance: str
    at: datetime | None = None

    @property
    def key(self) -> str:
        return f"{self.service.value}:{self.instance}"


def answer_id(service: ServiceKind | str, instance: str, parent_iin: str) -> str:
    """One answer per parent per service instance: ``direction:Ж.2026.000123#<IIN>``."""
    return f"{ServiceKind(service).value}:{instance}#{parent_iin}"


def received(
    *,
    application_id: str,
    registered_at: datetime | None,
    directions: Iterable[tuple[str, datetime | None, str | None, str | None]],
) -> list[Received]:
    """The services of one application, oldest first.

    ``directions``: (number, issued at, contract number, contract status) of each direction.
    """
    out = [Received(ServiceKind.REGISTRATION, application_id, registered_at)]
    for number, issued_at, contract, contract_status in directions:
        out.append(Received(ServiceKind.DIRECTION, number, issued_at))
        if contract and contract_status == "signed":
            out.append(Received(ServiceKind.CONTRACT, contract, None))
    return out


@dataclass(frozen=True)
class Answer:
    """What the parent sent: both levels, or a dismissal (no levels)."""

    result: Level | None
    information: Level | None
    dismissed: bool = False


class SurveyRuleBroken(ValueError):
    """The answer breaks a rule of the form; ``code`` names it."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def check_answer(result: str | None, information: str | None, dismissed: bool) -> Answer:
    """Both questions answered with one of the three levels — or dismissed with neither."""
    if dismissed:
        if result is not None or information is not None:
            raise SurveyRuleBroken("survey.dismissed_with_answers")
        return Answer(None, None, True)
    if result is None or information is None:
        raise SurveyRuleBroken("survey.incomplete")
    try:
        return Answer(Level(result), Level(information))
    except ValueError as error:
        raise SurveyRuleBroken("survey.unknown_level") from error


def tallies(event: str, details: Mapping[str, Any] | None) -> list[tuple[str, int]]:
    """The counters an answer's history record adds (a dismissal counts nothing)."""
    details = details or {}
    if event != ANSWERED:
        return []
    service = details.get("service")
    out = []
    for question, measure in MEASURES.items():
        level = details.get(question)
        if service and level:
            out.append((f"{measure}|{service}|{level}", 1))
    return out


# --- the report: counts per level and share, per service -----------------------------------------


@dataclass(frozen=True)
class Share:
    """One service's answers to one question: the count per level and each level's share of them."""

    service: str
    question: Question
    counts: dict[str, int]

    @property
    def answers(self) -> int:
        return sum(self.counts.values())

    def share(self, level: Level | str) -> float:
        """The level's share of the answers, in per cent (0 when nobody answered)."""
        total = self.answers
        return round(100.0 * self.counts.get(str(level), 0) / total, 1) if total else 0.0


def shares(rows: Mapping[str, Iterable[list[Any]]]) -> list[Share]:
    """Per service and question, from the report's ``survey`` and ``survey_info`` rows
    ([district, service, level, count]); every service of the form is listed, answered or not."""
    out: list[Share] = []
    for question, measure in MEASURES.items():
        counts: dict[str, Counter[str]] = {service.value: Counter() for service in ServiceKind}
        for row in rows.get(measure, []):
            counts.setdefault(str(row[1]), Counter())[str(row[2])] += int(row[-1])
        for service, found in counts.items():
            out.append(Share(service, Question(question), {level.value: found.get(level.value, 0) for level in Level}))
    return out


def _w(kk: str, ru: str) -> dict[str, str]:
    return {"kk": kk, "ru": ru}


# The report's sections (``chalicelib/domain/reports.py``): district × service × level, one per question.
SECTIONS: dict[str, tuple[dict[str, str], list[dict[str, str]]]] = {
    MEASURES[question]: (
        _w(
            f"Қызметке қанағаттану (12-қосымша, {number}-сұрақ): {topic_kk}",
            f"Удовлетворенность услугой (приложение 12, вопрос {number}): {topic_ru}",
        ),
        [
            _w("Аудан", "Район"),
            _w("Қызмет", "Услуга"),
            _w("Деңгей", "Уровень"),
            _w("Саны", "Количество"),
        ],
    )
    for question, number, topic_kk, topic_ru in (
        ("result", 1, "үдерістің сапасы және нәтижесі", "качество процесса и результат"),
        ("information", 2, "тәртібі туралы ақпараттың сапасы", "качество информации о порядке"),
    )
}

# How the reports show the codes (``chalicelib/documents/reports.py``: ``shown``).
VALUES: dict[str, str] = {
    **{service.value: " / ".join(words) for service, words in SERVICE_WORDS.items()},
    **{level.value: " / ".join(words) for level, words in LEVEL_WORDS.items()},
}
