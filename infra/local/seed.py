"""Demo reference data for the local stack: regions, districts, kindergartens, groups, benefits, operators.

The data lives in ``infra/local/demo/*.json`` (see its README); the benefit categories are the
standard list of the rules (``chalicelib.domain.reference``). Seeding is idempotent: what is
already stored and equal is not written again, so running it twice changes nothing.

Run on its own against the local stack: ``python -m infra.local.seed`` (creates missing
reference tables first). The population registry fixture is not seeded: the local stack
points the setting ``population_fixture`` at :data:`POPULATION_FIXTURE`.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from chalicelib.domain.iin import is_valid_bin, is_valid_iin
from chalicelib.domain.principal import Role
from chalicelib.domain.reference import (
    LANGUAGES,
    STANDARD_BENEFIT_CATEGORIES,
    Bilingual,
    Coordinates,
    District,
    Group,
    Kindergarten,
    Operator,
    Region,
)
from chalicelib.store.reference import REFERENCE_MODELS, ReferenceEntity, ReferenceRepository

DEMO_DIR = Path(__file__).resolve().parent / "demo"
POPULATION_FIXTURE = DEMO_DIR / "population.json"
PEOPLE = DEMO_DIR / "people.json"


@dataclass(frozen=True)
class SeedResult:
    written: int  # items created or changed
    total: int  # items the demo data holds


def _text(value: dict[str, str]) -> Bilingual:
    return Bilingual(kk=value["kk"], ru=value["ru"])


def _read(demo_dir: Path, name: str) -> Any:
    return json.loads((demo_dir / name).read_text(encoding="utf-8"))


def _regions(data: list[dict[str, Any]]) -> list[Region | District]:
    entities: list[Region | District] = []
    for region in data:
        entities.append(Region(region["code"], _text(region["name"]), region["own_portal"], region["portal_url"]))
        entities.extend(District(region["code"], d["code"], _text(d["name"])) for d in region["districts"])
    return entities


def _kindergartens(data: list[dict[str, Any]], districts: set[tuple[str, str]]) -> list[Kindergarten | Group]:
    entities: list[Kindergarten | Group] = []
    for record in data:
        coordinates = record.get("coordinates")
        kindergarten = Kindergarten(
            id=record["id"],
            region=record["region"],
            district=record["district"],
            number=record["number"],
            name=_text(record["name"]),
            address=_text(record["address"]),
            phone=record["phone"],
            head_name=record["head_name"],
            bin=record["bin"],
            ownership=record["ownership"],
            takes_state_order=record["takes_state_order"],
            state_order_places=record["state_order_places"],
            contract_mode=record["contract_mode"],
            languages=tuple(record["languages"]),
            min_age_years=record["min_age_years"],
            coordinates=Coordinates(**coordinates) if coordinates else None,
        )
        _check_kindergarten(kindergarten, districts)
        entities.append(kindergarten)
        for group in record["groups"]:
            if group["language"] not in kindergarten.languages:
                raise ValueError(f"{kindergarten.id}: group {group['group_id']} in a language it does not teach")
            entities.append(
                Group(
                    kindergarten_id=kindergarten.id,
                    group_id=group["group_id"],
                    birth_year=group["birth_year"],
                    language=group["language"],
                    capacity=group["capacity"],
                    name=_text(group["name"]),
                )
            )
    return entities


def _check_kindergarten(kindergarten: Kindergarten, districts: set[tuple[str, str]]) -> None:
    if (kindergarten.region, kindergarten.district) not in districts:
        raise ValueError(f"{kindergarten.id}: unknown district {kindergarten.region}/{kindergarten.district}")
    if not is_valid_bin(kindergarten.bin):
        raise ValueError(f"{kindergarten.id}: invalid BIN {kindergarten.bin}")
    if not set(kindergarten.languages) <= set(LANGUAGES) or kindergarten.ownership not in ("state", "private"):
        raise ValueError(f"{kindergarten.id}: unknown language or ownership")
    if kindergarten.contract_mode not in ("electronic", "paper"):
        raise ValueError(f"{kindergarten.id}: unknown contract mode {kindergarten.contract_mode}")


def _operators(data: list[dict[str, Any]]) -> list[Operator]:
    operators = []
    for record in data:
        if not is_valid_iin(record["iin"]):
            raise ValueError(f"operator {record['full_name']}: invalid IIN {record['iin']}")
        role = Role(record["role"])
        if not role.is_operator:
            raise ValueError(f"operator {record['full_name']}: {role} is not an operator role")
        operators.append(
            Operator(
                iin=record["iin"],
                full_name=record["full_name"],
                role=role,
                region=record["region"],
                district=record["district"],
                office=_text(record["office"]),
            )
        )
    return operators


def load_demo_reference(demo_dir: Path = DEMO_DIR) -> list[ReferenceEntity]:
    """Every reference entity of the demo data, checked (valid BINs and IINs, known districts)."""
    regions = _regions(_read(demo_dir, "regions.json"))
    districts = {(d.region, d.code) for d in regions if isinstance(d, District)}
    return [
        *regions,
        *_kindergartens(_read(demo_dir, "kindergartens.json"), districts),
        *STANDARD_BENEFIT_CATEGORIES,
        *_operators(_read(demo_dir, "operators.json")),
    ]


def create_reference_tables() -> None:
    """Create the reference tables that do not exist yet."""
    for model in REFERENCE_MODELS:
        if not model.exists():
            model.create_table(wait=True)


def seed_reference(repository: ReferenceRepository | None = None, demo_dir: Path = DEMO_DIR) -> SeedResult:
    """Write the demo reference data into existing tables; only what is missing or different is written."""
    entities = load_demo_reference(demo_dir)
    written = (repository or ReferenceRepository()).upsert_all(entities)
    return SeedResult(written=written, total=len(entities))


def seed_contract_terms(demo_dir: Path = DEMO_DIR, *, published_at: Any = None) -> int:
    """The standard contract (version 1 of every region) and the e-contract kindergartens' settings.

    A template version is written once and never changed (an existing version 1 stays); the
    settings are written as the demo data has them. Returns the number of items written.
    """
    from datetime import UTC, datetime

    from chalicelib.store.contracts import ContractRepository, ContractSettingsItem, ContractTemplateItem

    at = published_at or datetime(2026, 1, 1, tzinfo=UTC)
    repository = ContractRepository()
    template = _read(demo_dir, "contract_template.json")
    written = 0
    for region in _read(demo_dir, "regions.json"):
        item = ContractTemplateItem(
            region["code"],
            int(template["version"]),
            title=template["title"],
            sections=template["sections"],
            published_at=at,
            published_by="seed",
        )
        written += repository.publish_template(item)
    for entry in _read(demo_dir, "contract_settings.json"):
        repository.save_settings(
            ContractSettingsItem(
                entry["kindergarten_id"],
                register_code=entry["register_code"],
                account=entry["account"],
                prices=entry["prices"],
                updated_at=at,
                updated_by="seed",
            )
        )
        written += 1
    return written


DEMO_KEY_SALT = b"balabaqsha-local-demo-partner-key"


def demo_partner_key(kindergarten_id: str) -> tuple[str, str]:
    """The demo key id and secret of a kindergarten: derived from its id, the same on every start."""
    digest = hashlib.sha256(DEMO_KEY_SALT + kindergarten_id.encode()).digest()
    key_id = "demo" + hashlib.sha256(kindergarten_id.encode()).hexdigest()[:12]
    return key_id, base64.urlsafe_b64encode(digest).decode().rstrip("=")


def seed_partner_keys(demo_dir: Path = DEMO_DIR) -> dict[str, str]:
    """One API key per demo kindergarten for its portal; returns the plain keys by kindergarten id.

    The keys are derived from the kindergarten ids (local demo data, never deployed), so seeding
    again stores the same keys and the printed ones keep working across restarts.
    """
    from datetime import UTC, datetime

    from chalicelib.store.partners import PartnerKeys

    keys = PartnerKeys()
    now = datetime.now(UTC)
    plain = {}
    for record in _read(demo_dir, "kindergartens.json"):
        key_id, secret = demo_partner_key(record["id"])
        plain[record["id"]] = keys.issue(record["id"], now=now, label="demo", key_id=key_id, secret=secret)
    return plain


def main() -> None:
    create_reference_tables()
    result = seed_reference()
    print(f"reference data: {result.written} of {result.total} items written")
    print(f"contract terms: {seed_contract_terms()} items written")


if __name__ == "__main__":
    main()
