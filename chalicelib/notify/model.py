"""What sending a notification means to the services: the ``Notifier`` protocol.

Every notification goes to the e-mail address and mobile phone the parent gave
(SPEC: "every notification goes there"); services receive a ``Notifier`` and
never know whether it is SES/SNS or the local outbox.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from chalicelib.domain.errors import InvalidInput


@dataclass(frozen=True)
class Attachment:
    """A file sent with an e-mail (a generated PDF document, for example)."""

    filename: str
    content: bytes
    content_type: str = "application/pdf"


class Notifier(Protocol):
    """Sends e-mail and SMS; returns the id of the message it sent.

    A ``message_id`` given by the caller (a job's) identifies the message: where the channel can,
    a message id already sent is not sent again.
    """

    def send_email(
        self,
        to: str,
        subject: str,
        body_text: str,
        *,
        attachments: Sequence[Attachment] = (),
        message_id: str | None = None,
    ) -> str: ...

    def send_sms(self, to_phone: str, text: str, *, message_id: str | None = None) -> str: ...


def normalise_phone(phone: str) -> str:
    """A phone number in E.164 (``+77011234567``); Kazakhstan is the default region."""
    import phonenumbers  # its metadata costs a cold start ~50 ms: only when a number is used

    try:
        parsed = phonenumbers.parse(phone.strip(), "KZ")
    except phonenumbers.NumberParseException as error:
        raise _bad_phone(phone) from error
    if not phonenumbers.is_possible_number(parsed):
        raise _bad_phone(phone)
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def normalise_address(address: str) -> str:
    """The key a message is kept under: a lower-case e-mail address or an E.164 phone number.

    A ``+`` that arrived as a space in a query string is tolerated.
    """
    value = address.strip()
    if "@" in value:
        return value.lower()
    try:
        return normalise_phone(value)
    except InvalidInput:
        if value.isdigit():
            return normalise_phone("+" + value)
        raise


def _bad_phone(phone: str) -> InvalidInput:
    return InvalidInput(
        "notify.invalid_phone",
        f"Телефон нөмірі дұрыс емес: {phone}",
        f"Неверный номер телефона: {phone}",
    )
