"""The blob-store interface: originals are written once, streamed in, and never altered."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol


@dataclass(frozen=True)
class StoredBlob:
    key: str
    size: int
    sha256: str


class BlobStore(Protocol):
    name: str

    def put(self, key: str, staged_file: Path, blob: StoredBlob) -> None:
        """Store an already-staged file under key (atomically: readers see all of it or nothing)."""

    def read_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        """Yield bytes start..end inclusive (end None = to the end of the blob)."""

    def local_path(self, key: str) -> AbstractContextManager[Path]:
        """A local file holding the blob, for parsers that need random access, valid inside the block."""

    def exists(self, key: str) -> bool: ...

    def ping(self) -> None:
        """Raise BackendUnavailable if the store cannot be reached."""
