"""Script challenges, failure kinds and portal health, without a crawl."""

from __future__ import annotations

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.internet import error as net
from twisted.web._newclient import ResponseNeverReceived

from harvester.farm.families import CLEARANCE_COOKIE, _challenge, clearance_token
from harvester.fetch.browser import browser_proxy, find_chromium, launch_options, settle
from harvester.fetch.challenge import (
    ChallengeMiddleware,
    ClearanceCookieMiddleware,
    failure_kind,
    is_script_challenge,
    response_problem,
)
from harvester.health import HealthBook, attention, health_book, record

HOST = "www.lintao.gov.cn"
URL = f"http://{HOST}/zwgk/"
PORTAL = f"http://{HOST}/"
CHALLENGE = _challenge(HOST, "/zwgk/", None)


def crawler(**settings):
    values = {"HARVESTER_CHALLENGE_ENABLED": True, "HARVESTER_BROWSER_AVAILABLE": True,
              "HARVESTER_CHALLENGE_MAX_SOLVES": 2, **settings}
    return get_crawler(Spider, values)


def middlewares(**settings):
    c = crawler(**settings)
    return c, ChallengeMiddleware.from_crawler(c), ClearanceCookieMiddleware.from_crawler(c)


def request() -> Request:
    return Request(URL, meta={"portal": PORTAL, "kind": "hub"})


def challenge_response(req: Request) -> HtmlResponse:
    return HtmlResponse(URL, status=CHALLENGE.status, body=CHALLENGE.body, request=req)


def test_the_farm_challenge_is_recognised_and_ordinary_pages_are_not():
    assert CHALLENGE.status == 412 and is_script_challenge(412, CHALLENGE.body)
    jsl = b"<script>document.cookie=('__jsl_clearance=1');location.href=location.pathname+location.search</script>"
    assert is_script_challenge(521, jsl)
    assert not is_script_challenge(404, CHALLENGE.body)
    page = ("<html><body>" + "<p>政府信息公开工作年度报告正文。</p>" * 40
            + "<script>document.cookie='a=1';location.reload()</script></body></html>").encode()
    assert not is_script_challenge(200, page), "a real page that happens to set a cookie"
    assert _challenge(HOST, "/robots.txt", None) is None
    assert _challenge(HOST, "/zwgk/", f"{CLEARANCE_COOKIE}={clearance_token(HOST)}") is None


def test_a_challenge_goes_to_the_browser_then_replays_with_its_cookies():
    c, mw, cookies_mw = middlewares()
    req = request()
    browser_req = mw.process_response(req, challenge_response(req))
    assert isinstance(browser_req, Request) and browser_req.meta["playwright"] and browser_req.dont_filter
    assert browser_req.meta["challenge"] == "solving" and browser_req.meta["portal"] == PORTAL
    [method] = browser_req.meta["playwright_page_methods"]
    assert method.method is settle
    method.result = [{"name": CLEARANCE_COOKIE, "value": clearance_token(HOST), "domain": HOST}]
    rendered = HtmlResponse(URL, status=412, body=b"<html><body><a href='/x'>x</a></body></html>", request=browser_req)
    replay = mw.process_response(browser_req, rendered)
    assert isinstance(replay, Request) and not replay.meta.get("playwright") and replay.meta["challenge"] == "replayed"
    assert not any(key.startswith("playwright") for key in replay.meta)
    cookies_mw.process_request(replay)
    assert replay.headers.get("Cookie") == f"{CLEARANCE_COOKIE}={clearance_token(HOST)}".encode()
    later = Request(f"http://{HOST}/zwgk/zfxxgk/", meta={"portal": PORTAL})
    later.headers["Cookie"] = "other=1"
    cookies_mw.process_request(later)
    assert later.headers.get("Cookie") == f"other=1; {CLEARANCE_COOKIE}={clearance_token(HOST)}".encode()
    elsewhere = Request("http://www.anding.gov.cn/")
    cookies_mw.process_request(elsewhere)
    assert b"Cookie" not in elsewhere.headers
    tally = health_book(c).tally(PORTAL)
    assert tally.challenged and tally.solved and not tally.blocked and tally.browser_pages == 1
    assert c.stats.get_value("challenge/solved") == 1


