"""The Redis keys of one distributed crawl, and the connection to Redis.

Every key starts with the crawl's name (``HARVESTER_CLUSTER_NAME``, default
``portals``), so several crawls can share one Redis and ``harvester cluster
clean`` can drop a finished one without touching the others.
"""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass

import redis

#: Seconds a command may take before the crawl treats Redis as gone.
SOCKET_TIMEOUT = 30


def redis_client(url: str) -> redis.Redis:
    """A client for ``url`` (``redis://host:port/db``); bytes in, bytes out."""
    return redis.Redis.from_url(url, socket_timeout=SOCKET_TIMEOUT, socket_connect_timeout=SOCKET_TIMEOUT,
                                retry_on_timeout=True)


def new_worker_id() -> str:
    """Host, process and a random part: unique even when a pid is reused."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


@dataclass(frozen=True)
class ClusterKeys:
    """Key names; ``name`` is the crawl's name.

    >>> ClusterKeys("portals").requests
    'portals:requests'
    >>> ClusterKeys("portals").slots("www.example.gov.cn")
    'portals:host:www.example.gov.cn:slots'
    """

    name: str

    # The frontier (scrapy-redis): the request queue (a sorted set) and the duplicate filter (a set of SHA1 hex).
    @property
    def requests(self) -> str:
        return f"{self.name}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.name}:dupefilter"

    # Per-host bookkeeping of the queue: pushes so far (interleaving) and requests waiting (backlog).
    @property
    def pushed(self) -> str:
        return f"{self.name}:pushed"

    @property
    def backlog(self) -> str:
        return f"{self.name}:backlog"

    # Workers: every worker ever seen, a heartbeat key per live worker, its in-flight requests.
    @property
    def workers(self) -> str:
        return f"{self.name}:workers"

    def heartbeat_prefix(self) -> str:
        return f"{self.name}:alive:"

    def heartbeat(self, worker: str) -> str:
        return self.heartbeat_prefix() + worker

    def inflight(self, worker: str) -> str:
        return f"{self.name}:inflight:{worker}"

    # Politeness for the whole cluster: leases on a host's slots and the earliest next start.
    def slots(self, host: str) -> str:
        return f"{self.name}:host:{host}:slots"

    def next_start(self, host: str) -> str:
        return f"{self.name}:host:{host}:next"

    # The crawl: when it was enqueued, pages spent per portal, portals whose walk completed or not, the end.
    @property
    def started(self) -> str:
        return f"{self.name}:started"

    @property
    def budget(self) -> str:
        return f"{self.name}:budget"

    @property
    def reached(self) -> str:
        return f"{self.name}:reached"

    @property
    def incomplete(self) -> str:
        return f"{self.name}:incomplete"

    @property
    def finished(self) -> str:
        return f"{self.name}:finished"

    @property
    def gone(self) -> str:
        return f"{self.name}:gone"

    def crawl_keys(self) -> list[str]:
        """The keys a new crawl starts without (worker keys are found by pattern)."""
        return [self.requests, self.dupefilter, self.pushed, self.backlog, self.workers, self.started,
                self.budget, self.reached, self.incomplete, self.finished, self.gone]

    def pattern(self) -> str:
        """Every key of this crawl, for SCAN."""
        return f"{self.name}:*"
