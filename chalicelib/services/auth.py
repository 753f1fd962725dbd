"""Signing in with the EDS AUTH key: a one-time challenge, signed as NCALayer signs XML."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal, Protocol
from xml.sax.saxutils import escape

from chalicelib.clock import Clock
from chalicelib.domain.contacts import validate_contacts
from chalicelib.domain.errors import Forbidden, InvalidInput, Unauthenticated
from chalicelib.domain.principal import Principal, Role
from chalicelib.eds.model import Check, Holder, KeyPurpose, SignatureRefused, VerifiedDocument
from chalicelib.services.sessions import SessionTokens
from chalicelib.store.accounts import Account, AccountRepository, ChallengeRepository

Audience = Literal["parent", "operator"]


class Verifier(Protocol):
    def verify(
        self,
        xml: bytes | str,
        *,
        purpose: KeyPurpose,
        expected_iin: str | None = None,
        expected_bin: str | None = None,
        account_iin: str | None = None,
        at: datetime | None = None,
        holder: Holder | None = None,
    ) -> VerifiedDocument: ...


@dataclass(frozen=True)
class OperatorEntry:
    iin: str
    full_name: str
    role: Role
    region: str | None
    district: str | None


class OperatorDirectory(Protocol):
    def find_operator(self, iin: str) -> OperatorEntry | None: ...


@dataclass(frozen=True)
class IssuedChallenge:
    nonce: str
    xml: str  # the document the AUTH key signs
    expires_at: datetime


@dataclass(frozen=True)
class SignedIn:
    token: str
    expires_at: datetime
    principal: Principal
    needs_contacts: bool
    expires_in: int = 0  # seconds from now: a client judges expiry by its own clock with it, not by expires_at


@dataclass(frozen=True)
class AuthService:
    clock: Clock
    verifier: Verifier
    challenges: ChallengeRepository
    accounts: AccountRepository
    operators: OperatorDirectory
    tokens: SessionTokens
    challenge_ttl: timedelta

    def issue_challenge(self, audience: Audience) -> IssuedChallenge:
        """A fresh one-time challenge; it expires in minutes and works once."""
        now = self.clock.now()
        nonce = secrets.token_urlsafe(32)
        expires = now + self.challenge_ttl
        self.challenges.create(nonce, audience, now, expires)
        xml = (
            "<login>"
            f"<nonce>{escape(nonce)}</nonce>"
            f"<audience>{audience}</audience>"
            f"<issuedAt>{now.isoformat()}</issuedAt>"
            "</login>"
        )
        return IssuedChallenge(nonce=nonce, xml=xml, expires_at=expires)

    def sign_in(self, signed_xml: bytes | str) -> SignedIn:
        """Verify the signed challenge, consume it, and open a session for the signer."""
        now = self.clock.now()
        document = self.verifier.verify(signed_xml, purpose=KeyPurpose.AUTH, at=now)
        root = document.signed_root
        nonce = root.findtext("nonce") if root.tag == "login" else None
        if not nonce:
            raise InvalidInput(
                "auth.not_a_challenge",
                "Қол қойылған құжат кіру сұрауы емес.",
                "Подписанный документ не является запросом на вход.",
            )
        challenge = self.challenges.consume(nonce)
        if challenge is None:
            raise Unauthenticated(
                "auth.challenge_unknown_or_used",
                "Кіру сұрауы бұрын пайдаланылған немесе табылмады. Қайтадан кіріңіз.",
                "Запрос на вход уже использован или не найден. Войдите заново.",
            )
        if challenge.expires_at <= now:
            raise Unauthenticated(
                "auth.challenge_expired",
                "Кіру сұрауының мерзімі өтті. Қайтадан кіріңіз.",
                "Срок запроса на вход истёк. Войдите заново.",
            )
        signer = document.signer
        if signer.iin is None:
            raise Forbidden(
                "auth.no_iin",
                "Сертификатта ЖСН жоқ.",
                "В сертификате нет ИИН.",
            )
        if challenge.audience == "operator":
            principal = self._operator_principal(signer.iin, signer.certificate_serial)
            needs_contacts = False
        else:
            if signer.is_organisation:
                raise SignatureRefused(
                    Check.PURPOSE,
                    "organisation_key_for_parent",
                    "6-тексеру: ата-ана жеке тұлғаның ЭЦҚ-сымен кіреді, ұйымның кілтімен емес.",
                    "Проверка 6: родитель входит с ЭЦП физического лица, а не с ключом организации.",
                )
            account = self.accounts.record_sign_in(signer.iin, signer.full_name, now)
            principal = Principal(
                iin=signer.iin,
                full_name=signer.full_name,
                role=Role.PARENT,
                certificate_serial=signer.certificate_serial,
            )
            needs_contacts = not (account.email and account.phone)
        token, expires = self.tokens.issue(principal, now)
        return SignedIn(
            token=token,
            expires_at=expires,
            principal=principal,
            needs_contacts=needs_contacts,
            expires_in=int((expires - now).total_seconds()),
        )

    def _operator_principal(self, iin: str, serial: str) -> Principal:
        entry = self.operators.find_operator(iin)
        if entry is None:
            raise Forbidden(
                "auth.not_an_operator",
                "Бұл ЭЦҚ иесі оператор ретінде тіркелмеген.",
                "Владелец этой ЭЦП не зарегистрирован как оператор.",
            )
        return Principal(
            iin=iin,
            full_name=entry.full_name,
            role=entry.role,
            certificate_serial=serial,
            region=entry.region,
            district=entry.district,
        )

    def save_contacts(
        self, principal: Principal, email: str, phone: str, extra_email: str | None, extra_phone: str | None
    ) -> Account:
        """The e-mail and mobile phone every notification goes to (required before anything else)."""
        contacts = validate_contacts(email, phone, extra_email, extra_phone)
        return self.accounts.set_contacts(principal.iin, contacts)

    def profile(self, principal: Principal) -> Account | None:
        return self.accounts.get(principal.iin)
