"""The two HTTP servers of the local stack: the Chalice API and the static web front end.

Both are bound (and so their ports known) before the app is imported, because
the app's settings must already name them (``BQ_PUBLIC_BASE_URL``,
``BQ_WEB_ORIGIN``); the API's request handler is attached once the app exists.

The API runs on Chalice's own local gateway (what ``chalice local`` runs), with
CORS added for pages served from a loopback origin: preflight requests are
answered for every route, and every answer allows the page's origin.
"""

from __future__ import annotations

import functools
import json
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from chalice.local import ChaliceRequestHandler, CustomLocalChalice, ForbiddenError, LocalChalice, LocalGatewayException

from chalicelib.api.responses import gateway_refusal
from chalicelib.observability import mask_personal_data

LOOPBACK_HOSTS = {"127.0.0.1", "localhost"}
CORS_METHODS = "GET,POST,PUT,PATCH,DELETE,OPTIONS"


class QuietThreadingServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # a burst of concurrent clients waits in the backlog instead of being reset
    answered: threading.Event | None = None  # set after every answered request (the job poller's wake-up)

    def finish_request(self, request: Any, client_address: Any) -> None:
        try:
            super().finish_request(request, client_address)
        finally:
            if self.answered is not None:
                self.answered.set()


def bind(host: str, port: int) -> QuietThreadingServer:
    """A listening server on ``host:port`` (0: any free port); its handler is set later."""
    return QuietThreadingServer((host, port), SimpleHTTPRequestHandler, bind_and_activate=True)


def port_of(server: ThreadingHTTPServer) -> int:
    return int(server.server_address[1])


def serve_in_thread(server: ThreadingHTTPServer, name: str) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2}, name=name, daemon=True)
    thread.start()
    return thread


def _loopback_origin(origin: str | None) -> str | None:
    if not origin:
        return None
    host = urlsplit(origin).hostname
    return origin if host in LOOPBACK_HOSTS else None


def masked_log_line(format: str, *args: Any) -> str:
    """A request-line log message with IINs, e-mails and phones masked, also when percent-encoded."""
    return mask_personal_data(unquote(format % args))


class CorsChaliceHandler(ChaliceRequestHandler):
    """Chalice's local gateway, answering CORS preflights and allowing loopback origins.

    Every refusal made here rather than by the app — an unknown route (API Gateway's "Missing
    Authentication Token"), an oversize header (431), a broken request line — is the project's
    JSON error in Kazakh and Russian, as API Gateway's gateway responses are in AWS.
    """

    def log_message(self, format: str, *args: Any) -> None:
        if getattr(self.server, "verbose", False):
            super().log_message("%s", masked_log_line(format, *args))

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        self._send_refusal(code, {})

    def _send_error_response(self, error: LocalGatewayException) -> None:
        # Chalice's local gateway answers a route it does not know with API Gateway's 403
        # "Missing Authentication Token"; the project's answer is a 404 naming the rule.
        status = 404 if isinstance(error, ForbiddenError) else error.CODE
        self._send_refusal(status, dict(error.headers or {}))

    def _send_refusal(self, status: int, headers: dict[str, Any]) -> None:
        body = json.dumps(gateway_refusal(status), ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        if status in (400, 414, 431) or self.command is None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self._send_headers({k: v for k, v in headers.items() if k.lower() not in ("content-type", "content-length")})
        if self.command != "HEAD":
            self.wfile.write(body)

    def _cors_headers(self) -> dict[str, str]:
        headers = getattr(self, "headers", None)  # not there when the request line itself was refused
        origin = _loopback_origin(headers.get("Origin") if headers is not None else None)
        if origin is None:
            return {}
        return {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Credentials": "true",
            "Access-Control-Expose-Headers": "Content-Disposition, Location, X-Request-Id",
            "Vary": "Origin",
        }

    def _handle_with_cors(self) -> None:
        if self.command == "OPTIONS" and self.headers.get("Access-Control-Request-Method"):
            self.send_response(204)
            for name, value in self._cors_headers().items():
                self.send_header(name, value)
            self.send_header("Access-Control-Allow-Methods", CORS_METHODS)
            requested = self.headers.get("Access-Control-Request-Headers")
            self.send_header("Access-Control-Allow-Headers", requested or "Authorization, Content-Type")
            self.send_header("Access-Control-Max-Age", "600")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._generic_handle()

    def _send_headers(self, headers: dict[str, Any]) -> None:
        present = {name.lower() for name in headers}
        for name, value in self._cors_headers().items():
            if name.lower() == "access-control-allow-origin" and name.lower() in present:
                headers[next(h for h in headers if h.lower() == name.lower())] = value
            elif name.lower() not in present:
                headers[name] = value
        super()._send_headers(headers)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _handle_with_cors


def attach_app(server: QuietThreadingServer, app: Any, config: Any, *, verbose: bool = False) -> None:
    """Serve ``app`` (a Chalice app) on ``server``, one request per thread, as ``chalice local`` does."""
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice
    server.verbose = verbose  # type: ignore[attr-defined]
    server.RequestHandlerClass = functools.partial(  # type: ignore[assignment]
        CorsChaliceHandler, app_object=app, config=config
    )


class WebHandler(SimpleHTTPRequestHandler):
    """Static files of ``web/`` plus ``/config.js`` describing this stack to the page."""

    def __init__(self, *args: Any, directory: str, config: dict[str, Any], verbose: bool, **kwargs: Any) -> None:
        self._config = config
        self._verbose = verbose
        super().__init__(*args, directory=directory, **kwargs)

    def log_message(self, format: str, *args: Any) -> None:
        if self._verbose:
            super().log_message("%s", masked_log_line(format, *args))

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        if path == "/config.js":
            self._send(200, "application/javascript; charset=utf-8", config_js(self._config))
        elif path in ("/", "/index.html") and not (Path(str(self.directory)) / "index.html").exists():
            self._send(200, "text/html; charset=utf-8", placeholder_page(self._config))
        else:
            super().do_GET()

    def _send(self, status: int, content_type: str, text: str) -> None:
        body = text.encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def config_js(config: dict[str, Any]) -> str:
    """The page's settings, in the shape ``web/js/config.js`` reads."""
    return (
        "// Written by the local stack (infra/local/stack.py).\n"
        f"window.BALABAQSHA_CONFIG = {json.dumps(config, ensure_ascii=False, indent=2)};\n"
    )


def placeholder_page(config: dict[str, Any]) -> str:
    return (
        "<!doctype html><meta charset='utf-8'><title>Balabaqsha (local)</title>"
        "<h1>Balabaqsha — local stack</h1>"
        "<p>The web front end (<code>web/index.html</code>) is not there yet.</p>"
        f"<p>API: <a href='{config['apiBase']}/health'>{config['apiBase']}/health</a></p>"
    )


def attach_web(server: QuietThreadingServer, directory: Path, config: dict[str, Any], *, verbose: bool = False) -> None:
    """Serve ``directory`` and ``/config.js`` on ``server``."""
    server.RequestHandlerClass = functools.partial(  # type: ignore[assignment]
        WebHandler, directory=str(directory), config=config, verbose=verbose
    )
