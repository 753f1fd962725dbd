"""The anonymised protocol of an allocation run: the form a region could publish.

One row per seat offered: the kindergarten and group, an anonymised child id, the child's
category (out of turn, first priority, general; in ``stable`` mode the kindergarten priority it
held there), the rank of the kindergarten in the child's list ("—": offered under the
whole-district switch), how many children were ahead and why they were passed over (the reasons
of the listed ones, counted; at most ``MAX_EXPLAINED`` are listed, so the counts may cover fewer
than all), and whether the direction was issued. Kazakh and Russian, CSV and PDF
(:mod:`chalicelib.documents.protocol`).

The anonymised id is the first 10 hex digits of HMAC-SHA-256(run salt, application id): the
salt is random per run and kept only in the run's record, so the protocol cannot be joined to
registration numbers by guessing them, while an operator holding the record can.
"""

from __future__ import annotations

import hashlib
import hmac
from collections import Counter
from dataclasses import dataclass
from typing import Any

from chalicelib.domain import allocation

LANGUAGES = ("kk", "ru")

TITLE = {"kk": "Орындарды бөлу хаттамасы", "ru": "Протокол распределения мест"}
COLUMNS = {
    "kk": (
        "№",
        "Балабақша",
        "Топ",
        "Баланың анонимді коды",
        "Санаты",
        "Тізімдегі балабақшаның орны",
        "Алда тұрған балалар",
        "Неліктен өткізілді",
        "Жолдама берілді",
    ),
    "ru": (
        "№",
        "Детский сад",
        "Группа",
        "Анонимный код ребёнка",
        "Категория",
        "Место детского сада в списке",
        "Детей впереди",
        "Почему пропущены",
        "Направление выдано",
    ),
}
HEADER = {
    "kk": ("Бөлу", "Күні", "Өңір", "Аудан", "Тәртібі", "Балабақша басымдықтары", "жоқ"),
    "ru": ("Распределение", "Дата", "Регион", "Район", "Порядок", "Приоритеты детских садов", "нет"),
}
TIERS = {
    "out_of_turn": {"kk": "кезектен тыс", "ru": "вне очереди"},
    "first_priority": {"kk": "бірінші кезекте", "ru": "в первую очередь"},
    "none": {"kk": "жалпы кезек", "ru": "общая очередь"},
}
MODES = {
    allocation.SERIAL: {"kk": "жалпы кезек бойынша (сериялық)", "ru": "по общей очереди (последовательный)"},
    allocation.STABLE: {
        "kk": "тұрақты сәйкестендіру (балабақша басымдықтарымен)",
        "ru": "устойчивое сопоставление (с приоритетами детских садов)",
    },
}
PRIORITIES = {
    allocation.SIBLING: {"kk": "бауыры осы балабақшаға барады", "ru": "брат или сестра посещает этот сад"},
    allocation.STAFF: {"kk": "ата-анасы осы балабақшада жұмыс істейді", "ru": "родитель работает в этом саду"},
    allocation.CATCHMENT: {"kk": "мекенжайы бекітілген аумақта", "ru": "адрес в закреплённой территории"},
}
REASONS = {
    allocation.BLOCKED_PREFIX + allocation.STOP_LIST: {"kk": "стоп-тізімде", "ru": "в стоп-листе"},
    allocation.BLOCKED_PREFIX + allocation.LIVE_DIRECTION: {"kk": "жолдамасы бар", "ru": "уже есть направление"},
    allocation.BLOCKED_PREFIX + allocation.FAMILY_APART: {
        "kk": "отбасымен бірге орын жоқ",
        "ru": "нет мест для семьи вместе",
    },
    allocation.SEATED_EARLIER: {"kk": "қалаған орын алды", "ru": "получил желаемое место"},
    allocation.NOT_IN_PREFERENCES: {"kk": "бұл балабақшаны таңдамаған", "ru": "не выбирал этот сад"},
    allocation.OTHER_COHORT: {"kk": "басқа жас тобы", "ru": "другая возрастная группа"},
    allocation.OTHER_LANGUAGE: {"kk": "басқа оқыту тілі", "ru": "другой язык обучения"},
}
YES_NO = {"kk": ("иә", "жоқ"), "ru": ("да", "нет")}


def anonymous_id(salt: str, application_id: str) -> str:
    return hmac.new(salt.encode(), application_id.encode(), hashlib.sha256).hexdigest()[:10]


@dataclass(frozen=True)
class Protocol:
    """The protocol in one language: its heading lines and its rows, ready for CSV or PDF."""

    language: str
    title: str
    heading: list[tuple[str, str]]
    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]


def protocol(record: dict[str, Any], language: str, names: dict[str, str] | None = None) -> Protocol:
    """The protocol of a recorded run (``services.allocation_runs.run_record``) in ``language``.

    ``names``: kindergarten id → its name in that language (the id is shown when missing).
    """
    if language not in LANGUAGES:
        raise ValueError(f"the protocol is in {LANGUAGES}, not {language!r}")
    names = names or {}
    salt = record["protocol_salt"]
    seats = {seat["seat_id"]: seat for seat in record["seats"]}
    people = {candidate["application_id"]: candidate for candidate in record["candidates"]}
    issued = {(item["seat_id"], item["application_id"]) for item in record.get("issued", [])}
    mode = record.get("mode", allocation.SERIAL)
    priorities = record.get("priorities", [])
    labels = HEADER[language]
    heading = [
        (labels[0], record["run_id"]),
        (labels[1], record["at"]),
        (labels[2], record["region"]),
        (labels[3], record["district"]),
        (labels[4], MODES[mode][language]),
        (labels[5], "; ".join(PRIORITIES[kind][language] for kind in priorities) or labels[6]),
    ]
    ordered = sorted(
        record["offers"],
        key=lambda o: (seats[o["seat_id"]]["kindergarten_id"], seats[o["seat_id"]]["group_id"], o["seat_id"]),
    )
    rows = []
    for number, offer in enumerate(ordered, start=1):
        seat = seats[offer["seat_id"]]
        candidate = people.get(offer["application_id"], {})
        category = TIERS.get(candidate.get("tier", "none"), TIERS["none"])[language]
        if offer.get("priority"):
            category += f"; {PRIORITIES[offer['priority']][language]}"
        reasons = Counter(passed["reason"] for passed in offer["passed_over"])
        why = "; ".join(
            f"{REASONS.get(reason, {}).get(language, reason)}: {count}" for reason, count in sorted(reasons.items())
        )
        rows.append(
            (
                str(number),
                names.get(seat["kindergarten_id"], seat["kindergarten_id"]),
                seat["group_id"],
                anonymous_id(salt, offer["application_id"]),
                category,
                str(offer["preference_rank"]) if offer["preference_rank"] is not None else "—",
                str(offer["passed_over_count"]),
                why,
                YES_NO[language][0 if (offer["seat_id"], offer["application_id"]) in issued else 1],
            )
        )
    return Protocol(language, TITLE[language], heading, COLUMNS[language], rows)
