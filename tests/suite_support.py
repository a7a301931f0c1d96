"""A small hand-written distributor for the suite's own tests, independent of the reference server.

It keeps the rules (PEN for a new CNPJ, APV/RPV for a known one, echo, schema-valid answer) but spells its XML
differently from homologa — a namespace prefix, indentation, ``text/xml``, no ``Mensagem`` — so the tests prove the
suite compares XML as XML. ``misbehave`` turns one rule off, for failure-message tests.
"""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

from lxml import etree

NS = "urn:b2b:homologacao:cliente:v1"


def _answer(id_mensagem: str, cnpj: str, status: str, style: str, message: str = "") -> bytes:
    if style == "prefixo":
        extra = f"  <ns2:Mensagem>{escape(message)}</ns2:Mensagem>\n" if message else ""
        return (
            f'<?xml version="1.0" encoding="utf-8"?>\n<ns2:RetornoCadastroCliente xmlns:ns2="{NS}">\n'
            f"  <ns2:IdMensagem>{escape(id_mensagem)}</ns2:IdMensagem>\n  <ns2:CNPJ>{escape(cnpj)}</ns2:CNPJ>\n"
            f"  <ns2:Status>{status}</ns2:Status>\n{extra}</ns2:RetornoCadastroCliente>\r\n"
        ).encode()
    return (
        f"<RetornoCadastroCliente xmlns='{NS}'><IdMensagem>{escape(id_mensagem)}</IdMensagem>"
        f"<CNPJ>{escape(cnpj)}</CNPJ><Status>{status}</Status><Mensagem>{escape(message)}</Mensagem>"
        "</RetornoCadastroCliente>"
    ).encode()


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # quiet
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        root = etree.fromstring(self.rfile.read(length))
        id_mensagem = root.findtext(f"{{{NS}}}IdMensagem") or ""
        cnpj = root.findtext(f"{{{NS}}}Cliente/{{{NS}}}CNPJ") or ""
        srv = self.server
        with srv.lock:
            known = cnpj in srv.known
            srv.known.add(cnpj)
            srv.requests.append(dict(self.headers))
        status = ("RPV" if srv.style == "prefixo" else "APV") if known else "PEN"
        if srv.misbehave == "apv-para-novo" and not known:
            status = "APV"
        if srv.misbehave == "eco-errado":
            id_mensagem = "00000000-0000-4000-8000-000000000000"
        echo = f"recebido em {self.path}" if srv.misbehave == "eco-url" else ""  # ERPs that echo their own URL
        body = _answer(id_mensagem, cnpj, status, srv.style, echo)
        self.send_response(200)
        self.send_header("Content-Type", "text/xml;charset=utf-8" if srv.style == "prefixo" else "application/xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, style: str, misbehave: str | None) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.style = style
        self.misbehave = misbehave
        self.known: set[str] = set()
        self.requests: list[dict[str, str]] = []
        self.lock = threading.Lock()


@contextmanager
def conforming_server(
    style: str = "prefixo", misbehave: str | None = None, tls: ssl.SSLContext | None = None
) -> Iterator[_Server]:
    """A running distributor on a free loopback port; ``server.url`` is its endpoint (https with ``tls``)."""
    server = _Server(style, misbehave)
    scheme = "https" if tls else "http"
    if tls is not None:
        server.socket = tls.wrap_socket(server.socket, server_side=True)
    server.url = f"{scheme}://127.0.0.1:{server.server_address[1]}/erp/clientes?chave=segredo123"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def make_pki(folder: Path) -> dict[str, Path]:
    """A throw-away CA, a server certificate for 127.0.0.1 and a client certificate (openssl, EC P-256)."""

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], cwd=folder, check=True, capture_output=True)

    key = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    openssl("req", "-x509", *key, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=homologa-ca")
    (folder / "san.ext").write_text("subjectAltName=IP:127.0.0.1\n", encoding="utf-8")
    for name, subject in (("servidor", "/CN=127.0.0.1"), ("cliente", "/CN=erp-homologa")):
        openssl("req", *key, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", subject)
        extra = ["-extfile", "san.ext"] if name == "servidor" else []
        openssl(
            "x509", "-req", "-in", f"{name}.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
            "-out", f"{name}.pem", "-days", "2", *extra,
        )  # fmt: skip
    return {name: folder / name for name in ("ca.pem", "servidor.pem", "servidor.key", "cliente.pem", "cliente.key")}


def mtls_server_context(pki: dict[str, Path]) -> ssl.SSLContext:
    """A server context that demands a client certificate signed by the throw-away CA."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(pki["ca.pem"]))
    context.verify_mode = ssl.CERT_REQUIRED
    context.load_cert_chain(str(pki["servidor.pem"]), str(pki["servidor.key"]))
    return context
