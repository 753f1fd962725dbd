"""The facts behind kindergarten priorities, and the claims of each child of an allocation run.

- ``sibling``: a brother or sister attends the kindergarten — another application of the same
  applicant (or a parent linked to it) whose child was **enrolled** there through a direction.
  Read from the service's own data, nothing declared.
- ``staff``: a parent of the child works at the kindergarten — the applicant's (or a linked
  parent's) IIN is on the kindergarten's staff list.
- ``catchment``: the applicant's home street is on the kindergarten's catchment list (compared
  case- and space-insensitively, the house number is not looked at).

The staff and catchment lists are kept per kindergarten in S3
(``allocation/priority-lists/<kindergarten id>.json``) and maintained by the operators of the
kindergarten's region (``PUT /operator/kindergartens/{id}/priority-lists``). A region's rules
(``BQ_ALLOCATION_REGIONS``) decide which of the three count; facts of a priority the region did
not turn on are not even read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import allocation
from chalicelib.domain.iin import is_valid_iin
from chalicelib.store.applications import Application, ApplicationRepository
from chalicelib.store.directions import DirectionRepository
from chalicelib.store.objects import ObjectStore

MAX_LIST = 5_000  # entries of one list: a kindergarten's staff or its catchment streets


def lists_key(kindergarten_id: str) -> str:
    return f"allocation/priority-lists/{kindergarten_id}.json"


def street_key(street: str) -> str:
    """A street compared case- and space-insensitively ("  Абай даңғылы " = "абай даңғылы")."""
    return re.sub(r"\s+", " ", street).strip().casefold()


@dataclass(frozen=True)
class PriorityLists:
    """A kindergarten's staff (parents' IINs) and its catchment streets."""

    kindergarten_id: str
    staff_iins: tuple[str, ...] = ()
    catchment_streets: tuple[str, ...] = ()

    def json(self) -> dict[str, Any]:
        return {
            "kindergarten_id": self.kindergarten_id,
            "staff_iins": list(self.staff_iins),
            "catchment_streets": list(self.catchment_streets),
        }


def parse_lists(kindergarten_id: str, body: Any) -> PriorityLists:
    """The lists an operator sends; raises ``ValueError`` naming what is wrong (nothing is kept then)."""
    if not isinstance(body, dict) or set(body) - {"staff_iins", "catchment_streets"}:
        raise ValueError("expected an object with staff_iins and catchment_streets")
    staff, streets = body.get("staff_iins", []), body.get("catchment_streets", [])
    for name, value in (("staff_iins", staff), ("catchment_streets", streets)):
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ValueError(f"{name} must be a list of strings")
        if len(value) > MAX_LIST:
            raise ValueError(f"{name} holds more than {MAX_LIST} entries")
    if bad := [iin for iin in staff if not is_valid_iin(iin)]:
        raise ValueError(f"not valid IINs: {bad[:5]}")
    if any(not street_key(street) or len(street) > 200 for street in streets):
        raise ValueError("a catchment street is empty or longer than 200 characters")
    return PriorityLists(
        kindergarten_id,
        tuple(sorted(set(staff))),
        tuple(sorted({street.strip() for street in streets})),
    )


@dataclass(frozen=True)
class PriorityFacts:
    applications: ApplicationRepository
    directions: DirectionRepository
    objects: ObjectStore

    def lists(self, kindergarten_id: str) -> PriorityLists:
        raw = self.objects.get(lists_key(kindergarten_id))
        if raw is None:
            return PriorityLists(kindergarten_id)
        stored = json.loads(raw)
        return PriorityLists(kindergarten_id, tuple(stored["staff_iins"]), tuple(stored["catchment_streets"]))

    def keep(self, lists: PriorityLists) -> None:
        body = json.dumps(lists.json(), ensure_ascii=False).encode()
        self.objects.put(lists_key(lists.kindergarten_id), body, content_type="application/json")

    def claims(
        self, applications: Iterable[Application], kindergartens: Iterable[str], priorities: tuple[str, ...]
    ) -> dict[str, tuple[tuple[str, str], ...]]:
        """Application id → the (kindergarten, priority) pairs it holds among ``kindergartens``."""
        apps = list(applications)
        wanted = sorted(set(kindergartens))
        found: dict[str, set[tuple[str, str]]] = {app.id: set() for app in apps}
        if allocation.STAFF in priorities or allocation.CATCHMENT in priorities:
            lists = [self.lists(k) for k in wanted]
            for app in apps:
                parents = {app.applicant_iin, *(app.linked_parent_iins or ())}
                street = app.applicant.address.street if app.applicant and app.applicant.address else None
                for entry in lists:
                    if allocation.STAFF in priorities and parents & set(entry.staff_iins):
                        found[app.id].add((entry.kindergarten_id, allocation.STAFF))
                    if (
                        allocation.CATCHMENT in priorities
                        and street
                        and street_key(street) in {street_key(s) for s in entry.catchment_streets}
                    ):
                        found[app.id].add((entry.kindergarten_id, allocation.CATCHMENT))
        if allocation.SIBLING in priorities:
            attending = self._attending(apps, set(wanted))
            for app in apps:
                for kindergarten in attending.get(app.applicant_iin, set()):
                    found[app.id].add((kindergarten, allocation.SIBLING))
        return {app_id: tuple(sorted(pairs)) for app_id, pairs in found.items() if pairs}

    def _attending(self, apps: list[Application], kindergartens: set[str]) -> dict[str, set[str]]:
        """Applicant → kindergartens (among ``kindergartens``) where another child of theirs was enrolled."""
        attending: dict[str, set[str]] = {}
        for iin in sorted({app.applicant_iin for app in apps}):
            places: set[str] = set()
            for other in self.applications.list_for_parent(iin):
                if other.status != "enrolled":
                    continue
                for direction in self.directions.for_application(other.id):
                    if direction.status == "enrolled" and direction.kindergarten_id in kindergartens:
                        places.add(direction.kindergarten_id)
            if places:
                attending[iin] = places
        return attending
