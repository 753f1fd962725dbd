"""The queue's pure rules: scope, queue numbers, registration numbers, due buckets."""

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from chalicelib.domain.errors import Conflict, InvalidInput
from chalicelib.domain.queue import (
    ApplicationStatus,
    RegistrationNumber,
    benefit_queue_key,
    bucket_day,
    buckets_between,
    child_already_in_queue,
    child_of_school_age,
    chunk_of,
    cohort_of,
    due_bucket,
    queue_key,
    queue_position,
    settled_day,
    timer_bucket,
)

instants = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2035, 12, 31), timezones=st.just(UTC))


def test_children_of_one_district_and_birth_year_share_a_queue():
    # given two children of 2022 in Esil and one of 2023
    first = queue_key("astana", "esil", cohort_of(date(2022, 1, 5)))
    second = queue_key("astana", "esil", cohort_of(date(2022, 12, 30)))
    younger = queue_key("astana", "esil", cohort_of(date(2023, 1, 1)))

    # then the two of 2022 stand in one queue and the younger child in another
    assert first == second
    assert younger != first


def test_a_city_wide_queue_ignores_the_district():
    # given a region that keeps one queue for the whole city (seed 002: "общегородская очередность")
    esil = queue_key("astana", "esil", 2022, scope="region")
    almaty = queue_key("astana", "almaty", 2022, scope="region")

    # then children of both districts stand in the same queue, unlike in a per-district region
    assert esil == almaty
    assert queue_key("astana", "esil", 2022) != queue_key("astana", "almaty", 2022)


def test_a_benefit_queue_lives_inside_its_general_queue():
    general = queue_key("astana", "esil", 2022)

    assert benefit_queue_key(general, "large_family").startswith(general + "#")
    assert benefit_queue_key(general, "large_family") != benefit_queue_key(general, "orphans")
    with pytest.raises(ValueError):
        benefit_queue_key(general, "none")


def test_codes_with_the_key_separator_are_refused():
    with pytest.raises(ValueError):
        queue_key("astana#1", "esil", 2022)


@given(
    active=st.sets(st.integers(min_value=1, max_value=5_000), min_size=1, max_size=200),
    chunk_size=st.integers(min_value=1, max_value=300),
    data=st.data(),
)
def test_queue_number_counts_exactly_the_active_applications_registered_earlier(active, chunk_size, data):
    # given the active sequence numbers of a queue, kept per chunk
    seq = data.draw(st.sampled_from(sorted(active)))
    counts: dict[int, int] = {}
    for member in active:
        counts[chunk_of(member, chunk_size)] = counts.get(chunk_of(member, chunk_size), 0) + 1
    own_chunk = [member for member in active if chunk_of(member, chunk_size) == chunk_of(seq, chunk_size)]

    # when the queue number is computed from the chunk counts and the child's own chunk
    number = queue_position(seq, counts, own_chunk, chunk_size)

    # then it is one more than the number of active applications registered before
    assert number == 1 + sum(1 for member in active if member < seq)


@given(
    st.integers(min_value=1, max_value=10**7),
    st.integers(min_value=1, max_value=10**7),
    st.integers(min_value=1, max_value=5000),
)
def test_chunks_follow_registration_order(a, b, chunk_size):
    if a <= b:
        assert chunk_of(a, chunk_size) <= chunk_of(b, chunk_size)


def test_the_registration_number_of_the_seeds_reads_back():
    # given the number on seed 002's application page
    number = RegistrationNumber.parse("УО.2018.000024.1")

    # then it is the 24th registration of 2018, first edition, and prints the same
    assert (number.prefix, number.year, number.serial, number.edition) == ("УО", 2018, 24, 1)
    assert str(number) == "УО.2018.000024.1"


@given(st.integers(min_value=2000, max_value=2099), st.integers(min_value=1, max_value=10**8))
def test_registration_numbers_round_trip_and_keep_six_digits_at_least(year, serial):
    number = RegistrationNumber(year, serial)

    assert RegistrationNumber.parse(str(number)) == number
    assert len(str(number).split(".")[2]) == max(6, len(str(serial)))


@pytest.mark.parametrize("text", ["УО.18.000024.1", "УО.2018.24.1", "2018.000024.1", "УО.2018.000024"])
def test_malformed_registration_numbers_are_refused(text):
    with pytest.raises(ValueError):
        RegistrationNumber.parse(text)


@given(instants, instants)
def test_a_timer_is_never_filed_under_a_day_that_has_already_ended(due_at, now):
    bucket = bucket_day(timer_bucket(due_at, now))

    assert bucket >= now.date()
    assert bucket == max(due_at, now).date()


@given(instants, st.integers(min_value=0, max_value=60))
def test_buckets_between_cover_every_instant_of_the_range(start, days):
    end = start + timedelta(days=days)
    buckets = buckets_between(start.date(), end.date())

    assert buckets == sorted(buckets)
    assert len(buckets) == days + 1
    assert due_bucket(start) in buckets and due_bucket(end) in buckets


@given(instants, instants)
def test_a_settled_bucket_only_holds_timers_written_more_than_a_day_ago(due_at, now):
    # a timer is written before its due time; its bucket is settled at `now`
    if bucket_day(due_bucket(due_at)) <= settled_day(now):
        assert now - due_at > timedelta(days=1)


def test_only_an_active_application_is_in_the_queue_and_statuses_have_both_languages():
    assert [status for status in ApplicationStatus if status.in_queue] == [ApplicationStatus.ACTIVE]
    assert ApplicationStatus.ACTIVE.ru == "В очереди"
    assert all(status.kk and status.ru for status in ApplicationStatus)


def test_refusals_carry_stable_codes_and_both_languages():
    duplicate = child_already_in_queue("УО.2026.000001.1")
    aged = child_of_school_age()

    assert isinstance(duplicate, Conflict) and duplicate.code == "child_already_in_queue"
    assert duplicate.details == {"application_id": "УО.2026.000001.1"}
    assert isinstance(aged, InvalidInput) and aged.kk and aged.ru
