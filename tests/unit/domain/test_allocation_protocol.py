"""The anonymised protocol of a run, and the kindergartens' priority lists as operators send them."""

from datetime import UTC, datetime

import pytest

from chalicelib.documents.protocol import protocol_csv, protocol_pdf
from chalicelib.domain.allocation import Candidate, Seat, allocate
from chalicelib.domain.allocation_protocol import anonymous_id, protocol
from chalicelib.services.allocation_priorities import parse_lists, street_key
from chalicelib.services.allocation_runs import run_record

T0 = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def record():
    seats = [Seat(f"s{n}", "k1", "g1", "r", "d", 2022, "kk") for n in (1, 2)]
    candidates = [
        Candidate("УО.2025.000001.1", "r", "d", 2022, "kk", "none", T0, 1, ("k1",)),
        Candidate("УО.2025.000002.1", "r", "d", 2022, "kk", "none", T0, 2, ("k1",), blocked="stop_list"),
        Candidate(
            "УО.2025.000003.1", "r", "d", 2022, "kk", "first_priority", T0, 3, ("k1",), claims=(("k1", "staff"),)
        ),
    ]
    from chalicelib.domain.allocation import RegionRules

    rules = RegionRules("stable", ("staff",))
    offers = allocate(seats, candidates, mode="stable", priorities=("staff",))
    kept = run_record(
        "20250303T090000Z-0a0b0c0d",
        T0,
        "r",
        "d",
        ratio=(1, 3),
        whole_district=False,
        rules=rules,
        seats=seats,
        candidates=candidates,
        offers=offers,
    )
    kept["issued"] = [{"seat_id": offers[0].seat.seat_id, "application_id": offers[0].application_id, "number": "Ж.1"}]
    return kept


def test_the_protocol_lists_each_seat_with_an_anonymous_id_category_rank_and_who_was_passed():
    kept = record()

    ru = protocol(kept, "ru", {"k1": "№ 1 «Балапан»"})
    kk = protocol(kept, "kk")

    assert [row[0] for row in ru.rows] == ["1", "2"]
    ids = {row[3] for row in ru.rows}
    assert ids == {anonymous_id(kept["protocol_salt"], a) for a in ("УО.2025.000001.1", "УО.2025.000003.1")}
    staff_row = next(row for row in ru.rows if "родитель работает" in row[4])
    assert staff_row[1] == "№ 1 «Балапан»" and staff_row[5] == "1" and staff_row[6] == "0"
    general_row = next(row for row in ru.rows if row is not staff_row)
    assert general_row[6] == "1" and "получил желаемое место: 1" in general_row[7]  # the staff child, ahead here
    assert sorted(row[8] for row in ru.rows) == ["да", "нет"]
    assert kk.title == "Орындарды бөлу хаттамасы" and kk.rows[0][1] == "k1"
    # nothing in the protocol leads back to a registration number without the run's salt
    text = protocol_csv(ru).decode("utf-8-sig")
    assert "УО." not in text and kept["protocol_salt"] not in text
    assert protocol_pdf(kk).startswith(b"%PDF")
    with pytest.raises(ValueError):
        protocol(kept, "en")


def test_priority_lists_are_checked_whole_and_streets_compare_loosely():
    lists = parse_lists(
        "k1", {"staff_iins": ["900314310002"], "catchment_streets": [" Абай  даңғылы ", "Абай  даңғылы"]}
    )
    assert lists.staff_iins == ("900314310002",) and lists.catchment_streets == ("Абай  даңғылы",)
    assert street_key(" абай даңғылы") == street_key("АБАЙ   даңғылы ")
    for wrong in ({"staff_iins": ["900314310003"]}, {"staff_iins": "x"}, {"other": []}, {"catchment_streets": [" "]}):
        with pytest.raises(ValueError):
            parse_lists("k1", wrong)
