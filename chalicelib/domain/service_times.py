"""Service times: the process steps of seed 004 (appendix 3) with their time limits.

Appendix 3 describes each channel's steps in four tables — 1: through the education department
(ЖАО), 2: through a service centre (ХҚКО), 3: through the e-government portal (ЭҮП), 4: through
e.astana's personal cabinet — with a limit for each. :data:`STEPS` lists every step a person
performs (the ЖАО's and the ХҚКО's, with the regulation's limits and words); the steps of the
information systems ("not more than 1 minute": routing, numbering, status display) are not
listed: they happen inside the transaction of the step that causes them.

Channels map to tables (:data:`CHANNEL_TABLE`): a service-centre filing follows table 2, the
parents' web front end (the personal cabinet) table 4, an e-government filing table 3.

What the service observes (``chalicelib/store/service_steps.py`` records each with its start,
end and limit, in the transaction of the change that starts or ends it):

- the desk's acceptance (table 2, step 1): from the document prepared at the desk to the
  registration;
- at every registration, the channel's acceptance for execution, the decision to queue and the
  output document (table 2 steps 5, 6, 11; table 4 steps 5, 6, 11): done by the system in the
  registering transaction, recorded as starting and ending at that instant;
- the desk's hand-over of the result (table 2, step 15): open from a desk registration until
  the desk prints the parent's documents;
- the education department's decision on a benefit claim (table 2, step 6: 3 days, the day of
  acceptance and the day of handing over not counted): open from the claim to the decision;
- a motivated refusal (table 1, step 5): from the refusal statement prepared to the signed
  refusal registered; its output document (table 1, step 9) is formed in the same transaction.

Table 2's step 10 (a status notice when the parent calls) has no limit ("-") and is not listed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

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

    @property
    def limit_words(self) -> dict[str, str]:
        """The limit as the screens show it, in Kazakh and Russian."""
        if self.limit_days:
            return {"kk": f"{self.limit_days} күн", "ru": f"{self.limit_days} дн."}
        return {"kk": f"{self.limit_minutes} минут", "ru": f"{self.limit_minutes} мин"}

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
        # table 1: through the education department (ЖАО)
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
        # table 2: through a service centre (ХҚКО)
        Step("desk.accept", 2, 1, "ХҚКО", "Өтініш пен құжаттарды қабылдау", "Приём заявления и документов в ЦОН", 30),
        Step(
            "desk.claim",
            2,
            5,
            "ЖАО",
            "Құжаттарды тексеру, жұмыстануға арызды қабылдау",
            "Проверка документов, принятие заявления в работу",
            10,
        ),
        Step(
            "edu.decision",
            2,
            6,
            "ЖАО",
            "Сұрау салуды орындау: шешім қабылдау",
            "Исполнение запроса: принятие решения",
            limit_days=3,
        ),
        Step(
            "desk.output",
            2,
            11,
            "ЖАО",
            "Шығыс құжатын жасау, қол қойылған құжатты ХҚКО-ға жіберу",
            "Формирование выходного документа, отправка подписанного документа в ЦОН",
            1,
        ),
        Step("desk.hand_over", 2, 15, "ХҚКО", "Нәтижені беру", "Выдача результата", 15),
        # table 3: through the e-government portal (ЭҮП)
        Step(
            "portal.accept",
            3,
            5,
            "ЖАО",
            "Арызды орындауға қабылдау (ЭҮП)",
            "Принятие заявления к исполнению (ПЭП)",
            10,
        ),
        Step("portal.decision", 3, 6, "ЖАО", "Шешім қабылдау (ЭҮП)", "Принятие решения (ПЭП)", 15),
        Step(
            "portal.output",
            3,
            11,
            "ЖАО",
            "Шығыс құжатын қалыптастыру (ЭҮП)",
            "Формирование выходного документа (ПЭП)",
            1,
        ),
        # table 4: through e.astana's personal cabinet (the parents' web front end)
        Step(
            "astana.accept",
            4,
            5,
            "ЖАО",
            "Өтінішті орындауға қабылдау (жеке кабинет)",
            "Принятие заявления к исполнению (личный кабинет)",
            5,
        ),
        Step("astana.decision", 4, 6, "ЖАО", "Шешім қабылдау (жеке кабинет)", "Принятие решения (личный кабинет)", 10),
        Step(
            "astana.output",
            4,
            11,
            "ЖАО",
            "Шығыс құжат жасау (жеке кабинет)",
            "Формирование выходного документа (личный кабинет)",
            1,
        ),
    )
}

# the appendix 3 table each channel of an application follows
CHANNEL_TABLE = {"service_center": 2, "egov": 3, "portal": 4}

# the steps the system itself performs when it registers an application of a channel
REGISTRATION_STEPS: dict[str, tuple[str, ...]] = {
    "service_center": ("desk.claim", "edu.decision", "desk.output"),
    "egov": ("portal.accept", "portal.decision", "portal.output"),
    "portal": ("astana.accept", "astana.decision", "astana.output"),
}

# the performer's name as the screens show it (the regulation's Russian text: ОО, ЦОН)
ACTOR_WORDS = {"ЖАО": {"kk": "ЖАО", "ru": "ОО"}, "ХҚКО": {"kk": "ХҚКО", "ru": "ЦОН"}}

# who performs a step, by the operator's role: the education department its own, the centre its desk's
ACTOR_OF_ROLE = {"education_department": "ЖАО", "service_center": "ХҚКО"}

BENEFIT_DECISION = STEPS["edu.decision"]


def prepared_at(root: Any, now: datetime) -> datetime:
    """When a signed statement was prepared (its signed ``preparedAt``); ``now`` if unreadable or later."""
    try:
        prepared = datetime.fromisoformat(root.get("preparedAt", ""))
    except (TypeError, ValueError):
        return now
    if prepared.tzinfo is None or prepared > now:
        return now
    return prepared


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
