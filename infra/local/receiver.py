"""A kindergarten portal's webhook receiver, as a portal developer would write one (``make run``).

Every POST to ``/hooks/<kindergarten id>`` is verified with the ``standardwebhooks`` library
against the secrets the kindergarten's endpoint was given, de-duplicated by ``webhook-id``
(at-least-once delivery means a portal may see an event twice) and printed. ``GET /received``
lists what was accepted, in arrival order (tests and benchmarks read it).

For trying failures: ``POST /control {"down": true}`` makes it answer 503 (``"retry_after": 30``
adds a ``Retry-After``), ``{"gone": ["<kindergarten id>"]}`` answers 410 for those.

    python -m infra.local.receiver --port 8090   # standalone; secrets with --secret KG=whsec_…
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError

HOST = "127.0.0.1"


@dataclass
class Received:
    kindergarten_id: str
    webhook_id: str
    type: str
    data: dict[str, Any]
    timestamp: str
    received_at: str

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class ReceiverState:
    secrets: dict[str, list[str]] = field(default_factory=dict)
    received: list[Received] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    duplicates: int = 0
    refused: int = 0
    down: bool = False
    retry_after: int | None = None
    gone: set[str] = field(default_factory=set)
    quiet: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class ReceiverServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, port: int, state: ReceiverState) -> None:
        super().__init__((HOST, port), _Handler)
        self.state = state

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.server_address[1]}"

    def endpoint_for(self, kindergarten_id: str) -> str:
        return f"{self.url}/hooks/{kindergarten_id}"

    def trust(self, kindergarten_id: str, secret: str) -> None:
        """Accept deliveries to this kindergarten signed with ``secret`` (a rotated one is added)."""
        with self.state.lock:
            self.state.secrets.setdefault(kindergarten_id, []).append(secret)

    def start(self) -> threading.Thread:
        thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True, name="receiver"
        )
        thread.start()
        return thread

    def stop(self) -> None:
        self.shutdown()
        self.server_close()


class _Handler(BaseHTTPRequestHandler):
    server: ReceiverServer

    def log_message(self, format: str, *args: Any) -> None:
        return

    def _answer(self, status: int, body: Any = None, headers: dict[str, str] | None = None) -> None:
        data = b"" if body is None else json.dumps(body, ensure_ascii=False).encode()
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self) -> None:
        state = self.server.state
        if self.path.startswith("/received"):
            with state.lock:
                items = [r.as_dict() for r in state.received]
            self._answer(200, {"items": items, "duplicates": state.duplicates, "refused": state.refused})
        else:
            self._answer(404, {"error": "not found"})

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path == "/control":
            control = json.loads(body or b"{}")
            with state.lock:
                state.down = bool(control.get("down", state.down))
                state.retry_after = control.get("retry_after", state.retry_after)
                state.gone = set(control.get("gone", state.gone))
            self._answer(200, {"down": state.down, "gone": sorted(state.gone)})
            return
        if not self.path.startswith("/hooks/"):
            self._answer(404, {"error": "not found"})
            return
        kindergarten_id = self.path[len("/hooks/") :].split("?", 1)[0]
        if kindergarten_id in state.gone:
            self._answer(410, {"error": "gone"})
            return
        if state.down:
            self._answer(503, {"error": "down"}, {"Retry-After": str(state.retry_after)} if state.retry_after else None)
            return
        headers = {name.lower(): value for name, value in self.headers.items()}
        event = None
        for secret in state.secrets.get(kindergarten_id, []):
            try:
                event = Webhook(secret).verify(body, headers)
                break
            except WebhookVerificationError:
                continue
        if event is None:
            with state.lock:
                state.refused += 1
            self._print(f"REFUSED  {kindergarten_id}: signature not verified ({headers.get('webhook-id')})")
            self._answer(400, {"error": "signature not verified"})
            return
        webhook_id = headers["webhook-id"]
        with state.lock:
            if webhook_id in state.seen:
                state.duplicates += 1
                duplicate = True
            else:
                duplicate = False
                state.seen.add(webhook_id)
                state.received.append(
                    Received(
                        kindergarten_id,
                        webhook_id,
                        event["type"],
                        event["data"],
                        event["timestamp"],
                        datetime.now(UTC).isoformat(),
                    )
                )
        if not duplicate:
            number = event["data"].get("number") or event["data"].get("publication_id") or ""
            self._print(f"webhook  {kindergarten_id}  {event['type']:<22} {number}  ({webhook_id}, verified)")
        self._answer(204)

    def _print(self, line: str) -> None:
        if not self.server.state.quiet:
            print(line, flush=True)


def start_receiver(port: int = 0, *, quiet: bool = False) -> ReceiverServer:
    server = ReceiverServer(port, ReceiverState(quiet=quiet))
    server.start()
    return server


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8090)
    parser.add_argument("--secret", action="append", default=[], help="KINDERGARTEN=whsec_… (repeatable)")
    args = parser.parse_args(argv)
    server = ReceiverServer(args.port, ReceiverState())
    for item in args.secret:
        kindergarten, _, secret = item.partition("=")
        server.trust(kindergarten, secret)
    print(f"receiving webhooks on {server.url}/hooks/<kindergarten id>", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    return 0


if __name__ == "__main__":
    sys.exit(main())
