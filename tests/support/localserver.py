"""A real HTTP server on 127.0.0.1 for tests, whose answers each test scripts.

Routes map a path (with its query string, or without it as a fallback) to a :class:`Reply`
or to a function of the :class:`Request` returning one, so a page can change between
requests. Every request is recorded in ``server.requests``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit


@dataclass
class Reply:
    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to wait before answering (for timeouts)
    truncate_at: int | None = None  # send only this many body bytes, then close

    def encoded(self) -> bytes:
        return self.body.encode("utf-8") if isinstance(self.body, str) else self.body


@dataclass
class Request:
    method: str
    path: str  # with the query string
    headers: dict[str, str]
    at: float
    body: bytes = b""  # of a POST or PUT
    client_port: int = 0  # the connection it came on (a pool reuses its connections)


Handler = Callable[[Request], Reply]


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Reply | Handler] = {}
        self.prefixes: dict[str, Handler] = {}  # path prefix → handler (after exact routes)
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                server._serve(self, "GET")

            def do_HEAD(self) -> None:
                server._serve(self, "HEAD")

            def do_POST(self) -> None:
                server._serve(self, "POST")

            def do_PUT(self) -> None:
                server._serve(self, "PUT")

            def log_message(self, format: str, *args: object) -> None:
                pass

        class _Server(ThreadingHTTPServer):
            def handle_error(self, request: object, client_address: object) -> None:
                pass  # clients that hang up early (size caps, timeouts) are expected

        self.httpd = _Server(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        # A short poll interval: shutdown() waits for it, once per test.
        self._thread = threading.Thread(target=self.httpd.serve_forever, args=(0.01,),
                                        daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, reply: Reply | Handler | str | bytes) -> None:
        if isinstance(reply, str | bytes):
            reply = Reply(body=reply)
        self.routes[path] = reply

    def route_prefix(self, prefix: str, handler: Handler) -> None:
        """Answer every path under ``prefix`` (without a route of its own) by ``handler``."""
        self.prefixes[prefix] = handler

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path == path]

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _serve(self, handler: BaseHTTPRequestHandler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0) \
            if method in ("POST", "PUT") else 0
        request = Request(method, handler.path, dict(handler.headers.items()), time.time(),
                          handler.rfile.read(length) if length else b"",
                          handler.client_address[1])
        with self._lock:
            self.requests.append(request)
        path = urlsplit(handler.path).path
        route = self.routes.get(handler.path) or self.routes.get(path) or next(
            (h for prefix, h in self.prefixes.items() if path.startswith(prefix)), None)
        if route is None:
            reply = Reply(status=404, body="not found", headers={"Content-Type": "text/plain"})
        elif isinstance(route, Reply):
            reply = route
        else:
            reply = route(request)
        if reply.delay:
            time.sleep(reply.delay)
        body = reply.encoded()
        try:
            handler.send_response(reply.status)
            headers = {k.lower(): v for k, v in reply.headers.items()}
            if "content-type" not in headers and reply.status != 304:
                handler.send_header("Content-Type", "text/html; charset=utf-8")
            if "content-length" not in headers and reply.status != 304:
                handler.send_header("Content-Length", str(len(body)))
            for name, value in reply.headers.items():
                handler.send_header(name, value)
            if reply.truncate_at is not None:
                handler.send_header("Connection", "close")
            handler.end_headers()
            if method != "HEAD" and reply.status != 304:
                end = len(body) if reply.truncate_at is None else reply.truncate_at
                handler.wfile.write(body[:end])
            handler.wfile.flush()
            if reply.truncate_at is not None:
                handler.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            pass
