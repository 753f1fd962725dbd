"""Webhooks to kindergarten portals: the event catalogue, the event models, the endpoint rules.

Pure: no I/O. The JSON Schemas in ``docs/partners.md`` are generated from the models here
(``python -m chalicelib.domain.webhooks``), the same models that build every event sent.
"""

from __future__ import annotations

import ipaddress
import json
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field

from chalicelib.domain.errors import InvalidInput


class DirectionData(BaseModel):
    """A direction to the kindergarten (Ж.<year>.<serial>) and what happened to it."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(description="the direction's number, e.g. Ж.2026.000123")
    application_id: str = Field(description="the child's queue application (registration number)")
    group_id: str | None = Field(None, description="the kindergarten's group the seat belongs to")
    seat_id: str | None = Field(None, description="the seat (one published place)")
    from_state: str | None = Field(None, description="the direction's status before")
    to_state: str | None = Field(None, description="the direction's status after")
    reason: str | None = Field(None, description="why, when the change has a reason")
    private: bool = Field(False, description="a private kindergarten's state-order seat chosen by the parent")


class ContractData(BaseModel):
    """An electronic contract between the parent and the kindergarten."""

    model_config = ConfigDict(extra="forbid")

    number: str = Field(description="the contract's number")
    direction_number: str = Field(description="the direction the contract was made on")
    application_id: str = Field(description="the child's queue application")
    from_state: str | None = None
    to_state: str | None = None
    reason: str | None = Field(
        None,
        description="the kindergarten's reason for a refusal; for a cancellation, why the direction ended "
        "(direction_expired, direction_revoked, child_left_queue, direction_enrolled)",
    )


class VacancyData(BaseModel):
    """Seats the kindergarten published (one publication)."""

    model_config = ConfigDict(extra="forbid")

    publication_id: str
    group_id: str
    seats: int = Field(description="how many seats the publication has")
    channel: str = Field(description="queue | private")


class EndpointDisabledData(BaseModel):
    model_config = ConfigDict(extra="forbid")

    endpoint_id: str
    reason: str


# type → (model, description); the order is the catalogue's order in docs/partners.md
EVENTS: dict[str, tuple[type[BaseModel], str]] = {
    "direction.issued": (DirectionData, "a direction to this kindergarten was issued to a child"),
    "direction.extended": (DirectionData, "the direction's validity was extended (at most once)"),
    "direction.revoked": (DirectionData, "the parent gave the direction up; the seat is free again"),
    "direction.child_left": (
        DirectionData,
        "the child was withdrawn or removed from the queue while holding the direction; the seat is free",
    ),
    "direction.expired": (DirectionData, "nobody came in time; the seat is free again"),
    "direction.enrolled": (DirectionData, "the child was enrolled (the kindergarten confirmed it)"),
    "contract.sent": (ContractData, "the parent signed and sent the contract; the kindergarten's turn"),
    "contract.signed": (ContractData, "the kindergarten signed the contract; the child is enrolled"),
    "contract.refused": (ContractData, "the kindergarten refused the contract, with a reason"),
    "contract.cancelled": (
        ContractData,
        "the contract (sent or refused, never signed) lost its direction: the direction expired, was "
        "revoked, the child left the queue, or the kindergarten enrolled the child without it; it can no "
        "longer be signed",
    ),
    "vacancy.published": (VacancyData, "seats were published (by the portal or by an operator)"),
    "vacancy.filled": (
        VacancyData,
        "every seat of the publication is now held by a direction or taken (sent again if a seat "
        "was freed and filled again)",
    ),
}
EventType = Literal[
    "direction.issued",
    "direction.extended",
    "direction.revoked",
    "direction.child_left",
    "direction.expired",
    "direction.enrolled",
    "contract.sent",
    "contract.signed",
    "contract.refused",
    "contract.cancelled",
    "vacancy.published",
    "vacancy.filled",
]
DEPARTURE = "child_left_queue"  # the ``why`` of a direction ended because the child left the queue


class WebhookEvent(BaseModel):
    """The body of every delivery: ``{type, timestamp, data}`` (Standard Webhooks)."""

    model_config = ConfigDict(extra="forbid")

    type: EventType
    timestamp: datetime = Field(description="when the change happened (UTC)")
    data: dict[str, Any]


def event_of(
    event: str, at: datetime, why: str | None, from_state: str | None, to_state: str | None, details: dict[str, Any]
) -> WebhookEvent | None:
    """The webhook event of a kindergarten's history record, or None for a record not published."""
    family = event.split(".", 1)[0]
    data: BaseModel
    if family in ("direction", "private_direction"):
        kind = "direction." + event.split(".", 1)[1]
        if kind == "direction.revoked" and why == DEPARTURE:
            kind = "direction.child_left"
        if kind not in EVENTS:
            return None
        data = DirectionData(
            number=details.get("number", ""),
            application_id=details.get("application_id", ""),
            group_id=details.get("group_id"),
            seat_id=details.get("seat_id"),
            from_state=from_state,
            to_state=to_state,
            reason=why,
            private=family == "private_direction",
        )
    elif family == "contract":
        kind = event
        if kind not in EVENTS:
            return None
        data = ContractData(
            number=details.get("number", ""),
            direction_number=details.get("direction_number", ""),
            application_id=details.get("application_id", ""),
            from_state=from_state,
            to_state=to_state,
            reason=why,
        )
    elif event in ("vacancy.published", "vacancy.filled"):
        kind = event
        data = VacancyData(
            publication_id=str(details.get("publication_id", "")),
            group_id=str(details.get("group_id", "")),
            seats=int(details.get("seats", 0)),
            channel=str(details.get("channel", "")),
        )
    else:
        return None
    return WebhookEvent(type=kind, timestamp=at, data=data.model_dump(mode="json"))  # type: ignore[arg-type]


