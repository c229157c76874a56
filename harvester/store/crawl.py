"""The crawl's connection to the store, shared by the extension, middlewares and pipelines."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from scrapy import signals
from scrapy.crawler import Crawler

from harvester.store.db import open_store
from harvester.store.writer import StoreWriter

logger = logging.getLogger(__name__)


@dataclass
class CrawlStore:
    writer: StoreWriter
    run_id: int | None = None


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
    "responses": "downloader/response_count",
    "not_modified": "downloader/response_status_count/304",
    "new_reports": "harvester/reports/new_report",
    "new_versions": "harvester/reports/new_version",
    "new_sightings": "harvester/reports/new_sighting",
    "unchanged_reports": "harvester/reports/unchanged",
    "not_reports": "harvester/not_report",
    "unreadable": "harvester/unreadable",
    "bad_seed_rows": "harvester/seeds/bad_rows",
    "portals": "harvester/seeds/portals",
    "download_errors": "downloader/exception_count",
    "http_errors": "harvester/http_errors",
    "errors": "log_count/ERROR",
}


class CrawlRunExtension:
    """Records each crawl run (start, end, counts) in the store."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunExtension:
        extension = cls(crawler)
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        store = store_for(self.crawler)
        store.run_id = store.writer.start_run(getattr(spider, "seeds_path", None))
        logger.info("crawl run %s started, store %s", store.run_id, store.writer.engine.url.render_as_string())

    def spider_closed(self, spider, reason: str) -> None:
        store = store_for(self.crawler)
        stats = self.crawler.stats
        counts = {name: stats.get_value(key, 0) for name, key in RUN_COUNTS.items()}
        status = "finished" if reason == "finished" else f"closed:{reason}"
        store.writer.finish_run(store.run_id, status, counts)
        logger.info("crawl run %s %s: %s", store.run_id, status, counts)
