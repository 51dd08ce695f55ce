"""Upload files through the real API and wait until every one is `indexed`: Casefile's end-to-end ingest clock."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.common import Clock, clock, rounded
from bench.stack import ApiClient, ApiServer, Process


@dataclass
class Ingested:
    case_id: str
    document_ids: list[str]
    pages: int
    timing: Clock

    def summary(self) -> dict[str, Any]:
        worker = self.timing.trees.get("worker", 0.0)
        api = self.timing.trees.get("api", 0.0)
        return {
            "pages": self.pages,
            "documents": len(self.document_ids),
            "wall_s": rounded(self.timing.wall),
            "pages_per_s": rounded(self.pages / self.timing.wall),
            "ms_per_page": rounded(1000 * self.timing.wall / self.pages, 2),
            # The worker's process tree includes its tesseract children; the API is the uvicorn process.
            "worker_cpu_s_per_page": rounded(worker / self.pages, 5),
            "api_cpu_s_per_page": rounded(api / self.pages, 5),
            "machine_cpu_s_per_page": rounded(self.timing.machine_cpu / self.pages, 5),
        }


def ingest(api: ApiServer, worker: Process, files: list[Path], pages: int, label: str) -> Ingested:
    """Upload the files one after another (as a clerk's import would), then wait for the last to be indexed."""
    client: ApiClient = api.client()
    case_id = client.create_case(f"bench {label} {uuid.uuid4().hex[:8]}")
    with clock({"worker": worker.pid, "api": api.process.pid}) as timing:
        ids = [client.upload(case_id, path) for path in files]
        client.wait_indexed(case_id, ids)
    client.http.close()
    return Ingested(case_id, ids, pages, timing)


def warm_up(api: ApiServer, worker: Process, sample: Path) -> None:
    """One small document first: the worker imports its code and loads Tesseract's model before the clock runs."""
    ingest(api, worker, [sample], 1, "warm-up")
