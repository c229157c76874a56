"""Blocked and broken portals: script challenges through the browser, failures named for portal health.

Ruishu (瑞数) and 加速乐-like walls answer a first visit with a status such as
412 or 521 and a small script that sets a cookie and reloads. Plain HTTP
cannot run it; :class:`ChallengeMiddleware` sends that request once through
the browser, takes the cookies the script set, and replays the request over
plain HTTP with them. The host's cookies are kept, so the rest of the portal
is crawled without a browser. Everything else that goes wrong is given a kind
(:func:`failure_kind`, :func:`response_problem`) and counted per portal.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as net
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from harvester.fetch.browser import render_meta, rendered_cookies
from harvester.health import health_book

logger = logging.getLogger(__name__)

#: Statuses script walls answer with (412 Ruishu, 521 加速乐; some use 202/403/503 or even 200).
CHALLENGE_STATUSES = frozenset({200, 202, 403, 412, 418, 503, 521})
#: A challenge page is small: a script and hardly any text.
MAX_CHALLENGE_BYTES = 64 * 1024
MAX_CHALLENGE_TEXT = 200

_SETS_COOKIE = re.compile(r"document\.cookie\s*=", re.I)
_RELOADS = re.compile(r"location\.(reload|replace|assign)\s*\(|location(\.href)?\s*=|window\.location\s*=|\$_ts|"
                      r"__jsl_clearance|meta\s+http-equiv=[\"']?refresh", re.I)
_SCRIPT_OR_TAG = re.compile(r"<script\b.*?</script>|<style\b.*?</style>|<[^>]+>", re.S | re.I)
_NOT_FOUND = re.compile(r"404|页面不存在|页面未找到|找不到(该|您要访问的)?页面|不存在或已(被)?删除|Page Not Found", re.I)


def visible_text(html: str) -> str:
    return re.sub(r"\s+", "", _SCRIPT_OR_TAG.sub(" ", html or ""))


def is_script_challenge(status: int, body: bytes) -> bool:
    """A small page whose script sets a cookie and reloads, instead of the content.

    >>> is_script_challenge(412, b'<script>document.cookie="a=1";location.reload();</script>')
    True
    >>> is_script_challenge(200, b'<p>' + "政府信息公开".encode() * 50 + b'</p>')
    False
    """
    if status not in CHALLENGE_STATUSES or len(body) > MAX_CHALLENGE_BYTES:
        return False
    html = body.decode("utf-8", "replace")
    return bool(_SETS_COOKIE.search(html) and _RELOADS.search(html)) and len(visible_text(html)) <= MAX_CHALLENGE_TEXT


def response_problem(status: int, body: bytes, content_type: str | None) -> str | None:
    """``soft_404`` for a 200 page that says it does not exist; None for a page that looks fine."""
    if status != 200 or len(body) > 16 * 1024 or "html" not in (content_type or "text/html"):
        return None
    html = body.decode("utf-8", "replace")
    title = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    text = visible_text(html)
    if (title and _NOT_FOUND.search(title.group(1))) or (len(text) < 300 and _NOT_FOUND.search(text)):
        return "soft_404"
    return None


def status_kind(status: int) -> str:
    if status in (412, 521):
        return "challenge"
    if status >= 500:
        return "http_5xx"
    if status in (404, 410):
        return "not_found"
    if status in (401, 403):
        return "forbidden"
    return "http_4xx" if status >= 400 else "http_other"


def failure_kind(exception: BaseException) -> str:
    """The kind of a request's final failure, for portal health.

    >>> from twisted.internet.error import DNSLookupError
    >>> failure_kind(DNSLookupError("nosuch.gov.cn"))
    'dns'
    >>> failure_kind(IgnoreRequest("max redirections reached"))
    'redirect_loop'
    """
    if isinstance(exception, HttpError):
        return status_kind(exception.response.status)
    if isinstance(exception, IgnoreRequest):
        message = str(exception).lower()
        if "redirect" in message:
            return "redirect_loop"
        if "robots.txt" in message:
            return "robots"
        if "budget" in message:
            return "budget"
        return "ignored"
    if isinstance(exception, net.DNSLookupError):
        return "dns"
    if isinstance(exception, (net.TimeoutError, net.TCPTimedOutError)) or type(exception).__name__ == "TimeoutError":
        return "timeout"
    if _is_tls(exception):
        return "tls"
    if isinstance(exception, (net.ConnectionRefusedError, net.ConnectError, net.ConnectionLost, ResponseFailed,
                              ResponseNeverReceived)):
        return "connection"
    if "playwright" in type(exception).__module__:
        return "browser"
    return "other"


def _is_tls(exception: BaseException) -> bool:
    reasons = [exception, *getattr(exception, "reasons", [])]
    for reason in reasons:
        value = getattr(reason, "value", reason)
        described = f"{type(value).__module__}.{type(value).__name__}: {str(value)[:300]}".lower()
        if any(word in described for word in ("ssl", "tls", "certificate", "handshake")):
            return True
    return False


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


class ChallengeMiddleware:
    """Solves script challenges with the browser, keeps the cookies per host, counts fetches per portal.

    Placed after the fetch recorder on the way back (priority below it), so
    every exchange, the 412 included, is still recorded.
    """

    def __init__(self, crawler: Crawler, browser: bool, max_solves: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.browser = browser
        self.max_solves = max_solves
        self.cookies = clearance_cookies(crawler)
        self.solves: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ChallengeMiddleware:
        settings = crawler.settings
        if not settings.getbool("HARVESTER_CHALLENGE_ENABLED"):
            raise NotConfigured
        return cls(crawler, settings.getbool("HARVESTER_BROWSER_AVAILABLE"), settings.getint("HARVESTER_CHALLENGE_MAX_SOLVES"))

    def process_response(self, request: Request, response: Response, spider=None):
        portal = request.meta.get("portal")
        book = health_book(self.crawler)
        if portal is not None:
            book.fetched(portal, browser=bool(request.meta.get("playwright")))
        if request.meta.get("challenge") == "solving":
            return self._solved_or_blocked(request, response, portal)
        if is_script_challenge(response.status, response.body):
            return self._challenged(request, response, portal)
        problem = response_problem(response.status, response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
        if problem and portal is not None:
            book.error(portal, problem)
            self.stats.inc_value(f"challenge/problem/{problem}")
        return response

    def _challenged(self, request: Request, response: Response, portal: str | None):
        host = host_of(request.url)
        book = health_book(self.crawler)
        self.stats.inc_value("challenge/detected")
        if portal is not None:
            book.challenged(portal)
        carried = self.cookies.get(host)
        sent = _cookie_header(request)
        replayed = request.meta.get("challenge") == "replayed"
        if carried and not replayed and any(sent.get(name) != value for name, value in carried.items()):
            return self._replay(request, carried)
        if not self.browser or self.solves[host] >= self.max_solves:
            self.stats.inc_value("challenge/unsolved")
            if portal is not None:
                book.block(portal)
            logger.warning("script challenge at %s not solved (%s)", request.url,
                           "no browser" if not self.browser else "too many attempts")
            return response
        self.solves[host] += 1
        self.stats.inc_value("challenge/browser_requests")
        logger.info("script challenge (%s) at %s: asking the browser", response.status, request.url)
        return request.replace(dont_filter=True, meta={**request.meta, **render_meta(), "challenge": "solving"})

    def _solved_or_blocked(self, request: Request, response: Response, portal: str | None):
        host = host_of(request.url)
        cookies = {c["name"]: c["value"] for c in rendered_cookies(request.meta)
                   if host == c.get("domain", "").lstrip(".") or host.endswith("." + c.get("domain", "").lstrip("."))}
        if not cookies or is_script_challenge(200, response.body):
            self.stats.inc_value("challenge/unsolved")
            if portal is not None:
                health_book(self.crawler).block(portal)
            logger.warning("the browser did not get past the challenge at %s", request.url)
            return response
        self.cookies[host] = {**self.cookies.get(host, {}), **cookies}
        self.stats.inc_value("challenge/solved")
        if portal is not None:
            health_book(self.crawler).solved(portal)
        return self._replay(request, self.cookies[host])

    def _replay(self, request: Request, cookies: dict[str, str]) -> Request:
        """The request again over plain HTTP; :class:`ClearanceCookieMiddleware` adds the host's cookies."""
        meta = {k: v for k, v in request.meta.items() if not k.startswith("playwright") and k != "challenge"}
        meta["challenge"] = "replayed"
        headers = request.headers.copy()
        headers.pop("Cookie", None)
        return request.replace(dont_filter=True, meta=meta, headers=headers)


