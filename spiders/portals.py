"""The ``portals`` spider: from each seed's home page to its annual reports.

Thin by design: which links to follow is decided by :mod:`harvester.discover`,
what a report says by the pipelines. The walk is home → hub pages (政务公开,
政府信息公开) → report column(s) → list pages → report pages, and nothing else.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import urlsplit

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from twisted.python.failure import Failure

from harvester.discover.links import (
    LinkKind,
    pagination_urls,
    page_links,
    same_government,
    year_subcolumns,
)
from harvester.discover.seeds import read_seeds
from harvester.fetch.middlewares import header_text
from harvester.items import PortalSeed, ReportPage, SightingSeen
from harvester.store.crawl import store_for
from harvester.store.frontier import RevisitPolicy
from harvester.store.writer import utcnow

DEFAULT_SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "portals.csv"

# Reports first, then lists, then hubs: a portal's page budget goes where the reports are.
PRIORITY = {"report": 30, "list": 20, "column": 20, "notices": 15, "hub": 10, "home": 0}


class PortalsSpider(scrapy.Spider):
    name = "portals"

    def __init__(self, seeds: str | None = None, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.seeds_path = str(Path(seeds).resolve()) if seeds else str(DEFAULT_SEEDS)
        self.seeds: list[PortalSeed] = []

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.max_hub_depth = crawler.settings.getint("HARVESTER_MAX_HUB_DEPTH")
        spider.revisit_policy = RevisitPolicy.from_settings(crawler.settings)
        return spider

    async def start(self):
        for request in self.start_requests():
            yield request

    def start_requests(self):
        seeds, problems = read_seeds(self.seeds_path)
        for problem in problems:
            self.logger.warning("seeds %s %s: row skipped", self.seeds_path, problem)
        self.crawler.stats.set_value("harvester/seeds/bad_rows", len(problems))
        self.crawler.stats.set_value("harvester/seeds/portals", len(seeds))
        self.seeds = seeds
        writer = store_for(self.crawler).writer
        for seed in seeds:
            writer.portal_id(seed)
            yield self._request(seed.url, "home", portal=seed.url, hub_depth=0)

    def _request(self, url: str, kind: str, *, portal: str, hub_depth: int, link_text: str | None = None,
                 in_column: bool = False) -> scrapy.Request:
        callback = self.parse_report if kind == "report" else self.parse_page
        return scrapy.Request(
            url, callback=callback, errback=self.on_error, priority=PRIORITY[kind],
            meta={"portal": portal, "kind": kind, "hub_depth": hub_depth, "link_text": link_text,
                  "in_column": in_column},
        )

    def parse_page(self, response: Response):
        """A home, hub, column or list page: follow report links, columns, lists and hubs."""
        if not isinstance(response, TextResponse):
            return
        meta = response.meta
        portal, hub_depth = meta["portal"], meta.get("hub_depth", 0)
        links = page_links(response.selector, response.url)
        report_links = [link for link in links if link.kind is LinkKind.REPORT]
        in_column = meta.get("in_column", False) or meta.get("kind") == "column" or len(report_links) >= 2

        for link in report_links:
            yield self._report_request(link.url, portal=portal, hub_depth=hub_depth, link_text=link.text)
        if meta.get("kind") == "notices":
            return
        for link in links:
            if link.kind is LinkKind.COLUMN and self._may_enter(link.url, portal, hub_depth):
                yield self._request(link.url, "column", portal=portal, hub_depth=hub_depth + 1, in_column=True)
            elif link.kind is LinkKind.NOTICES and hub_depth >= 1 and same_government(link.url, portal):
                yield self._request(link.url, "notices", portal=portal, hub_depth=hub_depth + 1)
            elif link.kind is LinkKind.HUB and hub_depth < self.max_hub_depth and self._may_enter(link.url, portal, hub_depth):
                yield self._request(link.url, "hub", portal=portal, hub_depth=hub_depth + 1)
        if in_column:
            for url in pagination_urls(response.selector, response.url):
                if same_government(url, response.url):
                    yield self._request(url, "list", portal=portal, hub_depth=hub_depth, in_column=True)
            for link in year_subcolumns(links):
                if same_government(link.url, response.url):
                    yield self._request(link.url, "column", portal=portal, hub_depth=hub_depth, in_column=True)

    def _report_request(self, url: str, *, portal: str, hub_depth: int, link_text: str):
        """A request for a report page, or, for a known report not yet due for a revisit, its confirmation."""
        if not store_for(self.crawler).known.report_due(url, self.revisit_policy):
            self.crawler.stats.inc_value("harvester/revisit_skipped")
            return SightingSeen(url=url, portal_url=portal, fetched=False)
        request = self._request(url, "report", portal=portal, hub_depth=hub_depth, link_text=link_text)
        request.meta["handle_httpstatus_list"] = [304]
        return request

    @staticmethod
    def _may_enter(url: str, portal: str, hub_depth: int) -> bool:
        """Stay within the portal's government; from the home page, a gov.cn disclosure site is allowed too."""
        if same_government(url, portal):
            return True
        host = urlsplit(url).hostname or ""
        return hub_depth == 0 and host.endswith(".gov.cn")

    def parse_report(self, response: Response):
        original = (response.meta.get("redirect_urls") or [response.url])[0]
        portal = response.meta["portal"]
        if response.status == 304:
            yield SightingSeen(url=response.url, portal_url=portal, fetched=True)
            return
        if store_for(self.crawler).known.same_body(response.url, hashlib.sha256(response.body).hexdigest()):
            self.crawler.stats.inc_value("harvester/unchanged_body")
            yield SightingSeen(url=response.url, portal_url=portal, fetched=True)
            return
        headers = response.headers
        yield ReportPage(
            url=original,
            final_url=response.url,
            portal_url=portal,
            status=response.status,
            body=response.body,
            fetched_at=utcnow(),
            content_type=header_text(headers, b"Content-Type"),
            etag=header_text(headers, b"ETag"),
            last_modified=header_text(headers, b"Last-Modified"),
            referer=(response.request.headers.get("Referer") or b"").decode("latin-1") or None,
            link_text=response.meta.get("link_text"),
        )

    def on_error(self, failure: Failure):
        request = failure.request
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.crawler.stats.inc_value("harvester/http_errors")
            self.logger.info("HTTP %s for %s (%s)", response.status, request.url, request.meta.get("kind"))
        elif failure.check(IgnoreRequest):
            self.logger.debug("not fetched %s: %s", request.url, failure.getErrorMessage())
        else:
            self.logger.warning("failed %s: %s", request.url, failure.getErrorMessage())
