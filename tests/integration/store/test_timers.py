"""Interest confirmation: reminders, removal, school age — and a sweep that reads only what is due."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

from bench.metering import metered
from chalicelib.domain.queue import ApplicationStatus, TimerKind, add_months
from chalicelib.store.applications import TIMER_SWEEP, ApplicationRepository
from tests.integration.store.conftest import NOW

DEADLINE = add_months(NOW, 12)


def sweep(repo: ApplicationRepository, now):
    """What the scheduled function does: carry out every due timer."""
    return [fired for app in repo.due(now) if (fired := repo.fire(app, now)) is not None]


def test_a_parent_who_never_confirms_is_reminded_three_times_then_removed(repo, submit):
    # given a child registered now, and another registered two days later
    app = submit(district="lapse")
    behind = submit(district="lapse", at=NOW + timedelta(days=2))

    # when the sweeps run every day of the last five weeks and nobody confirms
    fired = []
    day = DEADLINE - timedelta(days=35)
    while day <= DEADLINE + timedelta(days=1):
        fired += [(f.application.id, f.kind, f.days_before) for f in sweep(repo, day)]
        day += timedelta(days=1)

    # then each parent had reminders 30, 7 and 1 days before, then the removal
    mine = [(kind, days) for app_id, kind, days in fired if app_id == app.id]
    assert mine == [(TimerKind.REMINDER, 30), (TimerKind.REMINDER, 7), (TimerKind.REMINDER, 1), (TimerKind.LAPSE, None)]
    removed = repo.get(app.id)
    assert (removed.status, removed.status_reason, removed.due_bucket) == ("removed", "interest_not_confirmed", None)
    assert repo.queue_numbers(behind).general == 1
    events = [(r.event, r.who, (r.details or {}).get("days_before")) for r in repo.history(app.id)]
    assert events == [
        ("application.registered", "parent:900101412344", None),
        ("application.interest_reminder", "system", 30),
        ("application.interest_reminder", "system", 7),
        ("application.interest_reminder", "system", 1),
        ("application.left", "system", None),
    ]


def test_confirming_interest_moves_the_deadline_a_year_from_the_confirmation(repo, submit):
    # given a parent reminded a month before the deadline
    app = submit(district="confirm")
    reminder_30 = DEADLINE - timedelta(days=30)
    assert [f.days_before for f in sweep(repo, reminder_30)] == [30]

    # when the parent confirms interest a week later
    confirmed_at = reminder_30 + timedelta(days=7)
    confirmed = repo.confirm_interest(app.id, who="parent:x", now=confirmed_at)

    # then nothing more happens at the old deadline, and the next reminder is a year after confirming
    assert sweep(repo, DEADLINE + timedelta(days=1)) == []
    assert confirmed.last_confirmed_at == confirmed_at
    next_reminder = add_months(confirmed_at, 12) - timedelta(days=30)
    assert (confirmed.timer_kind, confirmed.due_at) == ("interest_reminder", next_reminder)
    assert repo.get(app.id).status == "active"
    assert repo.history(app.id)[-1].event == "application.interest_confirmed"


def test_a_child_who_reaches_school_age_leaves_the_queue_on_the_birthday(repo, submit):
    # given a child who turns seven on 1 June 2026 (local midnight is 19:00 UTC the day before)
    app = submit(district="school", birth=date(2019, 6, 1))
    behind = submit(district="school")
    assert app.timer_kind == TimerKind.SCHOOL_AGE

    # when the sweep runs just before and just after the birthday begins
    before = sweep(repo, app.due_at - timedelta(minutes=1))
    after = sweep(repo, app.due_at + timedelta(minutes=1))

    # then the child leaves exactly once, and the next child moves up
    assert before == [] and [f.kind for f in after] == [TimerKind.SCHOOL_AGE]
    assert (repo.get(app.id).status, repo.get(app.id).status_reason) == ("aged_out", "school_age")
    assert repo.queue_numbers(behind).general == 1


def test_the_sweep_reads_only_the_due_applications(repo, submit):
    # given three applications whose first reminder is due, and many that are not, some due later the same day
    due = [submit(district="sweep") for _ in range(3)]
    for _ in range(4):
        submit(district="sweep", at=NOW + timedelta(hours=3))
    for days in range(1, 15):
        submit(district="sweep", at=NOW + timedelta(days=days))
    moment = DEADLINE - timedelta(days=30) + timedelta(hours=1)

    # when the sweep runs
    with metered() as meter:
        fired = sweep(repo, moment)

    # then it carried out the three due timers, reading those three items only, and scanning nothing
    assert sorted(f.application.id for f in fired) == sorted(app.id for app in due)
    assert meter.items <= 2 * len(due) and meter.items >= len(due)
    assert meter.count("Scan") == 0


def test_two_sweeps_at_once_carry_out_each_timer_once(repo: ApplicationRepository, submit):
    # given five applications whose lapse is due
    apps = [submit(district="double") for _ in range(5)]
    moment = DEADLINE + timedelta(hours=1)
    for timer_day in (30, 7, 1):
        sweep(repo, DEADLINE - timedelta(days=timer_day))

    # when two sweeps run at the same time
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda _: sweep(repo, moment), range(2)))

    # then every application was removed exactly once
    assert sorted(f.application.id for batch in results for f in batch) == sorted(app.id for app in apps)
    for app in apps:
        assert [r.event for r in repo.history(app.id)].count("application.left") == 1
    assert repo.queue_size(apps[0].queue_key) == 0


def test_the_sweep_resumes_from_where_the_last_one_finished(repo, submit):
    # given a sweep that ran today
    submit(district="cursor")
    sweep(repo, NOW)
    assert repo.index.cursor(TIMER_SWEEP) == NOW.date() - timedelta(days=1)

    # when the next sweep runs three days later
    with metered() as meter:
        sweep(repo, NOW + timedelta(days=3))

    # then it queries the buckets from the last unsettled day to today only, and moves the cursor on
    assert meter.count("Query") == 5
    assert repo.index.cursor(TIMER_SWEEP) == NOW.date() + timedelta(days=2)
    assert [a.status for a in repo.list_for_parent("900101412344")] == [ApplicationStatus.ACTIVE]
