"""Cost of an incremental recrawl of an unchanged farm, as a ratio of the first crawl.

    python bench/bench_recrawl.py [--copies 8]

Prints requests, 200s, 304s and wall time for the first
crawl, an unchanged recrawl under the default revisit policy, and an unchanged
recrawl that revisits every report page (conditional requests only).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.scaled_farm import scaled_site, write_scaled_seeds  # noqa: E402
from harvester.cli import crawl_farm  # noqa: E402
from harvester.farm.server import FarmServer  # noqa: E402
from harvester.store.db import open_store, session_factory  # noqa: E402


def run(farm: FarmServer, seeds: Path, db_url: str, log: Path, settings: tuple[str, ...] = ()) -> dict:
    farm.clear_log()
    started = time.perf_counter()
    code = crawl_farm(seeds, db_url, farm.proxy_url, log, settings)
    elapsed = time.perf_counter() - started
    entries = farm.request_log
    return {
        "exit": code, "seconds": round(elapsed, 1), "requests": len(entries),
        "200": sum(e["status"] == 200 for e in entries), "304": sum(e["status"] == 304 for e in entries),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, default=8)
    args = parser.parse_args()
    site, seeds_csv = scaled_site(args.copies)
    with tempfile.TemporaryDirectory() as tmp, FarmServer(site) as farm:
        tmp_path = Path(tmp)
        seeds = write_scaled_seeds(tmp_path / "seeds.csv", seeds_csv)
        db_url = f"sqlite:///{tmp_path / 'bench.sqlite'}"
        first = run(farm, seeds, db_url, tmp_path / "1.log")
        engine = open_store(db_url)
        with session_factory(engine)() as session:
            from sqlalchemy import func, select

            from harvester.store.models import Report
            reports = session.scalar(select(func.count(Report.id)))
        engine.dispose()
        default = run(farm, seeds, db_url, tmp_path / "2.log")
        revisit_all = run(farm, seeds, db_url, tmp_path / "3.log",
                          ("HARVESTER_REVISIT_RECENT_HOURS=0", "HARVESTER_REVISIT_OLD_DAYS=0"))
    print(f"farm: {len(site.pages)} pages, {reports} distinct reports stored")
    print(f"{'crawl':<34}{'seconds':>8}{'requests':>10}{'200':>6}{'304':>6}{'req ratio':>10}{'time ratio':>11}")
    for name, figures in (("first crawl", first), ("recrawl, default revisit policy", default),
                          ("recrawl, revisit every report", revisit_all)):
        print(f"{name:<34}{figures['seconds']:>8}{figures['requests']:>10}{figures['200']:>6}{figures['304']:>6}"
              f"{figures['requests'] / first['requests']:>10.2f}"
              f"{figures['seconds'] / first['seconds']:>11.2f}")


if __name__ == "__main__":
    main()
