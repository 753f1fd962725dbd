"""What a change makes besides its own writes: the documents it issues again.

A document is a legal fact: when a change alters the facts a document states, the document is
issued again and the old one is kept, marked superseded by the new one (its QR verification says
by which). This table says which documents each change (a history event code) re-issues; the
services ask it after the change is committed and render exactly those. Kept as plain data so
that each consequence can become a durable job written with the change.

| change | documents issued again | the fact that changed |
|---|---|---|
| ``direction.extended`` | direction | its last valid day |
| ``contract.refused`` | direction | the clock resumed: a new last valid day |
| ``application.benefit_changed`` | registration notice, accounting book entry | the benefit (under review) |
| ``application.benefit_approved`` | registration notice, accounting book entry | the benefit queue number |
| ``application.benefit_refused`` | registration notice, accounting book entry | no benefit queue number |
| ``application.corrected`` | accounting book entry, child card | the applicant's address, phone or e-mail |

Not re-issued: the queue number a document states is the number *at its issue date* (it moves
every time a child ahead leaves; the pages show the current one); the documents receipt states
what was received, which no later change alters.
"""

from __future__ import annotations

from collections.abc import Mapping

from chalicelib.documents.kinds import DocumentKind

_BENEFIT_DOCUMENTS = (DocumentKind.REGISTRATION_NOTICE, DocumentKind.ACCOUNTING_BOOK_ENTRY)

REISSUED_BY: Mapping[str, tuple[DocumentKind, ...]] = {
    "direction.extended": (DocumentKind.DIRECTION,),
    "contract.refused": (DocumentKind.DIRECTION,),
    "application.benefit_changed": _BENEFIT_DOCUMENTS,
    "application.benefit_approved": _BENEFIT_DOCUMENTS,
    "application.benefit_refused": _BENEFIT_DOCUMENTS,
    "application.corrected": (DocumentKind.ACCOUNTING_BOOK_ENTRY, DocumentKind.CHILD_CARD),
}


def documents_reissued(event: str) -> tuple[DocumentKind, ...]:
    """The documents the change ``event`` issues again (none for most changes)."""
    return REISSUED_BY.get(event, ())
