"""Who is acting: a parent, an operator with a role, or a kindergarten."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    PARENT = "parent"
    EDUCATION_DEPARTMENT = "education_department"  # ЖАО / МИО operator
    SERVICE_CENTER = "service_center"  # ХҚКО / ЦОН operator
    KINDERGARTEN = "kindergarten"

    @property
    def is_operator(self) -> bool:
        return self in (Role.EDUCATION_DEPARTMENT, Role.SERVICE_CENTER)


@dataclass(frozen=True)
class Principal:
    """The subject of a session: bound to the IIN and the name from the sign-in certificate."""

    iin: str
    full_name: str
    role: Role
    certificate_serial: str
    region: str | None = None
    district: str | None = None
    kindergarten_id: str | None = None  # a kindergarten's portal (Role.KINDERGARTEN): which kindergarten
