"""Documents: upload, text extraction and OCR, page indexing."""