def event_body(event: WebhookEvent) -> str:
    """The exact bytes sent (and signed): compact JSON, UTF-8."""
    return json.dumps(event.model_dump(mode="json"), ensure_ascii=False, separators=(",", ":"))


def event_schemas() -> dict[str, Any]:
    """A JSON Schema per event type (the envelope with that type's ``data``)."""
    schemas: dict[str, Any] = {}
    for kind, (model, description) in EVENTS.items():
        schemas[kind] = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": kind,
            "description": description,
            "type": "object",
            "required": ["type", "timestamp", "data"],
            "additionalProperties": False,
            "properties": {
                "type": {"const": kind},
                "timestamp": {"type": "string", "format": "date-time"},
                "data": model.model_json_schema(),
            },
        }
    return schemas


# --- endpoints ---------------------------------------------------------------------------------

METADATA_ADDRESSES = {ipaddress.ip_address("169.254.169.254"), ipaddress.ip_address("fd00:ec2::254")}


def _refused_url(problem: str, kk: str, ru: str) -> InvalidInput:
    return InvalidInput(
        "webhook.url_refused",
        f"Вебхук мекенжайы қабылданбады: {kk}",
        f"Адрес вебхука не принят: {ru}",
        details={"field": "url", "problem": problem},
    )


def check_url(url: str, *, loopback_allowed: bool) -> tuple[str, str, int]:
    """The scheme, host and port of an endpoint URL, or a refusal naming the rule it breaks.

    HTTPS only; plain HTTP only to a loopback host where ``loopback_allowed`` (the local stage).
    No credentials in the URL, no fragment.
    """
    if len(url) > 2000:
        raise _refused_url("too_long", "тым ұзын", "слишком длинный")
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise _refused_url("scheme", "тек https:// мекенжайы", "нужен адрес https://")
    if parts.username or parts.password or parts.fragment:
        raise _refused_url(
            "credentials",
            "мекенжайда логин, пароль не фрагмент болмауы керек",
            "в адресе не должно быть логина, пароля или фрагмента",
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as error:
        raise _refused_url("port", "порт дұрыс емес", "неверный порт") from error
    if parts.scheme == "http":
        loopback = parts.hostname in ("127.0.0.1", "localhost")
        if not (loopback_allowed and loopback):
            raise _refused_url("scheme", "тек https:// мекенжайы", "нужен адрес https://")
    return parts.scheme, parts.hostname, port


def check_address(address: str, *, loopback_allowed: bool) -> None:
    """Refuse an address a webhook must never reach: private, loopback, link-local, metadata …"""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if loopback_allowed and ip.is_loopback:
        return
    if (
        ip in METADATA_ADDRESSES
        or ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    ):
        raise _refused_url(
            "address",
            f"{address} — ішкі немесе қызметтік мекенжай",
            f"{address} — внутренний или служебный адрес",
        )


BEGIN, END = "<!-- event-schemas:begin (generated: python -m chalicelib.domain.webhooks docs/partners.md) -->", (
    "<!-- event-schemas:end -->"
)


def catalogue_markdown() -> str:
    """The event catalogue of docs/partners.md: each type, what it means, its JSON Schema."""
    parts = []
    for kind, schema in event_schemas().items():
        parts.append(f"### `{kind}`\n\n{schema['description']}.\n")
        parts.append("```json\n" + json.dumps(schema, ensure_ascii=False, indent=2) + "\n```\n")
    return "\n".join(parts)


def with_catalogue(document: str) -> str:
    """``document`` with its generated block replaced by the current catalogue."""
    head, _, rest = document.partition(BEGIN)
    _, _, tail = rest.partition(END)
    return f"{head}{BEGIN}\n\n{catalogue_markdown()}\n{END}{tail}"


if __name__ == "__main__":
    import sys
    from pathlib import Path

    if len(sys.argv) > 1:
        target = Path(sys.argv[1])
        target.write_text(with_catalogue(target.read_text(encoding="utf-8")), encoding="utf-8")
    else:
        print(json.dumps(event_schemas(), ensure_ascii=False, indent=2))
