"""Every shell command of the README and the docs works when pasted into a terminal.

The ```sh blocks of ``README.md`` and ``docs/*.md`` are what a newcomer pastes while ``make run``
runs (```console and ```text blocks are shown, not run). Each block runs here with bash against a
started stack of this module's own, the default addresses of ``make run`` replaced by the stack's
and its ready file standing for ``.local/ready.json``. A block passes when bash exits 0 and nothing
it printed is a refusal (the project's JSON error, a gateway's ``Code``/``Message`` answer, a
traceback).
"""

from __future__ import annotations

import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from infra.local.harness import StackProcess, start_stack
from tests.e2e.clock import START

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("docs-commands")]

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BLOCK = re.compile(r"^[ \t]*```sh\n(.*?)^[ \t]*```", re.MULTILINE | re.DOTALL)
REFUSALS = ('"error": {', '"error":{', '"Code":', "Traceback (most recent call last)", "<html")


def shell_blocks() -> list[tuple[str, str]]:
    blocks = []
    for document in DOCUMENTS:
        text = document.read_text(encoding="utf-8")
        for number, match in enumerate(BLOCK.finditer(text), start=1):
            code = "\n".join(line.strip() for line in match.group(1).splitlines())
            blocks.append((f"{document.relative_to(ROOT)}#{number}", code))
    return blocks


BLOCKS = shell_blocks()


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StackProcess]:
    running = start_stack(tmp_path_factory.mktemp("docs-commands"), clock_start=START)
    try:
        yield running
    finally:
        running.stop()


def as_pasted_into(stack: StackProcess, code: str) -> str:
    """The block with ``make run``'s default addresses and ready file replaced by this stack's."""
    control = stack.ncalayer_control.rsplit("/identity", 1)[0]
    replacements = {
        "http://127.0.0.1:8000": stack.api,
        "http://127.0.0.1:8080": stack.web,
        "ws://127.0.0.1:13579": stack.ncalayer,
        "http://127.0.0.1:13579": control,
        "http://127.0.0.1:5000": stack.moto,
        ".local/ready.json": str(stack.state_dir / "ready.json"),
    }
    for default, actual in replacements.items():
        code = code.replace(default, actual)
    return code


def test_the_docs_have_commands_to_paste():
    # the README's own blocks are among them (a renamed fence would silently drop them)
    assert sum(name.startswith("README.md") for name, _ in BLOCKS) >= 4, BLOCKS


@pytest.mark.parametrize(("name", "code"), BLOCKS, ids=[name for name, _ in BLOCKS])
def test_a_documented_command_works_when_pasted(stack: StackProcess, name: str, code: str):
    # given the local stack running, when the block is pasted into bash at the repository's root
    environment = {**os.environ, "BALABAQSHA_READY_FILE": str(stack.state_dir / "ready.json")}
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", as_pasted_into(stack, code)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=180,
    )
    printed = done.stdout + done.stderr
    # then it succeeds and nothing it printed is a refusal
    assert done.returncode == 0, f"{name} exited {done.returncode}:\n{code}\n---\n{printed[-3000:]}"
    refused = [marker for marker in REFUSALS if marker in printed]
    assert not refused, f"{name} printed a refusal ({refused}):\n{code}\n---\n{printed[-3000:]}"


def test_a_refusal_is_caught(stack: StackProcess):
    # the check can fail: the README's old clock command, without its Content-Type, is refused
    old = f'curl -sS -X POST {stack.api}/local/clock -d \'{{"advance": "PT1S"}}\''
    done = subprocess.run(["bash", "-c", old], capture_output=True, text=True, timeout=60)
    assert any(marker in done.stdout for marker in REFUSALS), done.stdout


def test_the_banner_names_the_children_and_its_commands_work_when_pasted(stack: StackProcess):
    # given the banner the stack printed at start (just after it began answering)
    deadline = time.monotonic() + 60
    while "Paste into another terminal:" not in stack.log() and time.monotonic() < deadline:
        time.sleep(0.2)
    banner = stack.log()
    # then it names each demo parent's children, whether queued, and who signs contracts electronically
    assert "881105310141  Жұмабаев Ерлан Серікұлы" in banner
    assert re.search(r"child 220418530260 .* born 2022-04-18 .*(not in a queue yet|application active)", banner)
    assert re.search(r"ast-saryarka-007 .*«Балапан».* head 750830403217", banner)
    # when its commands are pasted (the terminal helpers' placeholders left out)
    pasted = banner.split("Paste into another terminal:", 1)[1].split("\n\n", 2)[1]
    lines = [line for line in pasted.splitlines() if "<" not in line]
    assert any("/partner/vacancies" in line for line in lines), pasted
    code = "\n".join(lines)
    done = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "BALABAQSHA_READY_FILE": str(stack.state_dir / "ready.json")},
    )
    printed = done.stdout + done.stderr
    # then they work: the seats are published, the clock moved, the timers ran
    assert done.returncode == 0, printed[-3000:]
    assert not [marker for marker in REFUSALS if marker in printed], printed[-3000:]
    assert '"seats": 2' in printed.replace('"seats":2', '"seats": 2') or "publication" in printed, printed[-3000:]
