"""Portal health: per crawl run and portal, what was fetched, found and what went wrong.

The spider, the challenge middleware and the spider's errback tally into one
:class:`HealthBook` per crawl; :class:`PortalHealthExtension` writes one
``portal_health`` row per portal when the crawl closes. :func:`attention`
decides, from a record alone, whether a person should look at the portal.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field

from scrapy import signals
from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Failure kinds that are the crawler's own choices, not the portal's faults.
BENIGN_KINDS = frozenset({"robots", "budget", "ignored", "not_found"})
#: Share of a portal's fetches that may fail before it needs attention.
MAX_ERROR_SHARE = 0.5


@dataclass
class Tally:
    pages: int = 0
    browser_pages: int = 0
    reports: dict[str, int | None] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    challenged: bool = False
    solved: bool = False
    blocked: bool = False
    families: Counter[str] = field(default_factory=Counter)
    home_error: str | None = None
    #: Known reports confirmed without reading them again (incremental recrawls): resolved at the end.
    confirmed: set[str] = field(default_factory=set)


class HealthBook:
    """Counts per portal (the seed URL) during one crawl."""

    def __init__(self) -> None:
        self.portals: dict[str, Tally] = {}

    def tally(self, portal: str) -> Tally:
        return self.portals.setdefault(portal, Tally())

    def fetched(self, portal: str, browser: bool = False) -> None:
        tally = self.tally(portal)
        tally.pages += 1
        tally.browser_pages += browser

    def error(self, portal: str, kind: str, home: bool = False) -> None:
        tally = self.tally(portal)
        tally.errors[kind] += 1
        if home and kind not in BENIGN_KINDS:
            tally.home_error = kind

    def challenged(self, portal: str) -> None:
        self.tally(portal).challenged = True

    def solved(self, portal: str) -> None:
        tally = self.tally(portal)
        tally.solved, tally.blocked = True, False

    def block(self, portal: str) -> None:
        tally = self.tally(portal)
        if not tally.solved:
            tally.blocked = True

    def family(self, portal: str, family: str | None) -> None:
        if family:
            self.tally(portal).families[family] += 1

    def report(self, portal: str, content_hash: str, year: int | None) -> None:
        self.tally(portal).reports[content_hash] = year

    def confirm(self, portal: str, url: str) -> None:
        self.tally(portal).confirmed.add(url)


def health_book(crawler: Crawler) -> HealthBook:
    """The crawl's one book, created on first use."""
    book = getattr(crawler, "harvester_health", None)
    if book is None:
        book = crawler.harvester_health = HealthBook()
    return book


def record(portal: str, tally: Tally) -> dict:
    """The stored form of a tally, with its verdict."""
    years = Counter(str(year) if year else "unknown" for year in tally.reports.values())
    result = {
        "portal": portal,
        "pages_fetched": tally.pages,
        "browser_pages": tally.browser_pages,
        "reports_found": len(tally.reports),
        "reports_by_year": dict(sorted(years.items())),
        "errors": dict(sorted(tally.errors.items())),
        "challenged": tally.challenged,
        "blocked": tally.blocked,
        "cms_family": tally.families.most_common(1)[0][0] if tally.families else "generic",
    }
    reasons = attention(result, tally.home_error)
    result["status"] = "failing" if reasons else "ok"
    result["reasons"] = reasons
    return result


def attention(record: dict, home_error: str | None = None) -> list[str]:
    """Why a person should look at this portal; empty when it is healthy.

    >>> attention({"pages_fetched": 12, "reports_found": 3, "errors": {}, "blocked": False})
    []
    >>> attention({"pages_fetched": 1, "reports_found": 0, "errors": {"dns": 1}, "blocked": False}, "dns")
    ['home page failed: dns', 'no reports found']
    """
    reasons = []
    if record.get("blocked"):
        reasons.append("blocked by a script challenge")
    if home_error:
        reasons.append(f"home page failed: {home_error}")
    if record.get("reports_found", 0) == 0:
        reasons.append("no reports found")
    faults = sum(n for kind, n in (record.get("errors") or {}).items() if kind not in BENIGN_KINDS)
    attempts = record.get("pages_fetched", 0) + faults
    if attempts and faults / attempts > MAX_ERROR_SHARE and not home_error:
        reasons.append(f"{faults} of {attempts} fetches failed")
    return reasons


class PortalHealthExtension:
    """Counts reports per portal as they are stored and writes the health records at the end of the crawl."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalHealthExtension:
        extension = cls(crawler)
        crawler.signals.connect(extension.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def item_scraped(self, item, response=None, spider=None) -> None:
        page, document = getattr(item, "page", None), getattr(item, "document", None)
        if page is not None and document is not None and page.portal_url:
            health_book(self.crawler).report(page.portal_url, document.content_hash, document.year)
        elif isinstance(getattr(item, "url", None), str) and getattr(item, "portal_url", None):
            health_book(self.crawler).confirm(item.portal_url, item.url)

    def spider_closed(self, spider, reason: str) -> None:
        from sqlalchemy import select

        from harvester.store.crawl import store_for
        from harvester.store.models import Portal, PortalHealth, Report, ReportVersion, Sighting
        from harvester.store.writer import utcnow

        book = health_book(self.crawler)
        seeds = [seed.url for seed in getattr(spider, "seeds", [])] or list(book.portals)
        store = store_for(self.crawler)
        now = utcnow()
        with store.writer.sessions.begin() as session:
            for portal, tally in book.portals.items():
                if tally.confirmed:
                    known = session.execute(
                        select(ReportVersion.content_hash, ReportVersion.year)
                        .join(Report, Report.current_version_id == ReportVersion.id)
                        .join(Sighting, Sighting.report_id == Report.id).where(Sighting.url.in_(tally.confirmed))
                    ).all()
                    for content_hash, year in known:
                        tally.reports.setdefault(content_hash, year)
            records = [record(portal, book.tally(portal)) for portal in seeds]
            ids = dict(session.execute(select(Portal.url, Portal.id).where(Portal.url.in_(seeds))).all())
            for rec in records:
                portal_id = ids.get(rec["portal"])
                if portal_id is None:
                    continue
                session.add(PortalHealth(run_id=store.run_id, portal_id=portal_id, recorded_at=now,
                                         **{k: v for k, v in rec.items() if k != "portal"}))
        failing = [rec["portal"] for rec in records if rec["status"] == "failing"]
        self.crawler.stats.set_value("health/portals_failing", len(failing))
        if failing:
            logger.warning("%d portal(s) need attention: %s", len(failing), ", ".join(failing[:20]))
