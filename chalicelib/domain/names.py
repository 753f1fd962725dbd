"""People's names as documents and pages show them."""

from __future__ import annotations


def person_name(surname: str | None, given_name: str | None, patronymic: str | None = None) -> str:
    """Surname, given name and patronymic, skipping the parts a person does not have."""
    return " ".join(part for part in (surname, given_name, patronymic) if part)
