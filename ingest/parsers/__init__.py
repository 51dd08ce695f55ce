"""The parser registry: the parser with the highest score for a content type wins."""

from __future__ import annotations

from core.errors import UnsupportedMediaType
from ingest.parsers.base import PageContent, ParseLimits, Parser
from ingest.parsers.image import ImageParser
from ingest.parsers.pdf import PdfParser
from ingest.parsers.text import TextParser

PARSERS: list[Parser] = [PdfParser(), ImageParser(), TextParser()]


def supported_content_types() -> list[str]:
    return sorted({content_type for parser in PARSERS for content_type in parser.content_types})


def parser_for(content_type: str) -> Parser:
    scored = [(parser.score(content_type), parser) for parser in PARSERS]
    score, best = max(scored, key=lambda pair: pair[0])
    if score <= 0:
        supported = supported_content_types()
        raise UnsupportedMediaType(
            f"files of type {content_type} are not supported; upload one of: {', '.join(supported)}",
            supported_types=supported,
        )
    return best


__all__ = ["PARSERS", "PageContent", "ParseLimits", "Parser", "parser_for", "supported_content_types"]
