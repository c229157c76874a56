"""Workers of a distributed crawl: heartbeats, in-flight requests, and when a worker may stop.

Every request a worker takes from the shared queue stays in the worker's
in-flight hash (moved there atomically by the pop, :mod:`harvester.cluster.queue`)
until the engine is done with it: downloaded, its callback run, the requests it
yielded pushed, its items through the pipelines (so stored). A worker keeps a
heartbeat key with a TTL (``HARVESTER_CLUSTER_HEARTBEAT_TTL``); when it dies,
even by SIGKILL, the key expires, and the next idle survivor puts the dead
worker's in-flight requests back in the queue. Writes are idempotent, so a
request done twice (taken back just as it was being finished) costs a fetch,
never a duplicate.

An idle worker stops only when the queue is empty and no live worker has a
request in flight (one may still yield more); the worker that sees the crawl
drained first finishes it: reports that complete portals no longer publish are
marked gone, once for the whole crawl (:func:`harvester.cluster.status.finish`).
A worker started when no crawl is enqueued waits for ``harvester enqueue``.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.scheduler import Scheduler

from harvester.cluster.keys import ClusterKeys, new_worker_id, redis_client
from harvester.cluster.queue import HostQueue, requeue
from harvester.store.crawl import RUN_COUNTS, store_for

logger = logging.getLogger(__name__)


#: KEYS: queue, workers set; ARGV: in-flight key prefix. 1 when nothing is queued or in flight anywhere.
DRAINED = """
if redis.call('ZCARD', KEYS[1]) > 0 then return 0 end
for _, worker in ipairs(redis.call('SMEMBERS', KEYS[2])) do
  if redis.call('HLEN', ARGV[1] .. worker) > 0 then return 0 end
end
return 1
"""


@dataclass
class ClusterWorker:
    """This process's membership of the cluster, shared by the scheduler, middlewares and extension."""

    client: object
    keys: ClusterKeys
    heartbeat_ttl: float
    #: Seconds a crawl's keys outlive the last heartbeat of any worker: abandoned crawls leave Redis by themselves.
    keys_ttl: float = 7 * 86400
    id: str = field(default_factory=new_worker_id)
    #: Portal states already copied to Redis.
    synced_reached: set[str] = field(default_factory=set)
    synced_incomplete: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self._drained = self.client.register_script(DRAINED)

    @property
    def inflight_key(self) -> str:
        return self.keys.inflight(self.id)

    def beat(self) -> None:
        """Say this worker is alive for another ``heartbeat_ttl`` seconds."""
        pipe = self.client.pipeline()
        pipe.sadd(self.keys.workers, self.id)
        pipe.set(self.keys.heartbeat(self.id), "1", px=int(self.heartbeat_ttl * 1000))
        for key in [*self.keys.crawl_keys(), self.inflight_key]:
            pipe.expire(key, int(self.keys_ttl))
        pipe.execute()

    def sync_portal_state(self, crawler: Crawler) -> None:
        """Copy which portals were reached or left incomplete to Redis, before the requests that tell it are done."""
        store = store_for(crawler)
        for local, synced, key in ((store.portals_reached, self.synced_reached, self.keys.reached),
                                   (store.portals_incomplete, self.synced_incomplete, self.keys.incomplete)):
            if len(local) != len(synced):
                new = local - synced
                if new:
                    self.client.sadd(key, *new)
                    synced |= new

    def done(self, crawler: Crawler, request: Request) -> None:
        lease = request.meta.get("cluster_lease")
        if lease is None:
            return
        self.sync_portal_state(crawler)
        self.client.hdel(self.inflight_key, lease)

    def take_back_dead(self) -> int:
        """Put the in-flight requests of dead workers back in the queue; how many."""
        total = 0
        for member in self.client.smembers(self.keys.workers):
            worker = member.decode()
            if worker != self.id and (count := requeue(self.client, self.keys, worker)):
                logger.warning("worker %s is gone: its in-flight requests are back in the queue (%d)", worker, count)
                total += count
        return total

    def drained(self) -> bool:
        """Whether the queue is empty and no worker has a request in flight, in one atomic look.

        Every request is always in the queue or in some worker's in-flight hash
        (a callback's requests are pushed before its own lease is released), so
        one snapshot of both is the end of the crawl; two separate looks are not.
        """
        return bool(self._drained(keys=[self.keys.requests, self.keys.workers],
                                  args=[self.keys.inflight("")]))

    def leave(self) -> None:
        """Stop the heartbeat; what is still in flight goes back to the queue for the others."""
        taken_back = requeue(self.client, self.keys, self.id, force=True)
        if taken_back:
            logger.warning("%d unfinished requests put back in the queue", taken_back)
        self.client.delete(self.keys.heartbeat(self.id))


def worker_for(crawler: Crawler) -> ClusterWorker:
    """This crawler's cluster membership, created on first use."""
    worker = getattr(crawler, "harvester_cluster", None)
    if worker is None:
        settings = crawler.settings
        if not settings.getbool("HARVESTER_CLUSTER_ENABLED"):
            raise NotConfigured("distributed mode is off (no REDIS_URL)")
        worker = ClusterWorker(
            client=redis_client(settings.get("REDIS_URL")),
            keys=ClusterKeys(settings.get("HARVESTER_CLUSTER_NAME")),
            heartbeat_ttl=settings.getfloat("HARVESTER_CLUSTER_HEARTBEAT_TTL"),
            keys_ttl=settings.getfloat("HARVESTER_CLUSTER_KEYS_TTL_DAYS") * 86400,
        )
        crawler.harvester_cluster = worker
    return worker


