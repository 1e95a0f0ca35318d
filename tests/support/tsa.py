"""A timestamping authority on 127.0.0.1 for the tests: ``openssl ts -reply`` behind HTTP.

:func:`make_authority` makes a root CA and a TSA certificate (extended key usage
timeStamping) in a folder with the openssl CLI; :class:`LocalTSA` answers RFC 3161 requests
posted to it by running ``openssl ts -reply`` on each. ``refuse`` makes it answer 503, for
the retry tests.
"""

from __future__ import annotations

import subprocess
import tempfile
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.support.commands import command

TSA_CONFIG = """\
[ tsa ]
default_tsa = local
[ local ]
dir = {dir}
serial = $dir/serial
crypto_device = builtin
signer_cert = $dir/tsa.crt
certs = $dir/ca.crt
signer_key = $dir/tsa.key
signer_digest = sha256
default_policy = 1.3.6.1.4.1.99999.1
digests = sha256, sha384, sha512
accuracy = secs:1
ordering = yes
tsa_name = yes
ess_cert_id_chain = no
ess_cert_id_alg = sha256
"""


def openssl() -> str:
    """The openssl CLI: found, or installed from Debian's packages (as root), else skip."""
    return command("openssl", "openssl", "no TSA to test against")


def run(*args: str, cwd: Path) -> None:
    subprocess.run([openssl(), *args], cwd=cwd, check=True, capture_output=True)


@dataclass(frozen=True)
class Authority:
    dir: Path

    @property
    def ca(self) -> Path:
        return self.dir / "ca.crt"

    @property
    def config(self) -> Path:
        return self.dir / "tsa.cnf"


def make_authority(folder: Path) -> Authority:
    """A root CA and a TSA certificate it issued (P-256 keys), and the TSA's openssl config."""
    folder.mkdir(parents=True, exist_ok=True)
    run("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=tearsheet test root",
        "-days", "3650", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign,cRLSign", cwd=folder)
    run("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
        "-keyout", "tsa.key", "-out", "tsa.csr", "-subj", "/CN=tearsheet test TSA", cwd=folder)
    (folder / "ext.cnf").write_text("basicConstraints=CA:FALSE\n"
                                    "keyUsage=critical,digitalSignature\n"
                                    "extendedKeyUsage=critical,timeStamping\n")
    run("x509", "-req", "-in", "tsa.csr", "-CA", "ca.crt", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "tsa.crt", "-days", "3650", "-extfile", "ext.cnf", cwd=folder)
    (folder / "serial").write_text("01\n")
    (folder / "tsa.cnf").write_text(TSA_CONFIG.format(dir=folder))
    return Authority(folder)


class LocalTSA:
    """An HTTP TSA on 127.0.0.1 answering with ``openssl ts -reply``."""

    def __init__(self, authority: Authority) -> None:
        self.authority = authority
        self.requests = 0
        self.refuse = 0  # answer this many requests with 503 first
        self._lock = threading.Lock()
        tsa = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                with tsa._lock:
                    tsa.requests += 1
                    refused = tsa.refuse > 0
                    tsa.refuse -= refused
                    reply = None if refused else tsa.reply(body)
                if reply is None:
                    self.send_response(503)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/timestamp-reply")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/tsa"

    def reply(self, query: bytes) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            request, response = Path(tmp) / "q.tsq", Path(tmp) / "r.tsr"
            request.write_bytes(query)
            run("ts", "-reply", "-config", str(self.authority.config), "-queryfile",
                str(request), "-out", str(response), cwd=self.authority.dir)
            return response.read_bytes()

    def start(self) -> LocalTSA:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def openssl_verify(token: Path, digest_hex: str, ca: Path) -> subprocess.CompletedProcess[str]:
    """``openssl ts -verify`` of a token (not a full reply) over a digest, against ``ca``."""
    return subprocess.run([openssl(), "ts", "-verify", "-token_in", "-in", str(token),
                           "-digest", digest_hex, "-CAfile", str(ca)],
                          capture_output=True, text=True, check=False)
