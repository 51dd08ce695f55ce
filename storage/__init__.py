"""Blob storage for original files; get_blob_store picks the backend from settings."""

from __future__ import annotations

from core.config import Settings
from storage.base import BlobInfo, BlobStore, StoredBlob, hash_blob


def get_blob_store(settings: Settings) -> BlobStore:
    if settings.s3_endpoint:
        from storage.s3 import S3BlobStore

        if not settings.s3_access_key or settings.s3_secret_key is None:
            raise ValueError("CASEFILE_S3_ENDPOINT needs CASEFILE_S3_ACCESS_KEY and CASEFILE_S3_SECRET_KEY")
        return S3BlobStore(
            settings.s3_endpoint,
            settings.s3_access_key,
            settings.s3_secret_key.get_secret_value(),
            settings.s3_bucket,
        )
    from storage.local import LocalBlobStore

    return LocalBlobStore(settings.data_dir / "blobs")


__all__ = ["BlobInfo", "BlobStore", "StoredBlob", "get_blob_store", "hash_blob"]
