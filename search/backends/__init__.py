"""Search-index backends; get_search_index picks one from settings."""

from __future__ import annotations

from core.config import Settings
from search.backends.base import SearchIndex


def get_search_index(settings: Settings) -> SearchIndex:
    if settings.elasticsearch_url:
        from search.backends.elastic import ElasticsearchIndex

        return ElasticsearchIndex(
            settings.elasticsearch_url,
            settings.elasticsearch_index,
            search_timeout_seconds=settings.search_timeout_seconds,
        )
    from search.backends.sqlite_fts import SqliteFtsIndex

    return SqliteFtsIndex(
        settings.data_dir / "search-index.sqlite", search_timeout_seconds=settings.search_timeout_seconds
    )


__all__ = ["SearchIndex", "get_search_index"]
