"""Blob stores keep exact bytes; S3 (real MinIO) verifies and stores a checksum."""

from __future__ import annotations

import base64
import hashlib
import io
import uuid
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from core.errors import BackendUnavailable, InvalidInput, NotFound, PayloadTooLarge
from storage.base import StoredBlob, hash_blob
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


def _listing_and_deletion(store, tmp_path: Path) -> None:
    keys = []
    for content in (b"first original", b"second original", b"third original"):
        staged, blob = stage_upload(io.BytesIO(content), tmp_path / "staging", 100)
        store.put(blob.key, staged, blob)
        keys.append(blob.key)
    other_staged, other = stage_upload(io.BytesIO(b"elsewhere"), tmp_path / "staging", 100)
    store.put("exports/elsewhere", other_staged, other)

    listed = {info.key: info for info in store.iter_blobs("originals/")}
    assert sorted(listed) == sorted(keys)
    assert listed[keys[0]].size == len(b"first original")
    assert listed[keys[0]].modified.tzinfo is not None
    assert {info.key for info in store.iter_blobs()} == {*keys, "exports/elsewhere"}
    assert hash_blob(store, keys[1]) == (len(b"second original"), hashlib.sha256(b"second original").hexdigest())

    store.delete(keys[0])
    store.delete(keys[0])  # already gone: not an error
    assert not store.exists(keys[0])
    assert {info.key for info in store.iter_blobs("originals/")} == set(keys[1:])
    with pytest.raises(NotFound):
        hash_blob(store, keys[0])


def test_local_store_lists_and_deletes(tmp_path: Path) -> None:
    store = LocalBlobStore(tmp_path / "blobs")
    # A put in progress is not a blob yet.
    (tmp_path / "blobs" / "originals" / "ab").mkdir(parents=True)
    (tmp_path / "blobs" / "originals" / "ab" / ".abc.partial-1234").write_bytes(b"half")
    _listing_and_deletion(store, tmp_path)


def test_s3_store_lists_and_deletes_on_minio(tmp_path: Path) -> None:
    require_services()
    bucket = f"casefile-test-{uuid.uuid4().hex[:8]}"
    store = S3BlobStore("http://127.0.0.1:9000", "casefile", "casefile-secret", bucket)
    assert list(store.iter_blobs()) == []  # no bucket yet: nothing stored, not an error
    _listing_and_deletion(store, tmp_path)


def test_s3_errors_are_counted_for_metrics(tmp_path: Path) -> None:
    # Nothing listens on port 9; the store must answer BackendUnavailable and count it.
    store = S3BlobStore("http://127.0.0.1:9", "casefile", "casefile-secret", "casefile-nowhere")
    store.client._http.connection_pool_kw["retries"] = False  # type: ignore[attr-defined]
    before = REGISTRY.get_sample_value("casefile_backend_errors_total", {"backend": "blob_store", "kind": "list"}) or 0
    with pytest.raises(BackendUnavailable):
        list(store.iter_blobs())
    after = REGISTRY.get_sample_value("casefile_backend_errors_total", {"backend": "blob_store", "kind": "list"})
    assert after == before + 1