class ClusterScheduler(Scheduler):
    """scrapy-redis's scheduler whose queue hands out leases, released when the engine is done with a request."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ClusterScheduler:
        scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        return scheduler

    def open(self, spider) -> None:
        super().open(spider)
        worker = worker_for(self.crawler)
        if isinstance(self.queue, HostQueue):
            self.queue.attach(worker.keys, worker.id)
        worker.beat()
        _watch_engine(self.crawler, worker)


def _watch_engine(crawler: Crawler, worker: ClusterWorker) -> None:
    """Two hooks on Scrapy's engine (internals, checked against Scrapy 2.13–2.19).

    - The engine removes a request from its slot when all its work is done
      (download, callback, scheduling of what it yielded, item pipelines): that
      is when the lease is released.
    - An engine with nothing to do asks its scheduler again every 5 s; an idle
      worker of a cluster asks every ``HARVESTER_CLUSTER_POLL_INTERVAL``, so
      work pushed by others is picked up at once.
    """
    engine = crawler.engine
    slot = engine._slot
    remove_request = slot.remove_request

    def remove_and_release(request: Request) -> None:
        try:
            worker.done(crawler, request)
        except Exception:  # a lost lease only means the request may be done twice
            logger.exception("could not release the lease of %s", request)
        remove_request(request)

    slot.remove_request = remove_and_release
    engine._SLOT_HEARTBEAT_INTERVAL = crawler.settings.getfloat("HARVESTER_CLUSTER_POLL_INTERVAL")


class WorkerExtension:
    """Heartbeat, the decision to stop, gone reports at the end of the crawl, and leaving cleanly."""

    def __init__(self, crawler: Crawler, worker: ClusterWorker) -> None:
        self.crawler = crawler
        self.worker = worker
        self.stop_beating = threading.Event()
        self.crawl_id: bytes | None = None
        self.waiting_logged = False
        self.gone: int | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WorkerExtension:
        extension = cls(crawler, worker_for(crawler))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(extension.spider_closed, signal=signals.spider_closed)
        return extension

    def spider_opened(self, spider) -> None:
        client, keys = self.worker.client, self.worker.keys
        if not client.exists(keys.finished):
            self.crawl_id = client.get(keys.started)
        self.worker.beat()
        # A thread, not the reactor: a long parse on the reactor must not make a live worker look dead.
        threading.Thread(target=self._beat, name="cluster-heartbeat", daemon=True).start()
        # Connected now, after the store's run extension: records the crawl's gone reports in this run's row.
        self.crawler.signals.connect(self._record_gone, signal=signals.spider_closed)
        logger.info("worker %s joined crawl %r (%s)", self.worker.id, keys.name,
                    "enqueued" if self.crawl_id else "waiting for harvester enqueue")

    def _beat(self) -> None:
        while not self.stop_beating.wait(self.worker.heartbeat_ttl / 3):
            try:
                self.worker.beat()
            except Exception:
                logger.exception("heartbeat failed")

    def spider_idle(self, spider) -> None:
        client, keys = self.worker.client, self.worker.keys
        started = client.get(keys.started)
        if self.crawl_id is None:
            if started is None or client.exists(keys.finished):
                if not self.waiting_logged:
                    logger.info("no crawl enqueued on %r: waiting for harvester enqueue", keys.name)
                    self.waiting_logged = True
                raise DontCloseSpider
            self.crawl_id = started
        if started == self.crawl_id:
            own = self.worker.client.hlen(self.worker.inflight_key)
            if own:  # this worker is idle, so nothing of its own is in progress: these leases leaked
                logger.warning("%d leases of this idle worker put back in the queue",
                               requeue(client, keys, self.worker.id, force=True))
            if self.worker.take_back_dead() or not self.worker.drained():
                raise DontCloseSpider
        self._hand_over()
        if started == self.crawl_id:
            self._finish()

    def _hand_over(self) -> None:
        """Before closing: portal states go to Redis, and the store's run extension is left nothing to mark gone.

        That extension marks gone by run; in a cluster a run is one worker's part of the crawl.
        """
        self.worker.sync_portal_state(self.crawler)
        store_for(self.crawler).portals_reached.clear()

    def _finish(self) -> None:
        """The crawl is drained: the first worker to see it marks gone reports for the whole crawl."""
        from harvester.cluster.status import finish

        store = store_for(self.crawler)
        if self.worker.client.set(self.worker.keys.finished, self.crawl_id or b"", nx=True):
            self.gone = finish(self.worker.client, self.worker.keys, store.writer)
            logger.info("crawl %r drained: %d reports marked gone", self.worker.keys.name, self.gone)

    def spider_closed(self, spider, reason: str) -> None:
        self.stop_beating.set()
        self.worker.sync_portal_state(self.crawler)
        self.worker.leave()

    def _record_gone(self, spider, reason: str) -> None:
        if self.gone is None:
            return
        store = store_for(self.crawler)
        stats = self.crawler.stats
        stats.set_value("harvester/reports/gone", self.gone)
        counts = {name: stats.get_value(key, 0) for name, key in RUN_COUNTS.items()}
        store.writer.finish_run(store.run_id, "finished" if reason == "finished" else f"closed:{reason}", counts)
