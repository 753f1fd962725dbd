"""Hostile and careless requests: the fixtures of the contract tests (a parent, «Балапан»'s portal)."""

from tests.integration.contracts.conftest import atomic, balapan, keys, terms  # noqa: F401 (fixtures by name)
