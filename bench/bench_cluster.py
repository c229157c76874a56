"""Throughput of a distributed crawl with 1, 2 and 4 workers on one Redis and one PostgreSQL.

    python bench/bench_cluster.py [--copies 4] [--workers 1,2,4] [--delay 0] [--memory]

The farm, copied ``--copies`` times (``bench/scaled_farm.py``), is served in
this process; for each worker count a fresh PostgreSQL database and crawl name
are used, the seeds are enqueued once, and the workers run to the end. Prints
pages/s and reports/s over the crawl (first request to last answer at the
farm), wall time including process start-up, and the cost per report: requests
and CPU seconds of all workers together. ``--latency`` makes every answer take
that long, as real portals do: then each worker's ``CONCURRENT_REQUESTS`` (16)
binds, not the CPU. A "report" is a report page harvested
(a sighting: the copies of the farm publish the same reports again, which the
store keeps as one report with many sightings). ``--memory`` measures Redis bytes per
duplicate-filter fingerprint and per queued request. PostgreSQL:
``HARVESTER_BENCH_PG_URL`` (default the tests' server); Redis: ``HARVESTER_REDIS_URL``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import create_engine, func, select, text  # noqa: E402

from bench.scaled_farm import scaled_site, write_scaled_seeds  # noqa: E402
from harvester.cli import crawl_environment, farm_crawl_command  # noqa: E402
from harvester.cluster.enqueue import enqueue_seeds  # noqa: E402
from harvester.cluster.keys import ClusterKeys, redis_client  # noqa: E402
from harvester.cluster.status import clean  # noqa: E402
from harvester.farm.server import FarmServer  # noqa: E402
from harvester.store.db import PROJECT_ROOT, open_store, session_factory  # noqa: E402
from harvester.store.models import Report, Sighting  # noqa: E402
from harvester.store.writer import StoreWriter  # noqa: E402

PG_ADMIN = os.environ.get("HARVESTER_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("HARVESTER_REDIS_URL", "redis://127.0.0.1:6379/0")


@contextmanager
def fresh_database():
    name = f"harvester_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def crawl(workers: int, farm: FarmServer, seeds: Path, tmp: Path, delay: float) -> dict:
    client = redis_client(REDIS)
    keys = ClusterKeys(f"bench-{uuid.uuid4().hex[:8]}")
    with fresh_database() as db_url:
        engine = open_store(db_url)
        enqueue_seeds(client, keys, seeds, StoreWriter(engine))
        farm.clear_log()
        settings = (f"REDIS_URL={REDIS}", f"HARVESTER_CLUSTER_NAME={keys.name}", f"HARVESTER_CLUSTER_HOST_DELAY={delay}",
                    "HARVESTER_CLUSTER_POLL_INTERVAL=0.2", "LOG_LEVEL=INFO")
        env = crawl_environment(db_url, farm.proxy_url)
        started = time.perf_counter()
        processes = [subprocess.Popen(farm_crawl_command(seeds, tmp / f"{keys.name}-{i}.log", settings),
                                      cwd=PROJECT_ROOT, env=env) for i in range(workers)]
        cpu = 0.0
        for process in processes:
            _pid, status, usage = os.wait4(process.pid, 0)
            process.returncode = os.waitstatus_to_exitcode(status)
            cpu += usage.ru_utime + usage.ru_stime
        wall = time.perf_counter() - started
        log = farm.request_log
        with session_factory(engine)() as session:
            reports = session.scalar(select(func.count(Report.id)))
            pages = session.scalar(select(func.count(Sighting.id)))
        engine.dispose()
    clean(client, keys)
    span = max(e["time"] for e in log) - min(e["started"] for e in log)
    return {"workers": workers, "exit": [p.returncode for p in processes], "wall": wall, "span": span,
            "requests": len(log), "reports": reports, "report_pages": pages, "cpu": cpu}


def slow(site, latency: float) -> None:
    """Every page answered after ``latency`` seconds (the farm serves each request in its own thread)."""
    get = site.get

    def slow_get(host: str, path: str):
        time.sleep(latency)
        return get(host, path)

    site.get = slow_get


def memory() -> None:
    """Redis bytes per duplicate-filter entry (40-hex SHA1, as scrapy-redis stores them)."""
    client = redis_client(REDIS)
    key = f"bench-memory-{uuid.uuid4().hex[:8]}"
    print("| fingerprints | MEMORY USAGE | bytes per fingerprint |\n|---:|---:|---:|")
    for count in (10_000, 100_000, 1_000_000):
        client.delete(key)
        pipe = client.pipeline(transaction=False)
        for i in range(count):
            pipe.sadd(key, hashlib.sha1(f"{key}{i}".encode()).hexdigest())
            if i % 10_000 == 9_999:
                pipe.execute()
        pipe.execute()
        used = client.memory_usage(key, samples=0)
        print(f"| {count:,} | {used / 1e6:.1f} MB | {used / count:.0f} |")
    client.delete(key)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--delay", type=float, default=0.0, help="cluster-wide delay per host (seconds)")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds the farm takes to answer each request (real portals are slow)")
    parser.add_argument("--memory", action="store_true")
    args = parser.parse_args()
    if args.memory:
        memory()
        return
    site, seeds_csv = scaled_site(args.copies)
    if args.latency:
        slow(site, args.latency)
    rows = []
    with tempfile.TemporaryDirectory() as tmp, FarmServer(site) as farm:
        tmp_path = Path(tmp)
        seeds = write_scaled_seeds(tmp_path / "seeds.csv", seeds_csv)
        for workers in (int(n) for n in args.workers.split(",")):
            rows.append(crawl(workers, farm, seeds, tmp_path, args.delay))
    base = rows[0]
    print(f"farm: {len(site.pages)} pages in {len(site.hosts)} hosts; latency {args.latency} s; "
          f"cluster delay per host {args.delay} s")
    print("| workers | wall s | crawl s | requests | report pages | distinct reports | pages/s | reports/s | speed-up "
          "| requests/report | CPU s/report |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print(f"| {row['workers']} | {row['wall']:.1f} | {row['span']:.1f} | {row['requests']} | {row['report_pages']} "
              f"| {row['reports']} | {row['requests'] / row['span']:.1f} | {row['report_pages'] / row['span']:.2f} "
              f"| {base['span'] / row['span']:.2f} | {row['requests'] / row['report_pages']:.2f} "
              f"| {row['cpu'] / row['report_pages']:.3f} |"
              + ("" if row["exit"] == [0] * row["workers"] else f" exit {row['exit']}"))

if __name__ == "__main__":
    main()
