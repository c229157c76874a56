"""Throughput and recrawl: ``scrapy crawl portals`` on the large farm against a bare Scrapy spider.

Each run crawls the farm into a fresh SQLite store, has the bare spider fetch
exactly the requests the farm answered in that crawl, then crawls the farm
again unchanged into the same store (the recrawl comparison). Figures are
medians over the runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from bench.core import Options, Section, median, ratio, table
from bench.crawls import Crawl, crawl_bare, crawl_portals
from bench.scaled_farm import FILES_EVERY, scaled_site, write_scaled_seeds
from harvester.cputime import STAGES
from harvester.farm.server import FarmServer


@dataclass
class Round:
    first: Crawl
    bare: Crawl
    recrawl: Crawl


def farm_description(site, seeds_csv: str) -> str:
    portals = len(seeds_csv.strip().splitlines()) - 1
    return f"{portals:,} portals on {len(site.hosts):,} hosts, {len(site.pages):,} pages"


def crawl_rounds(options: Options) -> tuple[list[Round], str]:
    site, seeds_csv = scaled_site(options.copies, scans=options.ocr)
    seeds = write_scaled_seeds(options.work / "throughput-seeds.csv", seeds_csv)
    rounds = []
    with FarmServer(site) as farm:
        for number in range(options.runs):
            db_url = f"sqlite:///{options.work / f'throughput-{number}.sqlite'}"
            first = crawl_portals(farm, seeds, db_url, options.work / f"throughput-{number}.log")
            bare = crawl_bare(farm, first.log, options.work)
            recrawl = crawl_portals(farm, seeds, db_url, options.work / f"recrawl-{number}.log")
            rounds.append(Round(first, bare, recrawl))
    return rounds, farm_description(site, seeds_csv)


def run(options: Options) -> list[Section]:
    rounds, farm = crawl_rounds(options)
    return [throughput_section(rounds, farm, options), recrawl_section(rounds, farm, options)]


def _m(rounds: list[Round], figure) -> float:
    return median(figure(r) for r in rounds)


def throughput_section(rounds: list[Round], farm: str, options: Options) -> Section:
    harvester_pps = _m(rounds, lambda r: r.first.pages_per_second)
    bare_pps = _m(rounds, lambda r: r.bare.pages_per_second)
    harvester_cpu = _m(rounds, lambda r: r.first.cpu_seconds / r.first.requests)
    bare_cpu = _m(rounds, lambda r: r.bare.cpu_seconds / r.bare.requests)
    rows = [
        ("scrapy crawl portals", _m(rounds, lambda r: r.first.requests), _m(rounds, lambda r: r.first.crawl_seconds),
         _m(rounds, lambda r: r.first.wall_seconds), harvester_pps, ratio(harvester_pps, bare_pps),
         harvester_cpu * 1000, ratio(harvester_cpu, bare_cpu), _m(rounds, lambda r: r.first.peak_rss_mb)),
        ("bare Scrapy spider, same requests", _m(rounds, lambda r: r.bare.requests),
         _m(rounds, lambda r: r.bare.crawl_seconds), _m(rounds, lambda r: r.bare.wall_seconds), bare_pps, "1.00×",
         bare_cpu * 1000, "1.00×", _m(rounds, lambda r: r.bare.peak_rss_mb)),
    ]
    main = table(("crawler", "requests", "crawl s", "wall s", "pages/s", "vs bare", "CPU ms/page", "vs bare",
                  "peak RSS MB"), rows)
    stage_ms = {name: _m(rounds, lambda r, n=name: r.first.stages.get(n, 0.0) / r.first.requests) * 1000
                for name in STAGES}
    claimed_total = sum(stage_ms.values())
    stage_rows = [(name, stage_ms[name], f"{stage_ms[name] / claimed_total:.0%}" if claimed_total else "–")
                  for name in STAGES]
    stage_rows.append(("all stages (the spider's own process time)", claimed_total, "100%"))
    stage_rows.append(("bare Scrapy spider, whole process", bare_cpu * 1000, ""))
    stages = table(("stage", "CPU ms/page", "share"), stage_rows)
    heaviest = max(STAGES, key=lambda n: stage_ms[n])
    body = (f"{main}\n\nCPU per page by stage (median of {len(rounds)} crawls; a page is a request answered by the farm):"
            f"\n\n{stages}\n")
    method = (
        f"The farm copied {options.copies} times ({farm}): every CMS family the farm imitates, and on every "
        f"{FILES_EVERY}th copy the files portal, whose reports come as PDF, DOCX, DOC and WPS files"
        f"{' and scans to OCR' if options.ocr else ' (its scans left out: no OCR in this form)'}, a fake PDF and "
        f"a zip bomb; served on loopback through one forward proxy in the benchmark's own process. "
        f"`scrapy crawl portals` runs with the farm settings (no download delay, AutoThrottle off; 16 requests "
        f"in flight, 2 per host) into a fresh SQLite store. The peer is `bench/bare_spider.py`: plain Scrapy "
        f"with the same concurrency and reactor, given exactly the requests the farm answered during that crawl (robots.txt, retries, POSTs, the browser's "
        f"requests included), doing nothing with the answers. \"crawl s\" runs from the first request to the last "
        f"answer at the farm, \"wall s\" adds process start-up and the store's finishing work; pages/s uses crawl s. "
        f"CPU is the crawl process's user + system time from the kernel (Chromium, when a page is rendered, is a "
        f"separate process and not counted). The split by stage comes from `harvester.cputime`: the spider charges "
        f"exclusive CPU time to discover (link and CMS adapters), extract (decoding, trafilatura, file readers), "
        f"parse (tables, sections, checks) and store (SQLAlchemy writes, fetch records); fetch is the remainder "
        f"(Scrapy's engine, downloader, middlewares, Twisted). Median of {len(rounds)} runs."
    )
    headlines = [
        f"Throughput: {harvester_pps:.1f} pages/s against {bare_pps:.1f} for a bare Scrapy spider fetching the same "
        f"requests ({ratio(harvester_pps, bare_pps)}); {harvester_cpu * 1000:.0f} CPU ms per page against "
        f"{bare_cpu * 1000:.0f} ({ratio(harvester_cpu, bare_cpu)}), the largest stage being {heaviest} "
        f"({stage_ms[heaviest]:.0f} ms/page).",
    ]
    shares = {name: stage_ms[name] / claimed_total for name in STAGES} if claimed_total else {}
    return Section("throughput", "Throughput", method, body, headlines, figures={"stage_shares": shares})


def recrawl_section(rounds: list[Round], farm: str, options: Options) -> Section:
    request_ratio = _m(rounds, lambda r: r.recrawl.requests / r.first.requests)
    time_ratio = _m(rounds, lambda r: r.recrawl.wall_seconds / r.first.wall_seconds)
    cpu_ratio = _m(rounds, lambda r: r.recrawl.cpu_seconds / r.first.cpu_seconds)
    rows = []
    for name, crawl in (("first crawl", lambda r: r.first), ("unchanged recrawl", lambda r: r.recrawl)):
        rows.append((name, _m(rounds, lambda r: crawl(r).requests), _m(rounds, lambda r: crawl(r).status_200),
                     _m(rounds, lambda r: crawl(r).status_304), _m(rounds, lambda r: crawl(r).wall_seconds),
                     _m(rounds, lambda r: crawl(r).cpu_seconds), _m(rounds, lambda r: crawl(r).reports)))
    rows.append(("recrawl ÷ first", f"{request_ratio:.2f}×", "", "", f"{time_ratio:.2f}×", f"{cpu_ratio:.2f}×", ""))
    body = table(("crawl", "requests", "200", "304", "wall s", "CPU s", "reports in store"), rows, "lrrrrrr") + "\n"
    method = (
        f"Same farm ({farm}). After each first crawl, `scrapy crawl portals` runs again on the same store with "
        f"nothing changed on the farm, under the default revisit policy (conditional requests; known report pages "
        f"not yet due are confirmed from their list without a request). Median of {len(rounds)} runs."
    )
    headlines = [f"Recrawl: an unchanged second crawl makes {request_ratio:.2f}× the requests and takes "
                 f"{time_ratio:.2f}× the time of the first."]
    return Section("recrawl", "Recrawl", method, body, headlines)
