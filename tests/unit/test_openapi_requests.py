"""Each request body in ``docs/openapi.yaml`` states what the server's request model enforces.

The routes read their bodies with ``parse_body(request, Model)`` (pydantic, strict types): the
model's JSON schema is the truth. Both sides are reduced to the same plain form — the types
(``null`` included), required fields, properties, items, enums, lengths, bounds and formats —
and compared field by field. A rule the service's own checks enforce instead of the model (at
most 3 kindergartens, a tick that must be true) is named in the schema's ``x-checked-by-service``.
A planted difference fails (see the last test).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel

ROOT = Path(__file__).resolve().parents[2]
KEPT = ("minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minItems", "maxItems")
FORMATS = {"email", "date", "date-time"}
_PARSE = re.compile(r"parse_body\([^,()]+,\s*(\w+)")


def _resolve(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        path = schema["$ref"].lstrip("#/").split("/")
        target: Any = root
        for part in path:
            target = target[part]
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        schema = {**_resolve(schema["allOf"][0], root), **{k: v for k, v in schema.items() if k != "allOf"}}
    return schema


def canonical(schema: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """The facts a client must know about a value, in one form for pydantic's and OpenAPI's schemas."""
    schema = _resolve(schema, root)
    branches = schema.get("anyOf") or schema.get("oneOf")
    if branches:
        merged: dict[str, Any] = {"type": set()}
        for branch in branches:
            part = canonical(branch, root)
            merged["type"] |= part.pop("type")
            for key, value in part.items():
                merged[key] = value
        if schema.get("nullable"):
            merged["type"].add("null")
        return merged
    out: dict[str, Any] = {}
    kind = schema.get("type")
    types = set(kind) if isinstance(kind, list) else ({kind} if kind else set())
    if "const" in schema:
        out["enum"] = {schema["const"]}
    if "enum" in schema:
        out["enum"] = {v for v in schema["enum"] if v is not None}
        types |= {"null"} if None in schema["enum"] else set()
    if not types and "enum" in out:
        types = {"string" if all(isinstance(v, str) for v in out["enum"]) else "integer"}
    if schema.get("nullable"):
        types.add("null")
    out["type"] = types
    if schema.get("x-checked-by-service"):
        out["by_service"] = set(schema["x-checked-by-service"])
    for key in KEPT:
        if key in schema:
            out[key] = schema[key]
    if schema.get("format") in FORMATS:
        out["format"] = schema["format"]
    if "object" in types:
        out["required"] = set(schema.get("required", []))
        out["properties"] = {name: canonical(value, root) for name, value in schema.get("properties", {}).items()}
    if "array" in types:
        out["items"] = canonical(schema.get("items", {}), root)
    return out


def differences(documented: dict[str, Any], enforced: dict[str, Any], where: str = "") -> list[str]:
    found = []
    by_service = documented.get("by_service", set())  # checked by the service's rules, not by the model
    for key in sorted(set(documented) | set(enforced)):
        if key in ("properties", "by_service") or key in by_service:
            continue
        if key == "items":
            found += differences(documented.get("items", {}), enforced.get("items", {}), f"{where}[]")
            continue
        if documented.get(key) != enforced.get(key):
            ours, theirs = documented.get(key), enforced.get(key)
            found.append(f"{where or '(body)'}: {key} documented {ours!r}, enforced {theirs!r}")
    ours, theirs = documented.get("properties", {}), enforced.get("properties", {})
    for name in sorted(set(ours) | set(theirs)):
        if name not in theirs:
            found.append(f"{where}.{name}: documented but the server does not accept it")
        elif name not in ours:
            found.append(f"{where}.{name}: accepted by the server but not documented")
        else:
            found += differences(ours[name], theirs[name], f"{where}.{name}")
    return found


def request_models() -> dict[tuple[str, str], type[BaseModel]]:
    """(path, method) -> the model its view parses the body with."""
    import app as application

    found = {}
    for path, methods in application.app.routes.items():
        if path.startswith("/local/"):
            continue
        for method, entry in methods.items():
            view = inspect.unwrap(entry.view_function)
            match = _PARSE.search(inspect.getsource(view))
            if match:
                found[(path, method)] = view.__globals__[match.group(1)]
    return found


def spec() -> dict[str, Any]:
    return yaml.safe_load((ROOT / "docs" / "openapi.yaml").read_text(encoding="utf-8"))


def documented_body(document: dict[str, Any], path: str, method: str) -> dict[str, Any] | None:
    body = document["paths"][path][method.lower()].get("requestBody")
    if body is None:
        return None
    return canonical(body["content"]["application/json"]["schema"], document)


def enforced_body(model: type[BaseModel]) -> dict[str, Any]:
    schema = model.model_json_schema()
    return canonical(schema, schema)


MODELS = request_models()


def test_every_route_that_parses_a_body_is_found():
    assert len(MODELS) >= 25
    assert ("/applications/draft", "POST") in MODELS


@pytest.mark.parametrize(("path", "method"), sorted(MODELS), ids=lambda v: str(v))
def test_the_documented_request_body_is_what_the_model_enforces(path, method):
    document = spec()
    documented = documented_body(document, path, method)
    assert documented is not None, f"{method} {path}: no requestBody documented"
    assert differences(documented, enforced_body(MODELS[(path, method)])) == []


def test_a_planted_difference_is_found():
    document = spec()
    path, method = "/uploads", "POST"
    enforced = enforced_body(MODELS[(path, method)])
    assert differences(documented_body(document, path, method), enforced) == []
    schema = _resolve(document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"], document)
    # a documented limit changed, a required field dropped, a property the server does not know
    schema["properties"]["file_name"]["maxLength"] = 10_000
    schema["required"] = [r for r in schema["required"] if r != "size"]
    schema["properties"]["colour"] = {"type": "string"}
    document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"] = schema
    found = differences(documented_body(document, path, method), enforced)
    assert any("file_name: maxLength" in f for f in found)
    assert any("required" in f and "size" in f for f in found)
    assert any(".colour: documented but the server does not accept it" in f for f in found)
