"""Writing crawl results: one transaction per item, idempotent under retries and races."""

from __future__ import annotations

import hashlib
import logging
import zlib
from datetime import UTC, datetime, timedelta
from enum import Enum

from sqlalchemy import Engine, select, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from harvester.discover.regions import load_divisions, refine_region
from harvester.document import PARSER_VERSION
from harvester.items import Document, PortalSeed, ReportPage
from harvester.parse.checks import carry_chain
from harvester.store.db import session_factory
from harvester.store.frontier import holder_alive
from harvester.store.models import (
    Blob,
    CheckResult,
    CrawlLock,
    CrawlRun,
    Fetch,
    Portal,
    Report,
    ReportVersion,
    Sighting,
    TableCell,
)

logger = logging.getLogger(__name__)


def utcnow() -> datetime:
    return datetime.now(UTC)


class StoreLocked(RuntimeError):
    """Another live crawl holds the store's lock."""


class Outcome(str, Enum):
    NEW_REPORT = "new_report"
    NEW_VERSION = "new_version"
    NEW_SOURCE = "new_source"
    NEW_SIGHTING = "new_sighting"
    UNCHANGED = "unchanged"


def _insert_ignore(session: Session, model, values: dict, key: list[str]) -> None:
    """INSERT … ON CONFLICT DO NOTHING on SQLite and PostgreSQL alike."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    session.execute(insert(model).values(**values).on_conflict_do_nothing(index_elements=key))


def put_blob(session: Session, body: bytes) -> str:
    """Store a raw body once, compressed, and return its SHA-256."""
    digest = hashlib.sha256(body).hexdigest()
    _insert_ignore(
        session,
        Blob,
        {"sha256": digest, "size": len(body), "compression": "zlib", "data": zlib.compress(body, 6)},
        ["sha256"],
    )
    return digest


def read_blob(blob: Blob) -> bytes:
    return zlib.decompress(blob.data) if blob.compression == "zlib" else blob.data


class StoreWriter:
    """The crawl's handle on the store; every public method is one committed transaction."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sessions = session_factory(engine)
        self._portal_ids: dict[str, int] = {}

    # --- runs and portals -------------------------------------------------------

    def start_run(self, seeds: str | None, holder: str | None = None) -> int:
        with self.sessions.begin() as session:
            run = CrawlRun(started_at=utcnow(), status="running", seeds=seeds, holder=holder, counts={})
            session.add(run)
            session.flush()
            return run.id

    # --- the crawl lock ---------------------------------------------------------

    def acquire_lock(self, name: str, holder: str, stale_after: timedelta) -> None:
        """Take the named lock, or raise StoreLocked naming the live holder.

        A holder that died (killed, crashed) is recognised — at once on the same
        host, after ``stale_after`` without heartbeat elsewhere — and its lock
        and unfinished runs are taken over.
        """
        for _attempt in range(3):
            now = utcnow()
            try:
                with self.sessions.begin() as session:
                    session.add(CrawlLock(name=name, holder=holder, acquired_at=now, heartbeat_at=now))
                return
            except IntegrityError:
                pass
            with self.sessions.begin() as session:
                lock = session.get(CrawlLock, name)
                if lock is None:
                    continue
                if holder_alive(lock.holder, lock.heartbeat_at, stale_after, now):
                    raise StoreLocked(
                        f"another crawl ({lock.holder}, since {lock.acquired_at:%Y-%m-%d %H:%M}) is running on this "
                        f"store; wait for it to finish (a dead holder's lock expires after {stale_after})"
                    )
                logger.warning("taking over the lock of dead crawl %s", lock.holder)
                for run in session.scalars(select(CrawlRun).where(CrawlRun.holder == lock.holder,
                                                                  CrawlRun.status == "running")):
                    run.status = "killed"
                session.delete(lock)
        raise StoreLocked(f"could not take the crawl lock {name!r}")

    def refresh_lock(self, name: str, holder: str) -> None:
        with self.sessions.begin() as session:
            lock = session.get(CrawlLock, name)
            if lock is not None and lock.holder == holder:
                lock.heartbeat_at = utcnow()

    def release_lock(self, name: str, holder: str) -> None:
        with self.sessions.begin() as session:
            lock = session.get(CrawlLock, name)
            if lock is not None and lock.holder == holder:
                session.delete(lock)

    def finish_run(self, run_id: int, status: str, counts: dict) -> None:
        with self.sessions.begin() as session:
            run = session.get(CrawlRun, run_id)
            if run is not None:
                run.finished_at = utcnow()
                run.status = status
                run.counts = counts

    def portal_id(self, seed: PortalSeed) -> int:
        if seed.url in self._portal_ids:
            return self._portal_ids[seed.url]
        with self.sessions.begin() as session:
            _insert_ignore(
                session,
                Portal,
                {"url": seed.url, "name": seed.name, "region_code": seed.region_code, "level": seed.level,
                 "parent": seed.parent, "first_seen_at": utcnow()},
                ["url"],
            )
            portal = session.scalars(select(Portal).where(Portal.url == seed.url)).one()
            portal.name, portal.region_code = seed.name, seed.region_code or portal.region_code
            portal.level, portal.parent = seed.level or portal.level, seed.parent or portal.parent
            self._portal_ids[seed.url] = portal.id
            return portal.id

    def _portal_id_for(self, session: Session, portal_url: str | None) -> int | None:
        if not portal_url:
            return None
        if portal_url not in self._portal_ids:
            found = session.scalars(select(Portal.id).where(Portal.url == portal_url)).first()
            if found is None:
                return None
            self._portal_ids[portal_url] = found
        return self._portal_ids[portal_url]

    # --- fetches ----------------------------------------------------------------

    def record_fetch(self, *, run_id: int | None, portal_url: str | None, url: str, final_url: str | None,
                     status: int | None, method: str = "GET", etag: str | None = None,
                     last_modified: str | None = None, content_type: str | None = None,
                     kind: str | None = None, referer: str | None = None, error: str | None = None,
                     fetched_at: datetime | None = None, body: bytes | None = None) -> None:
        """One row per exchange; a body given is kept as a blob so that a later 304 can replay it."""
        with self.sessions.begin() as session:
            body_sha = put_blob(session, body) if body is not None else None
            session.add(Fetch(
                run_id=run_id, portal_id=self._portal_id_for(session, portal_url), url=url[:2048],
                final_url=(final_url or "")[:2048] or None, method=method, status=status,
                etag=(etag or "")[:512] or None, last_modified=(last_modified or "")[:128] or None,
                content_type=(content_type or "")[:256] or None, kind=kind, referer=(referer or "")[:2048] or None,
                error=error, fetched_at=fetched_at or utcnow(), body_sha256=body_sha,
            ))

    def note_fetch_problem(self, url: str, reason: str) -> None:
        """Attach a reason to the latest fetch of ``url``: downloaded fine, but unusable."""
        with self.sessions.begin() as session:
            fetch = session.scalars(
                select(Fetch).where((Fetch.final_url == url) | (Fetch.url == url)).order_by(Fetch.id.desc())
            ).first()
            if fetch is not None:
                fetch.error = reason[:2000]

    def blob(self, sha256: str) -> bytes | None:
        with self.sessions() as session:
            blob = session.get(Blob, sha256)
            return read_blob(blob) if blob is not None else None

    # --- recrawl bookkeeping ------------------------------------------------------

    def touch_sighting(self, url: str, run_id: int | None, *, fetched: bool, with_attachments: bool = False) -> bool:
        """Confirm that a known report is still published at ``url`` (and, if asked, the files its
        page links, whose sightings name it as referer); False if the URL is unknown."""
        now = utcnow()
        with self.sessions.begin() as session:
            where = (Sighting.url == url) | (Sighting.referer == url) if with_attachments else Sighting.url == url
            sightings = session.scalars(select(Sighting).where(where)).all()
            for sighting in sightings:
                sighting.last_seen_at = now
                sighting.last_run_id = run_id
                sighting.gone_at = None
                sighting.report.gone_at = None
                if fetched:
                    sighting.last_fetched_at = now
            return bool(sightings)

    def mark_gone(self, run_id: int, portal_urls: set[str]) -> int:
        """Mark what these fully crawled portals no longer publish; return how many reports went.

        Only portals whose walk completed are passed in: a portal that failed
        this run says nothing about its reports. Nothing is deleted.
        """
        return self._mark_unconfirmed(portal_urls, (Sighting.last_run_id != run_id) | Sighting.last_run_id.is_(None))

    def mark_gone_since(self, since: datetime, portal_urls: set[str]) -> int:
        """:meth:`mark_gone` for a crawl made of many runs (distributed mode): not seen since ``since``.

        Every sighting a crawl confirms gets ``last_seen_at`` at that moment, so
        a sighting of a fully crawled portal last seen before the crawl began
        was not published any more. Clocks of the workers are assumed in sync.
        """
        return self._mark_unconfirmed(portal_urls, (Sighting.last_seen_at < since) | Sighting.last_seen_at.is_(None))

    def _mark_unconfirmed(self, portal_urls: set[str], unconfirmed) -> int:
        """Set ``gone_at`` on these portals' sightings matching ``unconfirmed``, and on reports left with none."""
        if not portal_urls:
            return 0
        now = utcnow()
        gone_reports = 0
        with self.sessions.begin() as session:
            portal_ids = session.scalars(select(Portal.id).where(Portal.url.in_(portal_urls))).all()
            stale = session.scalars(
                select(Sighting).where(Sighting.portal_id.in_(portal_ids), Sighting.gone_at.is_(None), unconfirmed)
            ).all()
            for sighting in stale:
                sighting.gone_at = now
            session.flush()
            for report in {sighting.report for sighting in stale}:
                if report.gone_at is None and all(s.gone_at is not None for s in report.sightings):
                    report.gone_at = now
                    gone_reports += 1
        return gone_reports

    # --- reports ----------------------------------------------------------------

    def store_report(self, page: ReportPage, document: Document, run_id: int | None = None,
                     region_code: str | None = None) -> Outcome:
        """Store a harvested report; a race with another writer on the same text is retried once."""
        for attempt in (1, 2):
            try:
                with self.sessions.begin() as session:
                    return self._store_report(session, page, document, run_id, region_code)
            except IntegrityError:
                if attempt == 2:
                    raise
                logger.info("concurrent write of %s, retrying", page.url)
        raise AssertionError("unreachable")

    def _store_report(self, session: Session, page: ReportPage, document: Document, run_id: int | None,
                      region_code: str | None) -> Outcome:
        now = page.fetched_at or utcnow()
        portal_id = self._portal_id_for(session, page.portal_url)
        version = session.scalars(
            select(ReportVersion).where(ReportVersion.content_hash == document.content_hash)
        ).first()
        if version is not None:
            report = version.report
            outcome = Outcome.UNCHANGED
        else:
            blob_sha = put_blob(session, page.body)
            report, outcome = self._report_for_new_text(session, page, document)
            if report is None:
                report = Report(
                    report_key=document.content_hash[:16],
                    region_code=refine_region(region_code, document.agency, document.site_id_code, load_divisions()),
                    first_seen_at=now,
                )
                session.add(report)
                session.flush()
                outcome = Outcome.NEW_REPORT
            version = self._add_version(session, report, page, document, blob_sha, now)
            if outcome is Outcome.NEW_VERSION:
                for older in report.versions:
                    if older.id != version.id and older.superseded_at is None and older.url in {page.url, page.final_url}:
                        older.superseded_at = now
            current = choose_current(report)
            report.current_version_id = current.id
            report.gone_at = None
            session.flush()
            refresh_carry_chain(session, current)

        if self._upsert_sighting(session, report, page, portal_id, run_id, now) and outcome is Outcome.UNCHANGED:
            outcome = Outcome.NEW_SIGHTING
        return outcome

    def _report_for_new_text(self, session: Session, page: ReportPage,
                             document: Document) -> tuple[Report | None, Outcome]:
        """Which stored report a new text belongs to: an edit at the same address, another file of
        the same publisher's report for the same year (its PDF beside its page), or none."""
        edited = self._report_edited_at(session, page, document)
        if edited is not None:
            return edited, Outcome.NEW_VERSION
        if document.agency and document.year:
            _lock_publisher_year(session, document.agency, document.year)
            same = _current_of(session, document.agency, document.year)
            if same is not None:
                return same.report, Outcome.NEW_SOURCE
        return None, Outcome.NEW_REPORT

    def _report_edited_at(self, session: Session, page: ReportPage, document: Document) -> Report | None:
        """The report previously seen at this address, if the new text is an edit of it.

        An address that now carries another publisher's or another year's report
        is a reused URL, not an edit.
        """
        sighting = session.scalars(
            select(Sighting).where(Sighting.url.in_({page.url, page.final_url})).order_by(Sighting.id.desc())
        ).first()
        if sighting is None:
            return None
        current = sighting.report.current_version
        if current is None:
            return None
        if document.year and current.year and document.year != current.year:
            return None
        if document.agency and current.agency and document.agency != current.agency:
            return None
        return sighting.report

    @staticmethod
    def _add_version(session: Session, report: Report, page: ReportPage, document: Document, blob_sha: str,
                     now: datetime) -> ReportVersion:
        version = ReportVersion(
            report_id=report.id, content_hash=document.content_hash, title=document.title,
            agency=document.agency, year=document.year, published_at=document.published_at,
            format_version=document.format_version, source_type=document.source_type,
            table_source=document.table_source, url=page.final_url or page.url, text=document.text,
            sections=document.sections, tables=document.tables, notes=document.notes,
            blob_sha256=blob_sha, parser_version=PARSER_VERSION, seen_at=now,
        )
        session.add(version)
        session.flush()
        replace_parsed(session, version, document)
        return version

    @staticmethod
    def _upsert_sighting(session: Session, report: Report, page: ReportPage, portal_id: int | None,
                         run_id: int | None, now: datetime) -> bool:
        """Record where the report was seen; True when the address is new for it."""
        url = page.final_url or page.url
        sighting = session.scalars(
            select(Sighting).where(Sighting.report_id == report.id, Sighting.url == url)
        ).first()
        if sighting is not None:
            sighting.last_seen_at = sighting.last_fetched_at = now
            sighting.last_run_id = run_id
            sighting.http_status = page.status
            sighting.gone_at = None
            return False
        session.add(Sighting(
            report_id=report.id, url=url, portal_id=portal_id, referer=page.referer, http_status=page.status,
            first_seen_at=now, last_seen_at=now, last_fetched_at=now, last_run_id=run_id,
        ))
        session.flush()
        return True


