"""Downloader middlewares: a page budget per portal, conditional requests, a record of every fetch."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response, TextResponse
from scrapy.responsetypes import responsetypes

from harvester.cputime import in_stage
from harvester.store.crawl import store_for

logger = logging.getLogger(__name__)


class PortalBudgetMiddleware:
    """Stops fetching for a portal after ``HARVESTER_MAX_PAGES_PER_PORTAL`` requests.

    Calendars, session ids and faceted searches generate endless distinct URLs;
    a budget per portal ends them whatever their shape.
    """

    def __init__(self, crawler: Crawler, max_pages: int) -> None:
        self.crawler = crawler
        self.max_pages = max_pages
        self.stats = crawler.stats
        self.spent: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PortalBudgetMiddleware:
        return cls(crawler, crawler.settings.getint("HARVESTER_MAX_PAGES_PER_PORTAL"))

    def process_request(self, request: Request, spider: Spider | None = None):
        portal = request.meta.get("portal")
        if portal is None or request.meta.get("redirect_times"):
            return None
        self.spent[portal] += 1
        if self.spent[portal] > self.max_pages:
            if self.spent[portal] == self.max_pages + 1:
                logger.warning("portal %s reached its budget of %d pages", portal, self.max_pages)
                store_for(self.crawler).portals_incomplete.add(portal)
            self.stats.inc_value("harvester/portal_budget_exhausted")
            raise IgnoreRequest(f"page budget of {self.max_pages} reached for portal {portal}")
        return None


class RetryAfterMiddleware:
    """Honours ``Retry-After`` on 429 and 503 before Scrapy's retry sends the request again.

    The wait is capped by ``HARVESTER_RETRY_AFTER_MAX`` seconds: a server asking
    for hours is treated as refusing, and the response goes on to be retried or
    recorded as an error.
    """

    def __init__(self, crawler: Crawler, max_wait: float) -> None:
        self.crawler = crawler
        self.max_wait = max_wait

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler, crawler.settings.getfloat("HARVESTER_RETRY_AFTER_MAX", 120))

    async def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if response.status not in (429, 503):
            return response
        wait = retry_after_seconds(header_text(response.headers, b"Retry-After"))
        if wait is None or wait > self.max_wait:
            return response
        self.crawler.stats.inc_value("harvester/retry_after_waits")
        await asyncio.sleep(wait)
        return response


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP date.

    >>> retry_after_seconds("3")
    3.0
    >>> retry_after_seconds("soon") is None
    True
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class ConditionalRequestMiddleware:
    """Sends If-None-Match / If-Modified-Since for pages the store has, and replays list pages on 304.

    A 304 for a report page goes on to the spider, which confirms the report
    without re-reading it. A 304 for any other page (home, hub, column, list)
    is replaced by the stored body, so the walk continues as if downloaded.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalRequestMiddleware:
        if not crawler.settings.getbool("HARVESTER_CONDITIONAL_REQUESTS", True):
            raise NotConfigured("HARVESTER_CONDITIONAL_REQUESTS is off")
        return cls(crawler)

    def process_request(self, request: Request, spider: Spider | None = None):
        if request.method != "GET" or request.meta.get("portal") is None:
            return None
        known = store_for(self.crawler).known.validators(request.url, request.meta.get("kind"))
        if known is None:
            return None
        if known.etag and b"If-None-Match" not in request.headers:
            request.headers[b"If-None-Match"] = known.etag
        if known.last_modified and b"If-Modified-Since" not in request.headers:
            request.headers[b"If-Modified-Since"] = known.last_modified
        return None

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        if response.status != 304 or request.meta.get("portal") is None:
            return response
        self.crawler.stats.inc_value("harvester/not_modified")
        if request.meta.get("kind") == "report":
            return response
        store = store_for(self.crawler)
        known = store.known.pages.get(request.url)
        body = store.writer.blob(known.body_sha256) if known and known.body_sha256 else None
        if body is None:
            return response
        headers = response.headers.copy()
        if known.content_type:
            headers[b"Content-Type"] = known.content_type
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(url=request.url, status=200, headers=headers, body=body, request=request, flags=["revalidated"])


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

    @in_stage("store")
    def _record(self, request: Request, **fields) -> None:
        store = store_for(self.crawler)
        original = (request.meta.get("redirect_urls") or [request.url])[0]
        store.writer.record_fetch(
            run_id=store.run_id, portal_url=request.meta.get("portal"), url=original,
            method=request.method, kind=request.meta.get("kind"),
            referer=(request.headers.get("Referer") or b"").decode("latin-1") or None, **fields,
        )

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        portal = request.meta.get("portal")
        if portal is None:
            return response
        self.crawler.stats.inc_value("harvester/pages_fetched")
        headers = response.headers
        kind = request.meta.get("kind")
        keep_body = response.status == 200 and (isinstance(response, TextResponse) or kind == "report")
        self._record(
            request, final_url=response.url, status=response.status,
            etag=header_text(headers, b"ETag"), last_modified=header_text(headers, b"Last-Modified"),
            content_type=header_text(headers, b"Content-Type"), body=response.body if keep_body else None,
        )
        self._note_portal_state(portal, kind, response.status)
        return response

    def _note_portal_state(self, portal: str, kind: str | None, status: int | None) -> None:
        store = store_for(self.crawler)
        if kind == "home" and status in (200, 304):
            store.portals_reached.add(portal)
        elif kind != "report" and (status is None or status >= 400):
            store.portals_incomplete.add(portal)

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None):
        if request.meta.get("portal") is not None and not isinstance(exception, IgnoreRequest):
            self._record(request, final_url=None, status=None,
                         error=f"{type(exception).__name__}: {exception}"[:2000])
            self._note_portal_state(request.meta["portal"], request.meta.get("kind"), None)
        return None


def header_text(headers, name: bytes) -> str | None:
    """A response header as text (headers are bytes, Latin-1 by HTTP's rules)."""
    value = headers.get(name)
    return value.decode("latin-1") if value else None
