"""The queue position explained: who is ahead by category, why the number moved, the wait estimate."""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from chalicelib import wiring
from chalicelib.domain.queue import ApplicationStatus
from tests.integration.directions.conftest import Portal, enqueue
from tests.integration.filing import Filing


def ahead_of(body: dict[str, Any]) -> dict[str, int]:
    return {row["category"]: row["ahead"] for row in body["ahead"] if row["ahead"] or row["served_first_behind"]}


def test_the_position_names_who_is_ahead_and_why_it_moved(filing: Filing, portal: Portal, clock, api, pki_people):
    # given, in Есіл's 2022 queue: a child without a benefit and a large family's child learning in
    # Kazakh, and a child learning in Russian, all registered before the parent's child
    at = clock.now() - timedelta(days=30)
    plain = enqueue(at=at, birth=date(2022, 3, 1))
    large = enqueue(at=at, birth=date(2022, 3, 2), benefit="large_family")
    enqueue(at=at, birth=date(2022, 3, 3), language="ru")
    status, mine = filing.file()
    assert status == 201, mine
    path = f"/applications/{mine['id']}/position"

    # when the parent opens the position
    status, first = filing.call("GET", path)

    # then the general number counts every child of the district and year; the pool only Kazakh ones
    assert status == 200, first
    assert first["general"] == 4 and first["benefit"] is None
    assert first["benefit_words"] == {"kk": "—", "ru": "—"}
    assert first["pool"] == {"ahead": 2, "size": 3}
    assert ahead_of(first) == {"large_family": 1, "none": 1}
    assert first["since_last_visit"] is None
    assert first["estimate"] == {"is_estimate": True, "months": None, "directions_last_12_months": 0, "waiting_for": 2}
    assert [point["general"] for point in first["history"]] == [4]

    # when № 12 opens a seat (the large family's child is served first and comes), the child
    # without a benefit is withdrawn, and an out-of-turn child registers after the parent's
    [number] = portal.publish("2022-kk")["allocation"]["issued"]
    assert portal.enrol(number)[0] == 200
    assert wiring.applications().get(large.id).status == "enrolled"
    wiring.applications().leave(plain.id, ApplicationStatus.WITHDRAWN, who="parent:x", why="moved", now=clock.now())
    enqueue(at=clock.now(), birth=date(2022, 5, 1), benefit="military")
    clock.advance(timedelta(days=1))
    status, second = filing.call("GET", path)

    # then the page says why the number moved since the last visit, and estimates the wait
    assert status == 200, second
    assert second["general"] == 2  # the Russian-language child is still ahead in the district's queue
    assert second["pool"] == {"ahead": 0, "size": 2}
    assert ahead_of(second) == {"military": 0}
    assert [row["served_first_behind"] for row in second["ahead"] if row["category"] == "military"] == [1]
    moved = second["since_last_visit"]
    assert moved["general_before"] == 4 and moved["general_now"] == 2
    assert (moved["directed"], moved["withdrawn"], moved["removed"], moved["priority_joined"]) == (1, 1, 0, 1)
    assert moved["benefit_approved"] is False
    # one direction to the pool in 12 months; one child served before: (1 + 1) / (1 / 12) months
    assert second["estimate"] == {"is_estimate": True, "months": 24, "directions_last_12_months": 1, "waiting_for": 1}
    assert [point["general"] for point in second["history"]] == [4, 2]

    # and another parent cannot read it
    other = Filing(api, pki_people["other_parent"])
    status, refused = other.call("GET", path)
    assert status == 403, refused
    assert refused["error"]["messages"]["kk"] and refused["error"]["messages"]["ru"]
    assert other.call("GET", "/applications/%D0%A3%D0%9E.2099.999999.1/position")[0] == 404


def test_a_child_out_of_the_queue_has_no_position(filing: Filing, api, pki_people):
    status, mine = filing.file()
    _, drafted = filing.call("POST", f"/applications/{mine['id']}/withdraw/draft", {"reason": "Көштік"})
    signed = api.sign(drafted["xml"], pki_people["parent"].sign).decode()
    assert filing.call("POST", f"/applications/{mine['id']}/withdraw", {"signed_xml": signed})[0] == 200
    status, body = filing.call("GET", f"/applications/{mine['id']}/position")
    assert status == 200 and body["in_queue"] is False and body["reason"] == "not_in_queue"


def registered_before_pools(app_id: str) -> None:
    """Put an application back as it was stored before the pools were kept: no ``pool_key``, in no pool."""
    from chalicelib.store.applications import Application
    from chalicelib.store.history import commit_writes

    repository = wiring.applications()
    app = repository.get(app_id)

    def writes(change) -> None:
        repository.index.leave(change, "pool", app.pool_key, app.seq)
        if app.pool_benefit_queue is not None:
            repository.index.leave(change, "pool-benefit", app.pool_benefit_queue, app.seq)
        change.update("application", app, [Application.pool_key.remove()])

    commit_writes(writes)


def test_the_backfill_counts_applications_registered_before_the_pools_once(filing: Filing, clock, api):
    from chalicelib.maintenance.position_pools import backfill, main

    # given, in Есіл's 2022 Kazakh queue, a large family's child and a child without a benefit,
    # both registered before the pools existed, and then the parent's child
    at = clock.now() - timedelta(days=30)
    large = enqueue(at=at, birth=date(2022, 3, 2), benefit="large_family")
    plain = enqueue(at=at, birth=date(2022, 3, 1))
    status, mine = filing.file()
    assert status == 201, mine
    for app in (large, plain, wiring.applications().get(mine["id"])):
        registered_before_pools(app.id)
    path = f"/applications/{mine['id']}/position"
    status, before = filing.call("GET", path)
    assert status == 200 and before["in_queue"] is False and before["reason"] == "not_counted", before

    # when the operator counts them first without changing anything, then for real
    assert main(["--dry-run"]) == 0
    assert wiring.applications().get(mine["id"]).pool_key is None
    done = backfill(wiring.applications())

    # then every application of the queue is in its pool, and the position is explained
    assert (done.found, done.counted, done.unchanged) == (3, 3, 0), done
    status, after = filing.call("GET", path)
    assert status == 200 and after["in_queue"] is True, after
    assert after["general"] == 3 and after["pool"] == {"ahead": 2, "size": 3}
    assert ahead_of(after) == {"large_family": 1, "none": 1}
    # and the change history tells it in one sentence
    _, history = filing.call("GET", f"/applications/{mine['id']}/history")
    assert any("учтён в очереди своей группы" in json.dumps(item, ensure_ascii=False) for item in history["items"])

    # when it runs again, nothing is counted twice
    again = backfill(wiring.applications())
    assert (again.found, again.counted) == (0, 0), again
    status, still = filing.call("GET", path)
    assert still["pool"] == {"ahead": 2, "size": 3}
    # and a child who left the queue is not put in a pool
    wiring.applications().leave(plain.id, ApplicationStatus.WITHDRAWN, who="parent:x", why="moved", now=clock.now())
    assert backfill(wiring.applications()).found == 0
