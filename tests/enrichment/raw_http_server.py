"""A server on a free loopback port that answers with exactly the bytes a test writes: for
answers no well-behaved server library would send (1xx before the answer, folded header lines,
two Content-Lengths, a connection reset mid-body, silence).

`answer(conn, request_head)` writes to the raw socket; the request's head (up to its blank line)
is read first. `requests` counts the connections taken.
"""

import contextlib
import socket
import struct
import threading
from collections.abc import Callable
from types import SimpleNamespace


def reset(conn: socket.socket) -> None:
    """Close with a TCP reset (RST) rather than an orderly end of stream."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    conn.close()


@contextlib.contextmanager
def raw_http_server(
    answer: Callable[[socket.socket, bytes], None], *, family: int = socket.AF_INET
):
    host = "::1" if family == socket.AF_INET6 else "127.0.0.1"
    listener = socket.create_server((host, 0), family=family)
    listener.settimeout(0.05)
    stop = threading.Event()
    heads: list[bytes] = []

    def serve(conn: socket.socket) -> None:
        conn.settimeout(10)
        head = b""
        with contextlib.suppress(OSError):
            while b"\r\n\r\n" not in head and len(head) < 1 << 20:
                data = conn.recv(65536)
                if not data:
                    break
                head += data
            heads.append(head)
            answer(conn, head)
        with contextlib.suppress(OSError):
            conn.close()

    port = listener.getsockname()[1]
    netloc = f"[{host}]:{port}" if family == socket.AF_INET6 else f"{host}:{port}"
    with each_connection_served(listener, serve, stop):
        yield SimpleNamespace(port=port, url=f"http://{netloc}", heads=heads, stop=stop)


def served(answer: bytes):
    """A server that answers every connection with these bytes, whatever it was asked."""
    return raw_http_server(lambda conn, head: conn.sendall(answer))


@contextlib.contextmanager
def each_connection_served(
    listener: socket.socket, serve: Callable[[socket.socket], None], stop: threading.Event
):
    """Hand each connection `listener` takes (its timeout set short, so that `stop` is seen) to
    `serve` on a thread of its own, until the block ends or `stop` is set; then close it."""

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _address = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            threading.Thread(target=serve, args=(conn,), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(5)
        listener.close()
