"""Re-reading stored raw pages with the current extractor and parser (``harvester reparse``).

Parser improvements reach old harvests without re-crawling: every version's
raw bytes are kept, so its record can be rebuilt. A version's identity is its
content hash; when re-extraction changes the text, the hash follows it unless
another version already has that text, in which case the text is kept and a
note says so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine, select

from harvester.document import PARSER_VERSION, UnreadableDocument, read_document
from harvester.store.db import session_factory
from harvester.store.models import Blob, ReportVersion
from harvester.store.writer import choose_current, read_blob, refresh_carry_chain, replace_parsed

logger = logging.getLogger(__name__)

#: Fields that re-reading may change; a version is "updated" when any of them did.
DERIVED = ("title", "agency", "year", "published_at", "format_version", "table_source", "tables", "sections", "text")


@dataclass
class ReparseSummary:
    examined: int = 0
    updated: int = 0
    unreadable: int = 0
    skipped_no_raw: int = 0


def reparse(engine: Engine, *, only_stale: bool = False, progress: Callable[[int], None] | None = None,
            batch: int = 100) -> ReparseSummary:
    """Re-read every version (or only those parsed by an older parser) and update what changed."""
    summary = ReparseSummary()
    sessions = session_factory(engine)
    last_id = 0
    while True:
        with sessions.begin() as session:
            query = select(ReportVersion).where(ReportVersion.id > last_id).order_by(ReportVersion.id).limit(batch)
            if only_stale:
                query = query.where(ReportVersion.parser_version != PARSER_VERSION)
            versions = session.scalars(query).all()
            if not versions:
                return summary
            for version in versions:
                summary.examined += 1
                _reparse_one(session, version, summary)
            last_id = versions[-1].id
        if progress:
            progress(len(versions))


def _reparse_one(session, version: ReportVersion, summary: ReparseSummary) -> None:
    blob = session.get(Blob, version.blob_sha256) if version.blob_sha256 else None
    if blob is None:
        summary.skipped_no_raw += 1
        return
    try:
        document = read_document(read_blob(blob), version.url)
    except UnreadableDocument as exc:
        summary.unreadable += 1
        logger.warning("version %s of %s is unreadable now: %s", version.id, version.url, exc)
        return
    before = {field: getattr(version, field) for field in DERIVED}
    if document.content_hash != version.content_hash:
        taken = session.scalars(select(ReportVersion.id).where(ReportVersion.content_hash == document.content_hash)).first()
        if taken is None:
            version.text, version.content_hash = document.text, document.content_hash
        else:
            document.notes = [*document.notes, f"re-extracted text equals version {taken}; text kept"]
    version.title = document.title or version.title
    version.agency, version.year, version.published_at = document.agency, document.year, document.published_at
    replace_parsed(session, version, document)
    version.parser_version = PARSER_VERSION
    session.flush()
    version.report.current_version_id = choose_current(version.report).id
    refresh_carry_chain(session, version)
    if any(getattr(version, field) != value for field, value in before.items()):
        summary.updated += 1
