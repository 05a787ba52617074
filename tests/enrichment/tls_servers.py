"""Real TLS servers on 127.0.0.1 whose secure connection fails as hosts' do: a self-signed,
expired or other host's certificate, a handshake cut off, a plain-HTTP server on the https
port, a TLS alert. Certificates are made here with `cryptography` (in .venv), into tmp_path.

`tls_server(shape, tmp_path)` is a context manager giving the server's port, `ca`, the
certificate a client may trust (for the shapes where trusting it still leaves a fault), and
`connections`, one item per connection taken.
"""

import contextlib
import datetime
import ipaddress
import socket
import ssl
import threading
from pathlib import Path
from types import SimpleNamespace

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.enrichment.raw_http_server import each_connection_served

#: The shapes, each with what a client that trusts `ca` still sees.
SHAPES = ("self_signed", "expired", "other_host", "handshake_cut", "plain_http", "alert")
HOST = "covers.mirror.test"
ANSWER = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\nContent-Length: 2\r\n\r\nok"


def make_certificate(directory: Path, *, name: str, expired: bool = False) -> tuple[str, str]:
    """A self-signed certificate for `name` (and 127.0.0.1 unless it names another host):
    (certificate path, key path)."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.UTC)
    start, end = (now - datetime.timedelta(days=30), now - datetime.timedelta(days=1))
    if not expired:
        start, end = now - datetime.timedelta(days=1), now + datetime.timedelta(days=2)
    names: list[x509.GeneralName] = [x509.DNSName(name)]
    if name == HOST:
        names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(end)
        .add_extension(x509.SubjectAlternativeName(names), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}-{expired}.pem", directory / f"{name}-key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return str(cert_path), str(key_path)


@contextlib.contextmanager
def tls_server(shape: str, directory: Path):
    """A server on a free loopback port failing TLS in the way `shape` says."""
    name = "elsewhere.test" if shape == "other_host" else HOST
    cert, key = make_certificate(directory, name=name, expired=shape == "expired")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    if shape == "alert":  # ends every handshake with a "handshake failure" alert
        context.sni_callback = lambda *args: ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()
    connections: list[int] = []

    def serve(conn: socket.socket) -> None:
        connections.append(1)
        with conn:
            conn.settimeout(5)
            if shape == "handshake_cut":  # takes the connection, then drops it unanswered
                conn.recv(1024)
                return
            if shape == "plain_http":  # a plain HTTP server behind an https URL
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
                return
            with contextlib.suppress(OSError), context.wrap_socket(conn, server_side=True) as tls:
                tls.recv(65536)
                tls.sendall(ANSWER)

    with each_connection_served(listener, serve, stop):
        yield SimpleNamespace(
            port=listener.getsockname()[1], ca=cert, host=HOST, connections=connections
        )


@contextlib.contextmanager
def tls_answering_server(answer: bytes, directory: Path):
    """A server on a free loopback port whose TLS works for a client that trusts `ca` (for
    covers.mirror.test and 127.0.0.1), answering every request with the bytes `answer`."""
    cert, key = make_certificate(directory, name=HOST)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    stop = threading.Event()

    def serve(conn: socket.socket) -> None:
        with conn, contextlib.suppress(OSError), context.wrap_socket(conn, server_side=True) as tls:
            tls.settimeout(5)
            tls.recv(65536)
            tls.sendall(answer)

    with each_connection_served(listener, serve, stop):
        yield SimpleNamespace(port=listener.getsockname()[1], ca=cert, host=HOST)
