"""The browser for the few pages that need one: Chromium through scrapy-playwright.

:class:`BrowserAddon` (a Scrapy add-on) turns the ``HARVESTER_BROWSER_*``
settings into scrapy-playwright's: the Debian Chromium, headless, the
environment's proxy (so browser fetches reach the same hosts as every other
fetch), at most ``HARVESTER_BROWSER_MAX_PAGES`` pages open, images and styles
never downloaded. scrapy-playwright closes each page as soon as its response is
read. Requests only go to the browser when their meta says so
(:func:`render_meta`); everything else stays plain HTTP.
"""

from __future__ import annotations

import logging
import shutil
import urllib.request
from pathlib import Path

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

logger = logging.getLogger(__name__)

PLAYWRIGHT_HANDLER = "scrapy_playwright.handler.ScrapyPlaywrightDownloadHandler"
#: Chromium must never phone home: the closed network refuses it, and the farm's proxy would log it.
CHROMIUM_ARGS = ("--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-extensions", "--disable-default-apps")
#: Chromium's own services bypass the proxy and resolve nowhere, so nothing of theirs leaves the machine.
VENDOR_HOSTS = ("*.google.com", "*.googleapis.com", "*.gvt1.com", "*.gstatic.com", "*.googleusercontent.com")
#: Resources a list or a challenge never needs.
ABORTED_RESOURCES = frozenset({"image", "media", "font", "stylesheet", "manifest", "texttrack", "ping", "other"})
#: A navigation that outlasts HARVESTER_BROWSER_TIMEOUT: retried like a download timeout, since a
#: browser stalled behind a busy server or its own page limit usually loads the page on a second try.
BROWSER_TIMEOUT = "playwright.async_api.TimeoutError"
CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


def find_chromium(configured: str | None = None) -> str | None:
    """The Chromium executable: the configured one, else the first of the usual places."""
    for candidate in ([configured] if configured else [*CANDIDATES, shutil.which("chromium") or ""]):
        if candidate and Path(candidate).is_file():
            return candidate
    return None


def browser_proxy(configured: str | None = None, proxies: dict[str, str] | None = None) -> dict | None:
    """Playwright's ``proxy`` option from a setting or the environment (``http_proxy``, ``no_proxy``).

    >>> browser_proxy(proxies={"http": "http://127.0.0.1:8080", "no": "localhost,.lan"})["server"]
    'http://127.0.0.1:8080'
    """
    proxies = urllib.request.getproxies() if proxies is None else proxies
    server = configured or proxies.get("http") or proxies.get("https")
    if not server:
        return None
    bypass = [h.strip() for h in (proxies.get("no") or "").split(",") if h.strip() and h.strip() != "*"]
    return {"server": server, "bypass": ",".join([*bypass, *VENDOR_HOSTS])}


def launch_options(settings: BaseSettings, executable: str) -> dict:
    options: dict = {
        "executable_path": executable,
        "headless": True,
        "args": [*CHROMIUM_ARGS,
                 "--host-resolver-rules=" + ", ".join(f"MAP {host} ~NOTFOUND" for host in VENDOR_HOSTS)],
        "timeout": settings.getint("HARVESTER_BROWSER_TIMEOUT") * 1000,
    }
    proxy = browser_proxy(settings.get("HARVESTER_BROWSER_PROXY"))
    if proxy:
        options["proxy"] = proxy
    return options


class BrowserAddon:
    """Enables scrapy-playwright for ``http``/``https`` when a Chromium is found; otherwise leaves Scrapy as it is."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.getbool("HARVESTER_BROWSER_ENABLED"):
            settings.set("HARVESTER_BROWSER_AVAILABLE", False, priority="addon")
            return
        executable = find_chromium(settings.get("HARVESTER_BROWSER_EXECUTABLE"))
        if executable is None:
            logger.warning("no Chromium found: script-built lists and script challenges will not be rendered")
            settings.set("HARVESTER_BROWSER_AVAILABLE", False, priority="addon")
            return
        settings.set("HARVESTER_BROWSER_AVAILABLE", True, priority="addon")
        settings.set("DOWNLOAD_HANDLERS", {"http": PLAYWRIGHT_HANDLER, "https": PLAYWRIGHT_HANDLER}, priority="addon")
        settings.set("PLAYWRIGHT_BROWSER_TYPE", "chromium", priority="addon")
        settings.set("PLAYWRIGHT_LAUNCH_OPTIONS", launch_options(settings, executable), priority="addon")
        settings.set("PLAYWRIGHT_MAX_PAGES_PER_CONTEXT", settings.getint("HARVESTER_BROWSER_MAX_PAGES"), priority="addon")
        settings.set("PLAYWRIGHT_MAX_CONTEXTS", 1, priority="addon")
        settings.set("PLAYWRIGHT_DEFAULT_NAVIGATION_TIMEOUT", settings.getint("HARVESTER_BROWSER_TIMEOUT") * 1000,
                     priority="addon")
        settings.set("PLAYWRIGHT_ABORT_REQUEST", "harvester.fetch.browser.abort_request", priority="addon")
        settings.set("PLAYWRIGHT_PROCESS_REQUEST_HEADERS", "harvester.fetch.browser.browser_headers", priority="addon")
        retried = settings.getlist("RETRY_EXCEPTIONS")
        if BROWSER_TIMEOUT not in retried:
            settings.set("RETRY_EXCEPTIONS", [*retried, BROWSER_TIMEOUT],
                         priority=max(settings.getpriority("RETRY_EXCEPTIONS") or 0, SETTINGS_PRIORITIES["addon"]))


def abort_request(request) -> bool:
    """Skip images, styles, fonts and the favicon: only documents, scripts and data calls are fetched."""
    return request.resource_type in ABORTED_RESOURCES or request.url.endswith("/favicon.ico")


async def browser_headers(*, browser_type_name: str, playwright_request, scrapy_request_data: dict) -> dict:
    """The browser's own headers (its cookies, set by a challenge script, survive reloads) with our User-Agent.

    scrapy-playwright's default sends Scrapy's headers on every navigation,
    which would drop a cookie set by script before ``location.reload()``;
    conditional headers are dropped too, since a browser cannot render a 304.
    """
    headers = await playwright_request.all_headers()
    scrapy_headers = scrapy_request_data["headers"].to_unicode_dict()
    user_agent = scrapy_headers.get("User-Agent") or scrapy_headers.get("user-agent")
    if user_agent:
        headers["user-agent"] = user_agent
    if playwright_request.is_navigation_request():
        referer = scrapy_headers.get("Referer") or scrapy_headers.get("referer")
        if referer and "referer" not in headers:
            headers["referer"] = referer
    return headers


async def settle(page) -> list[dict]:
    """After load: wait briefly for scripts' network calls, then hand back the page's cookies."""
    try:
        await page.wait_for_load_state("networkidle", timeout=SETTLE_MS)
    except Exception:  # noqa: BLE001 - a page that keeps polling is still usable as it is
        pass
    return await page.context.cookies(page.url)


#: How long a rendered page may keep loading after its load event.
SETTLE_MS = 3000


def render_meta() -> dict:
    """Request meta that sends a request through the browser and collects its cookies."""
    from scrapy_playwright.page import PageMethod

    return {"playwright": True, "playwright_page_methods": [PageMethod(settle)],
            "playwright_page_goto_kwargs": {"wait_until": "load"}}


def rendered_cookies(meta: dict) -> list[dict]:
    """The cookies :func:`settle` collected for a browser response."""
    for method in meta.get("playwright_page_methods") or ():
        if getattr(method, "method", None) is settle and isinstance(method.result, list):
            return method.result
    return []
