"""A cold start imports only what every route needs: services, stores and heavy libraries wait for their route."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOADED = "import json, sys, app; print(json.dumps(sorted(sys.modules)))"
NOT_AT_IMPORT = (
    "chalicelib.services.",
    "chalicelib.store.",
    "chalicelib.eds.",
    "chalicelib.documents.",
    "pynamodb.models",
    "lxml",
    "reportlab",
    "email_validator",
    "pydantic_settings",
    "aws_xray_sdk",
)


def test_import_app_loads_no_service_store_or_heavy_library():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BQ_", "AWS_LAMBDA"))}
    env.update({"BQ_STAGE": "local", "POWERTOOLS_TRACE_DISABLED": "true"})
    result = subprocess.run(
        [sys.executable, "-c", LOADED], cwd=ROOT, env=env, capture_output=True, text=True, check=True, timeout=120
    )
    loaded = json.loads(result.stdout)
    assert "app" in loaded and "chalice" in loaded
    early = [m for m in loaded if m.startswith(NOT_AT_IMPORT) or m in {p.rstrip(".") for p in NOT_AT_IMPORT}]
    assert early == [], f"imported by `import app` though no route ran: {early}"


def test_constants_copied_to_spare_the_import_stay_equal():
    from chalicelib.api.notices import PAGE_MAX as ROUTE_PAGE_MAX
    from chalicelib.store.notices import PAGE_MAX

    assert ROUTE_PAGE_MAX == PAGE_MAX
