"""Local-HTTP-server plumbing shared by the fakes: a quiet threading server on 127.0.0.1."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False  # keep-alive handler threads must not stall stop()
    fake: Any  # the fake whose ``_handle`` the request handler calls

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out or hang up mid-response are part of the scenarios


class LocalServer:
    """Serves ``handler_class`` on an ephemeral 127.0.0.1 port in a daemon thread."""

    handler_class: type[BaseHTTPRequestHandler]
    _server: QuietServer | None = None
    _thread: threading.Thread | None = None

    def start(self) -> Self:
        server = QuietServer(("127.0.0.1", 0), self.handler_class)
        server.fake = self
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, f"{type(self).__name__} not started"
        return f"http://127.0.0.1:{self._server.server_address[1]}"
