"""Queue numbers stay exact while children join and leave, and the people behind move up at once."""

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from chalicelib.domain.queue import ApplicationStatus
from chalicelib.store.applications import ApplicationRepository
from tests.integration.store.conftest import NOW, new_application

_districts = itertools.count(1)

# a step: join (with or without a benefit), or leave: the n-th active application (modulo)
steps = st.lists(
    st.one_of(
        st.tuples(st.just("join"), st.sampled_from([None, "large_family", "orphans"])),
        st.tuples(st.just("leave"), st.integers(min_value=0, max_value=1000)),
    ),
    min_size=1,
    max_size=16,
)


def naive_numbers(active: list, app) -> tuple[int, int | None]:
    """What a person counting by hand would say: those registered earlier, in the queue and category."""
    general = 1 + sum(1 for other in active if other.seq < app.seq)
    if app.benefit_queue is None:
        return general, None
    return general, 1 + sum(1 for other in active if other.benefit_queue == app.benefit_queue and other.seq < app.seq)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps)
def test_queue_numbers_equal_a_naive_count_after_any_joins_and_leaves(repo: ApplicationRepository, plan):
    # given an empty queue (a district of its own) spread over many small chunks
    district = f"d{next(_districts)}"
    active: list = []
    for action, argument in plan:
        # when a child joins (benefits approved at once) or an active application leaves
        if action == "join":
            status = "approved" if argument else None
            active.append(
                repo.create(
                    new_application(district=district, benefit=argument, benefit_status=status),
                    who="operator:test",
                    now=NOW,
                )
            )
        elif active:
            leaving = active.pop(argument % len(active))
            repo.leave(leaving.id, ApplicationStatus.WITHDRAWN, who="parent:test", why="test", now=NOW)

        # then every active application's numbers equal the naive count
        for app in active:
            numbers = repo.queue_numbers(app)
            assert (numbers.general, numbers.benefit) == naive_numbers(active, app)
    assert repo.queue_size(active[0].queue_key if active else "none") == len(active)


def test_when_someone_ahead_withdraws_everyone_behind_moves_up_at_once(repo, submit):
    # given five children in one queue
    apps = [submit(district="moves-up") for _ in range(5)]
    assert [repo.queue_numbers(app).general for app in apps] == [1, 2, 3, 4, 5]

    # when the second withdraws
    repo.leave(apps[1].id, ApplicationStatus.WITHDRAWN, who="parent:test", why="moved away", now=NOW)

    # then the next read shows the ones behind one place further ahead, and the leaver has no number
    assert [repo.queue_numbers(app).general for app in apps] == [1, None, 2, 3, 4]


def test_queues_of_other_districts_and_birth_years_do_not_count(repo, submit):
    # given children of another district and another birth year registered first
    from datetime import date

    submit(district="other")
    submit(district="mine", birth=date(2022, 1, 1))
    mine = submit(district="mine")

    # then the child is first in their own queue
    assert repo.queue_numbers(mine).general == 1


def test_numbers_are_read_live_not_kept_on_the_application(repo, submit):
    # given an application read before someone ahead of it left
    first, second = submit(district="live"), submit(district="live")
    read_before = repo.get(second.id)
    repo.leave(first.id, ApplicationStatus.REMOVED, who="operator:test", why="test", now=NOW)

    # then its numbers are those of now
    assert repo.queue_numbers(read_before).general == 1
