"""The one place that turns settings into backends: blob store, search index and OCR engine."""

from __future__ import annotations

from dataclasses import dataclass

from core.config import Settings
from ingest.ocr import OcrEngine, TesseractOcr
from search.backends import SearchIndex, get_search_index
from storage import BlobStore, get_blob_store


@dataclass(frozen=True)
class Backends:
    settings: Settings
    store: BlobStore
    index: SearchIndex
    ocr: OcrEngine


def build_backends(settings: Settings) -> Backends:
    return Backends(
        settings=settings,
        store=get_blob_store(settings),
        index=get_search_index(settings),
        ocr=TesseractOcr(timeout_seconds=settings.ocr_timeout_seconds),
    )
