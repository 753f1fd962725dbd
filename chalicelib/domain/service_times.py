"""Service times: the process steps of seed 004 (appendix 3) with their time limits.

Appendix 3 describes each channel's steps (education department ЖАО, service centre ХҚКО,
e-government portal ЭҮП, e.astana) with a limit for each. The steps done by information
systems (routing, status display: "not more than 1 minute") are synchronous here: they happen
inside the transaction of the step that causes them. The steps done by people are recorded
with their start, end and limit; the one the service observes today is the education
department's decision on a claim (table 2, step 6: 3 days, the day of acceptance and the day of
handing over not counted), from the claim to the approval or refusal. The other people's steps
are listed so that screens and documents name them with the regulation's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from chalicelib.clock import ALMATY


@dataclass(frozen=True)
class Step:
    code: str
    table: int  # appendix 3 table: 1 ЖАО, 2 ХҚКО, 3 ЭҮП, 4 e.astana
    number: int  # the action's number in the table
    actor: str
    name_kk: str
    name_ru: str
    limit_minutes: int | None = None
    limit_days: int | None = None  # calendar days; the day the step starts is not counted

    @property
    def limit_text(self) -> str:
        return f"{self.limit_days} days" if self.limit_days else f"{self.limit_minutes} min"

    def due_at(self, started_at: datetime) -> datetime:
        """The instant the step becomes overdue."""
        if self.limit_days:
            first = started_at.astimezone(ALMATY).date() + timedelta(days=self.limit_days + 1)
            return datetime.combine(first, time(), ALMATY).astimezone(UTC)
        return started_at + timedelta(minutes=self.limit_minutes or 0)

    def overdue_if_started_before(self, now: datetime) -> datetime:
        """Steps started before this instant (and still open) are overdue at ``now``."""
        if self.limit_days:
            day = now.astimezone(ALMATY).date() - timedelta(days=self.limit_days)
            return datetime.combine(day, time(), ALMATY).astimezone(UTC)
        return now - timedelta(minutes=self.limit_minutes or 0)


STEPS: dict[str, Step] = {
    step.code: step
    for step in (
        Step("edu.accept", 1, 1, "ЖАО", "Өтініш пен құжаттарды қабылдау", "Приём заявления и документов", 10),
        Step(
            "edu.queue_decision",
            1,
            5,
            "ЖАО",
            "Кезекке қою туралы шешім, жолдама немесе дәлелді бас тарту",
            "Решение о постановке в очередь, направление или мотивированный отказ",
            15,
        ),
        Step("edu.output", 1, 9, "ЖАО", "Шығыс құжатын жасау", "Формирование выходного документа", 5),
        Step("desk.accept", 2, 1, "ХҚКО", "Өтініш пен құжаттарды қабылдау", "Приём заявления и документов в ЦОН", 30),
        Step(
            "edu.decision",
            2,
            6,
            "ЖАО",
            "Сұрау салуды орындау: шешім қабылдау",
            "Исполнение запроса: принятие решения",
            limit_days=3,
        ),
        Step("desk.hand_over", 2, 15, "ХҚКО", "Нәтижені беру", "Выдача результата", 15),
        Step("portal.decision", 3, 6, "ЖАО", "Шешім қабылдау (ЭҮП)", "Принятие решения (ПЭП)", 15),
        Step("astana.decision", 4, 6, "ЖАО", "Шешім қабылдау (e.astana)", "Принятие решения (e.astana)", 10),
    )
}

BENEFIT_DECISION = STEPS["edu.decision"]


def timing(step: Step, started_at: datetime, ended_at: datetime) -> dict[str, object]:
    """What a finished step's record keeps: start, end, limit, due and whether it was late."""
    due = step.due_at(started_at)
    return {
        "step": step.code,
        "started_at": started_at.astimezone(UTC).isoformat(),
        "ended_at": ended_at.astimezone(UTC).isoformat(),
        "limit": step.limit_text,
        "due_at": due.isoformat(),
        "overdue": ended_at > due,
    }
