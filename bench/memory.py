"""Memory over a long crawl: peak resident memory and its growth from the first to the last quarter.

The farm is copied until one ``scrapy crawl portals`` makes about
``options.memory_pages`` requests; the crawl process's resident memory is
sampled four times a second together with the requests answered so far. The
peer is the bare Scrapy spider fetching the same requests, measured the same way.
"""

from __future__ import annotations

import math

from bench.core import Options, Section, median, ratio, table
from bench.crawls import Crawl, crawl_bare, crawl_portals
from bench.scaled_farm import scaled_site, write_scaled_seeds
from bench.throughput import farm_description
from harvester.farm.server import FarmServer

#: Requests one copy of the farm takes (measured: 101 with the browser portals); sizes the farm only.
REQUESTS_PER_COPY = 100
QUARTERS = ("first", "second", "third", "last")


def quarters(crawl: Crawl) -> list[list[float]]:
    """RSS samples per quarter of the requests, leaving out the start-up before the first request."""
    total = crawl.requests
    return [[rss for done, rss in crawl.samples if done > 0 and q * total / 4 < done <= (q + 1) * total / 4]
            for q in range(4)]


def growth(crawl: Crawl) -> tuple[float, float]:
    """Median RSS of the first and of the last quarter."""
    parts = quarters(crawl)
    return (median(parts[0]) if parts[0] else 0.0), (median(parts[3]) if parts[3] else 0.0)


def run(options: Options) -> Section:
    copies = max(1, math.ceil(options.memory_pages / REQUESTS_PER_COPY))
    site, seeds_csv = scaled_site(copies, scans=options.ocr)
    seeds = write_scaled_seeds(options.work / "memory-seeds.csv", seeds_csv)
    farm_text = farm_description(site, seeds_csv)
    with FarmServer(site) as farm:
        crawl = crawl_portals(farm, seeds, f"sqlite:///{options.work / 'memory.sqlite'}", options.work / "memory.log")
        bare = crawl_bare(farm, crawl.log, options.work)
    del site
    (first, last), (bare_first, bare_last) = growth(crawl), growth(bare)
    summary = table(
        ("crawler", "pages", "crawl s", "peak RSS MB", "vs bare", "first quarter MB", "last quarter MB", "growth MB",
         "growth"),
        [("scrapy crawl portals", crawl.requests, crawl.crawl_seconds, crawl.peak_rss_mb,
          ratio(crawl.peak_rss_mb, bare.peak_rss_mb), first, last, last - first,
          f"{(last - first) / first:+.0%}" if first else "–"),
         ("bare Scrapy spider, same requests", bare.requests, bare.crawl_seconds, bare.peak_rss_mb, "1.00×",
          bare_first, bare_last, bare_last - bare_first,
          f"{(bare_last - bare_first) / bare_first:+.0%}" if bare_first else "–")])
    rows = [(f"{QUARTERS[q]} quarter", len(samples), median(samples) if samples else "–",
             max(samples) if samples else "–") for q, samples in enumerate(quarters(crawl))]
    body = "\n\n".join([
        summary,
        f"`scrapy crawl portals`, {crawl.reports:,} reports stored, by quarter of its requests:",
        table(("part of the crawl", "samples", "median RSS MB", "max RSS MB"), rows),
    ]) + "\n"
    method = (
        f"One `scrapy crawl portals` of the farm copied {copies} times ({farm_text}; built as under Throughput, "
        f"report files included) into a fresh SQLite store, then "
        f"the bare Scrapy spider over exactly the requests that crawl made. Each process's resident memory (VmRSS; "
        f"Chromium's processes not included) is sampled every 0.25 s with the number of requests the farm has "
        f"answered; quarters are quarters of those requests, and samples taken before the first request, while "
        f"Python starts, are left out. Peak RSS is the process's own high-water mark (VmHWM, read while it runs). One run "
        f"each: a crawl of this size takes a quarter of an hour, and peak and growth are high-water marks, not times."
    )
    headlines = [f"Memory: peak {crawl.peak_rss_mb:.0f} MB over a crawl of {crawl.requests:,} pages "
                 f"({ratio(crawl.peak_rss_mb, bare.peak_rss_mb)} the bare spider's {bare.peak_rss_mb:.0f} MB); the "
                 f"median RSS grows {last - first:+.0f} MB from the first to the last quarter ({first:.0f} → "
                 f"{last:.0f} MB; bare spider {bare_last - bare_first:+.0f} MB)."]
    return Section("memory", "Memory", method, body, headlines)
