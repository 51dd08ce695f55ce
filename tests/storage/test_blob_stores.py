"""Blob stores keep exact bytes; S3 (real MinIO) verifies and stores a checksum."""

from __future__ import annotations

import base64
import io
import uuid
from pathlib import Path

import pytest

from core.errors import BackendUnavailable, InvalidInput, NotFound, PayloadTooLarge
from storage.base import StoredBlob
from storage.local import LocalBlobStore
from storage.s3 import S3BlobStore
from storage.staging import stage_upload
from tests.stacks import require_services


def _round_trip(store, tmp_path: Path) -> None:
    content = bytes(range(256)) * 1000
    staged, blob = stage_upload(io.BytesIO(content), tmp_path / "staging", 10**6)
    store.put(blob.key, staged, blob)
    store.put(blob.key, staged, blob)  # idempotent
    assert b"".join(store.read_range(blob.key)) == content
    assert b"".join(store.read_range(blob.key, 1000, 1009)) == content[1000:1010]
    with store.local_path(blob.key) as path:
        assert path.read_bytes() == content
    assert store.exists(blob.key) and not store.exists("originals/none")
    with pytest.raises(NotFound):
        b"".join(store.read_range("originals/none"))


def test_staging_hashes_and_limits(tmp_path: Path) -> None:
    staged, blob = stage_upload(io.BytesIO(b"abc"), tmp_path, 10)
    assert blob.sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" and blob.size == 3
    with pytest.raises(PayloadTooLarge):
        stage_upload(io.BytesIO(b"x" * 11), tmp_path, 10)
    with pytest.raises(InvalidInput):
        stage_upload(io.BytesIO(b""), tmp_path, 10)
    assert [path.name for path in tmp_path.iterdir()] == [staged.name]  # rejected uploads leave nothing


def test_local_store(tmp_path: Path) -> None:
    _round_trip(LocalBlobStore(tmp_path / "blobs"), tmp_path)
    assert not list((tmp_path / "blobs").rglob("*.partial-*"))


def test_s3_store_on_minio(tmp_path: Path) -> None:
    require_services()
    store = S3BlobStore("http://127.0.0.1:9000", "casefile", "casefile-secret", f"casefile-test-{uuid.uuid4().hex[:8]}")
    _round_trip(store, tmp_path)
    staged, blob = stage_upload(io.BytesIO(b"original bytes"), tmp_path, 100)
    store.put(blob.key, staged, blob)
    stat = store.client.stat_object(store.bucket, blob.key, extra_headers={"x-amz-checksum-mode": "ENABLED"})
    assert stat.metadata is not None
    assert stat.metadata["X-Amz-Checksum-Sha256"] == base64.b64encode(bytes.fromhex(blob.sha256)).decode()
    with pytest.raises(BackendUnavailable, match="Checksum"):  # the server refuses bytes that do not match
        store.put("originals/wrong", staged, StoredBlob("originals/wrong", blob.size, "00" * 32))