def replace_parsed(session: Session, version: ReportVersion, document: Document) -> None:
    """(Re)write a version's parsed fields, tables in long form and per-report checks.

    ``carry_chain`` checks span two reports and are kept by :func:`refresh_carry_chain`.
    """
    carried = [check for check in version.checks if check.rule == "carry_chain"]
    version.tables = document.tables
    version.sections = document.sections
    version.notes = document.notes
    version.format_version = document.format_version
    version.table_source = document.table_source
    version.cells = [
        TableCell(table_name=table, row_key=row, column_key=column,
                  value=float(value) if value is not None else None)
        for table, rows in document.tables.items()
        for row, columns in rows.items()
        for column, value in columns.items()
    ]
    version.checks = carried + [
        CheckResult(rule=check["rule"], scope=check["scope"], status=check["status"],
                    expected=check.get("expected"), found=check.get("found"))
        for check in document.checks
    ]


#: Among equally complete sources, the page itself reads cleanest, then structured files, then scans.
SOURCE_PREFERENCE = {"html": 6, "docx": 5, "pdf": 4, "doc": 3, "wps": 3, "rtf": 2, "xlsx": 2, "xls": 2, "text": 1, "image": 0}


def filled_cells(version: ReportVersion) -> int:
    return sum(value is not None for rows in (version.tables or {}).values()
               for columns in rows.values() for value in columns.values())


