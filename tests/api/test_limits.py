"""Item 11: a request body is refused before it is read when the caller has no valid token or it is too large.

The API runs in a real uvicorn process on 127.0.0.1. The client writes HTTP by hand on a socket, so the test sees
the answer arrive while the body is still unsent: the server cannot have held a body it never received. The
server's peak memory (VmHWM) and its temporary directory are checked as well.
"""

from __future__ import annotations

import json
import os
import select
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI

from access import service as access_service
from access.schemas import SYSTEM, TokenCreate, UserCreate
from api.limits import MULTIPART_OVERHEAD_BYTES, install_body_limits
from api.main import create_app
from api.observability import install_observability
from core.config import Settings
from core.db import migrate
from core.models import Role, UnitKind
from core.uow import unit_of_work
from tests.samples import born_digital_pdf
from tests.stacks import REPO, embedded_settings

BOOTSTRAP_TOKEN = "cf_limits-test-bootstrap-token-0123456789"
HUGE = 300 * 1024 * 1024
UPLOAD_LIMIT_MB = 2
CHUNK = 256 * 1024


def limited_app() -> FastAPI:
    """The factory the uvicorn process runs: settings from CASEFILE_* variables, both middlewares installed."""
    app = create_app(Settings())
    install_body_limits(app)
    install_observability(app)
    return app


@dataclass
class Server:
    port: int
    process: subprocess.Popen[bytes]
    settings: Settings
    clerk_token: str
    temp_dir: Path

    def peak_rss_kb(self) -> int:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
        raise AssertionError("no VmHWM")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("limits")
    settings = embedded_settings(root, BOOTSTRAP_TOKEN, max_upload_mb=UPLOAD_LIMIT_MB, max_json_body_kb=64)
    migrate(settings)
    with unit_of_work(settings) as session:
        access_service.ensure_bootstrap_token(session, BOOTSTRAP_TOKEN)
        unit = access_service.create_unit(session, SYSTEM, "Limits unit", UnitKind.other)
        clerk = access_service.create_user(
            session, SYSTEM, UserCreate(username="limits-clerk", role=Role.clerk, unit_id=unit.id)
        )
        clerk_token = access_service.create_token(session, SYSTEM, TokenCreate(name="limits", user_id=clerk.id))[1]
    temp_dir = root / "tmp"
    temp_dir.mkdir()
    env = os.environ | {
        "CASEFILE_ENVIRONMENT": "test",
        "CASEFILE_DATA_DIR": str(settings.data_dir),
        "CASEFILE_BOOTSTRAP_TOKEN": BOOTSTRAP_TOKEN,
        "CASEFILE_MAX_UPLOAD_MB": str(UPLOAD_LIMIT_MB),
        "CASEFILE_MAX_JSON_BODY_KB": "64",
        "CASEFILE_OCR_WORKERS": "1",
        "TMPDIR": str(temp_dir),  # where a multipart parser would spool a file body
    }
    port = _free_port()
    command = [sys.executable, "-m", "uvicorn", "tests.api.test_limits:limited_app", "--factory",
               "--host", "127.0.0.1", "--port", str(port), "--no-access-log"]  # fmt: skip
    log = open(root / "server.log", "wb")  # noqa: SIM115 - the server process writes it
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or process.poll() is not None:
                raise AssertionError(f"the server did not start: {(root / 'server.log').read_text()[-3000:]}")
            time.sleep(0.2)
        yield Server(port, process, settings, clerk_token, temp_dir)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes
    body_bytes_sent: int

    def problem(self) -> dict:
        assert self.headers["content-type"] == "application/problem+json"
        return dict(json.loads(self.body))


def _read_response(sock: socket.socket) -> tuple[int, dict[str, str], bytes]:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"connection closed before a response: {data!r}"
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {}
    for line in header_lines:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0"))
    while len(body) < length:
        chunk = sock.recv(65536)
        if not chunk:
            break
        body += chunk
    return int(status_line.split()[1]), headers, body


def send_streaming(
    server: Server, path: str, headers: dict[str, str], total: int = HUGE, chunked: bool = False, prefix: bytes = b""
) -> Answer:
    """Send the request head, then body bytes a chunk at a time, stopping as soon as an answer arrives."""
    head = f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    head += "Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {total}\r\n"
    payload = b"x" * CHUNK
    sent = 0
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(head.encode() + b"\r\n")
        if prefix:
            sock.sendall(b"%x\r\n%s\r\n" % (len(prefix), prefix) if chunked else prefix)
            sent += len(prefix)
        while sent < total:
            # The first wait is long: a loaded machine may take seconds to answer, and an answer that needs the
            # body never comes without it, so the wait only removes flakiness, not the check.
            readable, _, _ = select.select([sock], [], [], 0.002 if sent else 5.0)
            if readable:
                break
            try:
                sock.sendall(b"%x\r\n%s\r\n" % (CHUNK, payload) if chunked else payload)
            except (BrokenPipeError, ConnectionResetError):
                break  # the server answered and closed: read its answer
            sent += CHUNK
        else:
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        status, response_headers, body = _read_response(sock)
    return Answer(status, response_headers, body, sent)


BOUNDARY = "casefile-boundary"
# A well-formed start of a multipart upload, so the parser reads on into the file's bytes.
FILE_PART = (
    f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\n'
    "Content-Type: application/octet-stream\r\n\r\n"
).encode()


