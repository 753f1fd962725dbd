"""Public reference data: regions and districts, kindergartens, benefit categories."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalice import Blueprint

from chalicelib import wiring
from chalicelib.api.responses import handles_errors
from chalicelib.domain.errors import InvalidInput

if TYPE_CHECKING:
    from chalicelib.domain.reference import BenefitCategory, Kindergarten

bp = Blueprint(__name__)


def kindergarten_json(kindergarten: Kindergarten) -> dict[str, Any]:
    return {
        "id": kindergarten.id,
        "region": kindergarten.region,
        "district": kindergarten.district,
        "number": kindergarten.number,
        "name_kk": kindergarten.name.kk,
        "name_ru": kindergarten.name.ru,
        "address_kk": kindergarten.address.kk,
        "address_ru": kindergarten.address.ru,
        "phone": kindergarten.phone,
        "head_name": kindergarten.head_name,
        "ownership": kindergarten.ownership,
        "takes_state_order": kindergarten.takes_state_order,
        "contract_mode": kindergarten.contract_mode,
        "languages": list(kindergarten.languages),
        "min_age_years": kindergarten.min_age_years,
    }


def benefit_json(category: BenefitCategory) -> dict[str, Any]:
    return {
        "code": category.code,
        "name_kk": category.name.kk,
        "name_ru": category.name.ru,
        "tier": category.tier.value,
        "rank": category.rank,
    }


@bp.route("/reference/regions", methods=["GET"], cors=True)
@handles_errors
def regions() -> Any:
    repository = wiring.reference()
    return [
        {
            "code": region.code,
            "name_kk": region.name.kk,
            "name_ru": region.name.ru,
            "districts": [
                {"code": d.code, "name_kk": d.name.kk, "name_ru": d.name.ru}
                for d in repository.list_districts(region.code)
            ],
        }
        for region in repository.list_regions()
    ]


@bp.route("/reference/kindergartens", methods=["GET"], cors=True)
@handles_errors
def kindergartens() -> Any:
    query = bp.current_request.query_params or {}
    region, district = query.get("region"), query.get("district")
    if not region:
        raise InvalidInput(
            "reference.region_required",
            "Өңірді көрсетіңіз.",
            "Укажите регион.",
            details={"field": "region"},
        )
    repository = wiring.reference()
    found = (
        repository.list_kindergartens(region, district) if district else repository.list_region_kindergartens(region)
    )
    language = query.get("language")
    return [kindergarten_json(k) for k in found if not language or language in k.languages]


@bp.route("/reference/benefits", methods=["GET"], cors=True)
@handles_errors
def benefits() -> Any:
    return [benefit_json(c) for c in wiring.reference().list_benefit_categories()]
