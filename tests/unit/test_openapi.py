"""The partners' API description stays true: every route of the app is described, and nothing else."""

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]


def test_every_route_is_in_the_openapi_description():
    import app as application

    spec = yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text(encoding="utf-8"))
    described = {(path, method.upper()) for path, item in spec["paths"].items() for method in item}
    routes = {
        (path, method)
        for path, methods in application.app.routes.items()
        for method in methods
        if not path.startswith("/local/")
    }
    assert routes - described == set(), "routes missing from docs/openapi.yaml"
    assert described - routes == set(), "docs/openapi.yaml describes routes that do not exist"
