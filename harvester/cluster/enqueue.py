"""Starting a distributed crawl: seeds pushed once into the shared queue.

``harvester enqueue SEEDS`` drops the previous crawl's frontier (queue,
duplicate filter — or a recrawl's list pages would be filtered away as seen —
budgets, portal states), records when the crawl began (for gone reports),
registers every portal in the store, and pushes each seed's home page (and its
override columns) as the spider would build them. Workers that were waiting
start at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy_redis import picklecompat
from scrapy_redis.dupefilter import RFPDupeFilter

from harvester.cluster.keys import ClusterKeys
from harvester.cluster.queue import HostQueue
from harvester.cluster.status import cluster_status
from harvester.discover.overrides import Override
from harvester.discover.seeds import read_seeds
from harvester.store.writer import StoreWriter, utcnow


class CrawlInProgress(RuntimeError):
    """The crawl still has queued or in-flight requests."""


@dataclass
class Enqueued:
    portals: int
    requests: int
    problems: list[str] = field(default_factory=list)


def spider_settings() -> Settings:
    """The project's settings, with what the add-ons would decide on this machine (browser or not)."""
    from harvester.fetch.browser import BrowserAddon

    settings = Settings()
    settings.setmodule("harvester.settings", priority="project")
    BrowserAddon().update_settings(settings)
    return settings


def check_idle(client, keys: ClusterKeys) -> None:
    """Raise CrawlInProgress when the crawl named ``keys`` still has work queued or in flight."""
    status = cluster_status(client, keys, top=0)
    if status.started and not status.finished and not status.drained:
        raise CrawlInProgress(
            f"crawl {keys.name!r} (enqueued {status.started}) still has {status.queued} queued and "
            f"{status.inflight} in-flight requests; wait for it, or force")


def reset(client, keys: ClusterKeys) -> None:
    """Forget the previous crawl: frontier, bookkeeping, workers that are gone and their in-flight hashes.

    Live workers (waiting for this crawl) stay registered.
    """
    dead = [m for m in client.smembers(keys.workers) if not client.exists(keys.heartbeat(m.decode()))]
    stale = [key for key in client.scan_iter(match=keys.inflight("*"), count=1000)
             if not client.exists(keys.heartbeat(key.decode().rsplit(":inflight:", 1)[1]))]
    client.delete(*[key for key in keys.crawl_keys() if key != keys.workers], *stale)
    if dead:
        client.srem(keys.workers, *dead)


def enqueue_seeds(client, keys: ClusterKeys, seeds_path: Path, writer: StoreWriter, *, force: bool = False,
                  settings: Settings | None = None) -> Enqueued:
    """Start a new crawl named ``keys.name`` from a seeds file; see the module's docstring."""
    from spiders.portals import PortalsSpider

    if not force:
        check_idle(client, keys)
    seeds, problems = read_seeds(str(seeds_path))
    crawler = Crawler(PortalsSpider, settings or spider_settings())
    spider = PortalsSpider.from_crawler(crawler, seeds=str(seeds_path))
    # Taken before anything is pushed (every sighting of this crawl is later), written after: a worker
    # that sees ``started`` sees the seeds too, and never takes an empty queue for a drained crawl.
    started = utcnow().isoformat()
    reset(client, keys)
    queue = HostQueue(client, spider, keys.requests, serializer=picklecompat)
    dupefilter = RFPDupeFilter(client, keys.dupefilter)
    pushed = 0
    for seed in seeds:
        writer.portal_id(seed)
        requests = [spider._request(seed.url, "home", portal=seed.url, hub_depth=0)]
        requests += [spider._request(column, "column", portal=seed.url, hub_depth=1, in_column=True)
                     for column in spider.overrides.get(seed.url, Override()).columns]
        for request in requests:
            if not dupefilter.request_seen(request):
                queue.push(request)
                pushed += 1
    client.set(keys.started, started)
    return Enqueued(portals=len(seeds), requests=pushed, problems=[str(p) for p in problems])
