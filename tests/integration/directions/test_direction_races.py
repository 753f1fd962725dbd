"""Racing allocations, sweeps and parents never give a seat twice, nor a child two live directions.

The races run on real threads against moto answering one request at a time (as DynamoDB applies
each request atomically); the threads interleave between requests as racing Lambdas would.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier
from typing import Any

from chalicelib import wiring
from chalicelib.domain.errors import DomainError
from chalicelib.domain.principal import Principal, Role
from chalicelib.store.directions import Direction
from chalicelib.store.history import HistoryRepository
from chalicelib.store.vacancies import SeatItem, SeatRepository, free_key, seat_ids
from tests.integration.directions.conftest import ESIL_12, ESIL_63, Portal, enqueue


def race(count: int, action: Callable[[int], Any]) -> list[Any]:
    """``action(i)`` on ``count`` threads released together; each outcome is a result or a refusal."""
    start = Barrier(count)

    def attempt(i: int) -> Any:
        start.wait()
        try:
            return action(i)
        except DomainError as refused:
            return refused

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


def put_seats(count: int, kindergarten: str = ESIL_12, group: str = "2022-kk", *, now) -> list[str]:
    """Seats published straight into the store (no allocation yet), as a publication leaves them."""
    ids = seat_ids(f"Prace{kindergarten[-3:]}", count)
    SeatRepository().publish(
        [
            SeatItem(
                seat_id,
                publication_id=f"Prace{kindergarten[-3:]}",
                kindergarten_id=kindergarten,
                group_id=group,
                region="astana",
                district="esil",
                cohort=2022,
                language="kk",
                free_key=free_key("queue", "astana", "esil"),
                published_at=now,
                published_by="kindergarten:test",
                status_at=now,
            )
            for seat_id in ids
        ]
    )
    return ids


def all_directions() -> list[Direction]:
    return list(Direction.by_kindergarten.query(ESIL_12)) + list(Direction.by_kindergarten.query(ESIL_63))


def test_allocations_racing_over_the_same_seats_give_each_seat_once(atomic, api, clock, seeded):
    # given six children in one queue and four free seats nobody was offered yet
    now = clock.now()
    children = [enqueue(at=now - timedelta(hours=10 - i)) for i in range(6)]
    seats = put_seats(4, now=now)
    service = wiring.direction_service()

    # when three allocations run at the same moment
    runs = race(3, lambda i: service.allocate("astana", "esil"))

    # then every seat went to exactly one child, the four first in the queue, one direction each
    directions = all_directions()
    assert sorted(d.seat_id for d in directions) == sorted(seats)
    assert Counter(d.application_id for d in directions).most_common(1)[0][1] == 1
    assert {d.application_id for d in directions} == {c.id for c in children[:4]}
    assert sum(len(run.issued) for run in runs) == 4
    for direction in directions:
        assert SeatRepository().get(direction.seat_id).direction_number == direction.number
        assert wiring.applications().get(direction.application_id).live_direction_id == direction.number

    # and every run, as it saw the queue, was fair
    operator = Principal("850415306547", "Теміров Асхат", Role.EDUCATION_DEPARTMENT, "x", region="astana")
    for run in runs:
        assert service.audit(operator, run.run_id)["violations"] == []


def test_expiry_sweeps_racing_lapse_each_direction_once(atomic, api, clock, seeded, keys):
    # given three children with directions whose deadline has passed
    now = clock.now()
    children = [enqueue(at=now - timedelta(hours=5 - i)) for i in range(3)]
    assert len(Portal(api, keys[ESIL_12]).publish("2022-kk", seats=3)["allocation"]["issued"]) == 3
    clock.advance(timedelta(days=10))
    service = wiring.direction_service()

    # when three sweeps run at once
    counts = race(3, lambda i: service.expire_due())

    # then each direction lapsed once: one miss each, every seat free again
    assert sum(c["expired"] for c in counts) == 3
    for child in children:
        assert wiring.applications().get(child.id).missed_directions == 1
    for direction in all_directions():
        assert direction.status == "expired"
        assert SeatRepository().get(direction.seat_id).status == "free"
        events = [r.event for r in HistoryRepository().for_subject("direction", direction.number)]
        assert events.count("direction.expired") == 1


def test_a_revocation_racing_an_enrolment_ends_the_direction_once(atomic, api, clock, seeded, keys):
    # given a child with a direction to № 12
    child = enqueue(at=clock.now() - timedelta(hours=1))
    [number] = Portal(api, keys[ESIL_12]).publish("2022-kk")["allocation"]["issued"]
    parent = Principal(child.applicant_iin, "Кезекбаева Ана", Role.PARENT, "x")
    kindergarten = wiring.partner_keys().principal(f"Bearer {keys[ESIL_12]}")
    service = wiring.direction_service()

    # when the parent revokes it while the kindergarten confirms the enrolment
    outcomes = race(
        2, lambda i: service.revoke(parent, number) if i == 0 else service.enrol(kindergarten, number)
    )

    # then exactly one of them happened, and the seat and the queue agree with it
    done = [o for o in outcomes if not isinstance(o, DomainError)]
    assert len(done) == 1
    direction = wiring.direction_service().directions.find(number)
    seat = SeatRepository().get(direction.seat_id)
    application = wiring.applications().get(child.id)
    if direction.status == "revoked":
        assert seat.status == "free" and application.status == "active"
    else:
        assert direction.status == "enrolled" and seat.status == "taken" and application.status == "enrolled"
    assert application.live_direction_id is None


def test_every_allocation_of_a_busy_district_audits_clean(api, clock, operator, seeded):
    # given a district queue of every kind: benefits of both tiers, two languages, other preferences
    now = clock.now()
    plan = [
        ({}, 40),
        ({"benefit": "large_family"}, 39),
        ({"preferences": (ESIL_63, ESIL_12)}, 38),
        ({"benefit": "military"}, 30),
        ({"language": "ru"}, 29),
        ({}, 20),
        ({"benefit": "large_family", "preferences": (ESIL_63,)}, 19),
        ({}, 18),
        ({}, 10),
        ({"language": "ru", "preferences": (ESIL_12, ESIL_63)}, 9),
        ({}, 5),
    ]
    for fields, hours_ago in plan:
        enqueue(at=now - timedelta(hours=hours_ago), **fields)

    # when three publications are allocated one after another
    run_ids = []
    for kindergarten, group, seats in ((ESIL_12, "2022-kk", 3), (ESIL_63, "2022-kk", 2), (ESIL_12, "2022-ru", 1)):
        body = {"kindergarten_id": kindergarten, "group_id": group, "seats": seats}
        status, published = api.call("POST", "/operator/vacancies", body, operator)
        assert status == 201, published
        assert len(published["allocation"]["issued"]) == seats
        run_ids.append(published["allocation"]["run_id"])

    # then the audit of each replays it and finds no child skipped
    for run_id in run_ids:
        status, audit = api.call("GET", f"/operator/allocations/{run_id}/audit", token=operator)
        assert status == 200 and audit["violations"] == [], audit
