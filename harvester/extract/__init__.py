"""Main text and metadata of a fetched page: pure functions, no Scrapy, no database."""

from __future__ import annotations

from dataclasses import dataclass

from harvester.extract.decode import decode_html
from harvester.extract.metadata import PageMetadata, page_metadata, report_identity
from harvester.extract.text import main_text

__all__ = ["ExtractedPage", "PageMetadata", "decode_html", "extract_page", "main_text", "page_metadata", "report_identity"]


@dataclass(frozen=True, slots=True)
class ExtractedPage:
    title: str | None
    text: str
    published_at: str | None
    agency: str | None
    year: int | None
    site_id_code: str | None
    column_name: str | None


def extract_page(html: str, url: str | None = None) -> ExtractedPage:
    """Main text plus metadata of one page; the text lets agency and year be found when the title lacks them."""
    text = main_text(html, url)
    meta = page_metadata(html, url, text)
    return ExtractedPage(
        title=meta.title,
        text=text,
        published_at=meta.published_at,
        agency=meta.agency,
        year=meta.year,
        site_id_code=meta.site_id_code,
        column_name=meta.column_name,
    )
