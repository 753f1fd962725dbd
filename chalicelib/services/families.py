"""Siblings joined for allocation: a parent joins the applications of brothers and sisters (twins, triplets,
or different cohorts) as one family, "together only" or "separately allowed", and may separate them again.

The rule allocation applies is in :mod:`chalicelib.domain.allocation_families`.
"""

from __future__ import annotations

from dataclasses import dataclass

from chalicelib.clock import Clock
from chalicelib.domain.errors import Conflict, Forbidden, InvalidInput
from chalicelib.domain.principal import Principal
from chalicelib.domain.queue import ApplicationStatus
from chalicelib.store.applications import Application, ApplicationRepository
from chalicelib.store.history import ChangeConflicted, ChangeRefused

MAX_MEMBERS = 5


def _not_yours() -> Forbidden:
    return Forbidden("application.not_yours", "Бұл өтініш сіздікі емес.", "Это заявление подано не вами.")


def _refused(code: str, kk: str, ru: str, **details: object) -> InvalidInput:
    return InvalidInput(code, kk, ru, details=dict(details))


@dataclass(frozen=True)
class FamilyService:
    clock: Clock
    applications: ApplicationRepository

    def join(self, principal: Principal, application_ids: list[str], together: bool) -> list[Application]:
        """Join 2–5 applications of the parent's children in the queue of one district as one family."""
        ids = list(dict.fromkeys(application_ids))
        if not 2 <= len(ids) <= MAX_MEMBERS:
            raise _refused(
                "family.size",
                f"Отбасыға 2–{MAX_MEMBERS} өтініш біріктіріледі.",
                f"В семью объединяются от 2 до {MAX_MEMBERS} заявлений.",
                count=len(ids),
            )
        apps = [self.applications.get(application_id) for application_id in ids]
        if any(not app.visible_to(principal.iin) for app in apps):
            raise _not_yours()
        if any(app.state is not ApplicationStatus.ACTIVE for app in apps):
            raise Conflict(
                "family.not_in_queue",
                "Тек кезектегі өтініштер біріктіріледі.",
                "Объединить можно только заявления, стоящие в очереди.",
                details={"not_in_queue": [app.id for app in apps if app.state is not ApplicationStatus.ACTIVE]},
            )
        if len({(app.region, app.district) for app in apps}) != 1:
            raise _refused(
                "family.other_district",
                "Бауырлардың өтініштері бір аудандағы кезекте болуы керек.",
                "Заявления братьев и сестёр должны стоять в очереди одного района.",
            )
        if len({app.child_iin for app in apps}) != len(apps):
            raise _refused("family.same_child", "Бір бала екі рет көрсетілген.", "Один ребёнок указан дважды.")
        family_id = min(ids)
        if others := sorted({app.family_id for app in apps if app.family_id and app.family_id != family_id}):
            raise Conflict(
                "family.already_joined",
                "Өтініштердің бірі басқа отбасына біріктірілген: алдымен оны ажыратыңыз.",
                "Одно из заявлений уже объединено в другую семью: сначала разъедините её.",
                details={"families": others},
            )
        self._write(apps, family_id, together, principal)
        return [self.applications.get(app.id) for app in apps]

    def separate(self, principal: Principal, application_id: str) -> list[Application]:
        """Separate the family the application belongs to: every member is allocated on its own again."""
        app = self.applications.get(application_id)
        if not app.visible_to(principal.iin):
            raise _not_yours()
        if not app.family_id:
            return [app]
        members = [
            other
            for other in self.applications.list_for_parent(app.applicant_iin)
            if other.family_id == app.family_id and other.state is ApplicationStatus.ACTIVE
        ]
        self._write(members, None, False, principal)
        return [self.applications.get(member.id) for member in members]

    def _write(self, apps: list[Application], family_id: str | None, together: bool, principal: Principal) -> None:
        try:
            self.applications.set_family(
                apps, family_id, together, who=f"{principal.role.value}:{principal.iin}", now=self.clock.now()
            )
        except (ChangeRefused, ChangeConflicted) as moved:
            raise Conflict(
                "family.changed_concurrently",
                "Өтініштер дәл қазір өзгертілуде: әрекетті қайталаңыз.",
                "Заявления сейчас изменяются: повторите действие.",
            ) from moved
