"""The one place that turns settings into backends: blob store, search index, OCR engine and mail."""

from __future__ import annotations

from dataclasses import dataclass, field

from core.config import Settings
from ingest.ocr import OcrEngine, TesseractOcr
from mail import MailBackend, get_mail_backend
from mail.null import NullMail
from search.backends import SearchIndex, get_search_index
from storage import BlobStore, get_blob_store


@dataclass(frozen=True)
class Backends:
    settings: Settings
    store: BlobStore
    index: SearchIndex
    ocr: OcrEngine
    mail: MailBackend = field(default_factory=NullMail)


def build_backends(settings: Settings) -> Backends:
    return Backends(
        settings=settings,
        store=get_blob_store(settings),
        index=get_search_index(settings),
        ocr=TesseractOcr(timeout_seconds=settings.ocr_timeout_seconds),
        mail=get_mail_backend(settings),
    )
