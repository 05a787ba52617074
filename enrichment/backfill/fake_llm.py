"""A FAKE OpenAI-compatible chat-completions server, for tests and benches: no model behind it.

    POST {url}/chat/completions   (any path ending in /chat/completions)

It answers each model named in the request body with what it was told to (`FakeLlmAnswer`): a
list of books as the JSON content of `choices[0].message.content` (optionally inside ```json
fences), content as is (garbage, prose around JSON), a refusal, an HTTP status with an error
body, a raw body (an oversized one), each after an optional delay. A model it was told nothing
about gets OpenAI's 404 "model not found"; with `api_key` set, a request without that Bearer
token gets a 401 that quotes the token it was sent (as hostile as a server may be: the client
must scrub it). Every answer is synthetic by construction: the books are whatever the test or
bench wrote, never a real model's output.

The server listens on an IPv4 loopback address only (port 0: a free one) and records each
request (`requests`: model, Authorization header, body) for the test to check.
"""

import ipaddress
import json
import logging
import sys
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

logger = logging.getLogger(__name__)

JSON = "application/json; charset=utf-8"


@dataclass
class FakeLlmAnswer:
    """What the fake answers for one model. The first of `body`, `status` other than 200,
    `refusal`, `content` and `books` that is set decides the answer; `delay` comes first."""

    books: list[dict[str, Any]] = field(default_factory=list)  # {"books": [...]} as the content
    fenced: bool = False  # the books' JSON inside ```json fences, with a sentence before it
    content: str | None = None  # the message content as is (garbage, prose, a bare list...)
    refusal: str = ""  # an OpenAI refusal: content null, message.refusal set
    status: int = 200  # another status answers with an OpenAI-style error body
    body: bytes | None = None  # the whole HTTP body as is, whatever the status
    declare_length: bool = True  # False: no Content-Length, the body ends when the socket closes
    headers: dict[str, str] = field(default_factory=dict)  # more headers (a redirect's Location)
    delay: float = 0.0  # seconds before the status line


@dataclass(frozen=True)
class FakeLlmRequest:
    path: str
    model: str
    authorization: str
    body: dict[str, Any]
    received_at: float


def completion_body(*, model: str, content: str | None, refusal: str = "") -> bytes:
    """A chat.completion object, in the shape OpenAI's API documents."""
    return json.dumps(
        {
            "id": "chatcmpl-fake",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [
                {
                    "index": 0,
                    "message": {
                        "role": "assistant",
                        "content": content,
                        "refusal": refusal or None,
                    },
                    "finish_reason": "stop",
                }
            ],
            "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        }
    ).encode()


def error_body(message: str, *, kind: str = "invalid_request_error") -> bytes:
    return json.dumps({"error": {"message": message, "type": kind, "code": None}}).encode()


def answer_content(answer: FakeLlmAnswer) -> str | None:
    """The message content a FakeLlmAnswer stands for."""
    if answer.content is not None:
        return answer.content
    books = json.dumps({"books": answer.books}, indent=1)
    if answer.fenced:
        return f"Here are the books you asked for:\n```json\n{books}\n```\nEnjoy!"
    return books


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: "_Server"

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(min(length, 1024 * 1024))
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            body = {}
        model = str(body.get("model", "")) if isinstance(body, dict) else ""
        authorization = self.headers.get("Authorization", "")
        fake = self.server.fake
        fake.record(FakeLlmRequest(self.path, model, authorization, body, time.monotonic()))
        if not self.path.split("?", 1)[0].endswith("/chat/completions"):
            return self._send(404, error_body(f"Unknown path {self.path}"))
        if fake.api_key and authorization != f"Bearer {fake.api_key}":
            token = authorization.removeprefix("Bearer ")
            return self._send(401, error_body(f"Incorrect API key provided: {token}"))
        answer = fake.answers.get(model)
        if answer is None:
            return self._send(404, error_body(f"The model `{model}` does not exist"))
        if answer.delay and fake.stopping.wait(answer.delay):
            return  # the server is stopping: nobody waits for this answer any more
        if answer.body is not None:
            return self._send(
                answer.status,
                answer.body,
                declare_length=answer.declare_length,
                headers=answer.headers,
            )
        if answer.status != 200:
            kind = "rate_limit_exceeded" if answer.status == 429 else "server_error"
            message = f"Synthetic fake error {answer.status}"
            return self._send(answer.status, error_body(message, kind=kind), headers=answer.headers)
        content = None if answer.refusal else answer_content(answer)
        self._send(
            200,
            completion_body(model=model, content=content, refusal=answer.refusal),
            declare_length=answer.declare_length,
            headers=answer.headers,
        )

    do_GET = do_POST

    def _send(
        self,
        status: int,
        body: bytes,
        *,
        declare_length: bool = True,
        headers: dict[str, str] | None = None,
    ) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", JSON)
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            if declare_length:
                self.send_header("Content-Length", str(len(body)))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            self.end_headers()
            self.wfile.write(body)
        except OSError:  # the client gave up (its deadline, its byte cap): what a test wants
            self.close_connection = True

    def log_message(self, format, *args):
        logger.debug("fake LLM: %s %s", self.address_string(), format % args)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: "FakeLlmServer"

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            logger.exception("Fake LLM server: error with %s", client_address)


class FakeLlmServer:
    """The fake on `host:port`; `url` is the base to give BACKFILL_LLM_URL (".../v1").

    `answers` maps a model name to its FakeLlmAnswer; change it between requests freely.
    """

    def __init__(
        self,
        answers: dict[str, FakeLlmAnswer] | None = None,
        *,
        api_key: str = "",
        host: str = "127.0.0.1",
        port: int = 0,
    ):
        if not ipaddress.ip_address(host).is_loopback or ":" in host:
            raise ValueError(f"The fake LLM server listens on an IPv4 loopback address: {host}")
        self.host = host
        self.answers: dict[str, FakeLlmAnswer] = dict(answers or {})
        self.api_key = api_key
        self.requests: list[FakeLlmRequest] = []
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        self._server = _Server((host, port), _Handler)
        self._server.fake = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self._server.server_port}/v1"

    def record(self, request: FakeLlmRequest) -> None:
        with self._lock:
            self.requests.append(request)

    def start(self) -> str:
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="fake-llm",
            daemon=True,
        )
        self._thread.start()
        return self.url

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self.stopping.set()  # delayed answers give up at once
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> "FakeLlmServer":
        self.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self.stop()
