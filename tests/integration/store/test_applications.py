"""Registering, reading, linking and leaving: what a parent and an operator see."""

from datetime import date, timedelta

import pytest

from chalicelib.domain.errors import Conflict, InvalidInput, NotFound
from chalicelib.domain.iin import make_iin
from chalicelib.domain.queue import ApplicationStatus, RegistrationNumber, TimerKind
from chalicelib.store.applications import ApplicationRepository
from chalicelib.store.history import HistoryRepository
from tests.integration.store.conftest import NOW, PARENT_IIN, new_application

OTHER_PARENT = make_iin(date(1988, 7, 9), "male", 4321)


def test_a_registered_application_has_a_number_a_queue_place_a_timer_and_a_history(repo, submit):
    # when a parent registers a child
    app = submit(district="first")

    # then it has a registration number of this year, the first place, and its first timer
    number = RegistrationNumber.parse(app.id)
    assert number.year == 2026 and number.edition == 1
    assert repo.queue_numbers(app).general == 1
    assert repo.queue_numbers(app).benefit is None
    assert app.status == ApplicationStatus.ACTIVE and app.status_at == app.registered_at == NOW
    assert app.timer_kind == TimerKind.REMINDER and app.timer_days == 30
    # and the change history tells who registered it and when
    [record] = repo.history(app.id)
    assert (record.event, record.who, record.at, record.to_state) == (
        "application.registered",
        f"parent:{PARENT_IIN}",
        NOW,
        "active",
    )


def test_registration_numbers_follow_each_other(submit):
    first, second = submit(), submit()

    assert RegistrationNumber.parse(second.id).serial == RegistrationNumber.parse(first.id).serial + 1


def test_a_child_already_in_the_regions_queue_is_refused(repo, submit):
    # given a child in the queue of Astana
    app = submit(district="esil")

    # when the same child is registered again in another district of the same region
    with pytest.raises(Conflict) as refused:
        submit(district="almaty", child=app.child_iin)

    # then it is refused, naming the active application, and nothing else was registered
    assert refused.value.code == "child_already_in_queue"
    assert refused.value.details == {"application_id": app.id}
    assert [mine.id for mine in repo.list_for_parent(PARENT_IIN)] == [app.id]


def test_the_same_child_may_stand_in_another_regions_queue(submit):
    app = submit(region="astana")

    assert submit(region="almaty", district="bostandyq", child=app.child_iin).status == "active"


def test_after_leaving_the_queue_the_child_may_be_registered_again(repo, submit):
    # given a child whose application was withdrawn
    app = submit(district="again")
    repo.leave(app.id, ApplicationStatus.WITHDRAWN, who=f"parent:{PARENT_IIN}", why="mistake", now=NOW)

    # when the child is registered again
    again = submit(district="again", child=app.child_iin, at=NOW + timedelta(hours=1))

    # then the new application stands at the end of the queue as of its own registration
    assert again.id != app.id
    assert repo.queue_numbers(again).general == 1


def test_a_child_of_school_age_or_with_too_many_kindergartens_is_refused(repo):
    with pytest.raises(InvalidInput) as aged:
        repo.create(new_application(birth=date(2019, 3, 1)), who="parent:x", now=NOW)
    too_many = new_application()
    too_many.preferences = ["kg-1", "kg-2", "kg-3", "kg-4"]
    with pytest.raises(InvalidInput) as many:
        repo.create(too_many, who="parent:x", now=NOW)

    assert aged.value.code == "child_of_school_age"
    assert many.value.code == "too_many_preferences"


def test_leaving_twice_is_refused_and_leaves_the_first_outcome(repo, submit):
    # given an application removed by an operator
    app = submit(district="twice")
    repo.leave(app.id, ApplicationStatus.REMOVED, who="operator:1", why="missed directions", now=NOW)

    # when the parent tries to withdraw it afterwards
    with pytest.raises(Conflict) as refused:
        repo.leave(app.id, ApplicationStatus.WITHDRAWN, who=f"parent:{PARENT_IIN}", why="late", now=NOW)

    # then it is refused and the application keeps the operator's removal
    assert refused.value.code == "application_not_in_queue"
    stored = repo.get(app.id)
    assert (stored.status, stored.status_reason, stored.timer_kind, stored.in_queue) == (
        "removed",
        "missed directions",
        None,
        None,
    )
    assert [(r.from_state, r.to_state, r.why) for r in repo.history(app.id)][1:] == [
        ("active", "removed", "missed directions")
    ]


def test_an_unknown_application_is_not_found(repo):
    with pytest.raises(NotFound):
        repo.get("УО.2026.999999.1")


def test_the_journal_shows_the_parents_applications_newest_first(repo):
    # given two applications of one parent and one of another
    older = repo.create(new_application(), who="parent:x", now=NOW)
    newer = repo.create(new_application(), who="parent:x", now=NOW + timedelta(minutes=5))
    repo.create(new_application(parent_iin=OTHER_PARENT), who="parent:y", now=NOW)

    # then the parent's journal lists theirs only, newest first
    assert [app.id for app in repo.list_for_parent(PARENT_IIN)] == [newer.id, older.id]
    assert repo.list_for_parent("000000000000") == []


def test_the_other_parent_can_link_the_application_to_their_iin(repo, submit):
    # given an application filed by the mother
    app = submit()

    # when the father links it to his IIN (twice: the second time changes nothing)
    linked = repo.link_parent(app.id, OTHER_PARENT, who=f"parent:{OTHER_PARENT}", now=NOW)
    repo.link_parent(app.id, OTHER_PARENT, who=f"parent:{OTHER_PARENT}", now=NOW)

    # then he sees it in his journal, and the history says so once
    assert linked.visible_to(OTHER_PARENT) and linked.visible_to(PARENT_IIN)
    assert [mine.id for mine in repo.list_for_parent(OTHER_PARENT)] == [app.id]
    assert [r.event for r in repo.history(app.id)].count("application.parent_linked") == 1


def test_every_status_change_writes_its_e_government_job_and_nothing_waits_in_the_outbox(
    repo: ApplicationRepository, submit
):
    # given a registration and a withdrawal today
    app = submit(district="outbox")
    repo.leave(app.id, ApplicationStatus.WITHDRAWN, who=f"parent:{PARENT_IIN}", why="moved", now=NOW)

    # then each wrote its egov.status job in its own transaction, for its own history record
    from chalicelib.store.jobs import Job

    records = {f"{r.subject}#{r.entry}": r.event for r in repo.history(app.id)}
    jobs = [j for j in Job.scan() if j.kind == "egov.status" and j.subject == f"application#{app.id}"]
    assert sorted(records[j.id.split(":", 1)[1]] for j in jobs) == ["application.left", "application.registered"]
    assert sorted(j.payload["status"] for j in jobs) == ["accepted", "withdrawn"]
    # and the application's records are not left in the history's outbox
    assert [r for r in HistoryRepository().pending(NOW.date().isoformat()) if r.subject_id == app.id] == []
