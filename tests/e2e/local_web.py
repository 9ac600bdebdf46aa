"""The outside web, on this machine, for browsers that cannot route requests themselves (Firefox).

- `SiteServer`: HTTPS (and plain HTTP) stand-in for every platform: any host, any path, answers
  `fake_page(url)`; its certificate is self-signed and made at test time (the browser session
  accepts insecure certificates, so HSTS-preloaded hosts such as www.facebook.com still load).
- `RecordingProxy`: the browser's only way out. Every request the browser makes goes through it
  and is written down (`requests`): plain HTTP requests in full (the extension's calls to the
  service, forwarded to it), HTTPS as a CONNECT tunnel to the site server, which writes down each
  request it decrypts. Nothing reaches the internet: a host the test did not plan for is answered
  by the site server too, and shows up in the log, which is what the privacy test reads.
"""

from __future__ import annotations

import datetime
import http.client
import http.server
import ipaddress
import select
import shutil
import socket
import ssl
import subprocess
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .extension_browser import fake_page

# The sites the journeys visit (listed platforms and unlisted sites), for browsers that need them
# resolved locally.
LISTED_SITES = ("facebook.com", "tiktok.com", "youtube.com")
UNLISTED_SITES = ("example.org", "example.com", "wikipedia.org")
LOCAL_DOMAINS = tuple(f"{prefix}{site}" for site in LISTED_SITES + UNLISTED_SITES
                      for prefix in ("", "www.", "m."))


@dataclass(frozen=True)
class Request:
    """One request a browser made, as it left the browser."""

    method: str
    url: str
    headers: dict = field(default_factory=dict)
    body: str = ""


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A throw-away key and certificate for localhost, made now: with the `cryptography` package
    when it is installed, else with the `openssl` command. The browser accepts it because its
    session accepts insecure certificates; the name does not need to match."""
    key_path, cert_path = folder / "site-key.pem", folder / "site-cert.pem"
    try:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes, serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import NameOID
    except ImportError:
        openssl = shutil.which("openssl")
        assert openssl, "neither the cryptography package nor openssl: cannot make a certificate"
        subprocess.run(
            [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
             "-nodes", "-days", "7", "-subj", "/CN=Behind the Feed test sites",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
             "-keyout", str(key_path), "-out", str(cert_path)],
            check=True, capture_output=True)
        return key_path, cert_path

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Behind the Feed test sites")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=7))
        .add_extension(x509.SubjectAlternativeName([
            x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False)
        .sign(key, hashes.SHA256())
    )
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    return key_path, cert_path


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


class _QuietHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):  # noqa: A002 - the base class's signature
        pass

    def body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)


class SiteServer:
    """Every platform's pages, on one local port, over TLS; `page_heads` adds markup per URL
    prefix (as ExtensionBrowser.page_heads does for Chromium)."""

    def __init__(self, folder: Path):
        key, cert = self_signed_certificate(folder)
        self.requests: list[Request] = []
        self.page_heads: dict[str, str] = {}
        site = self

        class Handler(_QuietHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                url = f"https://{self.headers.get('Host', 'unknown')}{self.path}"
                site.requests.append(Request(self.command, url, dict(self.headers.items()),
                                             self.body().decode("utf-8", "replace")))
                head = next((h for p, h in site.page_heads.items() if url.startswith(p)), "")
                self.answer(200, fake_page(url, head).encode(),
                            {"Content-Type": "text/html; charset=utf-8"})

            do_POST = do_HEAD = do_GET  # noqa: N815

        self.server = _Server(("127.0.0.1", 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert, key)
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


class RecordingProxy:
    """An HTTP proxy that writes down every request and sends HTTPS to the site server.

    Plain HTTP to 127.0.0.1 (the service) is forwarded there; plain HTTP elsewhere gets a
    stand-in page. `requests` holds, in order of arrival: plain requests as they came, each
    CONNECT (method CONNECT, url `host:port`, so that even a tunnel that carried no request is
    counted), and the requests the site server decrypted from the tunnels.
    """

    def __init__(self, site: SiteServer):
        self.site = site
        # One list with the site server's, so that the order is the order of arrival.
        self.requests: list[Request] = site.requests
        proxy = self

        class Handler(_QuietHandler):
            def do_CONNECT(self):  # noqa: N802
                proxy.requests.append(Request("CONNECT", self.path, dict(self.headers.items())))
                upstream = socket.create_connection(("127.0.0.1", site.port), timeout=30)
                self.send_response(200, "Connection Established")
                self.end_headers()
                self.wfile.flush()
                sockets = [self.connection, upstream]
                try:
                    while True:
                        readable, _, broken = select.select(sockets, [], sockets, 30)
                        if broken or not readable:
                            break
                        for source in readable:
                            data = source.recv(65536)
                            if not data:
                                return
                            (upstream if source is self.connection else self.connection).sendall(
                                data)
                except OSError:
                    pass
                finally:
                    upstream.close()
                    self.close_connection = True

            def do_GET(self):  # noqa: N802
                body = self.body()
                headers = dict(self.headers.items())
                proxy.requests.append(Request(self.command, self.path, headers,
                                              body.decode("utf-8", "replace")))
                target = urlsplit(self.path)
                if target.hostname not in ("127.0.0.1", "localhost"):
                    self.answer(200, fake_page(self.path).encode(),
                                {"Content-Type": "text/html; charset=utf-8"})
                    return
                connection = http.client.HTTPConnection(target.hostname, target.port or 80,
                                                        timeout=30)
                try:
                    forwarded = {k: v for k, v in headers.items()
                                 if k.lower() not in ("proxy-connection", "connection",
                                                      "keep-alive")}
                    path = target.path + (f"?{target.query}" if target.query else "")
                    connection.request(self.command, path or "/", body=body or None,
                                       headers=forwarded)
                    response = connection.getresponse()
                    data = response.read()
                    kept = {k: v for k, v in response.getheaders()
                            if k.lower() not in ("transfer-encoding", "connection",
                                                 "content-length", "keep-alive")}
                    self.answer(response.status, data, kept)
                except OSError:
                    self.answer(502, b"the service could not be reached")
                finally:
                    connection.close()

            do_POST = do_HEAD = do_PUT = do_DELETE = do_OPTIONS = do_GET  # noqa: N815

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.port = self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def all_requests(self) -> list[Request]:
        """Every request the browser made: plain ones, tunnels, and what went through tunnels."""
        return list(self.requests)

    def clear(self) -> None:
        self.requests.clear()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
