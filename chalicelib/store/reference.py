"""Reference data in DynamoDB: the tables, their keys, and a repository that returns domain dataclasses.

Keys follow the reads the service does (no Scan anywhere):

| read                                 | how                                                  |
|--------------------------------------|------------------------------------------------------|
| regions of the country               | query ``regions``: hash ``country`` = "KZ"           |
| districts of a region                | query ``districts``: hash ``region``                 |
| kindergartens of a district          | query GSI ``kindergartens.by_district`` (``region#district``) |
| kindergartens of a region            | query GSI ``kindergartens.by_region``                |
| kindergarten by id / by BIN          | get ``kindergartens`` / query GSI ``by_bin``         |
| groups of a kindergarten             | query ``kindergarten-groups``: hash ``kindergarten_id`` |
| benefit categories                   | query ``benefit-categories``: hash ``country`` = "KZ" |
| operator by IIN                      | get ``operators``                                    |

Reference data is written by the seed and by administrators, read everywhere; GSI reads are
eventually consistent, which is fine for data that changes a few times a year.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from pynamodb.attributes import BooleanAttribute, ListAttribute, NumberAttribute, UnicodeAttribute
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.domain.principal import Role
from chalicelib.domain.reference import (
    BenefitCategory,
    BenefitTier,
    Bilingual,
    Coordinates,
    District,
    Group,
    Kindergarten,
    Language,
    Operator,
    Region,
)
from chalicelib.store.base import table_meta

COUNTRY = "KZ"

ReferenceEntity = Region | District | Kindergarten | Group | BenefitCategory | Operator


class RegionItem(Model):
    Meta = table_meta("regions")

    country = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)
    name_kk = UnicodeAttribute()
    name_ru = UnicodeAttribute()
    own_portal = BooleanAttribute(default=False)
    portal_url = UnicodeAttribute(null=True)


class DistrictItem(Model):
    Meta = table_meta("districts")

    region = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)
    name_kk = UnicodeAttribute()
    name_ru = UnicodeAttribute()


class KindergartensByDistrict(GlobalSecondaryIndex["KindergartenItem"]):
    class Meta:
        index_name = "by_district"
        projection = AllProjection()

    district_key = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)


class KindergartensByRegion(GlobalSecondaryIndex["KindergartenItem"]):
    class Meta:
        index_name = "by_region"
        projection = AllProjection()

    region = UnicodeAttribute(hash_key=True)
    id = UnicodeAttribute(range_key=True)


class KindergartensByBin(GlobalSecondaryIndex["KindergartenItem"]):
    class Meta:
        index_name = "by_bin"
        projection = AllProjection()

    bin = UnicodeAttribute(hash_key=True)


class KindergartenItem(Model):
    Meta = table_meta("kindergartens")

    id = UnicodeAttribute(hash_key=True)
    region = UnicodeAttribute()
    district = UnicodeAttribute()
    district_key = UnicodeAttribute()  # "region#district", the hash key of by_district
    number = NumberAttribute(null=True)
    name_kk = UnicodeAttribute()
    name_ru = UnicodeAttribute()
    address_kk = UnicodeAttribute()
    address_ru = UnicodeAttribute()
    phone = UnicodeAttribute()
    head_name = UnicodeAttribute()
    bin = UnicodeAttribute()
    ownership = UnicodeAttribute()
    takes_state_order = BooleanAttribute()
    state_order_places = NumberAttribute()
    contract_mode = UnicodeAttribute()
    languages = ListAttribute(of=UnicodeAttribute)
    min_age_years = NumberAttribute()
    latitude = NumberAttribute(null=True)
    longitude = NumberAttribute(null=True)

    by_district = KindergartensByDistrict()
    by_region = KindergartensByRegion()
    by_bin = KindergartensByBin()


class GroupItem(Model):
    Meta = table_meta("kindergarten-groups")

    kindergarten_id = UnicodeAttribute(hash_key=True)
    group_id = UnicodeAttribute(range_key=True)
    birth_year = NumberAttribute()
    language = UnicodeAttribute()
    capacity = NumberAttribute()
    name_kk = UnicodeAttribute()
    name_ru = UnicodeAttribute()


class BenefitCategoryItem(Model):
    Meta = table_meta("benefit-categories")

    country = UnicodeAttribute(hash_key=True)
    code = UnicodeAttribute(range_key=True)
    name_kk = UnicodeAttribute()
    name_ru = UnicodeAttribute()
    tier = UnicodeAttribute()
    rank = NumberAttribute()


class OperatorItem(Model):
    Meta = table_meta("operators")

    iin = UnicodeAttribute(hash_key=True)
    full_name = UnicodeAttribute()
    role = UnicodeAttribute()
    region = UnicodeAttribute()
    district = UnicodeAttribute(null=True)
    office_kk = UnicodeAttribute()
    office_ru = UnicodeAttribute()


REFERENCE_MODELS: tuple[type[Model], ...] = (
    RegionItem,
    DistrictItem,
    KindergartenItem,
    GroupItem,
    BenefitCategoryItem,
    OperatorItem,
)


def district_key(region: str, district: str) -> str:
    return f"{region}#{district}"


# --- items from and to domain dataclasses -------------------------------------------------------


def _region(item: RegionItem) -> Region:
    return Region(item.code, Bilingual(item.name_kk, item.name_ru), bool(item.own_portal), item.portal_url)


def _district(item: DistrictItem) -> District:
    return District(item.region, item.code, Bilingual(item.name_kk, item.name_ru))


def _kindergarten(item: KindergartenItem) -> Kindergarten:
    coordinates = (
        Coordinates(float(item.latitude), float(item.longitude))
        if item.latitude is not None and item.longitude is not None
        else None
    )
    return Kindergarten(
        id=item.id,
        region=item.region,
        district=item.district,
        number=int(item.number) if item.number is not None else None,
        name=Bilingual(item.name_kk, item.name_ru),
        address=Bilingual(item.address_kk, item.address_ru),
        phone=item.phone,
        head_name=item.head_name,
        bin=item.bin,
        ownership=cast(Any, item.ownership),
        takes_state_order=bool(item.takes_state_order),
        state_order_places=int(item.state_order_places),
        contract_mode=cast(Any, item.contract_mode),
        languages=tuple(cast(list[Language], item.languages)),
        min_age_years=int(item.min_age_years),
        coordinates=coordinates,
    )


def _group(item: GroupItem) -> Group:
    return Group(
        kindergarten_id=item.kindergarten_id,
        group_id=item.group_id,
        birth_year=int(item.birth_year),
        language=cast(Language, item.language),
        capacity=int(item.capacity),
        name=Bilingual(item.name_kk, item.name_ru),
    )


def _benefit(item: BenefitCategoryItem) -> BenefitCategory:
    return BenefitCategory(item.code, Bilingual(item.name_kk, item.name_ru), BenefitTier(item.tier), int(item.rank))


def _operator(item: OperatorItem) -> Operator:
    return Operator(
        iin=item.iin,
        full_name=item.full_name,
        role=Role(item.role),
        region=item.region,
        district=item.district,
        office=Bilingual(item.office_kk, item.office_ru),
    )


_FROM_ITEM: dict[type[Model], Any] = {
    RegionItem: _region,
    DistrictItem: _district,
    KindergartenItem: _kindergarten,
    GroupItem: _group,
    BenefitCategoryItem: _benefit,
    OperatorItem: _operator,
}


def to_item(entity: ReferenceEntity) -> Model:
    """The item that stores ``entity``."""
    if isinstance(entity, Region):
        return RegionItem(
            COUNTRY,
            entity.code,
            name_kk=entity.name.kk,
            name_ru=entity.name.ru,
            own_portal=entity.own_portal,
            portal_url=entity.portal_url,
        )
    if isinstance(entity, District):
        return DistrictItem(entity.region, entity.code, name_kk=entity.name.kk, name_ru=entity.name.ru)
    if isinstance(entity, Kindergarten):
        return KindergartenItem(
            entity.id,
            region=entity.region,
            district=entity.district,
            district_key=district_key(entity.region, entity.district),
            number=entity.number,
            name_kk=entity.name.kk,
            name_ru=entity.name.ru,
            address_kk=entity.address.kk,
            address_ru=entity.address.ru,
            phone=entity.phone,
            head_name=entity.head_name,
            bin=entity.bin,
            ownership=entity.ownership,
            takes_state_order=entity.takes_state_order,
            state_order_places=entity.state_order_places,
            contract_mode=entity.contract_mode,
            languages=list(entity.languages),
            min_age_years=entity.min_age_years,
            latitude=entity.coordinates.latitude if entity.coordinates else None,
            longitude=entity.coordinates.longitude if entity.coordinates else None,
        )
    if isinstance(entity, Group):
        return GroupItem(
            entity.kindergarten_id,
            entity.group_id,
            birth_year=entity.birth_year,
            language=entity.language,
            capacity=entity.capacity,
            name_kk=entity.name.kk,
            name_ru=entity.name.ru,
        )
    if isinstance(entity, BenefitCategory):
        return BenefitCategoryItem(
            COUNTRY,
            entity.code,
            name_kk=entity.name.kk,
            name_ru=entity.name.ru,
            tier=entity.tier.value,
            rank=entity.rank,
        )
    return OperatorItem(
        entity.iin,
        full_name=entity.full_name,
        role=entity.role.value,
        region=entity.region,
        district=entity.district,
        office_kk=entity.office.kk,
        office_ru=entity.office.ru,
    )


def _key(entity: ReferenceEntity) -> tuple[str, ...]:
    """The table key of ``entity`` (hash, then range where the table has one)."""
    if isinstance(entity, Region | BenefitCategory):
        return (COUNTRY, entity.code)
    if isinstance(entity, District):
        return (entity.region, entity.code)
    if isinstance(entity, Kindergarten):
        return (entity.id,)
    if isinstance(entity, Group):
        return (entity.kindergarten_id, entity.group_id)
    return (entity.iin,)


def _get(model: type[Model], *key: str) -> Any | None:
    try:
        return model.get(*key)
    except model.DoesNotExist:
        return None


def _kindergarten_order(kindergarten: Kindergarten) -> tuple[bool, int, str]:
    return (kindergarten.number is None, kindergarten.number or 0, kindergarten.name.kk)


class ReferenceRepository:
    """Reads reference data as domain dataclasses; ``upsert`` writes only what changed."""

    def list_regions(self) -> list[Region]:
        return [_region(item) for item in RegionItem.query(COUNTRY)]

    def get_region(self, code: str) -> Region | None:
        item = _get(RegionItem, COUNTRY, code)
        return _region(item) if item else None

    def list_districts(self, region: str) -> list[District]:
        return [_district(item) for item in DistrictItem.query(region)]

    def get_district(self, region: str, code: str) -> District | None:
        item = _get(DistrictItem, region, code)
        return _district(item) if item else None

    def list_kindergartens(self, region: str, district: str) -> list[Kindergarten]:
        """Kindergartens of a district, by number (numbered first), then by name."""
        found = [_kindergarten(item) for item in KindergartenItem.by_district.query(district_key(region, district))]
        return sorted(found, key=_kindergarten_order)

    def list_region_kindergartens(self, region: str) -> list[Kindergarten]:
        """Kindergartens of a whole region (for the private state-order list), ordered as above."""
        found = [_kindergarten(item) for item in KindergartenItem.by_region.query(region)]
        return sorted(found, key=_kindergarten_order)

    def get_kindergarten(self, kindergarten_id: str) -> Kindergarten | None:
        item = _get(KindergartenItem, kindergarten_id)
        return _kindergarten(item) if item else None

    def get_kindergartens(self, kindergarten_ids: Iterable[str]) -> dict[str, Kindergarten]:
        """Several kindergartens in one batch read (a parent's preferences); unknown ids are absent."""
        ids = list(dict.fromkeys(kindergarten_ids))
        if not ids:
            return {}
        return {item.id: _kindergarten(item) for item in KindergartenItem.batch_get(ids)}

    def find_kindergarten_by_bin(self, bin_: str) -> Kindergarten | None:
        """The kindergarten whose organisation certificate carries this BIN (partners, contract signing)."""
        for item in KindergartenItem.by_bin.query(bin_, limit=1):
            return _kindergarten(item)
        return None

    def list_groups(self, kindergarten_id: str) -> list[Group]:
        return [_group(item) for item in GroupItem.query(kindergarten_id)]

    def get_group(self, kindergarten_id: str, group_id: str) -> Group | None:
        item = _get(GroupItem, kindergarten_id, group_id)
        return _group(item) if item else None

    def list_benefit_categories(self) -> list[BenefitCategory]:
        """Every benefit category, in the order of service (rank), "no benefit" last."""
        found = [_benefit(item) for item in BenefitCategoryItem.query(COUNTRY)]
        return sorted(found, key=lambda category: (category.rank, category.code))

    def get_benefit_category(self, code: str) -> BenefitCategory | None:
        item = _get(BenefitCategoryItem, COUNTRY, code)
        return _benefit(item) if item else None

    def get_operator(self, iin: str) -> Operator | None:
        item = _get(OperatorItem, iin)
        return _operator(item) if item else None

    def upsert(self, entity: ReferenceEntity) -> bool:
        """Store ``entity``; False (and nothing written) when the stored item is already equal."""
        return self.upsert_all([entity]) == 1

    def upsert_all(self, entities: Iterable[ReferenceEntity]) -> int:
        """Store every entity that differs from what is stored (batch reads and writes); the count written.

        Writing the same data twice writes nothing the second time.
        """
        wanted: dict[type[Model], dict[tuple[str, ...], Model]] = {}
        for entity in entities:
            item = to_item(entity)
            wanted.setdefault(type(item), {})[_key(entity)] = item
        written = 0
        for model, items in wanted.items():
            keys = [key[0] if len(key) == 1 else key for key in items]
            stored = {_key(_FROM_ITEM[model](item)): item for item in model.batch_get(keys)}
            changed = [
                item
                for key, item in items.items()
                if key not in stored or _comparable(stored[key]) != _comparable(item)
            ]
            with model.batch_write() as batch:
                for item in changed:
                    batch.save(item)
            written += len(changed)
        return written


def _comparable(item: Model) -> dict[str, Any]:
    return {name: value for name, value in item.attribute_values.items() if value is not None}


class ReferenceOperatorDirectory:
    """Sign-in's view of the operators table: who may act as an operator, in which role and region."""

    def __init__(self, repository: ReferenceRepository | None = None) -> None:
        self._repository = repository or ReferenceRepository()

    def find_operator(self, iin: str) -> Operator | None:
        return self._repository.get_operator(iin)
