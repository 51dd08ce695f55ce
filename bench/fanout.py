"""Fan-out experiment for OCR on Celery: one task per document (what Casefile does) or one task per page.

Both run real Celery workers on Redis, read the scanned PDFs from MinIO and OCR with Tesseract; only the
task granularity differs, with the same two cores busy either way:
- per document: `--concurrency=2`, each task OCRs its pages with `CASEFILE_OCR_WORKERS=2` threads
  (Casefile's shipped configuration);
- per page: `--concurrency=2`, each task downloads the PDF, renders its one page and OCRs it.

    .venv/bin/python -m bench.fanout        # prints pages/s for each mode on two corpus shapes
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pypdfium2 as pdfium
import redis
from celery import Celery

from bench.corpus import make_corpus, scanned_pdf
from core.config import Settings
from ingest.extraction import extract_pages
from ingest.ocr import TesseractOcr
from ingest.parsers import ParseLimits
from ingest.parsers.pdf import _render as render_page
from storage import get_blob_store
from storage.staging import stage_upload

BROKER = "redis://127.0.0.1:6379/0"
QUEUE = os.environ.get("FANOUT_QUEUE", "casefile-fanout")
LIMITS = ParseLimits(max_pages=2000, max_image_pixels=150_000_000, dpi=300)
settings = Settings(
    s3_endpoint="http://127.0.0.1:9000",
    s3_access_key="casefile",
    s3_secret_key="casefile-secret",  # type: ignore[arg-type]
    s3_bucket="casefile-fanout",
)
app = Celery("fanout", broker=BROKER)
app.conf.update(task_default_queue=QUEUE, task_acks_late=True, worker_prefetch_multiplier=1, task_ignore_result=True)
counter = redis.Redis.from_url(BROKER)


@app.task(name="fanout.document")
def ocr_document(key: str, run: str) -> None:
    with get_blob_store(settings).local_path(key) as path:
        pages = extract_pages(path, "application/pdf", "eng", LIMITS, TesseractOcr(), 2, 20)
    counter.incrby(run, len(pages))


@app.task(name="fanout.page")
def ocr_page(key: str, number: int, run: str) -> None:
    with get_blob_store(settings).local_path(key) as path:
        document = pdfium.PdfDocument(path)  # open just the one page this task owns
        image = render_page(document[number - 1], number, LIMITS)
        document.close()
    TesseractOcr().recognise([image], "eng")
    counter.incr(run)


def _upload(documents: int, pages: int) -> list[str]:
    store = get_blob_store(settings)
    keys = []
    for paper in make_corpus(documents, pages, scanned_every=1, seed=documents * 100 + pages):
        with tempfile.TemporaryFile() as handle:
            handle.write(scanned_pdf(paper.pages))
            handle.seek(0)
            staged, blob = stage_upload(handle, Path(tempfile.gettempdir()), 10**9)  # type: ignore[arg-type]
        store.put(blob.key, staged, blob)
        staged.unlink()
        keys.append(blob.key)
    return keys


def _measure(mode: str, keys: list[str], pages: int) -> float:
    run = f"fanout-{uuid.uuid4().hex}"
    environment = os.environ | {"OMP_THREAD_LIMIT": "1"}
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "bench.fanout", "worker", "--concurrency=2", "--loglevel=WARNING",
         "--without-gossip", "--without-mingle", "--without-heartbeat"],
        env=environment, stdout=open(f"/tmp/fanout-{mode}.log", "ab"), stderr=subprocess.STDOUT,  # noqa: SIM115
    )  # fmt: skip
    time.sleep(4)  # let the pool start before the clock does
    started = time.monotonic()
    for key in keys:
        if mode == "document":
            ocr_document.delay(key, run)
        else:
            for number in range(1, pages + 1):
                ocr_page.delay(key, number, run)
    total = len(keys) * pages
    while int(counter.get(run) or 0) < total:
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    worker.terminate()
    worker.wait()
    return total / elapsed


def main() -> None:
    for documents, pages in ((2, 8), (16, 1)):
        keys = _upload(documents, pages)
        rates = {mode: _measure(mode, keys, pages) for mode in ("document", "page")}
        ratio = rates["page"] / rates["document"]
        print(flush=True)
        print(f"{documents} documents × {pages} pages: per document {rates['document']:.2f} pages/s, "
              f"per page {rates['page']:.2f} pages/s, ratio page/document {ratio:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
