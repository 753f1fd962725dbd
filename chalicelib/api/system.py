"""Health and service metadata."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.api.responses import handles_errors

bp = Blueprint(__name__)


@bp.route("/health", methods=["GET"], cors=True)
@handles_errors
def health() -> dict[str, Any]:
    return {"status": "ok", "service": "balabaqsha"}
