"""Item pipelines: read each captured report page, then store it."""

from __future__ import annotations

import logging

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from harvester.cputime import in_stage
from harvester.discover.links import is_report_title
from harvester.document import UnreadableDocument, read_document
from harvester.extract.metadata import report_identity
from harvester.items import HarvestedReport, ReportPage, SightingSeen
from harvester.store.crawl import store_for

logger = logging.getLogger(__name__)


class ReadReportPipeline:
    """ReportPage → HarvestedReport; pages that turn out not to be reports are dropped and counted.

    A page that cannot be read at all is dropped too, and the reason is written
    on its fetch record so it can be found with SQL later.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReadReportPipeline:
        return cls(crawler)

    @in_stage("extract")
    def process_item(self, item, spider=None):
        if not isinstance(item, ReportPage):
            return item
        try:
            document = read_document(item.body, item.final_url, item.content_type)
        except UnreadableDocument as exc:
            self._unreadable(item, str(exc), "UnreadableDocument")
        except (RecursionError, MemoryError, ValueError, LookupError, TypeError) as exc:
            logger.error("cannot read %s (portal %s): %s: %s", item.url, item.portal_url, type(exc).__name__, exc)
            self._unreadable(item, f"{type(exc).__name__}: {exc}", type(exc).__name__)
        title = document.title or item.link_text or ""
        if not is_report_title(title):
            self.stats.inc_value("harvester/not_report")
            raise DropItem(f"not an annual report: {item.url} ({title[:60]!r})")
        if not document.title:
            document.title = title
        if (document.agency is None or document.year is None) and item.link_text:
            # A scan or a bare file names nobody; the link that published it does.
            agency, year = report_identity(item.link_text)
            document.agency, document.year = document.agency or agency, document.year or year
        return HarvestedReport(page=item, document=document)

    def _unreadable(self, item: ReportPage, reason: str, kind: str):
        self.stats.inc_value("harvester/unreadable")
        self.stats.inc_value(f"harvester/unreadable/{kind}")
        store_for(self.crawler).writer.note_fetch_problem(item.final_url, f"unreadable: {reason}")
        raise DropItem(f"unreadable report {item.url} (portal {item.portal_url}): {reason}")


class StoreReportPipeline:
    """Writes each report in one transaction; counts outcomes as ``harvester/reports/<outcome>``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.region_codes: dict[str, str | None] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StoreReportPipeline:
        return cls(crawler)

    def open_spider(self, spider=None) -> None:
        seeds = getattr(self.crawler.spider, "seeds", [])
        self.region_codes = {seed.url: seed.region_code for seed in seeds}

    @in_stage("store")
    def process_item(self, item, spider=None):
        store = store_for(self.crawler)
        if isinstance(item, SightingSeen):
            if store.writer.touch_sighting(item.url, store.run_id, fetched=item.fetched,
                                           with_attachments=item.with_attachments):
                self.crawler.stats.inc_value("harvester/reports/confirmed")
            return item
        if not isinstance(item, HarvestedReport):
            return item
        outcome = store.writer.store_report(
            item.page, item.document, run_id=store.run_id,
            region_code=self.region_codes.get(item.page.portal_url),
        )
        self.crawler.stats.inc_value(f"harvester/reports/{outcome.value}")
        logger.info("%s: %s %s", outcome.value, item.document.title, item.page.url)
        return item
