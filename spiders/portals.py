"""The ``portals`` spider: from each seed's home page to its annual reports.

Thin by design: which links to follow is decided by :mod:`harvester.discover`,
what a report says by the pipelines. The walk is home → hub pages (政务公开,
政府信息公开) → report column(s) → list pages → report pages, and nothing else.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
import scrapy
from scrapy import signals
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.selector import Selector
from twisted.python.failure import Failure

from harvester.cputime import stage
from harvester.discover import cms
from harvester.discover.overrides import Override, load_overrides
from harvester.discover.links import attachment_links, is_report_title
from harvester.discover.seeds import read_seeds
from harvester.fetch.browser import render_meta
from harvester.fetch.challenge import failure_kind
from harvester.fetch.middlewares import header_text
from harvester.health import health_book
from harvester.items import PortalSeed, ReportPage, SightingSeen
from harvester.store.crawl import store_for
from harvester.store.frontier import RevisitPolicy
from harvester.store.writer import utcnow

DEFAULT_SEEDS = Path(__file__).resolve().parents[1] / "seeds" / "portals.csv"

#: IgnoreRequest reasons for requests that were never sent (nothing to record as a fetch).
NOT_FETCHED = re.compile(r"robots\.txt|page budget|Filtered|duplicate", re.I)

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
        crawler.signals.connect(spider.on_dropped, signal=signals.request_dropped)
        spider.max_file_bytes = crawler.settings.getint("HARVESTER_MAX_FILE_BYTES")
        spider.file_timeout = crawler.settings.getfloat("HARVESTER_FILE_TIMEOUT")
        spider.overrides, problems = load_overrides(crawler.settings.get("HARVESTER_OVERRIDES"))
        for problem in problems:
            spider.logger.warning("overrides %s: entry skipped", problem)
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
        if self.crawler.settings.getbool("HARVESTER_CLUSTER_ENABLED"):
            return  # distributed mode: `harvester enqueue` pushed the seeds once for all workers
        writer = store_for(self.crawler).writer
        for seed in seeds:
            writer.portal_id(seed)
            yield self._request(seed.url, "home", portal=seed.url, hub_depth=0)
            for column in self.overrides.get(seed.url, Override()).columns:
                yield self._request(column, "column", portal=seed.url, hub_depth=1, in_column=True)

    @property
    def browser(self) -> bool:
        """Whether pages can be rendered (read late: the browser add-on sets it after the spider is built)."""
        return self.crawler.settings.getbool("HARVESTER_BROWSER_AVAILABLE")

    def _request(self, url: str, kind: str, *, portal: str, hub_depth: int, link_text: str | None = None,
                 in_column: bool = False, extra: dict | None = None, **kwargs) -> scrapy.Request:
        callback = self.parse_report if kind == "report" else self.parse_page
        meta = {"portal": portal, "kind": kind, "hub_depth": hub_depth, "link_text": link_text, "in_column": in_column}
        api = bool((extra or {}).get("api"))
        if kind in ("column", "list") and not api and self.overrides.get(portal, Override()).render and self.browser:
            meta.update(render_meta(), rendered=True)
        return scrapy.Request(url, callback=callback, errback=self.on_error, priority=PRIORITY[kind],
                              meta={**meta, **(extra or {})}, **kwargs)

    def _follow(self, nxt: cms.Next, response: Response):
        """A request (or a sighting) for what an adapter said to fetch next."""
        meta = dict(nxt.meta or {})
        portal = response.meta["portal"]
        hub_depth = meta.pop("hub_depth", response.meta.get("hub_depth", 0))
        in_column = meta.pop("in_column", False)
        if nxt.kind == "report":
            return self._report_request(nxt.url, portal=portal, hub_depth=hub_depth, link_text=nxt.text)
        extra = {"api": True, "cms": meta["cms"], "cms_state": meta.get("cms_state", {})} if nxt.kind == "api" else {}
        if meta.get("render"):
            if not self.browser:
                return None
            extra.update(render_meta(), rendered=True)
        return self._request(
            nxt.url, "list" if nxt.kind == "api" else nxt.kind, portal=portal, hub_depth=hub_depth,
            in_column=in_column, extra=extra, method=nxt.method, body=nxt.body, headers=nxt.headers,
            dont_filter=bool(meta.get("render")),
        )

    def parse_page(self, response: Response):
        """A home, hub, column or list page (or a CMS's data answer): request what the adapters name."""
        if not isinstance(response, TextResponse):
            return
        with stage("discover"):
            requests = list(self._next_requests(response))
        yield from requests

    def _next_requests(self, response: TextResponse):
        meta = response.meta
        page = cms.Page(
            url=response.url, text=response.text, kind=meta.get("kind", "column"), portal=meta["portal"],
            hub_depth=meta.get("hub_depth", 0), in_column=meta.get("in_column", False),
            state={"cms": meta.get("cms"), **meta.get("cms_state", {})}, rendered=bool(meta.get("rendered")),
            max_hub_depth=self.max_hub_depth,
        )
        if meta.get("api"):
            nexts = cms.follow_api(page)
        else:
            family, nexts = cms.follow(page, self.overrides.get(page.portal, Override()).cms)
            health_book(self.crawler).family(page.portal, family)
        for nxt in nexts:
            request = self._follow(nxt, response)
            if request is not None:
                yield request

    def _report_request(self, url: str, *, portal: str, hub_depth: int, link_text: str):
        """A request for a report page, or, for a known report not yet due for a revisit, its confirmation."""
        if not store_for(self.crawler).known.report_due(url, self.revisit_policy):
            self.crawler.stats.inc_value("harvester/revisit_skipped")
            return SightingSeen(url=url, portal_url=portal, fetched=False)
        request = self._request(url, "report", portal=portal, hub_depth=hub_depth, link_text=link_text)
        request.meta["handle_httpstatus_list"] = [304]
        return request

    def parse_report(self, response: Response):
        original = (response.meta.get("redirect_urls") or [response.url])[0]
        portal = response.meta["portal"]
        if response.status == 304:
            yield SightingSeen(url=response.url, portal_url=portal, fetched=True, with_attachments=True)
            return
        if store_for(self.crawler).known.same_body(response.url, hashlib.sha256(response.body).hexdigest()):
            self.crawler.stats.inc_value("harvester/unchanged_body")
            yield SightingSeen(url=response.url, portal_url=portal, fetched=True, with_attachments=True)
            return
        if isinstance(response, TextResponse) and not response.meta.get("attachment"):
            with stage("discover"):
                # A Selector of its own, not response.selector: that one is cached on the response and points
                # back at it, a cycle that keeps the page's lxml tree (native memory) alive until a full GC.
                attachments = [self._attachment_request(link, response)
                               for link in attachment_links(Selector(response), response.url)]
            yield from attachments
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

    def _attachment_request(self, link, response: Response):
        """A file attached to a report page: same report, so its page's title stands in for a bare file name."""
        text = link.text if is_report_title(link.text) else response.meta.get("link_text") or link.text
        request = self._report_request(link.url, portal=response.meta["portal"],
                                       hub_depth=response.meta.get("hub_depth", 0), link_text=text)
        if isinstance(request, scrapy.Request):
            request.meta.update(attachment=True, download_maxsize=self.max_file_bytes,
                                download_timeout=self.file_timeout)
        return request

    def on_dropped(self, request: scrapy.Request, spider=None) -> None:
        """A redirect to an address already visited is a loop: the duplicate filter ends it; record it."""
        redirects = request.meta.get("redirect_urls")
        if request.meta.get("portal") is None or not redirects:
            return
        self._record_refusal(request, redirects[0], f"redirect loop: {' -> '.join([*redirects, request.url])}")

    def _record_refusal(self, request: scrapy.Request, url: str, reason: str) -> None:
        store = store_for(self.crawler)
        store.writer.record_fetch(run_id=store.run_id, portal_url=request.meta["portal"], url=url, final_url=None,
                                  status=None, kind=request.meta.get("kind"), error=reason[:2000])

    def on_error(self, failure: Failure):
        request = failure.request
        if request.meta.get("portal") is not None:
            health_book(self.crawler).error(request.meta["portal"], failure_kind(failure.value),
                                            home=request.meta.get("kind") == "home")
        response = getattr(failure.value, "response", None)
        if response is not None:
            self.crawler.stats.inc_value("harvester/http_errors")
            self.logger.info("HTTP %s for %s (%s)", response.status, request.url, request.meta.get("kind"))
        elif failure.check(IgnoreRequest):
            reason = failure.getErrorMessage()
            self.logger.debug("not fetched %s: %s", request.url, reason)
            if request.meta.get("portal") is not None and not NOT_FETCHED.search(reason):
                original = (request.meta.get("redirect_urls") or [request.url])[0]
                self._record_refusal(request, original, f"refused: {reason}")
        else:
            self.logger.warning("failed %s: %s", request.url, failure.getErrorMessage())
