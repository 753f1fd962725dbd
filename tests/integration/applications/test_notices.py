"""Every e-mail and SMS to a parent is also a notice in their account, with an unread count."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

from chalicelib import wiring
from chalicelib.jobs.handlers import messages
from chalicelib.notify.outbox import OutboxNotifier
from chalicelib.store.notices import NoticeStore
from tests.integration.applications.conftest import Filing


def worker_context():
    from chalicelib.jobs.worker import JobContext

    return JobContext(clock=wiring.clock(), store=wiring.job_store())


def test_the_registration_messages_are_one_notice_and_only_the_parent_reads_it(api, seeded, pki_people):
    # given a parent whose registration sent an e-mail and an SMS
    mine = Filing(api, pki_people["parent"])
    status, application = mine.file()
    assert status == 201, application
    sent = OutboxNotifier().messages_for("aigul@mail.kz")
    assert [m.channel for m in sent] == ["email"]

    # when they open their notices
    status, body = mine.call("GET", "/notices")

    # then the e-mail and the SMS of the registration are one notice with the e-mail's text, unread
    assert status == 200, body
    assert body["unread"] == 1 and body["next"] is None
    [notice] = body["items"]
    assert notice["channels"] == ["email", "sms"] and notice["read"] is False
    assert notice["subject"] == sent[0].subject and notice["text"] == sent[0].body_text
    assert application["id"] in notice["text"]

    # and running the message jobs again (a retry after a crash) adds nothing
    for kind, handler in (("message.email", messages.email), ("message.sms", messages.sms)):
        job = wiring.job_store().get(f"{kind}:application#{application['id']}#registered")
        assert job is not None and messages.notice_key(job) == notice["key"]
        handler(job, worker_context())
    assert mine.call("GET", "/notices")[1]["unread"] == 1

    # when another parent lists notices or tries to mark this one read
    other = Filing(api, pki_people["other_parent"])
    assert other.call("GET", "/notices")[1] == {"items": [], "next": None, "unread": 0}
    status, answer = other.call("POST", "/notices/read", {"keys": [notice["key"]]})

    # then nothing of the first parent's changes
    assert status == 200 and answer == {"marked": 0, "unread": 0}
    assert mine.call("GET", "/notices")[1]["unread"] == 1

    # when the parent reads it, twice
    assert mine.call("POST", "/notices/read", {"keys": [notice["key"]]})[1] == {"marked": 1, "unread": 0}
    assert mine.call("POST", "/notices/read", {"keys": [notice["key"]]})[1] == {"marked": 0, "unread": 0}
    listed = mine.call("GET", "/notices")[1]
    assert listed["unread"] == 0 and listed["items"][0]["read"] is True

    # and an operator is not a parent
    operator = api.sign_in(pki_people["operator"], audience="operator")["token"]
    assert api.call("GET", "/notices", token=operator)[0] == 403
    assert api.call("GET", "/notices")[0] == 401


def test_notices_come_newest_first_in_pages_and_all_can_be_marked_read(api, seeded, pki_people, clock):
    store = NoticeStore()
    iin = pki_people["parent"].person.iin
    start = clock.now()
    for n in range(5):
        store.add(iin, f"test#{n}", at=start + timedelta(minutes=n), subject=f"S{n}", text=f"T{n}", channel="sms")
    mine = Filing(api, pki_people["parent"])
    status, first = mine.call("GET", "/notices?limit=2")
    assert status == 200, first
    assert [n["key"] for n in first["items"]] == ["test#4", "test#3"] and first["unread"] == 5
    second = mine.call("GET", f"/notices?limit=2&after={quote(first['next'])}")[1]
    third = mine.call("GET", f"/notices?limit=2&after={quote(second['next'])}")[1]
    assert [n["key"] for n in second["items"] + third["items"]] == ["test#2", "test#1", "test#0"]
    assert third["next"] is None
    assert mine.call("GET", "/notices?limit=0")[0] == 422
    assert mine.call("GET", "/notices?after=x")[0] == 422
    # an e-mail of the same message after its SMS gives the notice the e-mail's text, still one unread
    assert store.add(iin, "test#0", at=start, subject="E", text="E-mail text", channel="email") is False
    assert mine.call("GET", "/notices?limit=50")[1]["items"][-1]["text"] == "E-mail text"
    assert mine.call("POST", "/notices/read", {"all": True})[1] == {"marked": 5, "unread": 0}
