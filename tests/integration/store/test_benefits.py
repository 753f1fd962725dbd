"""Benefit claims: an approved benefit gives a number in its category; changes keep the general number."""

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.queue import ApplicationStatus, BenefitStatus
from chalicelib.store.applications import ApplicationRepository
from tests.integration.store.conftest import NOW

OPERATOR = "operator:870101300123"


def test_a_claimed_benefit_counts_only_once_an_operator_approves_it(repo: ApplicationRepository, submit):
    # given a child of a large family registered after a child without a benefit
    submit(district="claims")
    app = submit(district="claims", benefit="large_family")
    assert app.benefit_status == BenefitStatus.PENDING
    assert repo.queue_numbers(app).benefit is None

    # when an operator approves the documents
    approved = repo.decide_benefit(app.id, approve=True, who=OPERATOR, now=NOW)

    # then the child is first in the category and keeps the general number
    assert repo.queue_numbers(approved) == repo.queue_numbers(repo.get(app.id))
    numbers = repo.queue_numbers(approved)
    assert (numbers.general, numbers.benefit) == (2, 1)
    assert repo.history(app.id)[-1].event == "application.benefit_approved"


def test_a_refused_claim_keeps_the_reason_and_no_benefit_number(repo, submit):
    app = submit(district="refused", benefit="orphans")

    refused = repo.decide_benefit(app.id, approve=False, who=OPERATOR, now=NOW, why="the scan is illegible")

    assert (refused.benefit_status, refused.benefit_reason) == ("refused", "the scan is illegible")
    assert repo.queue_numbers(refused).benefit is None
    with pytest.raises(Conflict) as again:
        repo.decide_benefit(app.id, approve=True, who=OPERATOR, now=NOW)
    assert again.value.code == "benefit_not_pending"


def test_changing_the_benefit_keeps_the_general_number_and_the_registration_order(repo, submit):
    # given three children with an approved large-family benefit, and one orphan registered in between
    first = submit(district="change", benefit="large_family", benefit_status="approved")
    orphan = submit(district="change", benefit="orphans", benefit_status="approved")
    middle = submit(district="change", benefit="large_family", benefit_status="approved")
    last = submit(district="change", benefit="large_family", benefit_status="approved")
    assert repo.queue_numbers(middle).benefit == 2

    # when the middle child's benefit changes to "orphans" and is approved
    repo.change_benefit(middle.id, "orphans", who="parent:x", now=NOW, document_keys=["uploads/orphan.jpg"])
    pending = repo.get(middle.id)
    assert (pending.benefit_status, pending.benefit_document_keys) == ("pending", ["uploads/orphan.jpg"])
    assert repo.queue_numbers(pending).benefit is None
    repo.decide_benefit(middle.id, approve=True, who=OPERATOR, now=NOW)

    # then the general numbers are unchanged, and each category is in registration order
    assert [repo.queue_numbers(repo.get(a.id)).general for a in (first, orphan, middle, last)] == [1, 2, 3, 4]
    assert repo.queue_numbers(repo.get(middle.id)).benefit == 2  # behind the earlier orphan
    assert repo.queue_numbers(last).benefit == 2  # moved up in large families
    assert repo.queue_size(last.benefit_queue) == 2


def test_dropping_the_benefit_leaves_the_category_at_once(repo, submit):
    app = submit(district="drop", benefit="large_family", benefit_status="approved")
    behind = submit(district="drop", benefit="large_family", benefit_status="approved")

    dropped = repo.change_benefit(app.id, None, who="parent:x", now=NOW)

    assert (dropped.benefit_category, dropped.benefit_status) == (None, "none")
    assert repo.queue_numbers(dropped).benefit is None
    assert repo.queue_numbers(behind).benefit == 1
    [change] = [r for r in repo.history(app.id) if r.event == "application.benefit_changed"]
    assert (change.from_state, change.to_state) == ("approved:large_family", "none:none")


def test_leaving_the_queue_leaves_the_benefit_category_too(repo, submit):
    app = submit(district="both", benefit="large_family", benefit_status="approved")
    behind = submit(district="both", benefit="large_family", benefit_status="approved")

    repo.leave(app.id, ApplicationStatus.ENROLLED, who="kindergarten:123", why="enrolled", now=NOW)

    numbers = repo.queue_numbers(behind)
    assert (numbers.general, numbers.benefit) == (1, 1)
    with pytest.raises(Conflict):
        repo.change_benefit(app.id, "orphans", who="parent:x", now=NOW)


def test_operators_see_the_claims_waiting_in_their_district_oldest_first(repo, submit):
    # given claims in two districts of Astana, one of them already decided, and one without a benefit
    from datetime import timedelta

    first = submit(district="esil", benefit="orphans")
    decided = submit(district="esil", benefit="orphans", at=NOW + timedelta(minutes=1))
    later = submit(district="esil", benefit="large_family", at=NOW + timedelta(minutes=2))
    elsewhere = submit(district="almaty", benefit="orphans")
    submit(district="esil")
    repo.decide_benefit(decided.id, approve=True, who=OPERATOR, now=NOW)

    # then the district's operators see the two undecided claims, the region's all three
    assert [app.id for app in repo.pending_benefit_checks("astana", "esil")] == [first.id, later.id]
    assert {app.id for app in repo.pending_benefit_checks("astana")} == {first.id, later.id, elsewhere.id}

    # and a withdrawn application's claim leaves the list
    repo.leave(first.id, ApplicationStatus.WITHDRAWN, who="parent:x", why="moved", now=NOW)
    assert [app.id for app in repo.pending_benefit_checks("astana", "esil")] == [later.id]