def test_without_a_browser_the_portal_is_blocked():
    c, mw, _ = middlewares(HARVESTER_BROWSER_AVAILABLE=False)
    req = request()
    response = challenge_response(req)
    assert mw.process_response(req, response) is response
    assert health_book(c).tally(PORTAL).blocked
    assert record(PORTAL, health_book(c).tally(PORTAL))["reasons"][0] == "blocked by a script challenge"


def test_a_browser_that_cannot_pass_gives_up_after_the_limit():
    c, mw, _ = middlewares()
    for attempt in range(3):
        req = request()
        out = mw.process_response(req, challenge_response(req))
        if attempt < 2:
            assert isinstance(out, Request)
            failed = HtmlResponse(URL, status=412, body=CHALLENGE.body, request=out)
            assert mw.process_response(out, failed) is failed
        else:
            assert isinstance(out, Response), "no third browser attempt"
    assert health_book(c).tally(PORTAL).blocked
    assert c.stats.get_value("challenge/unsolved") == 3


def test_middlewares_can_be_switched_off():
    with pytest.raises(NotConfigured):
        ChallengeMiddleware.from_crawler(crawler(HARVESTER_CHALLENGE_ENABLED=False))


def test_soft_404_is_counted():
    c, mw, _ = middlewares()
    req = request()
    body = "<html><head><title>404</title></head><body>您访问的页面不存在或已被删除</body></html>".encode()
    mw.process_response(req, HtmlResponse(URL, status=200, body=body, request=req,
                                          headers={"Content-Type": "text/html"}))
    assert health_book(c).tally(PORTAL).errors == {"soft_404": 1}
    assert response_problem(200, ("<p>" + "正文" * 400 + "</p>").encode(), "text/html") is None


@pytest.mark.parametrize(("exception", "kind"), [
    (net.DNSLookupError("no such host"), "dns"),
    (net.TCPTimedOutError(), "timeout"),
    (net.TimeoutError(), "timeout"),
    (net.ConnectionRefusedError(), "connection"),
    (ResponseNeverReceived([Exception("SSL routines: wrong version number")]), "tls"),
    (IgnoreRequest("max redirections reached"), "redirect_loop"),
    (IgnoreRequest("Forbidden by robots.txt"), "robots"),
    (IgnoreRequest("page budget of 400 reached for portal x"), "budget"),
])
def test_failure_kinds(exception, kind):
    assert failure_kind(exception) == kind


@pytest.mark.parametrize(("status", "kind"), [(503, "http_5xx"), (502, "http_5xx"), (404, "not_found"),
                                              (403, "forbidden"), (412, "challenge"), (521, "challenge")])
def test_http_error_kinds(status, kind):
    response = Response("http://x.gov.cn/", status=status)
    assert failure_kind(HttpError(response)) == kind


def test_attention_rules():
    book = HealthBook()
    book.fetched("http://a.gov.cn/")
    book.error("http://a.gov.cn/", "dns", home=True)
    assert record("http://a.gov.cn/", book.tally("http://a.gov.cn/"))["status"] == "failing"
    assert attention({"pages_fetched": 10, "reports_found": 2, "errors": {"robots": 30}}) == []
    assert attention({"pages_fetched": 2, "reports_found": 2, "errors": {"timeout": 5}}) == ["5 of 7 fetches failed"]


def test_browser_options_take_the_proxy_from_the_environment(monkeypatch):
    monkeypatch.setenv("http_proxy", "http://127.0.0.1:3128")
    monkeypatch.setenv("no_proxy", "localhost")
    proxy = browser_proxy()
    assert proxy["server"] == "http://127.0.0.1:3128"
    assert proxy["bypass"].startswith("localhost,") and "*.googleapis.com" in proxy["bypass"]
    options = launch_options(get_crawler(Spider, {"HARVESTER_BROWSER_TIMEOUT": 5}).settings, "/usr/bin/chromium")
    assert options["proxy"]["server"] == "http://127.0.0.1:3128" and "--no-sandbox" in options["args"]
    assert options["timeout"] == 5000
    assert find_chromium("/nonexistent/chromium") is None
