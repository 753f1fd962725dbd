"""An allocation run as kept in S3 (``allocations/<run id>.json``): what it read, what it offered, what it issued.

The record holds the run's whole input — the free seats, the candidates as allocation saw them
(tier, blocked, preferences), the ratio and the whole-district switch — and its output, so that
:func:`replay` can audit it later from the record alone, whatever the tables hold by then.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from chalicelib.domain import allocation
from chalicelib.store.vacancies import SeatItem

_RUN_ID = re.compile(r"^\d{8}T\d{6}Z-[0-9a-f]{8}$")


def new_run_id(now: datetime) -> str:
    """``20260115T060000Z-1a2b3c4d``: the run's UTC time and a random suffix."""
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(4)}"


def valid_run_id(run_id: str) -> bool:
    return _RUN_ID.match(run_id) is not None


def run_key(run_id: str) -> str:
    return f"allocations/{run_id}.json"


def seat_of(item: SeatItem) -> allocation.Seat:
    return allocation.Seat(
        seat_id=item.seat_id,
        kindergarten_id=item.kindergarten_id,
        group_id=item.group_id,
        region=item.region,
        district=item.district,
        cohort=int(item.cohort),
        language=item.language,
    )


def seat_json(seat: allocation.Seat) -> dict[str, Any]:
    return {
        "seat_id": seat.seat_id,
        "kindergarten_id": seat.kindergarten_id,
        "group_id": seat.group_id,
        "region": seat.region,
        "district": seat.district,
        "cohort": seat.cohort,
        "language": seat.language,
    }


def candidate_json(candidate: allocation.Candidate) -> dict[str, Any]:
    return {
        "application_id": candidate.application_id,
        "region": candidate.region,
        "district": candidate.district,
        "cohort": candidate.cohort,
        "language": candidate.language,
        "tier": candidate.tier,
        "registered_at": candidate.registered_at.isoformat(),
        "seq": candidate.seq,
        "preferences": list(candidate.preferences),
        "blocked": candidate.blocked,
        "claims": [list(claim) for claim in candidate.claims],
        "family": candidate.family,
        "together": candidate.together,
    }


def offer_json(offer: allocation.Offer) -> dict[str, Any]:
    """An offer, and the explanation a direction keeps: position, preference rank, who was passed over."""
    return {
        "seat_id": offer.seat.seat_id,
        "application_id": offer.application_id,
        "order_position": offer.order_position,
        "preference_rank": offer.preference_rank,
        "passed_over": [{"application_id": p.application_id, "reason": p.reason} for p in offer.passed_over],
        "passed_over_count": offer.passed_over_count,
        "mode": offer.mode,
        "priority": offer.priority,
        "kindergarten_position": offer.kindergarten_position,
        "instead": [
            {"kindergarten_id": i.kindergarten_id, "application_id": i.application_id, "reason": i.reason}
            for i in offer.instead
        ],
    }


def run_record(
    run_id: str,
    now: datetime,
    region: str,
    district: str,
    *,
    ratio: tuple[int, int],
    whole_district: bool,
    rules: allocation.RegionRules = allocation.RegionRules(),
    seats: Iterable[allocation.Seat],
    candidates: Iterable[allocation.Candidate],
    offers: Iterable[allocation.Offer],
) -> dict[str, Any]:
    """The record of a run before it issues anything (``issued`` and ``skipped`` are filled after)."""
    return {
        "run_id": run_id,
        "at": now.isoformat(),
        "region": region,
        "district": district,
        "ratio": list(ratio),
        "whole_district": whole_district,
        "mode": rules.mode,
        "priorities": list(rules.priorities),
        "protocol_salt": secrets.token_hex(16),  # anonymises the protocol's children (kept here only)
        "seats": [seat_json(seat) for seat in seats],
        "candidates": [candidate_json(candidate) for candidate in candidates],
        "offers": [offer_json(offer) for offer in offers],
        "issued": [],
        "skipped": [],
    }


def protocol_key(run_id: str, language: str, kind: str) -> str:
    """``allocations/<run id>.protocol.kk.csv`` and the like, beside the run's record."""
    return f"allocations/{run_id}.protocol.{language}.{kind}"


def candidate_of(item: dict[str, Any]) -> allocation.Candidate:
    return allocation.Candidate(
        **{
            **item,
            "registered_at": datetime.fromisoformat(item["registered_at"]),
            "preferences": tuple(item["preferences"]),
            "claims": tuple((claim[0], claim[1]) for claim in item.get("claims", ())),
        }
    )


def replay(record: dict[str, Any]) -> list[str]:
    """Every violation of the rules in a recorded run (none: it was fair), and every direction not offered."""
    seats = [allocation.Seat(**item) for item in record["seats"]]
    candidates = [candidate_of(item) for item in record["candidates"]]
    by_id = {seat.seat_id: seat for seat in seats}
    offers = [
        allocation.Offer(
            seat=by_id[item["seat_id"]],
            application_id=item["application_id"],
            order_position=item["order_position"],
            preference_rank=item["preference_rank"],
            passed_over=tuple(allocation.PassedOver(p["application_id"], p["reason"]) for p in item["passed_over"]),
            passed_over_count=item["passed_over_count"],
            mode=item.get("mode", allocation.SERIAL),
            priority=item.get("priority"),
            kindergarten_position=item.get("kindergarten_position"),
            instead=tuple(allocation.Instead(**i) for i in item.get("instead", ())),
        )
        for item in record["offers"]
    ]
    ratio = (int(record["ratio"][0]), int(record["ratio"][1]))
    try:
        rules = allocation.RegionRules(record.get("mode", allocation.SERIAL), tuple(record.get("priorities", ())))
    except ValueError as error:
        return [f"the run's rules are not known: {error}"]
    violations = allocation.audit(
        seats,
        candidates,
        offers,
        ratio=ratio,
        whole_district=bool(record["whole_district"]),
        mode=rules.mode,
        priorities=rules.priorities,
    )
    offered = {(offer.seat.seat_id, offer.application_id) for offer in offers}
    violations += [
        f"direction {item['number']} gives seat {item['seat_id']} to {item['application_id']} without an offer"
        for item in record["issued"]
        if (item["seat_id"], item["application_id"]) not in offered
    ]
    return violations
