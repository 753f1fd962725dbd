"""The satisfaction survey a parent is asked after each service (seed 004, appendix 12).

- :meth:`SatisfactionSurvey.pending` — the services of one of the parent's applications (the
  registration, each direction, each contract signed) and, for each, whether this parent has
  answered: one read of the application, one of its directions, one batch read of the answers.
- :meth:`SatisfactionSurvey.answer` — the parent's answer (both questions, three levels) or
  dismissal, kept once per parent and service with the report counters in one transaction.

Refusals, each changing nothing: someone else's application (403, ``application.not_yours``)
or none (404), a service the application has not received (404, ``survey.unknown_service``),
an answer already given (409, ``survey.already_answered``), an incomplete or unknown answer (422).
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.clock import Clock
from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.principal import Principal
from chalicelib.domain.survey import (
    Received,
    ServiceKind,
    SurveyRuleBroken,
    answer_id,
    check_answer,
    received,
)
from chalicelib.services.applications import ApplicationService
from chalicelib.store.applications import Application
from chalicelib.store.directions import DirectionRepository
from chalicelib.store.survey import AlreadyAnswered, SurveyAnswer, SurveyStore

RULE_WORDS: dict[str, tuple[str, str]] = {
    "survey.incomplete": (
        "Сауалнаманың екі сұрағына да жауап беріңіз.",
        "Ответьте на оба вопроса анкеты.",
    ),
    "survey.unknown_level": (
        "Жауап нұсқалардың бірі болуы керек: қанағаттанған жоқпын, ішінара қанағаттанамын, қанағаттанамын.",
        "Ответ должен быть одним из вариантов: не удовлетворен(а), частично удовлетворен(а), удовлетворен(а).",
    ),
    "survey.dismissed_with_answers": (
        "Сауалнамадан бас тартқанда жауап жіберілмейді.",
        "При отказе от анкеты ответы не отправляются.",
    ),
}


@dataclass(frozen=True)
class PendingService:
    """A service of the application and this parent's answer to its survey (None: still to ask)."""

    service: Received
    answer: SurveyAnswer | None


def already_answered(service: Received) -> Conflict:
    return Conflict(
        "survey.already_answered",
        "Бұл қызмет бойынша сауалнамаға жауап бердіңіз: жауап бір рет қана қабылданады.",
        "Вы уже ответили на анкету по этой услуге: ответ принимается только один раз.",
        details={"service": service.service.value, "instance": service.instance},
    )


def unknown_service(service: str, instance: str) -> NotFound:
    return NotFound(
        "survey.unknown_service",
        "Бұл өтініш бойынша мұндай қызмет көрсетілмеген.",
        "По этому заявлению такая услуга не оказывалась.",
        details={"service": service, "instance": instance},
    )


class SatisfactionSurvey:
    def __init__(
        self,
        *,
        clock: Clock,
        applications: ApplicationService,
        directions: DirectionRepository,
        store: SurveyStore,
    ) -> None:
        self.clock = clock
        self.applications = applications
        self.directions = directions
        self.store = store

    def _services(self, principal: Principal, application_id: str) -> tuple[Application, list[Received]]:
        app = self.applications.view(principal, application_id).application  # 403 / 404 like the rest
        found = {d.number: d for d in self.directions.for_application(app.id)}
        if app.live_direction_id and app.live_direction_id not in found:
            live = self.directions.find(app.live_direction_id)
            if live is not None:
                found[live.number] = live
        directions = sorted(found.values(), key=lambda d: d.issued_key)
        return app, received(
            application_id=app.id,
            registered_at=app.registered_at,
            directions=[(d.number, d.issued_at, d.contract_number, d.contract_status) for d in directions],
        )

    def pending(self, principal: Principal, application_id: str) -> list[PendingService]:
        """Every service of the application, oldest first, with this parent's answer or None."""
        _, services = self._services(principal, application_id)
        answers = self.store.answered(answer_id(s.service, s.instance, principal.iin) for s in services)
        return [PendingService(s, answers.get(answer_id(s.service, s.instance, principal.iin))) for s in services]

    def answer(
        self,
        principal: Principal,
        application_id: str,
        *,
        service: str,
        instance: str,
        result: str | None,
        information: str | None,
        dismissed: bool,
    ) -> SurveyAnswer:
        try:
            answer = check_answer(result, information, dismissed)
        except SurveyRuleBroken as broken:
            kk, ru = RULE_WORDS[broken.code]
            raise InvalidInput(broken.code, kk, ru) from broken
        app, services = self._services(principal, application_id)
        target = next((s for s in services if s.service.value == service and s.instance == instance), None)
        if target is None:
            raise unknown_service(service, instance)
        try:
            return self.store.record(
                service=ServiceKind(target.service),
                instance=target.instance,
                application_id=app.id,
                parent_iin=principal.iin,
                region=app.region,
                district=app.district,
                answer=answer,
                now=self.clock.now(),
            )
        except AlreadyAnswered as error:
            raise already_answered(target) from error
