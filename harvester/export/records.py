"""The export record of interfaces.md, built from the store one report at a time."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from harvester.store.models import Report, ReportVersion, Sighting
from harvester.store.writer import filled_cells


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 with offset; SQLite hands back naive datetimes, which are UTC here."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.isoformat()


def _number(value):
    """Integers stay integers in JSON (the long-form cells are floats, the tables are not)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def report_record(report: Report, version: ReportVersion) -> dict:
    sightings = sorted(report.sightings, key=lambda s: (s.first_seen_at, s.id))
    return {
        "report_id": report.report_key,
        "title": version.title,
        "agency": version.agency,
        "year": version.year,
        "published_at": version.published_at,
        "format_version": version.format_version,
        "source_type": version.source_type,
        "url": sightings[0].url if sightings else version.url,
        "sightings": [
            {
                "url": sighting.url,
                "portal": sighting.portal.url if sighting.portal else None,
                "fetched_at": iso(sighting.first_seen_at),
                "last_seen_at": iso(sighting.last_seen_at),
                "http_status": sighting.http_status,
                "referer": sighting.referer,
            }
            for sighting in sightings
        ],
        "content_hash": version.content_hash,
        "text": version.text,
        "tables": {
            table: {row: {col: _number(v) for col, v in cols.items()} for row, cols in rows.items()}
            for table, rows in (version.tables or {}).items()
        },
        "checks": [check_record(check) for check in version.checks],
        "region_code": report.region_code,
        "sections": version.sections,
        "table_source": version.table_source,
        "version_count": len(report.versions),
        "tables_from": {"url": version.url, "source_type": version.source_type},
        "sources": [
            {"url": other.url, "source_type": other.source_type, "content_hash": other.content_hash,
             "filled_cells": filled_cells(other), "seen_at": iso(other.seen_at),
             "superseded_at": iso(other.superseded_at), "current": other.id == version.id}
            for other in report.versions
        ],
        "first_seen_at": iso(report.first_seen_at),
        "gone_at": iso(report.gone_at),
    }


def check_record(check) -> dict:
    record = {"rule": check.rule, "scope": check.scope, "status": check.status}
    if check.status == "fail":
        record["expected"] = _number(check.expected)
        record["found"] = _number(check.found)
    return record


def iter_records(session: Session, batch: int = 200) -> Iterator[dict]:
    """Every report in its newest version, in first-seen order, streamed in batches."""
    last_id = 0
    while True:
        reports = session.scalars(
            select(Report)
            .where(Report.id > last_id, Report.current_version_id.is_not(None))
            .order_by(Report.id)
            .limit(batch)
            .options(
                selectinload(Report.current_version).selectinload(ReportVersion.checks),
                selectinload(Report.sightings).selectinload(Sighting.portal),
                selectinload(Report.versions).load_only(
                    ReportVersion.id, ReportVersion.url, ReportVersion.source_type, ReportVersion.content_hash,
                    ReportVersion.tables, ReportVersion.seen_at, ReportVersion.superseded_at),
            )
        ).all()
        if not reports:
            return
        for report in reports:
            yield report_record(report, report.current_version)
        last_id = reports[-1].id
        session.expunge_all()
