"""Memory over a long crawl: peak resident memory and its growth from the first to the last quarter.

The farm is copied until one ``scrapy crawl portals`` makes about
``options.memory_pages`` requests; the crawl process's resident memory is
sampled four times a second together with the requests answered so far.
"""

from __future__ import annotations

import math

from bench.core import Options, Section, median, table
from bench.crawls import crawl_portals
from bench.scaled_farm import scaled_site, write_scaled_seeds
from bench.throughput import farm_description
from harvester.farm.server import FarmServer

#: Requests one copy of the farm takes (measured: 101 with the browser portals); sizes the farm only.
REQUESTS_PER_COPY = 100


def run(options: Options) -> Section:
    copies = max(1, math.ceil(options.memory_pages / REQUESTS_PER_COPY))
    site, seeds_csv = scaled_site(copies)
    seeds = write_scaled_seeds(options.work / "memory-seeds.csv", seeds_csv)
    with FarmServer(site) as farm:
        crawl = crawl_portals(farm, seeds, f"sqlite:///{options.work / 'memory.sqlite'}", options.work / "memory.log")
    farm_text = farm_description(site, seeds_csv)
    del site
    total = crawl.requests
    crawling = [(done, rss) for done, rss in crawl.samples if done > 0]  # not the start-up before the first request
    quarters = [[rss for done, rss in crawling if q * total / 4 < done <= (q + 1) * total / 4] for q in range(4)]
    rows = [(f"{'first second third last'.split()[q]} quarter", len(samples), median(samples) if samples else "–",
             max(samples) if samples else "–") for q, samples in enumerate(quarters)]
    first, last = (median(quarters[0]) if quarters[0] else 0.0), (median(quarters[3]) if quarters[3] else 0.0)
    growth = last - first
    growth_line = (f"Growth from the first to the last quarter: {growth:+.0f} MB "
                   f"({growth / first:+.0%} of the first quarter's median)." if first else "Too few samples.")
    body = "\n\n".join([
        table(("pages crawled", "reports stored", "crawl s", "peak RSS MB"),
              [(total, crawl.reports, crawl.crawl_seconds, crawl.peak_rss_mb)]),
        table(("part of the crawl (by pages)", "samples", "median RSS MB", "max RSS MB"), rows),
        growth_line,
    ]) + "\n"
    method = (
        f"One `scrapy crawl portals` of the farm copied {copies} times ({farm_text}) into a fresh SQLite store. "
        f"The crawl process's resident memory (VmRSS; Chromium's processes not included) is sampled every 0.25 s "
        f"with the number of requests the farm has answered; quarters are quarters of those requests (samples taken before the first request, while Python starts, are left out). Peak RSS "
        f"is the kernel's high-water mark for the process (`wait4`). One run: the figure is a high-water mark, "
        f"not a time."
    )
    headlines = [f"Memory: peak {crawl.peak_rss_mb:.0f} MB over a crawl of {total:,} pages; the median RSS grows "
                 f"{growth:+.0f} MB from the first to the last quarter ({first:.0f} → {last:.0f} MB)."]
    return Section("memory", "Memory", method, body, headlines)
