"""Crawling the benchmark farm: one ``scrapy crawl portals`` (or a bare spider) measured from outside.

A crawl runs as its own process, exactly as a user types it. While it runs, its
resident memory is sampled together with the number of requests the farm has
answered, so memory can be read against pages crawled; when it ends, the kernel
gives its CPU time (``wait4``) and the store gives the spider's CPU per stage.
Its peak memory is its own VmHWM (see :func:`bench.core.watch`).
"""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import create_engine, func, select

from bench.core import ROOT, watch
from harvester.cli import crawl_environment, farm_crawl_command
from harvester.farm.server import FarmServer
from harvester.store.models import CrawlRun, Report

#: Seconds between two memory samples.
SAMPLE_EVERY = 0.25


@dataclass
class Crawl:
    """What one crawl cost and found."""

    wall_seconds: float
    #: First request to last answer at the farm: the crawl without process start-up.
    crawl_seconds: float
    requests: int
    status_200: int
    status_304: int
    #: User + system CPU of the crawl process (its browser, if any, is a separate process).
    cpu_seconds: float
    peak_rss_mb: float
    #: (requests answered so far, RSS in MB) while the crawl ran.
    samples: list[tuple[int, float]] = field(default_factory=list)
    #: The spider's own CPU seconds by stage, from the crawl run's counts (harvester only).
    stages: dict[str, float] = field(default_factory=dict)
    reports: int = 0
    log: list[dict] = field(default_factory=list)

    @property
    def pages_per_second(self) -> float:
        return self.requests / self.crawl_seconds if self.crawl_seconds else 0.0


def run_measured(command: list[str], env: dict[str, str], cwd: Path, farm: FarmServer) -> Crawl:
    """Run ``command`` against ``farm`` (whose log is cleared first) and measure it."""
    farm.clear_log()
    samples: list[tuple[int, float]] = []
    process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    watched = watch(process, SAMPLE_EVERY, lambda rss: samples.append((len(farm._log), rss)))
    stderr = process.stderr.read().decode(errors="replace") if process.stderr else ""
    if watched.exit_code != 0:
        raise RuntimeError(f"{' '.join(command[:6])} … exited with {watched.exit_code}: {stderr[-2000:]}")
    log = farm.request_log
    span = max(e["time"] for e in log) - min(e.get("started", e["time"]) for e in log) if log else 0.0
    return Crawl(
        wall_seconds=watched.wall_seconds, crawl_seconds=span, requests=len(log),
        status_200=sum(e["status"] == 200 for e in log), status_304=sum(e["status"] == 304 for e in log),
        cpu_seconds=watched.cpu_seconds, peak_rss_mb=watched.peak_rss_mb, samples=samples, log=log,
    )


def crawl_portals(farm: FarmServer, seeds: Path, db_url: str, log_file: Path, settings: tuple[str, ...] = ()) -> Crawl:
    """``scrapy crawl portals`` on the farm into ``db_url``, with the stage CPU and reports stored."""
    command = farm_crawl_command(seeds, log_file, settings)
    crawl = run_measured(command, crawl_environment(db_url, farm.proxy_url), ROOT, farm)
    engine = create_engine(db_url)
    try:
        with engine.connect() as connection:
            counts = connection.execute(select(CrawlRun.counts).order_by(CrawlRun.id.desc()).limit(1)).scalar_one()
            crawl.reports = connection.execute(select(func.count(Report.id))).scalar_one()
    finally:
        engine.dispose()
    crawl.stages = {name: float(value or 0.0) for name, value in (counts.get("cpu_seconds") or {}).items()}
    return crawl


def crawl_bare(farm: FarmServer, requests: list[dict], work: Path) -> Crawl:
    """The bare spider over exactly ``requests`` (farm log entries), with the crawl's concurrency."""
    listing = work / "bare-requests.jsonl"
    with listing.open("w", encoding="utf-8") as out:
        for entry in requests:
            body = entry.get("body")
            out.write(json.dumps({"method": entry["method"], "url": f"http://{entry['host']}{entry['path']}",
                                  "body": body.decode("latin-1") if isinstance(body, bytes) else body}) + "\n")
    command = [sys.executable, "-m", "scrapy", "runspider", str(ROOT / "bench" / "bare_spider.py"),
               "-a", f"requests={listing}", "--logfile", str(work / "bare.log")]
    env = crawl_environment("sqlite://", farm.proxy_url)
    env.pop("SCRAPY_SETTINGS_MODULE", None)
    return run_measured(command, env, work, farm)
