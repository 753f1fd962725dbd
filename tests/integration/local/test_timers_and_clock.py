"""Scheduled functions run on demand; the movable clock is shared through the local-state table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalice import Chalice

from chalicelib.functions import run_scheduled_functions, scheduled_functions
from chalicelib.runtime import advance_clock, service_clock
from chalicelib.store.local import LocalState


def _app_with_two_sweeps(seen: list[tuple[str, str, str]]) -> Chalice:
    app = Chalice(app_name="timers-under-test")

    @app.schedule("rate(5 minutes)")
    def expire_directions(event):
        seen.append(("expire_directions", event.to_dict()["detail-type"], event.to_dict()["time"]))

    @app.schedule("cron(0 3 * * ? *)")
    def broken_report(event):
        raise RuntimeError("report template missing")

    @app.schedule("rate(1 hour)")
    def send_reminders(event):
        seen.append(("send_reminders", event.to_dict()["source"], event.context.function_name))

    return app


def test_every_scheduled_function_runs_even_when_one_fails(local_mode):
    # given
    seen: list[tuple[str, str, str]] = []
    app = _app_with_two_sweeps(seen)
    at = datetime(2026, 9, 1, 4, 0, tzinfo=UTC)

    # when
    runs = run_scheduled_functions(app, at)

    # then
    assert [(r.name, r.ok) for r in runs] == [
        ("expire_directions", True),
        ("broken_report", False),
        ("send_reminders", True),
    ]
    assert "report template missing" in (runs[1].error or "")
    assert runs[1].schedule == "cron(0 3 * * ? *)"
    assert seen == [
        ("expire_directions", "Scheduled Event", "2026-09-01T04:00:00Z"),
        ("send_reminders", "aws.events", "send_reminders"),
    ]


def test_scheduled_functions_are_listed_in_registration_order(local_mode):
    # given
    app = _app_with_two_sweeps([])

    # when
    names = [s.name for s in scheduled_functions(app)]

    # then
    assert names == ["expire_directions", "broken_report", "send_reminders"]


def test_a_move_made_by_another_process_is_seen(aws):
    # given: another process of the stack moved the clock by two days
    LocalState("clock", offset_seconds=2 * 86400).save()

    # when
    now = service_clock().now()

    # then
    assert now - datetime.now(UTC) > timedelta(days=1, hours=23)


def test_moves_add_up(aws):
    # when
    advance_clock(timedelta(hours=1))
    offset = advance_clock(timedelta(days=1))

    # then
    assert offset == timedelta(days=1, hours=1)
