"""What the store already knows about pages, for incremental recrawls.

A recrawl asks three questions of the store: which validators to send for a
URL (conditional requests), whether a downloaded body is the one already kept
(portals without validators), and whether a known report page is due for a
revisit at all (the revisit policy).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from harvester.cputime import in_stage
from harvester.store.db import session_factory
from harvester.store.models import Fetch, Report, ReportVersion, Sighting


@dataclass(frozen=True)
class KnownPage:
    etag: str | None
    last_modified: str | None
    body_sha256: str | None
    content_type: str | None


@dataclass(frozen=True)
class KnownReportPage:
    year: int | None
    last_fetched_at: datetime | None


@dataclass(frozen=True)
class RevisitPolicy:
    """When to download a known report page again.

    Reports of the last ``recent_years`` reporting years are still being
    corrected and reposted, so they are revisited every ``recent`` interval;
    older ones every ``old`` interval. List and column pages are revisited on
    every run (that is where new reports appear), and newly linked pages are
    always fetched.
    """

    recent_years: int = 2
    recent: timedelta = timedelta(hours=20)
    old: timedelta = timedelta(days=30)

    @classmethod
    def from_settings(cls, settings) -> RevisitPolicy:
        return cls(
            recent_years=settings.getint("HARVESTER_REVISIT_RECENT_YEARS", 2),
            recent=timedelta(hours=settings.getfloat("HARVESTER_REVISIT_RECENT_HOURS", 20)),
            old=timedelta(days=settings.getfloat("HARVESTER_REVISIT_OLD_DAYS", 30)),
        )

    def due(self, page: KnownReportPage, now: datetime) -> bool:
        if page.last_fetched_at is None:
            return True
        last = page.last_fetched_at if page.last_fetched_at.tzinfo else page.last_fetched_at.replace(tzinfo=UTC)
        recent = page.year is None or page.year >= now.year - self.recent_years
        return now - last >= (self.recent if recent else self.old)


class KnownPages:
    """The store's latest view of every fetched URL, loaded once per crawl."""

    def __init__(self, pages: dict[str, KnownPage], reports: dict[str, KnownReportPage]) -> None:
        self.pages = pages
        self.reports = reports

    @classmethod
    @in_stage("store")
    def load(cls, engine: Engine) -> KnownPages:
        with session_factory(engine)() as session:
            # Validators belong to the address that answered: after a redirect, the final URL.
            answered = func.coalesce(Fetch.final_url, Fetch.url)
            latest = (
                select(func.max(Fetch.id).label("id"))
                .where(Fetch.status == 200)
                .group_by(answered)
                .subquery()
            )
            pages = {
                url: KnownPage(etag, modified, sha, ctype)
                for url, etag, modified, sha, ctype in session.execute(
                    select(answered, Fetch.etag, Fetch.last_modified, Fetch.body_sha256, Fetch.content_type)
                    .join(latest, latest.c.id == Fetch.id)
                )
            }
            reports = {
                url: KnownReportPage(year, fetched)
                for url, year, fetched in session.execute(
                    select(Sighting.url, ReportVersion.year, Sighting.last_fetched_at)
                    .join(Report, Report.id == Sighting.report_id)
                    .join(ReportVersion, ReportVersion.id == Report.current_version_id)
                )
            }
        return cls(pages, reports)

    def validators(self, url: str, kind: str | None = None) -> KnownPage | None:
        """What to send for a conditional request; none for a report page not stored as a report.

        A report page fetched by a crawl that died before storing it must be
        downloaded again: a 304 would leave nothing to read.
        """
        if kind == "report" and url not in self.reports:
            return None
        page = self.pages.get(url)
        if page is None or not (page.etag or page.last_modified):
            return None
        return page

    def same_body(self, url: str, body_sha256: str) -> bool:
        """True when a stored report's page came back byte for byte."""
        page = self.pages.get(url)
        return url in self.reports and page is not None and page.body_sha256 == body_sha256

    def report_due(self, url: str, policy: RevisitPolicy, now: datetime | None = None) -> bool:
        page = self.reports.get(url)
        return page is None or policy.due(page, now or datetime.now(UTC))


def holder_id() -> str:
    """Who holds a lock or runs a crawl: host and process, so a dead holder can be recognised."""
    return f"{socket.gethostname()}:{os.getpid()}"


def holder_alive(holder: str, heartbeat_at: datetime, stale_after: timedelta, now: datetime) -> bool:
    """A holder on this host is alive while its process exists; elsewhere while its heartbeat is fresh."""
    host, _, pid = holder.rpartition(":")
    if host == socket.gethostname() and pid.isdigit():
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    beat = heartbeat_at if heartbeat_at.tzinfo else heartbeat_at.replace(tzinfo=UTC)
    return now - beat < stale_after