class ClearanceCookieMiddleware:
    """Adds the cookies a challenge script set to every later request for that host.

    Placed after Scrapy's cookie middleware (which rewrites the Cookie header),
    and kept out of Scrapy's cookie jar, whose domain check would download a
    public-suffix list.
    """

    def __init__(self, cookies: dict[str, dict[str, str]]) -> None:
        self.cookies = cookies

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClearanceCookieMiddleware:
        if not crawler.settings.getbool("HARVESTER_CHALLENGE_ENABLED"):
            raise NotConfigured
        return cls(clearance_cookies(crawler))

    def process_request(self, request: Request, spider=None):
        cookies = self.cookies.get(host_of(request.url))
        if cookies and not request.meta.get("playwright"):
            sent = _cookie_header(request)
            missing = "; ".join(f"{name}={value}" for name, value in cookies.items() if sent.get(name) != value)
            if missing:
                current = b"; ".join(request.headers.getlist("Cookie")).decode("latin-1")
                request.headers["Cookie"] = f"{current}; {missing}" if current else missing
        return None


def clearance_cookies(crawler: Crawler) -> dict[str, dict[str, str]]:
    """Host → cookies set by a solved challenge, shared by the two middlewares of one crawl."""
    cookies = getattr(crawler, "harvester_clearance", None)
    if cookies is None:
        cookies = crawler.harvester_clearance = {}
    return cookies


def _cookie_header(request: Request) -> dict[str, str]:
    raw = b"; ".join(request.headers.getlist("Cookie")).decode("latin-1")
    pairs = (part.strip().partition("=") for part in raw.split(";") if "=" in part)
    return {name: value for name, _, value in pairs}
