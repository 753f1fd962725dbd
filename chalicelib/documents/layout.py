"""The description of a document page by page content, independent of how it is drawn.

A document is a :class:`Layout`: a title, an optional subtitle and marker, and a sequence of blocks.
Every document kind is built from these few blocks by :mod:`chalicelib.documents.catalog`; the one
engine in :mod:`chalicelib.documents.pdf` draws them, so no document carries drawing code of its own.
Values are plain text (``\\n`` breaks a line) or :class:`Bilingual` (shown in Kazakh, then Russian).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.documents.data import Bilingual

Value = str | Bilingual


@dataclass(frozen=True)
class Field:
    """One labelled value: the label in both languages, the value as given."""

    label: Bilingual
    value: Value


@dataclass(frozen=True)
class Fields:
    """A table of label/value rows, optionally under a heading."""

    rows: tuple[Field, ...]
    heading: Bilingual | None = None


@dataclass(frozen=True)
class Items:
    """A numbered list under a heading."""

    heading: Bilingual
    items: tuple[Value, ...]


@dataclass(frozen=True)
class Paragraphs:
    """Running text, each paragraph in Kazakh and Russian side by side."""

    paragraphs: tuple[Bilingual, ...]
    heading: Bilingual | None = None


@dataclass(frozen=True)
class Grid:
    """A table with a header row; ``numeric`` columns are aligned right.

    ``weights`` share the width left to the text columns (equal shares when not given).
    """

    heading: Bilingual
    columns: tuple[Bilingual, ...]
    rows: tuple[tuple[Value, ...], ...]
    numeric: frozenset[int] = frozenset()
    weights: tuple[float, ...] | None = None


@dataclass(frozen=True)
class Parties:
    """Groups of fields shown side by side (the parties' details of a contract), optionally under a heading."""

    parties: tuple[Fields, ...]
    heading: Bilingual | None = None


@dataclass(frozen=True)
class Dateline:
    """The line under a contract's title: where it is concluded on the left, when on the right."""

    place: Value
    date: Value


@dataclass(frozen=True)
class PageBreak:
    """What follows starts on a new page (an appendix)."""


@dataclass(frozen=True)
class Note:
    """A remark in both languages, set apart from the fields."""

    text: Bilingual


@dataclass(frozen=True)
class Issuer:
    """Who issued the document and when: the closing block of an issued document."""

    issued_by: Bilingual
    issued_at: datetime


@dataclass(frozen=True)
class Signature:
    """One electronic signature: which party, who, with which certificate, when."""

    party: Bilingual
    signer_name: str
    signer_id_label: Bilingual
    signer_id: str
    certificate_serial: str
    signed_at: datetime


@dataclass(frozen=True)
class Signatures:
    """The signatures given so far; ``empty`` is said when there are none.

    ``pending`` names, as label and remark, each party that has not signed yet.
    """

    heading: Bilingual
    signatures: tuple[Signature, ...]
    empty: Bilingual
    pending: tuple[Field, ...] = ()


Block = Fields | Items | Paragraphs | Grid | Parties | Note | Issuer | Signatures | Dateline | PageBreak


@dataclass(frozen=True)
class Verification:
    """What every page carries so that anyone can check the document: its id, check code and URL."""

    document_id: str
    check_code: str
    url: str


@dataclass(frozen=True)
class Layout:
    """A whole document: ``authority`` heads the first page, ``marker`` flags a draft.

    ``watermark`` is printed large and pale across every page (a draft that nobody may take for a
    signed document), its first text in large letters, its second under it. ``short_title`` stands
    for a long title in the running head of the later pages.
    """

    title: Bilingual
    number: str | None
    authority: Bilingual | None
    blocks: tuple[Block, ...]
    subtitle: Bilingual | None = None
    marker: Bilingual | None = None
    watermark: tuple[Bilingual, Bilingual] | None = None
    short_title: Bilingual | None = None
