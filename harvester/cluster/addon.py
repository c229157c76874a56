"""Distributed mode, switched on by ``REDIS_URL`` (``-s REDIS_URL=redis://…`` or ``HARVESTER_REDIS_URL``).

:class:`DistributedAddon` is a Scrapy add-on, so it sees command-line
settings. With a Redis URL it puts the crawl on scrapy-redis — its scheduler
(:class:`~harvester.cluster.leases.ClusterScheduler`, which adds in-flight
leases) and its duplicate filter — with the host-interleaving queue, keys
named after ``HARVESTER_CLUSTER_NAME``, the frontier kept when a worker stops
(``SCHEDULER_PERSIST``), no per-store crawl lock (many processes share the
store by design), the cluster-wide politeness and page budget middlewares,
and the worker extension. Without one, nothing changes.
"""

from __future__ import annotations

from scrapy.settings import SETTINGS_PRIORITIES, BaseSettings

from harvester.fetch.middlewares import PortalBudgetMiddleware

#: Closest to the network: every other middleware's process_request has run (robots.txt, budget, proxy…).
POLITENESS_ORDER = 950


def _force(settings: BaseSettings, name: str, value) -> None:
    """Set ``name`` over the project's value; a value given on the command line still wins."""
    if (settings.getpriority(name) or 0) <= SETTINGS_PRIORITIES["project"]:
        settings.set(name, value, priority="project")


class DistributedAddon:
    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("REDIS_URL"):
            settings.set("HARVESTER_CLUSTER_ENABLED", False, priority="addon")
            return
        try:  # scrapy-redis is an extra (pip install 'harvester[cluster]'): imported only when asked for
            from harvester.cluster.leases import WorkerExtension
            from harvester.cluster.politeness import ClusterBudgetMiddleware, ClusterPolitenessMiddleware
        except ImportError as exc:
            raise SystemExit(f"harvester: REDIS_URL is set but {exc.name} is missing; "
                             "install it with pip install 'harvester[cluster]'") from None
        name = settings.get("HARVESTER_CLUSTER_NAME")
        settings.set("HARVESTER_CLUSTER_ENABLED", True, priority="addon")
        settings.set("SCHEDULER", "harvester.cluster.leases.ClusterScheduler", priority="addon")
        settings.set("SCHEDULER_QUEUE_CLASS", "harvester.cluster.queue.HostQueue", priority="addon")
        settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter", priority="addon")
        settings.set("SCHEDULER_QUEUE_KEY", f"{name}:requests", priority="addon")
        settings.set("SCHEDULER_DUPEFILTER_KEY", f"{name}:dupefilter", priority="addon")
        # One worker stopping must not flush the queue and duplicate filter the others still use.
        settings.set("SCHEDULER_PERSIST", True, priority="addon")
        _force(settings, "HARVESTER_CRAWL_LOCK", False)
        settings.replace_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", PortalBudgetMiddleware,
                                                    ClusterBudgetMiddleware)
        settings.set_in_component_priority_dict("DOWNLOADER_MIDDLEWARES", ClusterPolitenessMiddleware,
                                                POLITENESS_ORDER)
        settings.set_in_component_priority_dict("EXTENSIONS", WorkerExtension, 5)
