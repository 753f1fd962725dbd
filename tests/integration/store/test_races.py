"""Races: two submissions, two withdrawals, many children at once — the invariants hold.

Requests run on real threads against moto, one request at a time (as DynamoDB applies each
request atomically); the threads interleave between requests as racing Lambdas would.
"""

from concurrent.futures import ThreadPoolExecutor
from datetime import date
from threading import Barrier

from chalicelib.domain.errors import Conflict
from chalicelib.domain.queue import ApplicationStatus
from chalicelib.store.applications import ApplicationRepository
from tests.integration.store.conftest import NOW, PARENT_IIN, child_iin, new_application


def race(count: int, action):
    """Run ``action(i)`` on ``count`` threads released together; outcomes are results or errors."""
    start = Barrier(count)

    def attempt(i: int):
        start.wait()
        try:
            return action(i)
        except Conflict as refused:
            return refused

    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(attempt, range(count)))


def test_two_submissions_of_the_same_child_racing_leave_exactly_one_application(repo: ApplicationRepository):
    # given one child submitted from four browsers at the same moment
    child = child_iin(date(2023, 5, 4))

    # when the submissions race
    outcomes = race(
        4,
        lambda i: repo.create(new_application(child=child, district=f"d{i % 2}"), who=f"parent:{PARENT_IIN}", now=NOW),
    )

    # then exactly one is registered; the others are refused naming it
    registered = [o for o in outcomes if not isinstance(o, Conflict)]
    refused = [o for o in outcomes if isinstance(o, Conflict)]
    assert len(registered) == 1 and len(refused) == 3
    assert {r.code for r in refused} == {"child_already_in_queue"}
    assert {r.details["application_id"] for r in refused} == {registered[0].id}
    # and only that one is in a queue and in the journal
    assert [app.id for app in repo.list_for_parent(PARENT_IIN)] == [registered[0].id]
    assert repo.queue_numbers(registered[0]).general == 1


def test_children_joining_at_once_get_distinct_consecutive_places(repo: ApplicationRepository):
    # when eight different children join one queue at the same moment
    apps = race(8, lambda i: repo.create(new_application(district="rush"), who="parent:x", now=NOW))

    # then their numbers are 1..8, in the order of their sequence numbers
    numbers = {app.seq: repo.queue_numbers(app).general for app in apps}
    assert [numbers[seq] for seq in sorted(numbers)] == list(range(1, 9))
    assert repo.queue_size(apps[0].queue_key) == 8


def test_a_withdrawal_and_a_removal_racing_change_the_application_once(repo: ApplicationRepository):
    # given an application behind two others
    ahead = [repo.create(new_application(district="once"), who="parent:x", now=NOW) for _ in range(2)]
    app = repo.create(new_application(district="once"), who="parent:x", now=NOW)

    # when the parent withdraws it while an operator removes it
    outcomes = race(
        2,
        lambda i: repo.leave(
            app.id, [ApplicationStatus.WITHDRAWN, ApplicationStatus.REMOVED][i], who=f"actor:{i}", why="race", now=NOW
        ),
    )

    # then one of them wins, the other is told it is no longer in the queue
    winners = [o for o in outcomes if not isinstance(o, Conflict)]
    assert len(winners) == 1
    assert [o.code for o in outcomes if isinstance(o, Conflict)] == ["application_not_in_queue"]
    # and the queue counted the departure once
    assert repo.queue_size(app.queue_key) == 2
    assert [repo.queue_numbers(a).general for a in ahead] == [1, 2]
    assert [r.event for r in repo.history(app.id)] == ["application.registered", "application.left"]
