"""The throughput peer: a Scrapy spider that fetches a given list of requests and does nothing with them.

    scrapy runspider bench/bare_spider.py -a requests=requests.jsonl

It runs outside the project (no harvester settings, pipelines or middlewares)
with the same concurrency, delays and reactor as ``scrapy crawl portals`` on
the farm, so the difference between the two is what harvester does per page.
"""

from __future__ import annotations

import json
from pathlib import Path

import scrapy


class BareSpider(scrapy.Spider):
    name = "bare"
    custom_settings = {
        "ROBOTSTXT_OBEY": False,  # robots.txt requests are in the list like every other request
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "RETRY_ENABLED": False,
        "REDIRECT_ENABLED": False,
        "COOKIES_ENABLED": False,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "LOG_LEVEL": "INFO",
        "TELNETCONSOLE_ENABLED": False,
    }

    def __init__(self, requests: str, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.requests_path = Path(requests)

    async def start(self):
        with self.requests_path.open(encoding="utf-8") as listing:
            for line in listing:
                entry = json.loads(line)
                body = (entry.get("body") or "").encode("latin-1")
                headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
                yield scrapy.Request(entry["url"], method=entry["method"], body=body, headers=headers,
                                     dont_filter=True, callback=self.ignore, errback=self.ignore,
                                     meta={"handle_httpstatus_all": True})

    def ignore(self, _response_or_failure) -> None:
        """Nothing: the peer only fetches."""
