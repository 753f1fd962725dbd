"""Notices in the parent's account: every e-mail and SMS they were sent, newest first, and the unread count."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from chalice import Blueprint
from pydantic import BaseModel, Field

from chalicelib import wiring
from chalicelib.api.responses import handles_errors, parse_body
from chalicelib.api.security import require_parent
from chalicelib.domain.errors import InvalidInput

if TYPE_CHECKING:
    from chalicelib.store.notices import Notice

# the store's page limit (chalicelib.store.notices.PAGE_MAX), here so that a cold start does not load the store
PAGE_MAX = 50

bp = Blueprint(__name__)

_ENTRY = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z#.{1,300}$")


class ReadRequest(BaseModel):
    keys: list[str] = Field(default_factory=list, max_length=PAGE_MAX)
    all: bool = False


def notice_json(notice: Notice) -> dict[str, Any]:
    return {
        "key": notice.key,
        "at": notice.at.isoformat() if notice.at else None,
        "subject": notice.subject,
        "text": notice.text,
        "channels": sorted(notice.channels or []),
        "read": notice.read_at is not None,
        "read_at": notice.read_at.isoformat() if notice.read_at else None,
    }


def _refuse_paging(field: str) -> InvalidInput:
    return InvalidInput(
        "notices.bad_paging",
        f"Беттеу параметрі дұрыс емес: limit 1–{PAGE_MAX} аралығындағы сан, after — алдыңғы беттің next мәні.",
        f"Неверный параметр страниц: limit — число от 1 до {PAGE_MAX}, after — значение next предыдущей страницы.",
        details={"field": field},
    )


@bp.route("/notices", methods=["GET"], cors=True)
@handles_errors
def notices() -> Any:
    from chalicelib.store.notices import NoticeStore

    principal = require_parent(bp.current_request)
    params = bp.current_request.query_params or {}
    limit_text, after = params.get("limit", "20"), params.get("after")
    if not limit_text.isdigit() or not 1 <= int(limit_text) <= PAGE_MAX:
        raise _refuse_paging("limit")
    if after is not None and not _ENTRY.match(after):
        raise _refuse_paging("after")
    page = NoticeStore().page(principal.iin, limit=int(limit_text), after=after)
    return {"items": [notice_json(n) for n in page.items], "next": page.next, "unread": page.unread}


@bp.route("/notices/read", methods=["POST"], cors=True)
@handles_errors
def mark_read() -> Any:
    from chalicelib.store.notices import NoticeStore

    principal = require_parent(bp.current_request)
    body = parse_body(bp.current_request, ReadRequest)
    store = NoticeStore()
    keys = store.unread_keys(principal.iin) if body.all else body.keys
    marked = store.mark_read(principal.iin, keys, wiring.clock().now())
    return {"marked": marked, "unread": store.unread(principal.iin)}
