"""The acceptance run of an API client against a running Casefile: about 40 born-digital and scanned
papers, phrase recall and exact-page accuracy, and every hostile file. Usage:

    CASEFILE_BOOTSTRAP_TOKEN=... make run &      # or make stack
    .venv/bin/python scripts/acceptance_run.py --url http://127.0.0.1:8000 --token "$CASEFILE_BOOTSTRAP_TOKEN"
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

import httpx
import typer

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.corpus import make_corpus, unique_phrases, write_files
from tests import samples

app = typer.Typer()


def _wait(client: httpx.Client, ids: list[str], timeout: float) -> dict[str, dict[str, object]]:
    deadline, done = time.monotonic() + timeout, dict[str, dict[str, object]]()
    while len(done) < len(ids) and time.monotonic() < deadline:
        for document_id in ids:
            if document_id not in done:
                document = client.get(f"/api/v1/documents/{document_id}").json()
                if document["status"] in ("indexed", "failed"):
                    done[document_id] = document
        time.sleep(1)
    return done


@app.command()
def main(url: str = "http://127.0.0.1:8000", token: str = os.environ.get("CASEFILE_BOOTSTRAP_TOKEN", ""),
         documents: int = 40, pages: int = 3) -> None:  # fmt: skip
    client = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=120)
    run = str(int(time.time()))
    corpus = make_corpus(documents, pages, seed=int(run) % 1000)
    cases = []
    for index in range(4):
        case = {"number": f"Acceptance {run}/{index}", "title": "Acceptance run", "court": "Acceptance Court"}
        cases.append(client.post("/api/v1/cases", json=case).json()["id"])
    ids: dict[str, str] = {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory() as directory:
        for index, path in enumerate(write_files(corpus, Path(directory))):
            response = client.post(f"/api/v1/cases/{cases[index % 4]}/documents",
                                   files={"file": (path.name, path.read_bytes())})  # fmt: skip
            assert response.status_code == 202, response.text
            ids[path.stem] = response.json()["id"]
    done = _wait(client, list(ids.values()), timeout=1800)
    elapsed = time.monotonic() - started
    indexed = sum(1 for document in done.values() if document["status"] == "indexed")
    print(f"{indexed}/{len(ids)} documents indexed in {elapsed:.0f} s; "
          f"{sum(1 for paper in corpus if paper.scanned)} of them scanned")  # fmt: skip

    phrases = unique_phrases(corpus)
    found = on_page = 0
    for phrase, name, page in phrases:
        hits = client.get("/api/v1/search", params={"q": f'"{phrase}"', "size": 10}).json()["hits"]
        matching = [hit for hit in hits if hit["document_id"] == ids[name]]
        found += bool(matching)
        on_page += bool(matching) and matching[0]["page"] == page
    print(f"recall@10 {found / len(phrases):.3f}, exact page {on_page / len(phrases):.3f} over {len(phrases)} phrases")

    hostile = {
        "random.pdf": os.urandom(65536), "setup.pdf": samples.elf_executable(), "locked.pdf": samples.encrypted_pdf(),
        "truncated.pdf": samples.truncated_pdf(), "bomb.png": samples.png_bomb(), "empty.pdf": b"",
        "../../etc/passwd.pdf": samples.born_digital_pdf(), "long.pdf": samples.many_pages_pdf(2001),
    }  # fmt: skip
    for name, content in hostile.items():
        response = client.post(f"/api/v1/cases/{cases[0]}/documents", files={"file": (name, content)})
        body = response.json()
        kept = (
            "document_id" not in body or client.get(f"/api/v1/documents/{body['document_id']}/file").content == content
        )
        outcome = body.get("detail", body.get("status"))
        print(f"hostile {name!r}: {response.status_code} {outcome!r}; original kept: {kept}")
    print(f"/health {client.get('/health').status_code}")


if __name__ == "__main__":
    app()
