"""Start the local stack in a subprocess on free ports and wait until it answers.

Used by the end-to-end tests (``tests/e2e/conftest.py``) and by
``python -m infra.local.stack --check``. Every port is chosen by the operating
system (port 0), so stacks of parallel test workers never collide; the stack
writes its URLs to a ready file once everything listens.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from infra.local.testca import KEY_DIR_VARIABLE

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 20.0


class StackFailed(RuntimeError):
    """The stack did not come up (its log is in the message)."""


@dataclass
class StackProcess:
    """A running local stack: its URLs, demo identities, log and process."""

    process: subprocess.Popen[bytes]
    urls: dict[str, str]
    identities: list[dict[str, Any]]
    state_dir: Path
    log_path: Path

    @property
    def api(self) -> str:
        return self.urls["api"]

    @property
    def web(self) -> str:
        return self.urls["web"]

    @property
    def ncalayer(self) -> str:
        return self.urls["ncalayer"]

    @property
    def ncalayer_control(self) -> str:
        return self.urls["ncalayer_control"]

    @property
    def moto(self) -> str:
        return self.urls["moto"]

    def identity(self, role: str) -> dict[str, Any]:
        """The first demo identity with ``role`` (``parent``, ``operator``, ``head``)."""
        return next(i for i in self.identities if i["role"] == role)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> int | None:
        """Ctrl-C, then wait; killed if it does not stop in time. Returns the exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=timeout)
        return self.process.returncode


def _get(url: str, timeout: float = 5.0) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def start_stack(
    state_dir: Path,
    *,
    timeout: float = START_TIMEOUT_SECONDS,
    timer_seconds: float = 0,
    clock_start: datetime | None = None,
    extra_args: tuple[str, ...] = (),
) -> StackProcess:
    """Start ``python -m infra.local.stack`` on free ports with its state in ``state_dir``; wait until healthy.

    ``clock_start`` starts the stack's movable clock at that instant (tests pass a fixed one, so
    that what they see never depends on today's date).
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    ready = state_dir / "ready.json"
    ready.unlink(missing_ok=True)
    log_path = state_dir / "stack.log"
    command = [
        sys.executable,
        "-m",
        "infra.local.stack",
        *("--api-port", "0", "--web-port", "0", "--moto-port", "0", "--ncalayer-port", "0", "--receiver-port", "0"),
        *("--state-dir", str(state_dir), "--ready-file", str(ready)),
        *("--timer-seconds", str(timer_seconds), "--no-key-files"),
        *(("--clock-start", clock_start.isoformat()) if clock_start is not None else ()),
        *extra_args,
    ]
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("BQ_", "AWS_"))}
    if os.environ.get(KEY_DIR_VARIABLE):  # the test keys kept between processes (infra.local.testca)
        environment[KEY_DIR_VARIABLE] = os.environ[KEY_DIR_VARIABLE]
    environment["PYTHONUNBUFFERED"] = "1"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=environment)
    running = StackProcess(process, {}, [], state_dir, log_path)
    deadline = time.monotonic() + timeout
    try:
        while not ready.exists():
            if process.poll() is not None:
                raise StackFailed(f"the local stack exited with {process.returncode}:\n{running.log()[-4000:]}")
            if time.monotonic() > deadline:
                raise StackFailed(f"the local stack did not start in {timeout:g} s:\n{running.log()[-4000:]}")
            time.sleep(0.1)
        described = json.loads(ready.read_text(encoding="utf-8"))
        running.urls, running.identities = described["urls"], described["identities"]
        while True:
            with contextlib.suppress(OSError):
                if _get(f"{running.api}/health")[0] == 200:
                    return running
            if time.monotonic() > deadline:
                raise StackFailed(f"the API did not answer in {timeout:g} s:\n{running.log()[-4000:]}")
            time.sleep(0.1)
    except BaseException:
        running.stop()
        raise


@contextlib.contextmanager
def running_stack(state_dir: Path | None = None, **options: Any) -> Iterator[StackProcess]:
    """A started stack for the duration of the ``with`` block (state in a temporary directory by default)."""
    with contextlib.ExitStack() as cleanup:
        folder = state_dir or Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="balabaqsha-stack-")))
        stack = start_stack(folder, **options)
        try:
            yield stack
        finally:
            stack.stop()


def check_stack() -> int:
    """Start a stack, probe each part once, stop it; 0 when every part answered."""
    from websockets.sync.client import connect

    problems: list[str] = []
    with running_stack() as stack:

        def probe(name: str, action: Any) -> None:
            try:
                action()
                print(f"  ok    {name}")
            except Exception as error:  # each failing part is reported, then the next one is probed
                problems.append(name)
                print(f"  FAIL  {name}: {error}")

        def web_config() -> None:
            status, body = _get(f"{stack.web}/config.js")
            assert status == 200 and stack.api.encode() in body, body[:200]

        def ncalayer_greets() -> None:
            with connect(stack.ncalayer, open_timeout=10) as socket:
                assert "version" in json.loads(socket.recv(timeout=10))["result"]

        probe("API /health", lambda: _get(f"{stack.api}/health"))
        probe("API /local/clock", lambda: _get(f"{stack.api}/local/clock"))
        probe("API /local/outbox", lambda: _get(f"{stack.api}/local/outbox?to=check%40example.kz"))
        probe("web /config.js", web_config)
        probe("NCALayer stand-in", ncalayer_greets)
        probe("NCALayer control", lambda: _get(stack.ncalayer_control))
        probe("webhook receiver", lambda: _get(f"{stack.urls['receiver']}/received"))
    print("local stack: " + ("every part answered" if not problems else f"failed: {', '.join(problems)}"))
    return 0 if not problems else 1
