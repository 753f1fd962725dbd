"""Public API: render an output document to PDF bytes, and the URL its QR code leads to.

Light to import (pydantic models only); reportlab is loaded by the first :func:`render_document`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import quote

from chalicelib.documents.catalog import CATALOG
from chalicelib.documents.data import DocumentData
from chalicelib.documents.kinds import DocumentKind
from chalicelib.documents.layout import Verification
from chalicelib.settings import get_settings

_TOKEN = re.compile(r"^[A-Za-z0-9._~-]{1,64}$")


def _token(name: str, value: str) -> str:
    if not _TOKEN.match(value):
        raise ValueError(f"{name} must be 1-64 characters of A-Z, a-z, 0-9, '.', '_', '~' or '-'")
    return value


def verification_url(document_id: str, check_code: str, *, base_url: str | None = None) -> str:
    """``{public_base_url}/verify/{document_id}?c={check_code}``: where a document's QR code leads."""
    base = (base_url if base_url is not None else get_settings().public_base_url).rstrip("/")
    document_id = _token("document_id", document_id)
    check_code = _token("check_code", check_code)
    return f"{base}/verify/{quote(document_id, safe='')}?c={quote(check_code, safe='')}"


def document_data(kind: DocumentKind, data: Mapping[str, Any] | DocumentData) -> DocumentData:
    """The typed data of ``kind``: a model instance is checked, a mapping is validated into one.

    Raises ``pydantic.ValidationError`` (a ``ValueError``) naming every missing or wrong field, and
    ``TypeError`` for a model of another kind.
    """
    model = CATALOG[kind].model
    if isinstance(data, DocumentData):
        if not isinstance(data, model):
            raise TypeError(f"{kind.value} needs {model.__name__}, not {type(data).__name__}")
        return data
    return model.model_validate(dict(data))


def render_document(
    kind: DocumentKind,
    data: Mapping[str, Any] | DocumentData,
    *,
    document_id: str,
    check_code: str,
    issued_at: datetime,
    base_url: str | None = None,
) -> bytes:
    """The document as PDF bytes (A4, Kazakh and Russian, a verification QR code on every page).

    ``data`` is the kind's model from :mod:`chalicelib.documents.data` or a mapping of its fields;
    ``issued_at`` must be timezone-aware (it is shown in Asia/Almaty); ``base_url`` defaults to
    ``settings.public_base_url``.
    """
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    typed = document_data(kind, data)
    verification = Verification(
        document_id=document_id,
        check_code=check_code,
        url=verification_url(document_id, check_code, base_url=base_url),
    )
    layout = CATALOG[kind].build(typed, issued_at)

    # reportlab is imported here, at the first render, and never by modules that do not render
    from chalicelib.documents.pdf import render_layout

    return render_layout(layout, verification=verification, issued_at=issued_at, subject=f"{kind.value} {document_id}")


def render_draft(kind: DocumentKind, data: Mapping[str, Any] | DocumentData, *, issued_at: datetime) -> bytes:
    """A draft to read before signing: the same pages without a QR code or legal note (nothing to verify)."""
    if issued_at.tzinfo is None:
        raise ValueError("issued_at must be timezone-aware")
    layout = CATALOG[kind].build(document_data(kind, data), issued_at)
    from chalicelib.documents.pdf import render_layout

    return render_layout(layout, verification=None, issued_at=issued_at, subject=f"{kind.value} draft")
