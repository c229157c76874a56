"""Soak: crawl a scaled farm with random transient faults and the fault portal; nothing may be lost.

    python bench/bench_soak.py [--copies 4] [--rate 0.3] [--rounds 3]

Round 0 crawls the scaled farm without faults into a reference store; each
following round crawls it afresh with random faults (a new seed each round)
into its own store. Prints pages crawled, faults met by kind, peak RSS of the
crawl process and reports lost (in the reference but not in the faulty crawl).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.crawls import run_measured  # noqa: E402
from bench.scaled_farm import scaled_site, write_scaled_seeds  # noqa: E402
from harvester.cli import crawl_environment, farm_crawl_command  # noqa: E402
from harvester.farm.faults import FAULT_SEED_URL, FaultyFarmServer  # noqa: E402
from harvester.farm.server import FarmServer  # noqa: E402
from harvester.store.db import PROJECT_ROOT  # noqa: E402


def crawl(farm: FarmServer, seeds: Path, db_url: str, log: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS (MiB) of one crawl of ``farm``."""
    measured = run_measured(farm_crawl_command(seeds, log, ("DOWNLOAD_TIMEOUT=5",)),
                            crawl_environment(db_url, farm.proxy_url), PROJECT_ROOT, farm)
    return measured.wall_seconds, int(measured.peak_rss_mb)


def reports(db_url: str) -> set[tuple[str, int]]:
    out = subprocess.run([sys.executable, "-m", "harvester.cli", "export"], capture_output=True, text=True,
                         env=dict(os.environ, HARVESTER_DB_URL=db_url), check=True).stdout
    return {(r["agency"], r["year"]) for r in map(json.loads, out.splitlines()) if not r["agency"].startswith("会宁县")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=4)
    parser.add_argument("--rate", type=float, default=0.3)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp_path = Path(tmp)
        site, seeds_csv = scaled_site(args.copies)
        seeds = write_scaled_seeds(tmp_path / "seeds.csv", seeds_csv + f"会宁县人民政府,{FAULT_SEED_URL},620422,county,620400\n")
        with FarmServer(site) as farm:
            reference_db = f"sqlite:///{tmp_path / 'reference.sqlite'}"
            seconds, peak = crawl(farm, seeds, reference_db, tmp_path / "reference.log")
            reference = reports(reference_db)
        print(f"reference crawl: {len(reference)} reports, {seconds:.0f} s, peak RSS {peak} MiB")
        for round_number in range(1, args.rounds + 1):
            site, _ = scaled_site(args.copies)
            with FaultyFarmServer(site, fault_rate=args.rate, seed=round_number) as farm:
                db_url = f"sqlite:///{tmp_path / f'round{round_number}.sqlite'}"
                seconds, peak = crawl(farm, seeds, db_url, tmp_path / f"round{round_number}.log")
                log = farm.request_log
                injected = dict(farm.injected)
            stored = reports(db_url)
            fault_portal = sum(1 for entry in log if entry.get("fault") and entry["host"].startswith("www.faults"))
            print(f"round {round_number}: {len(log)} requests in {seconds:.0f} s, peak RSS {peak} MiB, "
                  f"random faults {injected}, fault-portal faults {fault_portal}, "
                  f"reports {len(stored)}, lost {len(reference - stored)}, extra {len(stored - reference)}")


if __name__ == "__main__":
    main()
