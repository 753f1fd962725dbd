"""The local-only routes: outbox, movable clock, running the timers now."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from chalice.test import Client

from chalicelib.notify.outbox import OutboxNotifier
from chalicelib.runtime import service_clock
from chalicelib.settings import get_settings


@pytest.fixture
def client(aws):
    from app import app

    with Client(app) as test_client:
        yield test_client


def _post(client, path, body):
    return client.http.post(path, headers={"Content-Type": "application/json"}, body=json.dumps(body))


def _offset(client) -> float:
    return client.http.get("/local/clock").json_body["offset_seconds"]


def test_the_outbox_shows_what_was_sent_to_an_address_newest_first(client):
    # given
    outbox = OutboxNotifier()
    outbox.send_sms("+77011234567", "Өтінішіңіз тіркелді. Заявление зарегистрировано.")
    _post(client, "/local/clock", {"advance": 60})
    outbox.send_sms("+77011234567", "Жолдама берілді. Направление выдано.")

    # when
    response = client.http.get("/local/outbox?to=%2B77011234567")

    # then
    assert response.status_code == 200
    texts = [m["body_text"] for m in response.json_body["messages"]]
    assert texts == ["Жолдама берілді. Направление выдано.", "Өтінішіңіз тіркелді. Заявление зарегистрировано."]


def test_the_outbox_needs_an_address(client):
    # when
    response = client.http.get("/local/outbox")

    # then
    assert response.status_code == 422
    assert response.json_body["error"]["code"] == "local.outbox.to_required"


def test_the_clock_moves_forward_by_an_iso_duration_or_seconds(client):
    # given
    before = datetime.fromisoformat(client.http.get("/local/clock").json_body["now"])

    # when
    three_days = _post(client, "/local/clock", {"advance": "P3D"})
    and_an_hour = _post(client, "/local/clock", {"advance": 3600})

    # then
    assert three_days.status_code == 200
    assert and_an_hour.json_body["offset_seconds"] == 3 * 86400 + 3600
    assert and_an_hour.json_body["offset"] == "P3DT1H"
    now = datetime.fromisoformat(and_an_hour.json_body["now"])
    assert now - before >= timedelta(days=3, hours=1)
    assert service_clock().now() - datetime.now(UTC) >= timedelta(days=3, minutes=59)


def test_the_clock_moves_to_a_later_instant(client):
    # given a clock started at a fixed instant, and an instant forty days later
    from chalicelib.runtime import start_clock_at

    start = datetime(2026, 12, 5, 5, tzinfo=UTC)
    start_clock_at(start)
    target = start + timedelta(days=40)

    # when
    response = _post(client, "/local/clock", {"to": target.isoformat()})

    # then
    assert response.status_code == 200
    assert abs(datetime.fromisoformat(response.json_body["now"]) - target) < timedelta(seconds=5)


@pytest.mark.parametrize(
    "body",
    [{"advance": "-P1D"}, {"advance": -5}, {"to": "2001-01-01T00:00:00+00:00"}, {"advance": 0}],
)
def test_the_clock_never_goes_back(client, body):
    # given
    _post(client, "/local/clock", {"advance": "PT10M"})

    # when
    response = _post(client, "/local/clock", body)

    # then
    assert response.status_code == 422
    assert response.json_body["error"]["code"] == "local.clock.backwards"
    assert _offset(client) == 600


def test_a_clock_move_needs_exactly_one_of_advance_or_to(client):
    # when
    response = _post(client, "/local/clock", {})

    # then
    assert response.status_code == 422
    assert response.json_body["error"]["code"] == "request.invalid_fields"


def test_running_the_timers_runs_every_scheduled_function_once(client):
    # given
    from app import app
    from chalicelib.functions import scheduled_functions

    # when
    response = client.http.post("/local/timers/run")

    # then
    assert response.status_code == 200
    assert [run["name"] for run in response.json_body["runs"]] == [s.name for s in scheduled_functions(app)]


@pytest.mark.parametrize("path", ["/local/clock", "/local/outbox?to=a@b.kz"])
def test_the_local_routes_do_not_exist_without_the_movable_clock(client, monkeypatch, path):
    # given
    monkeypatch.setenv("BQ_LOCAL_CLOCK", "false")
    get_settings.cache_clear()

    # when
    response = client.http.get(path)
    moved = _post(client, "/local/clock", {"advance": "P1D"})

    # then
    assert response.status_code == 404
    assert moved.status_code == 404


@pytest.mark.parametrize("start", ["2026-12-05T05:00:00+00:00", "2031-06-01T04:00:00+00:00"])
def test_the_clock_starts_at_a_fixed_instant_in_the_past_or_the_future(client, start):
    # given a stack that has stored nothing yet
    from chalicelib.runtime import start_clock_at

    instant = datetime.fromisoformat(start)

    # when its clock is started at the instant, then moved on a day
    start_clock_at(instant)
    moved = _post(client, "/local/clock", {"advance": "P1D"})

    # then every reader sees the instant (plus the time the test took), and it moves on from there
    assert moved.status_code == 200
    assert abs(service_clock().now() - (instant + timedelta(days=1))) < timedelta(seconds=30)
    assert _post(client, "/local/clock", {"to": start}).status_code == 422  # back is still refused


def test_a_clock_start_is_an_aware_instant_or_a_date_at_nine_in_almaty():
    from argparse import ArgumentTypeError

    from infra.local.stack import parse_instant

    assert parse_instant("2027-03-05") == datetime(2027, 3, 5, 4, 0, tzinfo=UTC)
    assert parse_instant("2027-03-05T10:00+05:00") == datetime(2027, 3, 5, 5, 0, tzinfo=UTC)
    for wrong in ("2027-03-05T10:00", "5 March", "2027-02-30"):
        with pytest.raises(ArgumentTypeError):
            parse_instant(wrong)
