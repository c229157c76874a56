"""Scrapy settings for harvester: the one configuration surface.

Every ``HARVESTER_*`` setting can be overridden with ``-s NAME=VALUE``; the
store URL also comes from the ``HARVESTER_DB_URL`` environment variable.
"""

import os
from pathlib import Path

BOT_NAME = "harvester"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

#: Identifies the project and where to complain, as polite crawlers do.
HARVESTER_CONTACT_URL = os.environ.get("HARVESTER_CONTACT_URL", "https://github.com/harvester-project/harvester")
USER_AGENT = f"harvester/0.1 (+{HARVESTER_CONTACT_URL}; annual-report research crawler)"

ROBOTSTXT_OBEY = True
ROBOTSTXT_PARSER = "scrapy.robotstxt.ProtegoRobotParser"

# Politeness: at most two requests in flight per host, paced by AutoThrottle.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.25
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

DOWNLOAD_TIMEOUT = 30
#: Report pages are small; anything far larger is a trap or an attachment (handled apart).
DOWNLOAD_MAXSIZE = 64 * 1024 * 1024
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024
RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 0
COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
LOG_LEVEL = os.environ.get("HARVESTER_LOG_LEVEL", "INFO")

# Proxies come from http_proxy / https_proxy / no_proxy through HttpProxyMiddleware (on by default).
HTTPPROXY_ENABLED = True

#: Pages fetched per portal before the spider stops following its links: ends calendar and session-id traps.
HARVESTER_MAX_PAGES_PER_PORTAL = 400
#: Link hops from the home page through hub pages (政务公开 → 政府信息公开 → …) before giving up on a branch.
HARVESTER_MAX_HUB_DEPTH = 4
#: Send If-None-Match / If-Modified-Since for pages already in the store (incremental recrawls).
HARVESTER_CONDITIONAL_REQUESTS = True
#: Revisit policy for known report pages: reports of the last N reporting years are revisited every
#: RECENT_HOURS (they still get corrected), older ones every OLD_DAYS. Lists are revisited every run.
HARVESTER_REVISIT_RECENT_YEARS = 2
HARVESTER_REVISIT_RECENT_HOURS = 20
HARVESTER_REVISIT_OLD_DAYS = 30
#: One crawl per store at a time; a dead holder's lock is taken over after LOCK_STALE_AFTER seconds
#: without heartbeat (at once when the holder was on this host and its process is gone).
HARVESTER_CRAWL_LOCK = True
HARVESTER_LOCK_STALE_AFTER = 900
HARVESTER_LOCK_HEARTBEAT = 60
#: Per-portal overrides (report column URL, CMS family, render with the browser); a missing file means none.
HARVESTER_OVERRIDES = os.environ.get("HARVESTER_OVERRIDES", str(Path(__file__).resolve().parents[1] / "seeds" / "overrides.yaml"))
#: Chromium for script-built lists and script challenges (scrapy-playwright); off, or no Chromium, means plain HTTP only.
HARVESTER_BROWSER_ENABLED = True
#: Chromium executable; None means /usr/bin/chromium or the first chromium on PATH.
HARVESTER_BROWSER_EXECUTABLE = os.environ.get("HARVESTER_BROWSER_EXECUTABLE")
#: Proxy for the browser; None means http_proxy / https_proxy / no_proxy, like every other fetch.
HARVESTER_BROWSER_PROXY = None
#: Browser pages open at once: each holds a renderer process, so this bounds the crawl's memory.
HARVESTER_BROWSER_MAX_PAGES = 2
#: Seconds a browser launch or navigation may take.
HARVESTER_BROWSER_TIMEOUT = 30
#: Script challenges (412/521 + a cookie-setting script) are solved once per host with the browser.
HARVESTER_CHALLENGE_ENABLED = True
#: Browser attempts per host before the portal is recorded as blocked.
HARVESTER_CHALLENGE_MAX_SOLVES = 3
#: Attachments (PDF, DOC, scans…): larger files are refused; slow servers get longer than pages.
HARVESTER_MAX_FILE_BYTES = 50 * 1024 * 1024
HARVESTER_FILE_TIMEOUT = 120
#: Longest Retry-After (seconds) honoured on 429/503 before retrying; longer asks count as refusals.
HARVESTER_RETRY_AFTER_MAX = 120
#: Store URL; None means HARVESTER_DB_URL or the project's SQLite file.
HARVESTER_DB_URL = os.environ.get("HARVESTER_DB_URL")

# Distributed mode (harvester/cluster, README "Scaling out"): with a Redis URL, any number of
# `scrapy crawl portals` processes share one scrapy-redis frontier; seeds are pushed once by `harvester enqueue`.
#: Redis of the shared frontier (scrapy-redis's setting); None means one process, Scrapy's own scheduler.
REDIS_URL = os.environ.get("HARVESTER_REDIS_URL")
#: Name of the distributed crawl: the prefix of its Redis keys, so several crawls can share one Redis.
HARVESTER_CLUSTER_NAME = os.environ.get("HARVESTER_CLUSTER_NAME", "portals")
#: Requests in flight to one host for the whole cluster; None means CONCURRENT_REQUESTS_PER_DOMAIN.
HARVESTER_CLUSTER_HOST_CONCURRENCY = None
#: Seconds between two request starts to one host for the whole cluster; None means DOWNLOAD_DELAY.
HARVESTER_CLUSTER_HOST_DELAY = None
#: Seconds a host slot stays taken by a download that never ends; None means 2 × DOWNLOAD_TIMEOUT + 10.
HARVESTER_CLUSTER_LEASE_TTL = None
#: Seconds without heartbeat before a worker counts as dead: its host slots free, its requests are re-queued.
HARVESTER_CLUSTER_HEARTBEAT_TTL = 30
#: Seconds between looks at the shared queue by a worker with nothing to do.
HARVESTER_CLUSTER_POLL_INTERVAL = 0.5
#: Seconds between asks for a slot of a busy host.
HARVESTER_CLUSTER_HOST_POLL = 0.05
#: Days a crawl's Redis keys outlive the last worker's heartbeat: an abandoned crawl leaves Redis by itself.
HARVESTER_CLUSTER_KEYS_TTL_DAYS = 7

DOWNLOADER_MIDDLEWARES = {
    "harvester.fetch.middlewares.PortalBudgetMiddleware": 40,
    "harvester.fetch.middlewares.ConditionalRequestMiddleware": 45,
    # Sees responses before RetryMiddleware (550): it waits out Retry-After, then the retry is sent.
    "harvester.fetch.middlewares.RetryAfterMiddleware": 560,
    "harvester.fetch.challenge.ChallengeMiddleware": 47,
    "harvester.fetch.challenge.ClearanceCookieMiddleware": 710,
    "harvester.fetch.middlewares.FetchRecorderMiddleware": 50,
}
ITEM_PIPELINES = {
    "harvester.pipelines.ReadReportPipeline": 100,
    "harvester.pipelines.StoreReportPipeline": 500,
}
EXTENSIONS = {
    "harvester.cputime.StageCpuExtension": 5,
    "harvester.store.crawl.CrawlRunExtension": 10,
    "harvester.health.PortalHealthExtension": 20,
}
ADDONS = {
    "harvester.fetch.browser.BrowserAddon": 0,
    "harvester.cluster.addon.DistributedAddon": 10,
}

REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
