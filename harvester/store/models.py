"""The store's schema, SQLAlchemy 2.0 typed declarative.

A *report* is one logical document (one publisher's report for one year as
published); each distinct text of it is a *version*, keyed by the hash of its
normalised text. A *sighting* is one address where the report was seen.
Raw response bodies live in *blobs*, compressed and addressed by their
SHA-256, so reports can be re-parsed without re-crawling.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import DateTime


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict: JSON, list: JSON}


class Portal(Base):
    __tablename__ = "portals"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    name: Mapped[str] = mapped_column(String(512))
    region_code: Mapped[str | None] = mapped_column(String(6))
    level: Mapped[str | None] = mapped_column(String(32))
    parent: Mapped[str | None] = mapped_column(String(512))
    first_seen_at: Mapped[datetime]


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    status: Mapped[str] = mapped_column(String(32), default="running")
    seeds: Mapped[str | None] = mapped_column(String(2048))
    holder: Mapped[str | None] = mapped_column(String(256))
    counts: Mapped[dict] = mapped_column(default=dict)


class CrawlLock(Base):
    """At most one crawl per store at a time: a row per held lock, refreshed by a heartbeat."""

    __tablename__ = "crawl_locks"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(256))
    run_id: Mapped[int | None]
    acquired_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class Blob(Base):
    """A raw response body, zlib-compressed, addressed by the SHA-256 of the raw bytes."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    size: Mapped[int] = mapped_column(BigInteger)
    compression: Mapped[str] = mapped_column(String(16))
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Fetch(Base):
    """One HTTP exchange (or failure) seen by the crawler."""

    __tablename__ = "fetches"
    __table_args__ = (Index("ix_fetches_url", "url"), Index("ix_fetches_run", "run_id"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    portal_id: Mapped[int | None] = mapped_column(ForeignKey("portals.id"))
    url: Mapped[str] = mapped_column(String(2048))
    final_url: Mapped[str | None] = mapped_column(String(2048))
    method: Mapped[str] = mapped_column(String(8), default="GET")
    status: Mapped[int | None]
    etag: Mapped[str | None] = mapped_column(String(512))
    last_modified: Mapped[str | None] = mapped_column(String(128))
    content_type: Mapped[str | None] = mapped_column(String(256))
    kind: Mapped[str | None] = mapped_column(String(32))
    referer: Mapped[str | None] = mapped_column(String(2048))
    error: Mapped[str | None] = mapped_column(Text)
    body_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    fetched_at: Mapped[datetime]


class Report(Base):
    __tablename__ = "reports"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_key: Mapped[str] = mapped_column(String(32), unique=True)
    current_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("report_versions.id", use_alter=True, name="fk_reports_current_version")
    )
    region_code: Mapped[str | None] = mapped_column(String(6))
    first_seen_at: Mapped[datetime]
    gone_at: Mapped[datetime | None]

    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", foreign_keys="ReportVersion.report_id", order_by="ReportVersion.id"
    )
    current_version: Mapped[ReportVersion | None] = relationship(
        foreign_keys=[current_version_id], post_update=True
    )
    sightings: Mapped[list[Sighting]] = relationship(back_populates="report", order_by="Sighting.id")


class ReportVersion(Base):
    __tablename__ = "report_versions"
    __table_args__ = (Index("ix_versions_year", "year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    content_hash: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[str] = mapped_column(Text)
    agency: Mapped[str | None] = mapped_column(String(512))
    year: Mapped[int | None]
    published_at: Mapped[str | None] = mapped_column(String(40))
    format_version: Mapped[str] = mapped_column(String(16))
    source_type: Mapped[str] = mapped_column(String(16))
    table_source: Mapped[str | None] = mapped_column(String(16))
    url: Mapped[str] = mapped_column(String(2048))
    text: Mapped[str] = mapped_column(Text)
    sections: Mapped[dict] = mapped_column(default=dict)
    tables: Mapped[dict] = mapped_column(default=dict)
    notes: Mapped[list] = mapped_column(default=list)
    blob_sha256: Mapped[str | None] = mapped_column(ForeignKey("blobs.sha256"))
    parser_version: Mapped[str] = mapped_column(String(32))
    seen_at: Mapped[datetime]
    #: Set when an edit at the same address replaced this text; other files of the report stay live.
    superseded_at: Mapped[datetime | None]

    report: Mapped[Report] = relationship(back_populates="versions", foreign_keys=[report_id])
    cells: Mapped[list[TableCell]] = relationship(cascade="all, delete-orphan")
    checks: Mapped[list[CheckResult]] = relationship(cascade="all, delete-orphan", order_by="CheckResult.id")


class Sighting(Base):
    __tablename__ = "sightings"
    __table_args__ = (UniqueConstraint("report_id", "url", name="uq_sightings_report_url"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id"))
    url: Mapped[str] = mapped_column(String(2048))
    portal_id: Mapped[int | None] = mapped_column(ForeignKey("portals.id"))
    referer: Mapped[str | None] = mapped_column(String(2048))
    http_status: Mapped[int | None]
    first_seen_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    #: Last time the page itself was downloaded (a sighting can be confirmed from its list alone).
    last_fetched_at: Mapped[datetime | None]
    gone_at: Mapped[datetime | None]

    report: Mapped[Report] = relationship(back_populates="sightings")
    portal: Mapped[Portal | None] = relationship()


class TableCell(Base):
    """One statistics cell in long form: version × table × row × column → value."""

    __tablename__ = "table_cells"

    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), primary_key=True)
    table_name: Mapped[str] = mapped_column(String(32), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(128), primary_key=True)
    column_key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)


class CheckResult(Base):
    __tablename__ = "check_results"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_versions.id"), index=True)
    rule: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(128))
    status: Mapped[str] = mapped_column(String(16))
    expected: Mapped[float | None] = mapped_column(Float)
    found: Mapped[float | None] = mapped_column(Float)


class PortalHealth(Base):
    """One portal in one crawl run: pages fetched, reports found by year, errors by kind, blocked, CMS family."""

    __tablename__ = "portal_health"
    __table_args__ = (
        UniqueConstraint("run_id", "portal_id", name="uq_portal_health_run_portal"),
        Index("ix_portal_health_portal", "portal_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    portal_id: Mapped[int] = mapped_column(ForeignKey("portals.id"))
    pages_fetched: Mapped[int] = mapped_column(default=0)
    browser_pages: Mapped[int] = mapped_column(default=0)
    reports_found: Mapped[int] = mapped_column(default=0)
    reports_by_year: Mapped[dict] = mapped_column(default=dict)
    errors: Mapped[dict] = mapped_column(default=dict)
    challenged: Mapped[bool] = mapped_column(default=False)
    blocked: Mapped[bool] = mapped_column(default=False)
    cms_family: Mapped[str | None] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    reasons: Mapped[list] = mapped_column(default=list)
    recorded_at: Mapped[datetime]

    portal: Mapped[Portal] = relationship()
