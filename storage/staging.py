"""Stream an upload to a temporary file, hashing and size-checking it on the way in."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from core.errors import InvalidInput, PayloadTooLarge
from storage.base import StoredBlob

CHUNK_SIZE = 1024 * 1024


def stage_upload(source: BinaryIO, staging_dir: Path, max_bytes: int) -> tuple[Path, StoredBlob]:
    """Copy source into staging_dir; the caller owns (and must remove) the returned file."""
    staging_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    descriptor, name = tempfile.mkstemp(dir=staging_dir, prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            while chunk := source.read(CHUNK_SIZE):
                size += len(chunk)
                if size > max_bytes:
                    raise PayloadTooLarge(
                        f"file is larger than the {max_bytes // (1024 * 1024)} MB upload limit",
                        limit_bytes=max_bytes,
                    )
                digest.update(chunk)
                handle.write(chunk)
        if size == 0:
            raise InvalidInput("the uploaded file is empty")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    sha256 = digest.hexdigest()
    return path, StoredBlob(key=f"originals/{sha256[:2]}/{sha256}", size=size, sha256=sha256)
