"""A deterministic farm of invented government portals, served through a local proxy.

Used by the tests, ``harvester demo`` and the benchmarks: see :class:`FarmServer`,
:func:`build_site`, :func:`expected_reports` and :func:`write_seeds`.
"""

from harvester.farm.seeds import SEEDS_CSV, write_seeds
from harvester.farm.server import FarmServer
from harvester.farm.site import Page, Site, build_site
from harvester.farm.truth import dead_urls, expected_reports, noise_urls

__all__ = [
    "FarmServer", "Page", "SEEDS_CSV", "Site", "build_site", "dead_urls", "expected_reports", "noise_urls",
    "write_seeds",
]
