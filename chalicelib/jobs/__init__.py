"""Durable consequences of committed changes: job kinds, the worker, the sweep (``docs/jobs.md``)."""
