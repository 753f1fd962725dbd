"""Accounts of people who sign in (parents, operators) and one-time sign-in challenges."""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.exceptions import DeleteError, PutError
from pynamodb.models import Model

from chalicelib.domain.contacts import Contacts
from chalicelib.store.base import condition_failed, table_meta


class Account(Model):
    """A person known by their IIN; contacts are required before any other step."""

    Meta = table_meta("accounts")

    iin = UnicodeAttribute(hash_key=True)
    full_name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    extra_email = UnicodeAttribute(null=True)
    extra_phone = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    last_sign_in_at = UTCDateTimeAttribute()
    version = VersionAttribute()


class Challenge(Model):
    """A one-time sign-in challenge; consumed by a conditional delete, so it works once."""

    Meta = table_meta("challenges")

    nonce = UnicodeAttribute(hash_key=True)
    audience = UnicodeAttribute()
    issued_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    ttl = TTLAttribute()


class AccountRepository:
    """Reads and writes accounts; a first sign-in creates one."""

    def get(self, iin: str) -> Account | None:
        try:
            return Account.get(iin, consistent_read=True)
        except Account.DoesNotExist:
            return None

    def record_sign_in(self, iin: str, full_name: str, now: datetime) -> Account:
        """Create the account on first sign-in, or stamp the sign-in on an existing one."""
        account = Account(iin, full_name=full_name, created_at=now, last_sign_in_at=now)
        try:
            account.save(condition=Account.iin.does_not_exist())
            return account
        except PutError as error:
            if not condition_failed(error):
                raise
        existing = Account.get(iin, consistent_read=True)
        existing.update(actions=[Account.last_sign_in_at.set(now), Account.full_name.set(full_name)])
        return existing

    def set_contacts(self, iin: str, contacts: Contacts) -> Account:
        account = Account.get(iin, consistent_read=True)
        account.update(
            actions=[
                Account.email.set(contacts.email),
                Account.phone.set(contacts.phone),
                Account.extra_email.set(contacts.extra_email) if contacts.extra_email else Account.extra_email.remove(),
                Account.extra_phone.set(contacts.extra_phone) if contacts.extra_phone else Account.extra_phone.remove(),
            ]
        )
        return account


class ChallengeRepository:
    """One-time challenges: stored on issue, deleted (conditionally) on use."""

    def create(self, nonce: str, audience: str, issued_at: datetime, expires_at: datetime) -> None:
        Challenge(
            nonce,
            audience=audience,
            issued_at=issued_at,
            expires_at=expires_at,
            ttl=expires_at + timedelta(days=1),
        ).save(condition=Challenge.nonce.does_not_exist())

    def consume(self, nonce: str) -> Challenge | None:
        """The challenge, removed so that it can never be used again; None if unknown or already used."""
        try:
            challenge = Challenge.get(nonce, consistent_read=True)
        except Challenge.DoesNotExist:
            return None
        try:
            challenge.delete(condition=Challenge.nonce.exists())
        except DeleteError as error:
            if condition_failed(error):
                return None
            raise
        return challenge
