"""A region in stable mode with kindergarten priorities, siblings joined "together only", and the run's protocol."""

from __future__ import annotations

import csv
import io
import subprocess
from datetime import timedelta

import pytest

from chalicelib import wiring
from chalicelib.api.allocation import _own_kindergarten
from chalicelib.domain.errors import Forbidden
from chalicelib.domain.principal import Principal, Role
from chalicelib.services.allocation_runs import protocol_key
from chalicelib.settings import RegionAllocation
from tests.integration.directions.conftest import ESIL_12, Portal, enqueue, sweep

SECOND_CHILD = "240517611004"  # Серікова Айша, the demo parent's younger child (born 2024)


@pytest.fixture
def stable_astana(api, monkeypatch):
    """Astana allocates in stable mode with every kindergarten priority, catchment first."""
    settings = wiring.get_settings().model_copy(
        update={
            "allocation_regions": {
                "astana": RegionAllocation(mode="stable", priorities=["catchment", "sibling", "staff"])
            }
        }
    )
    monkeypatch.setattr(wiring, "get_settings", lambda: settings)
    wiring.direction_service.cache_clear()
    yield
    wiring.direction_service.cache_clear()


def test_a_catchment_child_takes_the_seat_before_an_earlier_child_explained_audited_and_protocolled(
    api, clock, portal: Portal, operator, filing, stable_astana
):
    # the parent's page says which rules apply in the region
    status, rules = api.call("GET", "/regions/astana/allocation-rules")
    assert status == 200 and rules["mode"] == "stable"
    assert [p["kind"] for p in rules["priorities"]] == ["catchment", "sibling", "staff"]
    assert rules["rule_kk"] and rules["rule_ru"] and rules["priorities"][0]["name_ru"]
    assert api.call("GET", "/regions/nowhere/allocation-rules")[0] == 404

    # given an earlier child and a later one living on a street of № 12's catchment area
    now = clock.now()
    earlier = enqueue(at=now - timedelta(days=30))
    nearby = enqueue(at=now - timedelta(days=1), street="Абай даңғылы")
    # and the operator gives № 12 its catchment streets (a wrong list is refused and changes nothing)
    bad = api.call("PUT", f"/operator/kindergartens/{ESIL_12}/priority-lists", {"staff_iins": ["123"]}, token=operator)
    assert bad[0] == 422 and bad[1]["error"]["code"] == "priority_lists.invalid"
    status, lists = api.call(
        "PUT",
        f"/operator/kindergartens/{ESIL_12}/priority-lists",
        {"staff_iins": [], "catchment_streets": ["  абай   даңғылы "]},
        token=operator,
    )
    assert status == 200 and lists["catchment_streets"] == ["абай   даңғылы"]
    # a parent may not see or change them
    assert api.call("GET", f"/operator/kindergartens/{ESIL_12}/priority-lists", token=filing.token)[0] == 403

    # when № 12 publishes one seat
    published = portal.publish("2022-kk", seats=1)

    # then the catchment child gets it, and the explanation says why
    [number] = published["allocation"]["issued"]
    status, explained = api.call("GET", f"/operator/directions/{number}", token=operator)
    assert status == 200 and explained["application_id"] == nearby.id
    why = explained["explanation"]
    assert (why["mode"], why["priority"], why["kindergarten_position"]) == ("stable", "catchment", 1)

    # and the run replays clean (no blocking pair), in stable mode
    status, audit = api.call("GET", f"/operator/allocations/{why['run_id']}/audit", token=operator)
    assert status == 200 and audit["violations"] == [] and audit["mode"] == "stable"
    assert audit["protocol"] == ["kk.csv", "kk.pdf", "ru.csv", "ru.pdf"]

    # and the operator downloads the anonymised protocol: no registration number in it
    status, link = api.call(
        "GET", f"/operator/allocations/{why['run_id']}/protocol?language=ru&format=csv", token=operator
    )
    assert status == 200 and link["url"]
    body = wiring.objects().get(protocol_key(why["run_id"], "ru", "csv"))
    text = body.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text), delimiter=";"))
    assert ["Порядок", "устойчивое сопоставление (с приоритетами детских садов)"] in rows
    [seat_row] = [row for row in rows if row and row[0] == "1"]
    assert "адрес в закреплённой территории" in seat_row[4] and seat_row[5] == "1" and seat_row[8] == "да"
    assert nearby.id not in text and earlier.id not in text and nearby.child_iin not in text
    pdf = wiring.objects().get(protocol_key(why["run_id"], "kk", "pdf"))
    shown = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    assert "Орындарды бөлу хаттамасы" in shown and seat_row[3] in shown
    # a form that does not exist, and a parent, are refused
    wrong = api.call("GET", f"/operator/allocations/{why['run_id']}/protocol?language=en&format=csv", token=operator)
    assert wrong[0] == 422
    assert api.call("GET", f"/operator/allocations/{why['run_id']}/protocol", token=filing.token)[0] == 403
    # and an operator of another region, or of another district, is refused the protocol and the lists
    for region, district in (("almaty", None), ("astana", "saryarka")):
        stranger = Principal("850415306547", "Теміров Асхат", Role.EDUCATION_DEPARTMENT, "x", region, district)
        with pytest.raises(Forbidden):
            wiring.direction_service().protocol_link(stranger, why["run_id"], "kk", "pdf")
        with pytest.raises(Forbidden):
            _own_kindergarten(stranger, ESIL_12)


