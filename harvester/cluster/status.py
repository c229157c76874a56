"""What a distributed crawl is doing, cleaning up after it, and finishing it.

Sizes, measured with MEMORY USAGE on Redis 7 (``bench/bench_cluster.py --memory``):
the duplicate filter is a set of 40-hex SHA1 fingerprints (scrapy-redis), 80 to
92 bytes each (92 at 10,000 entries, 80 at 1,000,000); a queued request is its
pickled form, about 470 bytes for a home page of ``seeds/portals.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from harvester.cluster.keys import ClusterKeys

#: Redis bytes per duplicate-filter entry, at most (measured: 92 at 10,000 entries, 80 at 1,000,000).
DUPEFILTER_BYTES_PER_ENTRY = 92


@dataclass
class WorkerState:
    id: str
    alive: bool
    inflight: int


@dataclass
class ClusterStatus:
    name: str
    started: str | None
    finished: bool
    queued: int
    dupefilter_entries: int
    dupefilter_bytes: int
    workers: list[WorkerState] = field(default_factory=list)
    backlog: list[tuple[str, int]] = field(default_factory=list)
    hosts_waiting: int = 0
    portals_reached: int = 0
    portals_incomplete: int = 0
    gone: int | None = None

    @property
    def inflight(self) -> int:
        return sum(worker.inflight for worker in self.workers)

    @property
    def drained(self) -> bool:
        return self.queued == 0 and not any(w.inflight for w in self.workers if w.alive)


def _text(value: bytes | None) -> str | None:
    return value.decode() if value is not None else None


def cluster_status(client, keys: ClusterKeys, top: int = 20) -> ClusterStatus:
    """Queue length, workers seen (alive or not, requests in flight), the hosts with the most requests waiting."""
    workers = []
    for member in sorted(client.smembers(keys.workers)):
        worker = member.decode()
        workers.append(WorkerState(worker, bool(client.exists(keys.heartbeat(worker))),
                                   client.hlen(keys.inflight(worker))))
    backlog = sorted(((host.decode(), int(n)) for host, n in client.hgetall(keys.backlog).items() if int(n) > 0),
                     key=lambda item: (-item[1], item[0]))
    gone = client.get(keys.gone)
    return ClusterStatus(
        name=keys.name,
        started=_text(client.get(keys.started)),
        finished=bool(client.exists(keys.finished)),
        queued=client.zcard(keys.requests),
        dupefilter_entries=client.scard(keys.dupefilter),
        dupefilter_bytes=client.memory_usage(keys.dupefilter) or 0,
        workers=workers,
        backlog=backlog[:top],
        hosts_waiting=len(backlog),
        portals_reached=client.scard(keys.reached),
        portals_incomplete=client.scard(keys.incomplete),
        gone=int(gone) if gone is not None else None,
    )


def crawl_key_names(client, keys: ClusterKeys) -> list[bytes]:
    """Every key of the crawl: frontier, bookkeeping, workers' heartbeats and in-flight hashes, host leases."""
    return sorted(client.scan_iter(match=keys.pattern(), count=1000))


def clean(client, keys: ClusterKeys) -> int:
    """Drop every key of the crawl; returns how many. The caller checks that no worker is busy."""
    names = crawl_key_names(client, keys)
    for start in range(0, len(names), 500):
        client.delete(*names[start:start + 500])
    return len(names)


def finish(client, keys: ClusterKeys, writer) -> int:
    """Mark gone what the crawl's fully walked portals no longer publish; returns how many reports went.

    A portal is fully walked when some worker reached its home page and no
    worker saw one of its hub, column or list pages fail or its budget run out.
    Done once per crawl by the worker that sees it drained (or ``harvester
    cluster finish``); the count is kept in Redis for ``harvester cluster``.
    """
    started = client.get(keys.started)
    if started is None:
        return 0
    complete = {m.decode() for m in client.smembers(keys.reached)} - {m.decode() for m in client.smembers(keys.incomplete)}
    gone = writer.mark_gone_since(datetime.fromisoformat(started.decode()), complete)
    client.set(keys.gone, gone)
    client.set(keys.finished, started)
    return gone
