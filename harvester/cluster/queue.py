"""The shared request queue: scrapy-redis's priority queue, interleaved by host, with in-flight leases.

A member of the sorted set is ``host + "\\n" + the pickled request``. Its score
is ``-priority * 1e9 + n`` where ``n`` counts the pushes to that host so far:
among requests of one priority, each host's first request comes before any
host's second, so workers pull many hosts at once instead of queueing on one
(the cluster-wide host limits would make them wait). Popping moves the member
into the worker's in-flight hash in the same Lua script, so a worker killed at
any moment never loses a request it took (:mod:`harvester.cluster.leases`).
"""

from __future__ import annotations

import itertools
from urllib.parse import urlsplit

from scrapy import Request
from scrapy_redis.queue import Base

from harvester.cluster.keys import ClusterKeys

#: Room for a billion pushes per host within one priority level; scores stay exact doubles.
PRIORITY_SPAN = 1_000_000_000

PUSH = """
local n = redis.call('HINCRBY', KEYS[2], ARGV[3], 1)
redis.call('ZADD', KEYS[1], -tonumber(ARGV[2]) * tonumber(ARGV[4]) + n, ARGV[1])
redis.call('HINCRBY', KEYS[3], ARGV[3], 1)
return n
"""

#: KEYS: queue, backlog, in-flight hash, workers set; ARGV: lease id, worker. Returns the member or nil.
POP = """
local top = redis.call('ZPOPMIN', KEYS[1])
if #top == 0 then return false end
local member, score = top[1], top[2]
local sep = string.find(member, '\\n', 1, true)
if sep then
  local host = string.sub(member, 1, sep - 1)
  if redis.call('HINCRBY', KEYS[2], host, -1) <= 0 then redis.call('HDEL', KEYS[2], host) end
end
redis.call('HSET', KEYS[3], ARGV[1], score .. '\\n' .. member)
redis.call('SADD', KEYS[4], ARGV[2])
return member
"""

#: KEYS: in-flight hash, queue, backlog, the owner's heartbeat key; ARGV: force (1 = even if alive).
#: Puts every in-flight request back with its old score; returns how many.
REQUEUE = """
if ARGV[1] ~= '1' and redis.call('EXISTS', KEYS[4]) == 1 then return 0 end
local entries = redis.call('HGETALL', KEYS[1])
for i = 2, #entries, 2 do
  local value = entries[i]
  local sep = string.find(value, '\\n', 1, true)
  local member = string.sub(value, sep + 1)
  redis.call('ZADD', KEYS[2], tonumber(string.sub(value, 1, sep - 1)), member)
  local hsep = string.find(member, '\\n', 1, true)
  if hsep then redis.call('HINCRBY', KEYS[3], string.sub(member, 1, hsep - 1), 1) end
end
redis.call('DEL', KEYS[1])
return #entries / 2
"""


def host_of(url: str) -> str:
    """The host a request goes to, as the politeness limits count it.

    >>> host_of("http://WWW.Example.gov.cn:8080/a")
    'www.example.gov.cn'
    """
    return (urlsplit(url).hostname or "").lower()


class HostQueue(Base):
    """scrapy-redis queue (``SCHEDULER_QUEUE_CLASS``): priority first, then hosts round-robin.

    Without a worker attached (``harvester enqueue``) ``pop`` is not used; a
    worker's scheduler attaches its in-flight key and lease ids.
    """

    def __init__(self, server, spider, key, serializer=None) -> None:
        super().__init__(server, spider, key, serializer)
        self._push = server.register_script(PUSH)
        self._pop = server.register_script(POP)
        self.keys: ClusterKeys | None = None
        self.inflight_key: str | None = None
        self.worker: str | None = None
        self._leases = itertools.count(1)

    def attach(self, keys: ClusterKeys, worker: str) -> None:
        self.keys = keys
        self.inflight_key = keys.inflight(worker)
        self.worker = worker

    def _keys(self) -> ClusterKeys:
        return self.keys or ClusterKeys(self.key.rsplit(":", 1)[0])

    def __len__(self) -> int:
        return self.server.zcard(self.key)

    def push(self, request: Request) -> None:
        request.meta.pop("cluster_lease", None)
        host = host_of(request.url)
        member = host.encode() + b"\n" + self._encode_request(request)
        keys = self._keys()
        self._push(keys=[self.key, keys.pushed, keys.backlog], args=[member, request.priority, host, PRIORITY_SPAN])

    def pop(self, timeout: int = 0) -> Request | None:
        if self.inflight_key is None:
            raise RuntimeError("HostQueue.pop needs a worker: attach() first")
        lease = str(next(self._leases))
        keys = self._keys()
        member = self._pop(keys=[self.key, keys.backlog, self.inflight_key, keys.workers], args=[lease, self.worker])
        if not member:
            return None
        request = self._decode_request(member.split(b"\n", 1)[1])
        request.meta["cluster_lease"] = lease
        return request


def requeue(server, keys: ClusterKeys, worker: str, force: bool = False) -> int:
    """Put a worker's in-flight requests back in the queue; only if its heartbeat is gone, unless ``force``."""
    script = server.register_script(REQUEUE)
    return int(script(keys=[keys.inflight(worker), keys.requests, keys.backlog, keys.heartbeat(worker)],
                      args=["1" if force else "0"]))
