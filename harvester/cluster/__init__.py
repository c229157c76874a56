"""Distributed crawling: many ``scrapy crawl portals`` processes on one Redis frontier and one store.

Switched on by ``REDIS_URL`` (:mod:`harvester.cluster.addon`). The frontier is
scrapy-redis's scheduler and duplicate filter with a host-interleaving queue
(:mod:`~harvester.cluster.queue`); per-host politeness holds for the whole
cluster (:mod:`~harvester.cluster.politeness`); requests of a dead worker are
re-queued by the others (:mod:`~harvester.cluster.leases`); seeds are pushed
once (:mod:`~harvester.cluster.enqueue`); :mod:`~harvester.cluster.status`
shows, cleans up and finishes a crawl.
"""
