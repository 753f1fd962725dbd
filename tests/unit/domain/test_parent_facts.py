"""What parents read: the benefit number (never 0), the direction's clock, one sentence per change,
and which changes issue documents again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from chalicelib.documents.kinds import DocumentKind
from chalicelib.domain import history_words
from chalicelib.domain.calendar import WorkingCalendar
from chalicelib.domain.consequences import documents_reissued
from chalicelib.domain.directions import DirectionRules, DirectionStatus, deadline_of, direction_clock
from chalicelib.domain.queue import benefit_number_words
from chalicelib.domain.reference import Bilingual

CALENDAR = WorkingCalendar()
ISSUED = datetime(2026, 12, 11, 10, 0, tzinfo=UTC)  # Friday 11 December 2026, 15:00 in Astana
DEADLINE = deadline_of(ISSUED, CALENDAR, DirectionRules())  # lapses Tue 22 Dec 00:00 (16 Dec is a holiday)


# --- the benefit number -------------------------------------------------------------------------


def test_the_benefit_number_is_a_number_only_once_approved():
    assert benefit_number_words(3, "approved") == ("3", "3")
    assert benefit_number_words(None, "pending") == ("тексеруде", "на проверке")
    assert benefit_number_words(None, "none") == ("—", "—")
    assert benefit_number_words(None, "refused") == ("—", "—")
    assert benefit_number_words(None, None) == ("—", "—")


@given(st.sampled_from(["none", "pending", "refused", None]))
def test_without_an_approved_benefit_no_zero_is_ever_shown(status):
    assert "0" not in "".join(benefit_number_words(None, status))


# --- the direction's clock ----------------------------------------------------------------------


def test_a_running_clock_counts_working_days_after_today():
    clock = direction_clock(
        status=DirectionStatus.ISSUED, deadline=DEADLINE, paused_seconds=None, now=ISSUED, calendar=CALENDAR
    )
    # Mon 14, Tue 15, Thu 17, Fri 18, Mon 21: the day of issue does not count, 16 Dec is a holiday
    assert (clock.state, clock.valid_until.isoformat(), clock.working_days_left) == ("running", "2026-12-21", 5)
    last_day = datetime(2026, 12, 21, 4, 0, tzinfo=UTC)
    clock = direction_clock(
        status=DirectionStatus.ISSUED, deadline=DEADLINE, paused_seconds=None, now=last_day, calendar=CALENDAR
    )
    assert clock.working_days_left == 0  # today is the last day


def test_a_paused_clock_says_what_will_be_left_when_it_resumes():
    sent = datetime(2026, 12, 15, 5, 0, tzinfo=UTC)  # Tuesday: Thu, Fri, Mon left after it
    kept = (DEADLINE - sent).total_seconds()
    for weeks in (0, 3):  # the kindergarten takes long: nothing is lost meanwhile
        now = sent + timedelta(weeks=weeks)
        clock = direction_clock(
            status=DirectionStatus.ISSUED, deadline=DEADLINE, paused_seconds=kept, now=now, calendar=CALENDAR
        )
        assert clock.state == "paused" and clock.working_days_left >= 3
        assert clock.valid_until >= (now + timedelta(days=6)).date()
    # the deadline already passed on the calendar does not matter while paused
    late = DEADLINE + timedelta(days=10)
    clock = direction_clock(
        status=DirectionStatus.ISSUED, deadline=DEADLINE, paused_seconds=kept, now=late, calendar=CALENDAR
    )
    assert clock.state == "paused" and clock.valid_until > late.date()


def test_an_ended_direction_has_no_deadline_and_a_passed_one_says_so():
    for status in (DirectionStatus.ENROLLED, DirectionStatus.REVOKED, DirectionStatus.EXPIRED):
        clock = direction_clock(status=status, deadline=DEADLINE, paused_seconds=None, now=ISSUED, calendar=CALENDAR)
        assert (clock.state, clock.valid_until, clock.working_days_left) == ("stopped", None, None)
    clock = direction_clock(
        status=DirectionStatus.ISSUED, deadline=DEADLINE, paused_seconds=None, now=DEADLINE, calendar=CALENDAR
    )
    assert (clock.state, clock.working_days_left) == ("passed", 0)


# --- one sentence per change --------------------------------------------------------------------

NAMES = {"ast-esil-012": Bilingual("№ 12 «Балдырған» бөбекжайы", "Ясли-сад № 12 «Балдырған»")}
BENEFITS = {"large_family": Bilingual("Көп балалы отбасылар", "Многодетные семьи")}


def _say(event: str, **fields) -> Bilingual:
    entry = history_words.Entry(
        event=event, subject_id=fields.pop("subject_id", "УО.2026.000001.1"), at=ISSUED, who="system", **fields
    )
    return history_words.sentence(
        entry, kindergarten_name=NAMES.get, benefit_name=BENEFITS.get, reasons={"school_age": Bilingual("ж", "ш")}
    )


def test_the_directions_issue_names_number_and_kindergarten():
    said = _say(
        "application.direction_issued", details={"direction": "Ж.2026.000007", "kindergarten_id": "ast-esil-012"}
    )
    assert "№ Ж.2026.000007" in said.kk and "Балдырған" in said.kk
    assert "№ Ж.2026.000007" in said.ru and "Балдырған" in said.ru


def test_every_sentence_ends_with_one_full_stop_whatever_the_reason_says():
    said = _say("application.benefit_refused", to_state="refused:large_family", why="Құжат жарамсыз.")
    assert said.kk.endswith("Себебі: Құжат жарамсыз.") and ".." not in said.kk and ".." not in said.ru
    said = _say("contract.refused", subject_id="01.05-02.26.001", why="IBAN қате")
    assert said.kk.endswith("Себебі: IBAN қате.") and said.ru.endswith("Причина: IBAN қате.")


def test_each_known_change_has_its_own_words_in_both_languages():
    events = {
        "application.registered": {},
        "application.benefit_changed": {"to_state": "pending:large_family"},
        "application.benefit_approved": {"to_state": "approved:large_family"},
        "application.interest_confirmed": {"details": {"deadline": "2027-12-11T19:00:00+00:00"}},
        "application.parent_linked": {},
        "application.direction_revoked": {"details": {"direction": "Ж.2026.000007"}},
        "application.direction_missed": {
            "details": {"direction": "Ж.2026.000007", "stop_list_until": "2027-01-06T19:00:00+00:00"}
        },
        "direction.extended": {
            "subject_id": "Ж.2026.000007",
            "details": {"days": 10, "deadline": DEADLINE.isoformat()},
        },
        "application.left": {"to_state": "enrolled", "details": {"direction": "Ж.2026.000007"}},
        "contract.started": {"subject_id": "01.05-02.26.001"},
        "contract.sent": {"subject_id": "01.05-02.26.001"},
        "contract.signed": {"subject_id": "01.05-02.26.001"},
    }
    seen = set()
    for event, fields in events.items():
        said = _say(event, **fields)
        assert said.kk and said.ru and said.kk != said.ru, event
        assert "Өзгеріс:" not in said.kk, event  # not the fallback
        seen.add(said.kk)
    assert len(seen) == len(events)
    assert "21.12.2026" in _say("direction.extended", details={"days": 10, "deadline": DEADLINE.isoformat()}).ru
    assert "Көп балалы" in _say("application.benefit_changed", to_state="pending:large_family").kk


def test_a_change_recorded_on_the_application_and_its_direction_is_told_once():
    at, later = ISSUED, ISSUED + timedelta(hours=1)
    own = [
        history_words.Entry("application.direction_issued", "A", at, "system"),
        history_words.Entry("application.left", "A", later, "kindergarten:1", to_state="enrolled"),
    ]
    directions = [
        history_words.Entry("direction.issued", "Ж", at, "system"),
        history_words.Entry("direction.extended", "Ж", at + timedelta(minutes=5), "parent:1"),
        history_words.Entry("direction.enrolled", "Ж", later, "kindergarten:1"),
    ]
    contracts = [history_words.Entry("contract.signed", "K", later, "kindergarten:1")]
    merged = history_words.merged(own, directions, contracts)
    assert [e.event for e in merged] == [
        "application.direction_issued",
        "direction.extended",
        "contract.signed",
        "application.left",
    ]


def test_which_changes_issue_documents_again():
    assert documents_reissued("direction.extended") == (DocumentKind.DIRECTION,)
    assert documents_reissued("contract.refused") == (DocumentKind.DIRECTION,)
    assert DocumentKind.REGISTRATION_NOTICE in documents_reissued("application.benefit_approved")
    assert documents_reissued("application.interest_confirmed") == ()
