"""The crawl's connection to the store, shared by the extension, middlewares, spider and pipelines."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import timedelta
from functools import cached_property

from scrapy import signals
from scrapy.crawler import Crawler
from twisted.internet import task

from harvester.cputime import STAGES
from harvester.store.db import StoreError, open_store, safe_url
from harvester.store.frontier import KnownPages, RevisitPolicy, holder_id
from harvester.store.writer import StoreLocked, StoreWriter

logger = logging.getLogger(__name__)

LOCK_NAME = "crawl"


@dataclass
class CrawlStore:
    writer: StoreWriter
    run_id: int | None = None
    #: Portals whose home page answered 200 in this run.
    portals_reached: set[str] = field(default_factory=set)
    #: Portals with a failed hub/column/list page or an exhausted budget: their walk is incomplete.
    portals_incomplete: set[str] = field(default_factory=set)

    @cached_property
    def known(self) -> KnownPages:
        return KnownPages.load(self.writer.engine)


def store_for(crawler: Crawler) -> CrawlStore:
    """One store handle per crawler, opened (and migrated) on first use."""
    store = getattr(crawler, "harvester_store", None)
    if store is None:
        engine = open_store(crawler.settings.get("HARVESTER_DB_URL"))
        store = CrawlStore(writer=StoreWriter(engine))
        crawler.harvester_store = store
    return store


#: Stats copied into the crawl run's record when it closes: name in the run → Scrapy stats key.
RUN_COUNTS = {
    "pages_fetched": "harvester/pages_fetched",
    "not_modified": "harvester/not_modified",
    "unchanged_bodies": "harvester/unchanged_body",
    "revisits_skipped": "harvester/revisit_skipped",
    "new_reports": "harvester/reports/new_report",
    "new_versions": "harvester/reports/new_version",
    "new_sources": "harvester/reports/new_source",
    "new_sightings": "harvester/reports/new_sighting",
    "unchanged_reports": "harvester/reports/unchanged",
    "gone_reports": "harvester/reports/gone",
    "not_reports": "harvester/not_report",
    "unreadable": "harvester/unreadable",
    "bad_seed_rows": "harvester/seeds/bad_rows",
    "portals": "harvester/seeds/portals",
    "responses": "downloader/response_count",
    "download_errors": "downloader/exception_count",
    "http_errors": "harvester/http_errors",
    "errors": "log_count/ERROR",
}


class CrawlRunExtension:
    """Holds the store's crawl lock and records each run (start, end, counts, gone reports).

    The lock is taken while the crawler is built, so a second crawl on the same
    store stops before fetching anything, with exit code 1 and a clear message.
    """

    def __init__(self, crawler: Crawler, use_lock: bool, stale_after: timedelta, heartbeat: float) -> None:
        self.crawler = crawler
        self.use_lock = use_lock
        self.stale_after = stale_after
        self.heartbeat_interval = heartbeat
        self.holder = holder_id()
        self.heartbeat: task.LoopingCall | None = None
        self.locked = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunExtension:
        settings = crawler.settings
        extension = cls(
            crawler,
            use_lock=settings.getbool("HARVESTER_CRAWL_LOCK", True),
            stale_after=timedelta(seconds=settings.getfloat("HARVESTER_LOCK_STALE_AFTER", 900)),
            heartbeat=settings.getfloat("HARVESTER_LOCK_HEARTBEAT", 60),
        )
        try:
            store = store_for(crawler)
            if extension.use_lock:
                store.writer.acquire_lock(LOCK_NAME, extension.holder, extension.stale_after)
                extension.locked = True
        except (StoreError, StoreLocked) as exc:
            logger.error("harvester: %s", exc)
            raise SystemExit(f"harvester: {exc}") from None
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        store = store_for(self.crawler)
        store.run_id = store.writer.start_run(getattr(spider, "seeds_path", None), self.holder)
        if self.locked:
            self.heartbeat = task.LoopingCall(store.writer.refresh_lock, LOCK_NAME, self.holder)
            self.heartbeat.start(self.heartbeat_interval, now=False)
        logger.info("crawl run %s started on store %s", store.run_id,
                    safe_url(store.writer.engine.url.render_as_string(hide_password=False)))

    def spider_closed(self, spider, reason: str) -> None:
        store = store_for(self.crawler)
        stats = self.crawler.stats
        if reason == "finished":
            complete = store.portals_reached - store.portals_incomplete
            stats.set_value("harvester/reports/gone", store.writer.mark_gone(store.run_id, complete))
        counts = {name: stats.get_value(key, 0) for name, key in RUN_COUNTS.items()}
        counts["cpu_seconds"] = {name: stats.get_value(f"harvester/cpu/{name}") for name in (*STAGES, "total")}
        status = "finished" if reason == "finished" else f"closed:{reason}"
        store.writer.finish_run(store.run_id, status, counts)
        if self.heartbeat is not None and self.heartbeat.running:
            self.heartbeat.stop()
        if self.locked:
            store.writer.release_lock(LOCK_NAME, self.holder)
        logger.info("crawl run %s %s: %s", store.run_id, status, counts)
