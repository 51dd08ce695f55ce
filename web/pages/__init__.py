"""One module per group of pages; each is a thin router over the same services as the API."""
