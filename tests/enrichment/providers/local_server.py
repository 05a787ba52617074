"""A real HTTP server on 127.0.0.1 (a thread) for tests where the socket matters: how much of a
streamed answer the client really read, a Content-Length that lies, a gzip body.

Each test sets `server.answer` to a function that writes the whole answer through the handler;
`server.body_bytes_sent` counts the body bytes the client accepted before it hung up.
"""

import threading
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class LocalServer:
    def __init__(self):
        self.answer: Callable[[BaseHTTPRequestHandler], None] = lambda handler: None
        self.body_bytes_sent = 0
        self.requests: list[str] = []
        self.stop = threading.Event()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self):
                server.requests.append(self.path)
                server.answer(self)

            do_POST = do_HEAD = do_GET  # a HEAD's answer writes no body: `send` sees to it

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)

    def send(
        self,
        handler: BaseHTTPRequestHandler,
        chunks: Iterable[bytes],
        *,
        status: int = 200,
        headers: dict[str, str] | None = None,
    ) -> None:
        """Headers, then the chunks until the client hangs up (no Content-Length unless given:
        the body ends when the connection closes)."""
        handler.send_response(status)
        headers = {"Content-Type": "application/json", **(headers or {})}
        if "Content-Length" not in headers:
            headers["Connection"] = "close"
            handler.close_connection = True
        for name, value in headers.items():
            handler.send_header(name, value)
        handler.end_headers()
        if handler.command == "HEAD":
            return
        try:
            for chunk in chunks:
                if self.stop.is_set():
                    return
                handler.wfile.write(chunk)
                self.body_bytes_sent += len(chunk)
        except OSError:  # the client hung up: what we wanted to see
            handler.close_connection = True