def test_siblings_together_only_get_one_kindergarten_in_one_run_or_wait(api, clock, portal: Portal, operator, filing):
    # given the parent's two children (2022 and 2024) in the Есіл queue, both choosing № 12
    status, older = filing.file()
    assert status == 201, older
    status, younger = filing.file(child={"iin": SECOND_CHILD})
    assert status == 201, younger
    someone_else = enqueue(at=clock.now() + timedelta(minutes=1))

    # a parent cannot join another family's application, nor a single one
    refused = filing.call(
        "POST", "/applications/family", {"application_ids": [older["id"], someone_else.id], "together": True}
    )
    assert refused[0] == 403 and refused[1]["error"]["code"] == "application.not_yours"
    assert filing.call("POST", "/applications/family", {"application_ids": [older["id"]], "together": True})[0] == 422

    # when the parent joins them "together only"
    status, family = filing.call(
        "POST", "/applications/family", {"application_ids": [older["id"], younger["id"]], "together": True}
    )
    assert status == 200 and family["together"] is True and family["family_id"]

    # then a seat for the older child alone is not taken: it goes to the next child
    first = portal.publish("2022-kk", seats=1)
    status, explained = api.call("GET", f"/operator/directions/{first['allocation']['issued'][0]}", token=operator)
    assert explained["application_id"] == someone_else.id
    reasons = {p["application_id"]: p["reason"] for p in explained["explanation"]["passed_over"]}
    assert reasons[older["id"]] == "blocked:family_apart"

    # and when seats for both are free, the scheduled run places them together in one run
    portal.publish("2022-kk", seats=1)  # its own run: the younger child has no seat yet
    portal.publish("2024-kk", seats=1)  # its own run: the older child's seat is not in it
    assert filing.call("GET", f"/applications/{older['id']}/directions")[1]["items"] == []
    sweep(api, "allocate-vacancies")
    [for_older] = filing.call("GET", f"/applications/{older['id']}/directions")[1]["items"]
    [for_younger] = filing.call("GET", f"/applications/{younger['id']}/directions")[1]["items"]
    assert for_older["kindergarten"]["id"] == for_younger["kindergarten"]["id"] == ESIL_12
    run_ids = set()
    for number in (for_older["number"], for_younger["number"]):
        run_ids.add(api.call("GET", f"/operator/directions/{number}", token=operator)[1]["explanation"]["run_id"])
    [run_id] = run_ids  # one run placed both
    status, audit = api.call("GET", f"/operator/allocations/{run_id}/audit", token=operator)
    assert status == 200 and audit["violations"] == []

    # and separating the family lets each child be allocated on its own again
    status, separated = filing.call("DELETE", f"/applications/{older['id']}/family")
    assert status == 200 and separated["family_id"] is None
