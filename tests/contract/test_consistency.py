"""Read-your-writes, concurrent uploads and partial updates, on both stacks, against a real HTTP server."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from api.main import create_app
from core.models import DocumentStatus
from core.uow import unit_of_work
from ingest import repository
from tests.conftest import BOOTSTRAP_TOKEN, Api, open_stack
from tests.samples import born_digital_pdf
from tests.stacks import STACKS


@contextmanager
def served(api: Api) -> Iterator[str]:
    """The same settings served by uvicorn on a free port: a real server sends the answer when it is ready,
    where TestClient waits for the whole app call and so cannot show an answer that comes before the commit."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(api.settings), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)


@pytest.mark.parametrize("stack", STACKS)
def test_a_read_right_after_a_write_sees_it(stack: str, tmp_path: Path) -> None:
    headers = {"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"}
    with open_stack(stack, tmp_path) as api, served(api) as url:
        writer, reader = httpx.Client(base_url=url, headers=headers), httpx.Client(base_url=url, headers=headers)
        with writer, reader:
            for attempt in range(40):
                created = writer.post(
                    "/api/v1/cases", json={"number": f"C.P. {attempt}", "title": "t", "court": "Court A"}
                )
                assert created.status_code == 201, created.text
                case_id = created.json()["id"]
                assert reader.get(f"/api/v1/cases/{case_id}").status_code == 200, f"201 then 404 at {attempt}"
                status = ("pending", "closed")[attempt % 2]  # both allowed from intake (decision 0021)
                assert writer.patch(f"/api/v1/cases/{case_id}", json={"status": status}).status_code == 200
                assert reader.get(f"/api/v1/cases/{case_id}").json()["status"] == status, f"stale at {attempt}"


@pytest.mark.parametrize("stack", STACKS)
def test_twenty_concurrent_uploads_of_one_file_make_one_document(stack: str, tmp_path: Path) -> None:
    content = born_digital_pdf(["The same petition, uploaded by twenty clerks at once."])
    with open_stack(stack, tmp_path) as api, served(api) as url:
        case = api.create_case()
        barrier = threading.Barrier(20)
        answers: list[httpx.Response] = []
        lock = threading.Lock()

        def upload() -> None:
            with httpx.Client(base_url=url, timeout=120) as client:
                barrier.wait()
                response = client.post(
                    f"/api/v1/cases/{case['id']}/documents",
                    headers={"Authorization": f"Bearer {BOOTSTRAP_TOKEN}"},
                    files={"file": ("same.pdf", content)},
                )
            with lock:
                answers.append(response)

        threads = [threading.Thread(target=upload) for _ in range(20)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=180)
        statuses = sorted(response.status_code for response in answers)
        assert len(answers) == 20 and set(statuses) <= {200, 202}, [r.text for r in answers if r.status_code >= 300]
        assert statuses.count(202) == 1  # one upload created it; the others were answered with that row
        assert len({response.json()["id"] for response in answers}) == 1
        with unit_of_work(api.settings) as session:
            assert len(repository.list_case_documents(session, case["id"])) == 1
        document = api.wait_until_done(answers[0].json()["id"])
        assert document["status"] == DocumentStatus.indexed


def test_null_lists_mean_empty_and_the_index_follows_the_database(stack_api: Api) -> None:
    case = stack_api.create_case(parties=[{"name": "Ahmad", "role": "petitioner"}], tags=["tax"])
    document = stack_api.upload(case["id"], "a.pdf", born_digital_pdf(["Interim bail was granted."])).json()
    assert stack_api.wait_until_done(document["id"])["status"] == "indexed"

    changed = stack_api.patch(f"/api/v1/cases/{case['id']}", json={"court": "Court B", "tags": None, "parties": None})
    assert changed.status_code == 200, changed.text
    assert (changed.json()["tags"], changed.json()["parties"], changed.json()["court"]) == ([], [], "Court B")
    facets = stack_api.search("bail")["facets"]["court"]
    assert facets == [{"value": "Court B", "count": 1}]

    refused = stack_api.patch(f"/api/v1/cases/{case['id']}", json={"court": "Court C", "tags": "not a list"})
    assert refused.status_code == 422
    assert stack_api.get(f"/api/v1/cases/{case['id']}").json()["court"] == "Court B"
    assert stack_api.search("bail")["facets"]["court"] == [{"value": "Court B", "count": 1}]


def test_an_unsatisfiable_range_names_the_length(stack_api: Api) -> None:
    case = stack_api.create_case()
    content = born_digital_pdf()
    document = stack_api.upload(case["id"], "a.pdf", content).json()
    response = stack_api.get(f"/api/v1/documents/{document['id']}/file", headers={"Range": "bytes=999999-"})
    assert response.status_code == 416
    assert response.headers["content-range"] == f"bytes */{len(content)}"
