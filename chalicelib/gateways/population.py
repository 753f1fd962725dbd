"""The population registry (state database of individuals, ЖТ МДБ / ГБД ФЛ).

The application form fills the applicant's name, birth date and address from it (seed 003:
"ЖТ МДБ-дан алынған мәліметтер автоматты түрде толтырылады"), and linking an application to
the other parent's IIN needs it to confirm who the child's parents are (seed 002).

:class:`PopulationRegistry` is what services depend on. :class:`FixturePopulationRegistry`
answers from a JSON file whose path is the setting ``population_fixture``; the local stack
and the tests point it at their own data.

Fixture format::

    {"people": [{"iin": "…", "surname": "…", "given_name": "…", "patronymic": "…" | null,
                 "address": {"city": "…", "district": "…", "street": "…", "house": "…", "flat": "…" | null},
                 "parents": ["<parent IIN>", …]}]}

Birth date and sex are not stored: they follow from the IIN, which must be valid.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from chalicelib.domain.iin import Sex, parse_iin
from chalicelib.settings import Settings


@dataclass(frozen=True)
class Address:
    """A registered address as the registry gives it."""

    city: str
    district: str
    street: str
    house: str
    flat: str | None = None


@dataclass(frozen=True)
class Person:
    """An individual as the population registry knows them."""

    iin: str
    surname: str
    given_name: str
    patronymic: str | None
    birth_date: date
    sex: Sex
    address: Address

    @property
    def full_name(self) -> str:
        """Surname, given name and patronymic, as Kazakh documents write a name."""
        return " ".join(part for part in (self.surname, self.given_name, self.patronymic) if part)


class PopulationRegistry(Protocol):
    def find_person(self, iin: str) -> Person | None:
        """The person with this IIN, or None when the registry has nobody with it."""
        ...

    def parents_of(self, child_iin: str) -> list[str]:
        """The IINs of the child's parents the registry records (empty when none or unknown)."""
        ...

    def children_of(self, parent_iin: str) -> list[str]:
        """The IINs of the children the registry records for this parent (empty when none)."""
        ...


class FixturePopulationRegistry:
    """A population registry answered from a JSON file, read once on first use."""

    def __init__(self, path: str | Path) -> None:
        self._path = Path(path)
        self._people: dict[str, Person] | None = None
        self._parents: dict[str, tuple[str, ...]] = {}

    def _load(self) -> dict[str, Person]:
        if self._people is None:
            data = json.loads(self._path.read_text(encoding="utf-8"))
            people: dict[str, Person] = {}
            parents: dict[str, tuple[str, ...]] = {}
            for record in data["people"]:
                person = _person(record)
                people[person.iin] = person
                parents[person.iin] = tuple(record.get("parents", ()))
            self._parents = parents
            self._people = people
        return self._people

    def find_person(self, iin: str) -> Person | None:
        return self._load().get(iin)

    def parents_of(self, child_iin: str) -> list[str]:
        self._load()
        return list(self._parents.get(child_iin, ()))

    def children_of(self, parent_iin: str) -> list[str]:
        self._load()
        return [child for child, parents in self._parents.items() if parent_iin in parents]


def _person(record: dict[str, Any]) -> Person:
    info = parse_iin(record["iin"])
    address = record["address"]
    return Person(
        iin=info.iin,
        surname=record["surname"],
        given_name=record["given_name"],
        patronymic=record.get("patronymic"),
        birth_date=info.birth_date,
        sex=info.sex,
        address=Address(
            city=address["city"],
            district=address["district"],
            street=address["street"],
            house=str(address["house"]),
            flat=str(address["flat"]) if address.get("flat") is not None else None,
        ),
    )


def population_registry(settings: Settings) -> PopulationRegistry:
    """The registry this deployment talks to: the fixture named by ``population_fixture``."""
    if not settings.population_fixture:
        raise RuntimeError("BQ_POPULATION_FIXTURE must name the population registry fixture")
    return FixturePopulationRegistry(settings.population_fixture)
