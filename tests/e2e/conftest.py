"""End-to-end tests run against the real local stack, started once per test worker.

Mark e2e modules with
``pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]``:
under ``pytest -n 2 --dist loadgroup`` every test of the group runs in one worker,
so CI starts a single stack. The ``local_stack`` fixture gives its URLs
(``.api``, ``.web``, ``.ncalayer``, ``.ncalayer_control``, ``.moto``), the demo
identities (``.identities``, ``.identity("parent")``) and its log (``.log()``).

The stack is shared: its clock only moves forward, so a test that moves it must
move it as little as it needs (demo children's ages depend on the date).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.harness import StackProcess, start_stack


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory) -> Iterator[StackProcess]:
    stack = start_stack(tmp_path_factory.mktemp("local-stack"))
    try:
        yield stack
    finally:
        code = stack.stop()
        if code != 0:
            pytest.fail(f"the local stack did not stop cleanly (exit {code}):\n{stack.log()[-4000:]}")
