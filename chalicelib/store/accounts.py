"""Accounts of people who sign in (parents, operators) and one-time sign-in challenges."""

from __future__ import annotations

from pynamodb.attributes import TTLAttribute, UnicodeAttribute, UTCDateTimeAttribute, VersionAttribute
from pynamodb.models import Model

from chalicelib.store.base import table_meta


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