def choose_current(report: Report) -> ReportVersion:
    """The version the export shows: among texts not replaced by an edit, the one whose tables are
    most complete (then the best kind of source, then the newest)."""
    live = [version for version in report.versions if version.superseded_at is None] or report.versions
    return max(live, key=lambda v: (filled_cells(v), SOURCE_PREFERENCE.get(v.source_type, 0), v.id))


def _lock_publisher_year(session: Session, agency: str, year: int) -> None:
    """Serialise the writers that decide whether a new text is another file of one publisher's report for a year.

    No unique key can say "one report per publisher and year" (reused titles,
    several reports a year), so two workers storing two files of one report at
    once would each create a report. On PostgreSQL a transaction-scoped advisory
    lock on (agency, year) makes the second wait and see the first; SQLite
    writers are serialised by the database lock already.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"), {"key": f"{agency}\x1f{year}"})


def _current_of(session: Session, agency: str, year: int) -> ReportVersion | None:
    return session.scalars(
        select(ReportVersion)
        .join(Report, Report.current_version_id == ReportVersion.id)
        .where(ReportVersion.agency == agency, ReportVersion.year == year)
        .order_by(ReportVersion.id.desc())
    ).first()


def refresh_carry_chain(session: Session, version: ReportVersion) -> None:
    """Evaluate ``carry_chain`` between this report and the same publisher's previous and next years.

    Run whenever a version becomes current, so the check appears on the later
    report as soon as both years are stored, whichever came first.
    """
    if not version.agency or not version.year:
        return
    previous = _current_of(session, version.agency, version.year - 1)
    following = _current_of(session, version.agency, version.year + 1)
    for later, earlier in ((version, previous), (following, version)):
        if later is None or earlier is None:
            continue
        later.checks = [check for check in later.checks if check.rule != "carry_chain"] + [
            CheckResult(rule=check.rule, scope=f"{check.scope}@{earlier.year}", status=check.status,
                        expected=check.expected, found=check.found)
            for check in carry_chain(later.tables or {}, earlier.tables or {})
        ]
