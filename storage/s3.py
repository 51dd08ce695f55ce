"""Blob store on S3 (MinIO) through the minio client."""

from __future__ import annotations

import base64
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

from minio import Minio
from minio.error import S3Error
from urllib3.exceptions import HTTPError

from core.errors import BackendUnavailable, NotFound
from core.metrics import count_backend_error
from storage.base import BlobInfo, StoredBlob

READ_CHUNK = 256 * 1024
MIN_PART_SIZE = 5 * 1024 * 1024
SINGLE_PUT_LIMIT = 64 * 1024 * 1024
MISSING = ("NoSuchKey", "NoSuchBucket")


def _unavailable(operation: str, message: str) -> BackendUnavailable:
    """The error callers see, counted for /metrics under the operation that failed."""
    count_backend_error("blob_store", operation)
    return BackendUnavailable(message)


class S3BlobStore:
    name = "s3"

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str) -> None:
        parsed = urlparse(endpoint if "://" in endpoint else f"http://{endpoint}")
        self.bucket = bucket
        self.client = Minio(
            parsed.netloc, access_key=access_key, secret_key=secret_key, secure=parsed.scheme == "https"
        )
        self._bucket_checked = False

    def _ensure_bucket(self) -> None:
        if self._bucket_checked:
            return
        try:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket)
        except S3Error as error:
            if error.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                raise _unavailable("bucket", f"object storage refused the bucket: {error.code}") from error
        except (HTTPError, OSError) as error:
            raise _unavailable("bucket", f"object storage is unreachable: {error}") from error
        self._bucket_checked = True

    def put(self, key: str, staged_file: Path, blob: StoredBlob) -> None:
        self._ensure_bucket()
        # The server verifies and stores a SHA-256 checksum of the object.
        checksum = base64.b64encode(bytes.fromhex(blob.sha256)).decode()
        try:
            self.client.fput_object(
                self.bucket,
                key,
                str(staged_file),
                metadata={"x-amz-checksum-sha256": checksum, "x-amz-meta-sha256": blob.sha256},
                # One PUT up to 64 MiB, so the server checks and keeps the whole-object checksum; larger
                # files go up in parts and keep the sha256 as metadata only.
                part_size=max(MIN_PART_SIZE, blob.size) if blob.size <= SINGLE_PUT_LIMIT else SINGLE_PUT_LIMIT,
            )
        except (HTTPError, OSError) as error:
            raise _unavailable("put", f"object storage is unreachable: {error}") from error
        except S3Error as error:
            raise _unavailable("put", f"object storage refused the upload: {error.code}") from error

    def read_range(self, key: str, start: int = 0, end: int | None = None) -> Iterator[bytes]:
        length = 0 if end is None else end - start + 1
        try:
            response = self.client.get_object(self.bucket, key, offset=start, length=length)
        except S3Error as error:
            if error.code in MISSING:
                raise NotFound(f"no blob {key!r}") from error
            raise _unavailable("read", f"object storage error: {error.code}") from error
        except (HTTPError, OSError) as error:
            raise _unavailable("read", f"object storage is unreachable: {error}") from error
        return self._stream(response)

    @staticmethod
    def _stream(response: object) -> Iterator[bytes]:
        try:
            yield from response.stream(READ_CHUNK)  # type: ignore[attr-defined]
        finally:
            response.close()  # type: ignore[attr-defined]
            response.release_conn()  # type: ignore[attr-defined]

    @contextmanager
    def local_path(self, key: str) -> Iterator[Path]:
        descriptor, name = tempfile.mkstemp(prefix="casefile-")
        path = Path(name)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                for chunk in self.read_range(key):
                    handle.write(chunk)
            yield path
        finally:
            path.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        try:
            self.client.stat_object(self.bucket, key)
            return True
        except S3Error:
            return False
        except (HTTPError, OSError) as error:
            raise _unavailable("stat", f"object storage is unreachable: {error}") from error

    def iter_blobs(self, prefix: str = "") -> Iterator[BlobInfo]:
        try:
            for item in self.client.list_objects(self.bucket, prefix=prefix or None, recursive=True):
                if item.object_name is None or item.is_dir:
                    continue
                # An unknown age counts as new, so a grace period before deleting orphans still protects it.
                modified = item.last_modified or datetime.now(UTC)
                yield BlobInfo(key=item.object_name, size=item.size or 0, modified=modified)
        except S3Error as error:
            if error.code == "NoSuchBucket":  # nothing stored yet
                return
            raise _unavailable("list", f"object storage refused the listing: {error.code}") from error
        except (HTTPError, OSError) as error:
            raise _unavailable("list", f"object storage is unreachable: {error}") from error

    def delete(self, key: str) -> None:
        try:
            self.client.remove_object(self.bucket, key)  # S3 answers success for a missing key
        except S3Error as error:
            if error.code in MISSING:
                return
            raise _unavailable("delete", f"object storage refused the deletion: {error.code}") from error
        except (HTTPError, OSError) as error:
            raise _unavailable("delete", f"object storage is unreachable: {error}") from error

    def ping(self) -> None:
        self._bucket_checked = False
        self._ensure_bucket()
