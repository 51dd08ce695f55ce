"""Full-text search over pages: the query language, the index backends and the search service."""
