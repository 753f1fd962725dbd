"""The kindergartens' events beyond issue and enrolment: a vacancy filled, a child who left holding a
direction (withdrawn, removed, school age), a contract cancelled with its direction.

Each reaches the portal's receiver once (verified with ``standardwebhooks``), in order.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from chalicelib import wiring
from chalicelib.domain.queue import ApplicationStatus
from chalicelib.domain.webhooks import event_schemas
from chalicelib.store.directions import Direction
from chalicelib.store.vacancies import SeatItem
from infra.local.receiver import ReceiverServer
from tests.integration.contracts.conftest import BALAPAN, Wizard
from tests.integration.jobs.conftest import Portal, enqueue, pending_or_dead, settle
from tests.integration.jobs.test_webhooks import register


def got(receiver: ReceiverServer) -> list[tuple[str, dict[str, Any]]]:
    return [(r.type, r.data) for r in receiver.state.received]


def schema_valid(receiver: ReceiverServer) -> None:
    """Every body received is valid under its published JSON Schema."""
    import jsonschema

    schemas = event_schemas()
    for r in receiver.state.received:
        jsonschema.validate({"type": r.type, "timestamp": r.timestamp, "data": r.data}, schemas[r.type])


def all_done() -> None:
    assert pending_or_dead() == []


def test_a_vacancy_filled_is_told_once_each_time_its_last_seat_goes(
    api, clock, portal: Portal, receiver: ReceiverServer
):
    # given № 12's endpoint and three children in the queue
    register(portal, receiver)
    children = [enqueue(at=clock.now() - timedelta(days=3, hours=i)) for i in range(3)]
    # when it publishes two seats: the two first children get them
    published = portal.publish("2022-kk", seats=2)
    first, second = published["allocation"]["issued"]
    settle(clock)
    # then the receiver got the publication, both directions and one "filled", after the publication
    types = [t for t, _ in got(receiver)]
    assert types.count("vacancy.filled") == 1 and types.count("vacancy.published") == 1
    assert types.index("vacancy.published") < types.index("vacancy.filled")
    [filled] = [d for t, d in got(receiver) if t == "vacancy.filled"]
    [announced] = [d for t, d in got(receiver) if t == "vacancy.published"]
    assert filled == {**announced, "seats": 2} and filled["channel"] == "queue"

    # when the first child is withdrawn holding its direction, the seat is free: not filled any more
    holder = wiring.direction_service().directions.find(first)
    wiring.applications().leave(
        holder.application_id, ApplicationStatus.WITHDRAWN, who="parent:x", why="moved", now=clock.now()
    )
    settle(clock)
    assert SeatItem.get(holder.seat_id).status == "free"
    # and the next allocation gives it to the third child: filled again
    run = wiring.direction_service().allocate("astana", "esil")
    [third] = [d.number for d in run.issued]
    settle(clock)
    sequence = [(t, d.get("number")) for t, d in got(receiver)]
    tail = sequence[sequence.index(("direction.child_left", first)) :]
    # (events of different directions and of the vacancy are ordered each on its own)
    assert tail[0] == ("direction.child_left", first)
    assert sorted(tail[1:], key=str) == [("direction.issued", third), ("vacancy.filled", None)]
    assert {d.application_id for d in Direction.scan()} == {c.id for c in children}
    assert second != third
    assert receiver.state.duplicates == 0 and receiver.state.refused == 0
    schema_valid(receiver)
    all_done()


@pytest.mark.parametrize(
    ("status", "why"),
    [
        (ApplicationStatus.WITHDRAWN, "withdrawn_by_parent"),
        (ApplicationStatus.REMOVED, "interest_not_confirmed"),
        (ApplicationStatus.AGED_OUT, "school_age"),
    ],
)
def test_a_child_who_leaves_the_queue_holding_a_direction_frees_the_seat_and_the_portal_is_told(
    api, clock, portal: Portal, receiver: ReceiverServer, status: ApplicationStatus, why: str
):
    # given a child holding a direction to № 12, whose portal listens
    register(portal, receiver)
    child = enqueue(at=clock.now() - timedelta(days=3))
    [number] = portal.publish("2022-kk", seats=1)["allocation"]["issued"]
    # when the child leaves the queue (the parent's withdrawal, a removal, school age)
    wiring.applications().leave(child.id, status, who="system", why=why, now=clock.now())
    # and the worker runs twice over (a second run changes nothing)
    settle(clock)
    settle(clock, rounds=1)
    # then the direction ended, its seat is free and the portal got "child left" once, after "issued"
    direction = wiring.direction_service().directions.find(number)
    assert direction.status == "revoked" and SeatItem.get(direction.seat_id).status == "free"
    mine = [(t, d["reason"]) for t, d in got(receiver) if d.get("number") == number]
    assert mine == [("direction.issued", None), ("direction.child_left", "child_left_queue")]
    assert receiver.state.duplicates == 0
    all_done()


def test_a_contract_the_kindergarten_holds_is_cancelled_when_the_child_leaves(
    api, clock, wizard: Wizard, balapan: Portal, receiver: ReceiverServer
):
    # given «Балапан»'s endpoint, and the parent's contract signed and sent to it
    register(balapan, receiver, kindergarten=BALAPAN)
    assert wizard.start()[0] == 201
    wizard.through_step5()
    status, body = wizard.send()
    assert status == 200, body
    # when the parent withdraws the child
    _, drafted = wizard.filing.call(
        "POST", f"/applications/{wizard.application_id}/withdraw/draft", {"reason": "Көшіп кеттік"}
    )
    signed = api.sign(drafted["xml"], wizard.person.sign).decode()
    status, left = wizard.filing.call(
        "POST", f"/applications/{wizard.application_id}/withdraw", {"signed_xml": signed}
    )
    assert status == 200, left
    settle(clock)
    # then the portal is told the contract is cancelled, after it was sent, with the reason, once
    contract = [(t, d) for t, d in got(receiver) if t.startswith("contract.")]
    assert [t for t, _ in contract] == ["contract.sent", "contract.cancelled"]
    cancelled = contract[-1][1]
    assert cancelled["number"] == wizard.number and cancelled["direction_number"] == wizard.direction
    assert cancelled["from_state"] == "sent" and cancelled["to_state"] == "cancelled"
    assert cancelled["reason"] == "child_left_queue"
    directions = [t for t, d in got(receiver) if d.get("number") == wizard.direction]
    assert directions[-1] == "direction.child_left"
    # and the contract's own history records it; the card shows it cancelled
    history = wiring.contract_service().contracts.history(wizard.number)
    assert [r.event for r in history][-1] == "contract.cancelled"
    assert wizard.get()["status"] == "cancelled"
    assert receiver.state.duplicates == 0
    schema_valid(receiver)
    all_done()