def multipart_head() -> dict[str, str]:
    return {"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}


@pytest.fixture
def case_id(server: Server) -> str:
    response = httpx.post(
        server.url("/api/v1/cases"),
        headers={"Authorization": f"Bearer {server.clerk_token}"},
        json={"number": f"W.P. {time.monotonic_ns()}", "title": "Limits v. Memory", "court": "Lahore High Court"},
    )
    assert response.status_code == 201, response.text
    return str(response.json()["id"])


def test_an_anonymous_upload_is_refused_before_its_body(server: Server, case_id: str) -> None:
    baseline = server.peak_rss_kb()
    path = f"/api/v1/cases/{case_id}/documents"
    for chunked in (False, True):
        answer = send_streaming(server, path, multipart_head(), chunked=chunked)
        assert answer.status == 401
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.headers["connection"] == "close"
        assert answer.problem()["title"] == "Unauthorized"
        assert answer.problem()["instance"] == path
        assert answer.body_bytes_sent <= CHUNK, answer.body_bytes_sent  # answered before the body was sent
    bad = send_streaming(server, path, multipart_head() | {"Authorization": "Bearer cf_not-a-token"})
    assert bad.status == 401 and bad.problem()["detail"] == answer.problem()["detail"]  # one vague answer
    assert bad.body_bytes_sent <= CHUNK
    basic = send_streaming(server, path, multipart_head() | {"Authorization": "Basic YWRtaW46YWRtaW4="})
    assert basic.status == 401 and "Bearer" in basic.problem()["detail"]
    assert server.peak_rss_kb() - baseline < 20 * 1024
    assert list(server.temp_dir.iterdir()) == []


def test_an_anonymous_json_body_is_refused_before_it_is_read(server: Server) -> None:
    answer = send_streaming(server, "/api/v1/cases", {"Content-Type": "application/json"})
    assert answer.status == 401 and answer.body_bytes_sent <= CHUNK


def test_a_declared_oversize_body_is_refused_before_it_is_read(server: Server, case_id: str) -> None:
    baseline = server.peak_rss_kb()
    auth = {"Authorization": f"Bearer {server.clerk_token}"}
    upload = send_streaming(server, f"/api/v1/cases/{case_id}/documents", multipart_head() | auth)
    assert upload.status == 413 and upload.body_bytes_sent <= CHUNK
    problem = upload.problem()
    assert problem["title"] == "Content too large"
    assert f"{UPLOAD_LIMIT_MB} MB" in problem["detail"]
    assert problem["limit_bytes"] == UPLOAD_LIMIT_MB * 1024 * 1024 + MULTIPART_OVERHEAD_BYTES

    json_body = send_streaming(server, "/api/v1/cases", {"Content-Type": "application/json"} | auth)
    assert json_body.status == 413 and json_body.body_bytes_sent <= CHUNK
    assert json_body.problem()["limit_bytes"] == 64 * 1024
    assert server.peak_rss_kb() - baseline < 20 * 1024


def test_a_chunked_body_is_cut_off_at_the_limit(server: Server, case_id: str) -> None:
    baseline = server.peak_rss_kb()
    auth = {"Authorization": f"Bearer {server.clerk_token}"}
    limit = UPLOAD_LIMIT_MB * 1024 * 1024 + MULTIPART_OVERHEAD_BYTES
    upload = send_streaming(
        server, f"/api/v1/cases/{case_id}/documents", multipart_head() | auth, chunked=True, prefix=FILE_PART
    )
    assert upload.status == 413, upload.body
    assert upload.problem()["limit_bytes"] == limit
    # The server stopped reading at the limit: what the client got out before the answer is the limit plus what
    # the sockets buffer, nowhere near the 300 MB it meant to send.
    assert limit <= upload.body_bytes_sent < limit + 16 * 1024 * 1024, upload.body_bytes_sent

    json_body = send_streaming(server, "/api/v1/cases", {"Content-Type": "application/json"} | auth, chunked=True)
    assert json_body.status == 413 and json_body.body_bytes_sent < 64 * 1024 + 16 * 1024 * 1024
    assert server.peak_rss_kb() - baseline < 30 * 1024
    assert [path for path in server.temp_dir.rglob("*") if path.is_file()] == []
    assert not any((server.settings.data_dir / "staging").glob("*"))


def test_requests_within_the_limits_pass_through(server: Server, case_id: str) -> None:
    auth = {"Authorization": f"Bearer {server.clerk_token}"}
    upload = httpx.post(
        server.url(f"/api/v1/cases/{case_id}/documents"),
        headers=auth,
        files={"file": ("petition.pdf", born_digital_pdf(["within the limit"]))},
        data={"doc_type": "petition"},
    )
    assert upload.status_code == 202, upload.text

    # A chunked body under the limit reaches the handler whole.
    def pieces() -> Iterator[bytes]:
        yield b'{"number": "chunked 1", "title": "Chunked v. Whole", '
        yield b'"court": "Lahore High Court"}'

    created = httpx.post(
        server.url("/api/v1/cases"), headers=auth | {"Content-Type": "application/json"}, content=pieces()
    )
    assert created.status_code == 201, created.text
    assert created.json()["title"] == "Chunked v. Whole"
    # Requests without a body are the handlers' to judge, as before.
    assert httpx.get(server.url("/api/v1/cases")).status_code == 401
    assert httpx.get(server.url("/api/v1/cases"), headers=auth).status_code == 200


def test_a_refusal_is_counted_and_logged_under_its_route(server: Server, case_id: str) -> None:
    send_streaming(server, f"/api/v1/cases/{case_id}/documents", multipart_head())
    metrics = httpx.get(server.url("/metrics")).text
    assert 'route="/api/v1/cases/{case_id}/documents",status="401"' in metrics
