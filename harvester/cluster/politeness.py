"""Per-host politeness for the whole cluster: concurrency and delay shared through Redis.

Scrapy's ``CONCURRENT_REQUESTS_PER_DOMAIN`` and ``DOWNLOAD_DELAY`` hold per
process; N workers would multiply them. :class:`ClusterPolitenessMiddleware`,
the downloader middleware closest to the network, takes a **lease** on one of
the host's slots before a request goes out and gives it back when the answer
(or the error) comes in. One Lua script decides atomically, on the Redis
server's clock:

- leases past their expiry (``HARVESTER_CLUSTER_LEASE_TTL``: a hung download)
  or held by a worker whose heartbeat is gone (killed) are dropped;
- a lease is granted while the host has fewer than
  ``HARVESTER_CLUSTER_HOST_CONCURRENCY`` (default
  ``CONCURRENT_REQUESTS_PER_DOMAIN``) and the last grant is at least
  ``HARVESTER_CLUSTER_HOST_DELAY`` (default ``DOWNLOAD_DELAY``) ago.

A request that gets no lease waits and asks again. A ``Retry-After`` on 429 or
503 holds the host off for every worker. Each worker's own Scrapy limits (and
AutoThrottle) still apply on top. :class:`ClusterBudgetMiddleware`
makes ``HARVESTER_MAX_PAGES_PER_PORTAL`` a budget of the whole cluster too.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from dataclasses import dataclass

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response

from harvester.cluster.keys import ClusterKeys
from harvester.cluster.leases import worker_for
from harvester.cluster.queue import host_of
from harvester.fetch.middlewares import PortalBudgetMiddleware, header_text, retry_after_seconds
from harvester.store.crawl import store_for

logger = logging.getLogger(__name__)

#: KEYS: the host's slots (sorted set token → expiry ms), its next-start key.
#: ARGV: token, max concurrent, delay ms, lease ttl ms, heartbeat key prefix.
#: Returns 0 when granted, else the milliseconds worth waiting (-1: a slot must be released first).
ACQUIRE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
for _, token in ipairs(redis.call('ZRANGE', KEYS[1], 0, -1)) do
  local worker = string.match(token, '^(.*)|')
  if worker and redis.call('EXISTS', ARGV[5] .. worker) == 0 then redis.call('ZREM', KEYS[1], token) end
end
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[2]) then return -1 end
local delay = tonumber(ARGV[3])
local wait = tonumber(redis.call('PTTL', KEYS[2]))
if wait > 0 then return wait end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[4]), ARGV[1])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[4]))
if delay > 0 then redis.call('SET', KEYS[2], '1', 'PX', delay) end
return 0
"""


@dataclass
class HostLeases:
    """Leases on hosts' slots, for one worker."""

    client: object
    keys: ClusterKeys
    worker: str
    concurrency: int
    delay: float
    ttl: float

    def __post_init__(self) -> None:
        self._acquire = self.client.register_script(ACQUIRE)
        self._tokens = itertools.count(1)

    def token(self) -> str:
        return f"{self.worker}|{next(self._tokens)}"

    def try_acquire(self, host: str, token: str) -> int:
        """0 when ``token`` now holds a slot of ``host``; otherwise milliseconds to wait (-1: until a release)."""
        return int(self._acquire(
            keys=[self.keys.slots(host), self.keys.next_start(host)],
            args=[token, self.concurrency, int(self.delay * 1000), int(self.ttl * 1000), self.keys.heartbeat_prefix()],
        ))

    def release(self, host: str, token: str) -> None:
        self.client.zrem(self.keys.slots(host), token)

    def hold_off(self, host: str, seconds: float) -> None:
        """No new request to ``host`` from any worker for ``seconds`` (a Retry-After)."""
        self.client.set(self.keys.next_start(host), "1", px=max(1, int(seconds * 1000)))


class ClusterPolitenessMiddleware:
    """Holds a cluster-wide slot of the request's host for the time of its download."""

    def __init__(self, crawler: Crawler, leases: HostLeases, poll: float, retry_after_max: float = 120) -> None:
        self.crawler = crawler
        self.leases = leases
        self.poll = poll
        self.retry_after_max = retry_after_max

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterPolitenessMiddleware:
        settings = crawler.settings
        if not settings.getbool("HARVESTER_CLUSTER_ENABLED"):
            raise NotConfigured("distributed mode is off")
        worker = worker_for(crawler)
        concurrency = settings.get("HARVESTER_CLUSTER_HOST_CONCURRENCY")
        delay = settings.get("HARVESTER_CLUSTER_HOST_DELAY")
        ttl = settings.get("HARVESTER_CLUSTER_LEASE_TTL")
        leases = HostLeases(
            worker.client, worker.keys, worker.id,
            concurrency=int(concurrency) if concurrency not in (None, "") else settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN"),
            delay=float(delay) if delay not in (None, "") else settings.getfloat("DOWNLOAD_DELAY"),
            ttl=float(ttl) if ttl not in (None, "") else 2 * settings.getfloat("DOWNLOAD_TIMEOUT") + 10,
        )
        return cls(crawler, leases, settings.getfloat("HARVESTER_CLUSTER_HOST_POLL"),
                   settings.getfloat("HARVESTER_RETRY_AFTER_MAX", 120))

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = host_of(request.url)
        token = self.leases.token()
        waited = False
        while (wait := self.leases.try_acquire(host, token)) != 0:
            waited = True
            await asyncio.sleep(self.poll if wait < 0 else min(wait / 1000, 10 * self.poll))
        if waited:
            self.crawler.stats.inc_value("harvester/cluster/host_waits")
        request.meta["cluster_host_lease"] = (host, token)

    def _release(self, request: Request) -> None:
        held = request.meta.pop("cluster_host_lease", None)
        if held is not None:
            self.leases.release(*held)

    def process_response(self, request: Request, response: Response, spider: Spider | None = None) -> Response:
        self._release(request)
        if response.status in (429, 503):
            wait = retry_after_seconds(header_text(response.headers, b"Retry-After"))
            if wait and wait <= self.retry_after_max:  # the whole cluster waits, not only this worker
                self.leases.hold_off(host_of(request.url), wait)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Spider | None = None) -> None:
        self._release(request)
        return None


class ClusterBudgetMiddleware(PortalBudgetMiddleware):
    """``HARVESTER_MAX_PAGES_PER_PORTAL`` counted for the whole cluster, not per worker."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterBudgetMiddleware:
        middleware = super().from_crawler(crawler)
        middleware.worker = worker_for(crawler)
        return middleware

    def process_request(self, request: Request, spider: Spider | None = None):
        portal = request.meta.get("portal")
        if portal is None or request.meta.get("redirect_times"):
            return None
        spent = self.worker.client.hincrby(self.worker.keys.budget, portal, 1)
        if spent > self.max_pages:
            if spent == self.max_pages + 1:
                logger.warning("portal %s reached its budget of %d pages (whole cluster)", portal, self.max_pages)
                store_for(self.crawler).portals_incomplete.add(portal)
            self.stats.inc_value("harvester/portal_budget_exhausted")
            raise IgnoreRequest(f"page budget of {self.max_pages} reached for portal {portal}")
        return None
