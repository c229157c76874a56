"""Downloader middlewares: a page budget per portal, and a record of every fetch."""

from __future__ import annotations

import logging
from collections import Counter

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from harvester.store.crawl import store_for

logger = logging.getLogger(__name__)


class PortalBudgetMiddleware:
    """Stops fetching for a portal after ``HARVESTER_MAX_PAGES_PER_PORTAL`` requests.

    Calendars, session ids and faceted searches generate endless distinct URLs;
    a budget per portal ends them whatever their shape.
    """

    def __init__(self, max_pages: int, stats) -> None:
        self.max_pages = max_pages
        self.stats = stats
        self.spent: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalBudgetMiddleware:
        return cls(crawler.settings.getint("HARVESTER_MAX_PAGES_PER_PORTAL"), crawler.stats)

    def process_request(self, request: Request, spider: Spider | None = None):
        portal = request.meta.get("portal")
        if portal is None or request.meta.get("redirect_times"):
            return None
        self.spent[portal] += 1
        if self.spent[portal] > self.max_pages:
            if self.spent[portal] == self.max_pages + 1:
                logger.warning("portal %s reached its budget of %d pages", portal, self.max_pages)
            self.stats.inc_value("harvester/portal_budget_exhausted")
            raise IgnoreRequest(f"page budget of {self.max_pages} reached for portal {portal}")
        return None


class FetchRecorderMiddleware:
    """Writes one ``fetches`` row per final response or failed request.

    Placed next to the engine, it sees responses after redirects and retries,
    so a row holds the first URL asked for and the final URL answered.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchRecorderMiddleware:
        return cls(crawler)

    def _record(self, request: Request, **fields) -> None:
        store = store_for(self.crawler)
        original = (request.meta.get("redirect_urls") or [request.url])[0]
        store.writer.record_fetch(
            run_id=store.run_id, portal_url=request.meta.get("portal"), url=original,
            method=request.method, kind=request.meta.get("kind"),
            referer=(request.headers.get("Referer") or b"").decode("latin-1") or None, **fields,
        )

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if request.meta.get("portal") is not None:
            self.crawler.stats.inc_value("harvester/pages_fetched")
            headers = response.headers
            self._record(
                request, final_url=response.url, status=response.status,
                etag=header_text(headers, b"ETag"), last_modified=header_text(headers, b"Last-Modified"),
                content_type=header_text(headers, b"Content-Type"),
            )
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None):
        if request.meta.get("portal") is not None and not isinstance(exception, IgnoreRequest):
            self._record(request, final_url=None, status=None,
                         error=f"{type(exception).__name__}: {exception}"[:2000])
        return None


def header_text(headers, name: bytes) -> str | None:
    """A response header as text (headers are bytes, Latin-1 by HTTP's rules)."""
    value = headers.get(name)
    return value.decode("latin-1") if value else None
