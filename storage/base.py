"""The blob-store interface: originals are written once, streamed in, and never altered."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredBlob:
    key: str
    size: int
    sha256: str


@dataclass(frozen=True)
class BlobInfo:
    """A blob as the store lists it: its key, size and when it was written (UTC)."""

    key: str
    size: int
    modified: datetime


class BlobStore(Protocol):
    name: str

    def put(self, key: str, staged_file: Path, blob: StoredBlob) -> None:
        """Store an already-staged file under key (atomically: readers see all of it or nothing)."""

    def read_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield bytes start..end inclusive (end None = to the end of the blob)."""

    def local_path(self, key: str) -> AbstractContextManager[Path]:
        """A local file holding the blob, for parsers that need random access, valid inside the block."""

    def exists(self, key: str) -> bool: ...

    def iter_blobs(self, prefix: str = "") -> Iterator[BlobInfo]:
        """Every stored blob whose key starts with prefix (for verify and backup)."""

    def delete(self, key: str) -> None:
        """Remove a blob; a missing one is not an error. Only operators' repairs delete originals."""

    def ping(self) -> None:
        """Raise BackendUnavailable if the store cannot be reached."""


def hash_blob(store: BlobStore, key: str) -> tuple[int, str]:
    """Stream a blob once and return its size and SHA-256 (raises NotFound if it is missing)."""
    digest = hashlib.sha256()
    size = 0
    for chunk in store.read_range(key):
        digest.update(chunk)
        size += len(chunk)
    return size, digest.hexdigest()
