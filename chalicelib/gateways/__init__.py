"""Adapters to external state systems (population registry …), each behind a small Protocol."""
