"""Blob store on local disk: content-addressed files under data_dir/blobs."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from core.errors import BackendUnavailable, NotFound
from core.metrics import count_backend_error
from storage.base import BlobInfo, StoredBlob

READ_CHUNK = 256 * 1024


class LocalBlobStore:
    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        path = (self.root / key).resolve()
        if self.root.resolve() not in path.parents:
            raise NotFound(f"no blob {key!r}")
        return path

    def put(self, key: str, staged_file: Path, blob: StoredBlob) -> None:
        target = self._path(key)
        if target.exists():  # content-addressed: same key, same bytes
            return
        target.parent.mkdir(parents=True, exist_ok=True)
        # A unique name per call: threads of one process share the pid, and collided here (issue 8, item 9).
        temporary = target.with_name(f".{target.name}.partial-{uuid.uuid4().hex}")
        shutil.copyfile(staged_file, temporary)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, target)  # atomic rename: readers never see a partial blob

    def read_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        path = self._path(key)
        if not path.exists():
            raise NotFound(f"no blob {key!r}")
        remaining = None if end is None else end - start + 1
        with open(path, "rb") as handle:
            handle.seek(start)
            while remaining is None or remaining > 0:
                chunk = handle.read(READ_CHUNK if remaining is None else min(READ_CHUNK, remaining))
                if not chunk:
                    break
                if remaining is not None:
                    remaining -= len(chunk)
                yield chunk

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        path = self._path(key)
        if not path.exists():
            raise NotFound(f"no blob {key!r}")
        yield path

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def iter_blobs(self, prefix: str = "") -> Iterator[BlobInfo]:
        root = self.root.resolve()
        for directory, subdirectories, names in os.walk(root):
            subdirectories.sort()
            for name in sorted(names):
                if name.startswith("."):  # a put in progress (.name.partial-…), not a blob yet
                    continue
                path = Path(directory) / name
                key = path.relative_to(root).as_posix()
                if not key.startswith(prefix):
                    continue
                try:
                    stat = path.stat()
                except FileNotFoundError:  # deleted while listing
                    continue
                yield BlobInfo(key=key, size=stat.st_size, modified=datetime.fromtimestamp(stat.st_mtime, UTC))

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def ping(self) -> None:
        if not os.access(self.root, os.W_OK):
            count_backend_error("blob_store", "ping")
            raise BackendUnavailable(f"blob directory {self.root} is not writable")
