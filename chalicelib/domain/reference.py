"""Reference data as the rules see it: regions, districts, kindergartens, groups, benefits, operators.

Plain frozen dataclasses, read from the store by ``chalicelib.store.reference`` and passed to
the rules. The benefit categories are law rather than data, so their standard list lives here.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from chalicelib.domain.principal import Role

Language = Literal["kk", "ru"]
Ownership = Literal["state", "private"]
ContractMode = Literal["electronic", "paper"]

LANGUAGES: tuple[Language, ...] = ("kk", "ru")


@dataclass(frozen=True)
class Bilingual:
    """A text shown to people, in Kazakh and Russian."""

    kk: str
    ru: str


@dataclass(frozen=True)
class Region:
    """A region of the service (a city of republican significance or an oblast) with its own settings."""

    code: str
    name: Bilingual
    own_portal: bool = False  # the region runs its own parents' portal (seed 001: e.astana.kz …)
    portal_url: str | None = None


@dataclass(frozen=True)
class District:
    """A district of a region: the queue is kept per region, kindergartens are listed per district."""

    region: str
    code: str
    name: Bilingual


@dataclass(frozen=True)
class Coordinates:
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Kindergarten:
    """A preschool organisation (балабақша / детский сад) as the seeds describe it."""

    id: str
    region: str
    district: str
    number: int | None  # the municipal number ("№ 12"); private kindergartens often have none
    name: Bilingual
    address: Bilingual
    phone: str  # E.164
    head_name: str
    bin: str
    ownership: Ownership
    takes_state_order: bool  # places under the state educational order
    state_order_places: int
    contract_mode: ContractMode  # "шарттардың қағаз түрі қарастырылмаған" = electronic
    languages: tuple[Language, ...]
    min_age_years: int  # "2 жастан бастап қабылдау"
    coordinates: Coordinates | None = None

    @property
    def is_private(self) -> bool:
        return self.ownership == "private"

    @property
    def offers_private_state_order(self) -> bool:
        """A private kindergarten with state-order places (seed 002: the parent may choose it)."""
        return self.is_private and self.takes_state_order and self.state_order_places > 0


@dataclass(frozen=True)
class Group:
    """A group of a kindergarten: one age cohort (birth year) taught in one language."""

    kindergarten_id: str
    group_id: str
    birth_year: int
    language: Language
    capacity: int
    name: Bilingual


class BenefitTier(StrEnum):
    """The priority a benefit gives: out of turn before first priority before everyone else."""

    OUT_OF_TURN = "out_of_turn"  # кезектен тыс / вне очереди
    FIRST_PRIORITY = "first_priority"  # бірінші кезекте / в первую очередь
    NONE = "none"  # жеңілдіксіз / без льготы


@dataclass(frozen=True)
class BenefitCategory:
    """A benefit category (льгота). ``rank``: lower is served first.

    The rules order tiers, not the categories inside a tier, so the standard categories of one
    tier share a rank and registration time decides among them.
    """

    code: str
    name: Bilingual
    tier: BenefitTier
    rank: int

    @property
    def is_benefit(self) -> bool:
        return self.tier is not BenefitTier.NONE


NO_BENEFIT = "none"

STANDARD_BENEFIT_CATEGORIES: tuple[BenefitCategory, ...] = (
    BenefitCategory(
        "military",
        Bilingual(
            "Әскери қызметшілердің балалары (оның ішінде әскери қызмет міндеттерін атқару кезінде қаза тапқандардың)",
            "Дети военнослужащих (в том числе погибших при исполнении обязанностей воинской службы)",
        ),
        BenefitTier.OUT_OF_TURN,
        1,
    ),
    BenefitCategory(
        "special_state_bodies",
        Bilingual(
            "Арнаулы мемлекеттік органдар қызметкерлерінің балалары",
            "Дети сотрудников специальных государственных органов",
        ),
        BenefitTier.OUT_OF_TURN,
        1,
    ),
    BenefitCategory(
        "disabled_parents",
        Bilingual(
            "Бірінші және екінші топтағы мүгедектігі бар адамдардың балалары",
            "Дети лиц с инвалидностью первой и второй групп",
        ),
        BenefitTier.FIRST_PRIORITY,
        2,
    ),
    BenefitCategory(
        "orphans",
        Bilingual(
            "Жетім балалар және ата-анасының қамқорлығынсыз қалған балалар",
            "Дети-сироты и дети, оставшиеся без попечения родителей",
        ),
        BenefitTier.FIRST_PRIORITY,
        2,
    ),
    BenefitCategory(
        "large_family",
        Bilingual("Көпбалалы отбасылардың балалары", "Дети из многодетных семей"),
        BenefitTier.FIRST_PRIORITY,
        2,
    ),
    BenefitCategory(
        "special_needs",
        Bilingual(
            "Ерекше білім берілуіне қажеттілігі бар балалар",
            "Дети с особыми образовательными потребностями",
        ),
        BenefitTier.FIRST_PRIORITY,
        2,
    ),
    BenefitCategory(
        "disabled_child",
        Bilingual("Мүгедектігі бар балалар", "Дети с инвалидностью"),
        BenefitTier.FIRST_PRIORITY,
        2,
    ),
    BenefitCategory(NO_BENEFIT, Bilingual("Жеңілдіксіз", "Без льготы"), BenefitTier.NONE, 9),
)


@dataclass(frozen=True)
class Operator:
    """An operator who signs in with their own EDS: education department or service centre staff.

    Read by sign-in (``find_operator``): the attribute names match what a session needs.
    """

    iin: str
    full_name: str
    role: Role  # Role.EDUCATION_DEPARTMENT or Role.SERVICE_CENTER
    region: str
    district: str | None
    office: Bilingual  # the body the operator works for: "issued by" on the documents
