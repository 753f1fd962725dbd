"""E-mail and SMS: kept in the local outbox locally, sent through SES and SNS in production."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email import message_from_bytes

import boto3
import pytest
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import ses_backends
from moto.sns.models import sns_backends

from chalicelib.clock import FixedClock
from chalicelib.domain.errors import InvalidInput
from chalicelib.notify import Attachment, default_notifier
from chalicelib.notify.aws import AwsNotifier
from chalicelib.notify.outbox import OutboxNotifier
from chalicelib.settings import get_settings

REGION = "eu-central-1"


def test_outbox_lists_the_messages_of_an_address_newest_first(aws):
    # given
    clock = FixedClock(datetime(2026, 3, 2, 9, 0, tzinfo=UTC))
    outbox = OutboxNotifier(clock)
    outbox.send_email("Aigerim@Example.kz", "Тіркеу туралы хабарлама", "Өтінішіңіз тіркелді.")
    clock.advance(timedelta(minutes=5))
    outbox.send_email("aigerim@example.kz", "Жолдама", "Жолдама берілді.")
    outbox.send_email("someone.else@example.kz", "Басқа", "Басқа хат.")

    # when
    messages = outbox.messages_for("AIGERIM@example.kz")

    # then
    assert [m.subject for m in messages] == ["Жолдама", "Тіркеу туралы хабарлама"]
    assert messages[0].sent_at == datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    assert messages[0].channel == "email"
    assert messages[0].to == "aigerim@example.kz"


def test_an_sms_is_found_however_the_number_is_written(aws):
    # given
    outbox = OutboxNotifier(FixedClock(datetime(2026, 3, 2, tzinfo=UTC)))

    # when
    outbox.send_sms("8 (701) 123-45-67", "Кезек нөміріңіз: 15")

    # then
    for written in ("+77011234567", "+7 701 123 45 67", " 77011234567", "87011234567"):
        [message] = outbox.messages_for(written)
        assert message.channel == "sms"
        assert message.body_text == "Кезек нөміріңіз: 15"
        assert message.subject is None


def test_an_attachment_is_kept_whole_and_can_be_downloaded(aws):
    # given
    outbox = OutboxNotifier(FixedClock(datetime(2026, 3, 2, tzinfo=UTC)))
    pdf = b"%PDF-1.7\n" + bytes(range(256)) * 2000

    # when
    outbox.send_email(
        "parent@example.kz",
        "Құжаттар",
        "Тіркеу туралы хабарлама қоса беріледі.",
        attachments=[Attachment("registration-notice.pdf", pdf)],
    )

    # then
    [message] = outbox.messages_for("parent@example.kz")
    [attachment] = message.attachments
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "registration-notice.pdf",
        "application/pdf",
        len(pdf),
    )
    assert outbox.attachment_bytes(attachment.key) == pdf
    assert attachment.key in outbox.attachment_url(attachment.key)


def test_a_number_that_is_not_a_phone_is_refused(aws):
    # given
    outbox = OutboxNotifier(FixedClock(datetime(2026, 3, 2, tzinfo=UTC)))

    # when / then
    with pytest.raises(InvalidInput) as refused:
        outbox.send_sms("not a phone", "text")
    assert refused.value.code == "notify.invalid_phone"


def test_ses_receives_the_mail_with_its_attachment(aws):
    # given
    boto3.client("ses", region_name=REGION).verify_email_identity(EmailAddress="noreply@balabaqsha.kz")
    notifier = AwsNotifier()

    # when
    notifier.send_email(
        "parent@example.kz",
        "Жолдама / Направление",
        "Жолдама берілді. Направление выдано.",
        attachments=[Attachment("direction.pdf", b"%PDF-1.7 direction")],
    )

    # then
    [sent] = ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages
    mail = message_from_bytes(sent.raw_data.encode() if isinstance(sent.raw_data, str) else sent.raw_data)
    assert mail["To"] == "parent@example.kz"
    parts = {part.get_filename(): part for part in mail.walk() if part.get_filename()}
    assert parts["direction.pdf"].get_payload(decode=True) == b"%PDF-1.7 direction"
    text = next(p for p in mail.walk() if p.get_content_type() == "text/plain")
    assert "Жолдама берілді" in text.get_payload(decode=True).decode("utf-8")


def test_sns_receives_the_sms_in_international_format(aws):
    # given
    notifier = AwsNotifier()

    # when
    notifier.send_sms("8 701 123 45 67", "Жолдама берілді.")

    # then
    sent = list(sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values())
    assert sent == [("+77011234567", "Жолдама берілді.")]


def test_the_stage_chooses_the_notifier(local_mode, monkeypatch):
    # given local settings
    # when / then
    assert isinstance(default_notifier(), OutboxNotifier)
    assert default_notifier() is default_notifier()

    # given production settings
    monkeypatch.setenv("BQ_STAGE", "prod")
    monkeypatch.setenv("BQ_LOCAL_CLOCK", "false")
    monkeypatch.setenv("BQ_JWT_SECRET", "a-production-secret")
    monkeypatch.setenv("BQ_TRUSTED_ROOTS", '["/nca/root.pem"]')
    get_settings.cache_clear()

    # when / then
    assert isinstance(default_notifier(), AwsNotifier)
