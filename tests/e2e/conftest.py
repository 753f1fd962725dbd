"""End-to-end tests run against the real local stack, started once per test worker.

Mark e2e modules with
``pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("local-stack")]``:
under ``pytest -n 2 --dist loadgroup`` every test of the group runs in one worker,
so CI starts a single stack. The ``local_stack`` fixture gives its URLs
(``.api``, ``.web``, ``.ncalayer``, ``.ncalayer_control``, ``.moto``), the demo
identities (``.identities``, ``.identity("parent")``) and its log (``.log()``).

The stack is shared: its clock starts at the fixed instant ``tests.e2e.clock.START``
(never today's date) and only moves forward, so a test that moves it must move it as
little as it needs (demo children's ages depend on the date).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from infra.local.harness import StackProcess, start_stack
from tests.e2e.clock import START

if TYPE_CHECKING:  # playwright loads only where a browser test runs
    from playwright.sync_api import Browser, Page


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory) -> Iterator[StackProcess]:
    stack = start_stack(tmp_path_factory.mktemp("local-stack"), clock_start=START)
    try:
        yield stack
    finally:
        code = stack.stop()
        if code != 0:
            pytest.fail(f"the local stack did not stop cleanly (exit {code}):\n{stack.log()[-4000:]}")


# --- the browser tests' fixtures (modules marked ``browser``: Debian chromium, their own stack) ----


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's chromium, one per module."""
    from tests.e2e.browser import chromium

    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def web_stack_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    """The browser tests' local stack, started once per worker on first use and stopped at its end."""
    stack = start_stack(tmp_path_factory.mktemp("web-stack"), clock_start=START)
    try:
        yield stack
    finally:
        stack.stop()


@pytest.fixture(scope="module")
def stack(browser: Browser, web_stack_process: StackProcess) -> StackProcess:
    """The browser tests' local stack: not the e2e suite's shared ``local_stack``.

    The browser tests sign demo parents in for the first time and put demo children in the
    queue, which must not depend on, nor disturb, what the other end-to-end tests do with the
    same people.
    """
    return web_stack_process


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context, failing on script errors."""
    from tests.e2e.browser import new_page

    with new_page(browser) as opened:
        yield opened
