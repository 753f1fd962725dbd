"""One-off commands an operator runs against a stage's tables (``docs/operations.md``)."""
