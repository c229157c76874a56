"""Records passed between the crawl stages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True)
class PortalSeed:
    """One row of a seeds CSV: a portal to crawl."""

    url: str
    name: str
    region_code: str | None = None
    level: str | None = None
    parent: str | None = None


@dataclass
class ReportPage:
    """A fetched page that its list called a report: the raw capture, nothing interpreted yet."""

    url: str
    final_url: str
    portal_url: str
    status: int
    #: Kept out of repr: Scrapy logs dropped items, and a body can be megabytes.
    body: bytes = field(repr=False)
    fetched_at: datetime = field(default_factory=lambda: datetime.now(UTC))
    content_type: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    referer: str | None = None
    link_text: str | None = None


@dataclass
class SightingSeen:
    """A known report confirmed at its address without reading it again (304, same bytes, or listed)."""

    url: str
    portal_url: str
    fetched: bool
    #: Also confirm the files attached to this page (they were not fetched either).
    with_attachments: bool = False


@dataclass
class Document:
    """One report as read from one file: metadata, text, tables and their checks."""

    title: str
    text: str
    source_type: str
    content_hash: str
    agency: str | None = None
    year: int | None = None
    published_at: str | None = None
    format_version: str = "unknown"
    table_source: str = "none"
    site_id_code: str | None = None
    sections: dict[str, str] = field(default_factory=dict)
    tables: dict = field(default_factory=dict)
    checks: list[dict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def record(self) -> dict:
        """The keys of the export record that apply to a single document (``harvester parse``)."""
        return {
            "title": self.title,
            "agency": self.agency,
            "year": self.year,
            "published_at": self.published_at,
            "format_version": self.format_version,
            "source_type": self.source_type,
            "content_hash": self.content_hash,
            "text": self.text,
            "tables": self.tables,
            "checks": self.checks,
            "sections": self.sections,
            "notes": self.notes,
        }


@dataclass
class HarvestedReport:
    """A report page together with what was read from it, ready to store."""

    page: ReportPage
    document: Document
