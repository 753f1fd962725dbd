"""Use cases: one function per thing a user does; they orchestrate domain rules and adapters."""
