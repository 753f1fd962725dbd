"""Public verification of an issued document: where its QR code leads."""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, json_response
from chalicelib.clock import local_time
from chalicelib.domain.errors import DomainError

if TYPE_CHECKING:
    from chalicelib.services.documents import DocumentVerification

bp = Blueprint(__name__)

_PAGE = """<!doctype html>
<html lang="kk"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body{{font-family:system-ui,"DejaVu Sans",sans-serif;margin:0;background:#f4f7fb;color:#1b2a3a}}
main{{max-width:40rem;margin:2rem auto;background:#fff;border-radius:12px;padding:1.5rem 2rem;
box-shadow:0 2px 12px rgba(0,40,90,.08)}}
h1{{font-size:1.3rem;color:{colour}}} dt{{color:#5a6b7d;font-size:.9rem}} dd{{margin:0 0 .8rem 0;font-weight:600}}
code{{word-break:break-all;font-size:.8rem}}
</style></head><body><main>{body}</main></body></html>"""


def _when(at: datetime | None) -> str:
    return local_time(at).strftime("%d.%m.%Y %H:%M") if at else "—"


def _valid_page(found: DocumentVerification) -> str:
    issued = _when(found.issued_at)
    if found.superseded_at is not None:
        heading = "⚠ Құжат ауыстырылды / Документ заменён"
        colour = "#9a6200"
        successor = (
            "<p>Бұл құжат шынымен берілген, бірақ оның деректері өзгергендіктен, "
            f"{_when(found.superseded_at)} жаңа құжатпен ауыстырылды: "
            f"№ {escape(found.superseded_by_number or '—')}, {_when(found.superseded_by_issued_at)} берілген "
            f"(идентификаторы {escape(found.superseded_by_id or '—')}). Жаңа құжатты пайдаланыңыз.</p>"
            "<p>Этот документ действительно выдавался, но его сведения изменились, и "
            f"{_when(found.superseded_at)} он заменён новым документом: "
            f"№ {escape(found.superseded_by_number or '—')} от {_when(found.superseded_by_issued_at)} "
            f"(идентификатор {escape(found.superseded_by_id or '—')}). Пользуйтесь новым документом.</p>"
        )
    else:
        heading, colour, successor = "✔ Құжат жарамды / Документ действителен", "#1a7f37", ""
    body = (
        f"<h1>{heading}</h1>{successor}"
        "<dl>"
        f"<dt>Құжат / Документ</dt><dd>{escape(found.kind.title_kk)} / {escape(found.kind.title_ru)}</dd>"
        f"<dt>Нөмірі / Номер</dt><dd>{escape(found.number)}</dd>"
        f"<dt>Берілген күні / Дата выдачи</dt><dd>{issued}</dd>"
        f"<dt>Құжат идентификаторы / Идентификатор документа</dt><dd>{escape(found.document_id)}</dd>"
        f"<dt>PDF файлының SHA-256 / SHA-256 файла PDF</dt><dd><code>{found.sha256}</code></dd>"
        "</dl>"
    )
    return _PAGE.format(title=heading.lstrip("✔⚠ "), colour=colour, body=body)


def _invalid_page(error: DomainError) -> str:
    body = f"<h1>✘ {escape(error.kk)}</h1><p>{escape(error.ru)}</p>"
    return _PAGE.format(title="Құжат табылмады / Документ не найден", colour="#b42318", body=body)


@bp.route("/verify/{document_id}", methods=["GET"], cors=True)
@handles_errors
def verify(document_id: str) -> Any:
    request = bp.current_request
    code = (request.query_params or {}).get("c", "")
    wants_json = "application/json" in (request.headers.get("accept") or "")
    try:
        found = wiring.document_service().verify(document_id, code)
    except DomainError as error:
        if wants_json:
            raise
        return Response(_invalid_page(error), status_code=404, headers={"Content-Type": "text/html; charset=utf-8"})
    if wants_json:
        return json_response(
            {
                "valid": True,
                "current": found.superseded_at is None,
                "superseded_at": found.superseded_at.isoformat() if found.superseded_at else None,
                "superseded_by": (
                    {
                        "document_id": found.superseded_by_id,
                        "number": found.superseded_by_number,
                        "issued_at": (
                            found.superseded_by_issued_at.isoformat() if found.superseded_by_issued_at else None
                        ),
                    }
                    if found.superseded_at
                    else None
                ),
                "document_id": found.document_id,
                "kind": found.kind.value,
                "title_kk": found.kind.title_kk,
                "title_ru": found.kind.title_ru,
                "number": found.number,
                "issued_at": found.issued_at.isoformat(),
                "sha256": found.sha256,
            }
        )
    return Response(_valid_page(found), status_code=200, headers={"Content-Type": "text/html; charset=utf-8"})
