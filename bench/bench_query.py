"""Benchmark of the analyst commands on a synthetic store: export and aggregation time, peak memory.

    python bench/bench_query.py                       # 100,000 reports in a temporary SQLite store
    python bench/bench_query.py --db postgresql+psycopg://postgres@127.0.0.1/bench --reports 20000

The store is filled with bulk inserts (no crawl, no parsing): reports spread over
the real county-level divisions and the years 2019-2024, each with a 2 kB text,
its tables as JSON, one sighting, one check and ``--cells`` long-form cells. Each
measured command runs as its own process, exactly as a user types it, and its
peak resident memory is read from the kernel (``wait4``), so "memory stays flat"
is measured rather than assumed.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert, update

from harvester.discover.regions import load_divisions
from harvester.parse.schema import APPLICATION_COLUMNS, APPLICATION_ROWS_2021, REVIEW_COLUMNS, REVIEW_ROWS
from harvester.store.db import open_store
from harvester.store.models import CheckResult, Portal, Report, ReportVersion, Sighting, TableCell

CHUNK = 5_000
#: About 2 kB of UTF-8, the size of a short report's main text.
TEXT = ("本年度，我区深入贯彻落实《中华人民共和国政府信息公开条例》，围绕主动公开、依申请公开等方面开展工作。" * 20)[:700]


def cell_keys(per_report: int) -> list[tuple[str, str, str]]:
    """The first ``per_report`` cells in the order an analyst asks for them: totals first."""
    keys = [("applications", row, "total") for row in APPLICATION_ROWS_2021]
    keys += [("reviews", row, col) for row in REVIEW_ROWS for col in REVIEW_COLUMNS]
    keys += [("applications", row, col) for row in APPLICATION_ROWS_2021 for col in APPLICATION_COLUMNS if col != "total"]
    return keys[:per_report]


def build(url: str, reports: int, per_report: int, seed: int = 7) -> None:
    rng = random.Random(seed)
    counties = [d.code for d in load_divisions() if d.level == "county"]
    keys = cell_keys(per_report)
    now = datetime(2025, 4, 1, tzinfo=UTC)
    engine = open_store(url)
    with engine.begin() as conn:
        conn.execute(insert(Portal), [{"id": 1, "url": "http://www.bench.gov.cn/", "name": "bench", "first_seen_at": now}])
    for start in range(1, reports + 1, CHUNK):
        ids = range(start, min(start + CHUNK, reports + 1))
        report_rows, version_rows, sighting_rows, check_rows, cells = [], [], [], [], []
        for i in ids:
            code, year = rng.choice(counties), 2019 + i % 6
            values = {key: rng.randint(0, 300) for key in keys}
            tables: dict = {}
            for (table, row, col), value in values.items():
                tables.setdefault(table, {}).setdefault(row, {})[col] = value
            report_rows.append({"id": i, "report_key": f"{i:016x}", "region_code": code, "first_seen_at": now})
            version_rows.append({
                "id": i, "report_id": i, "content_hash": f"{i:064x}", "title": f"{code}{year}年政府信息公开工作年度报告",
                "agency": f"{code}人民政府{i % 40}", "year": year, "published_at": f"{year + 1}-01-31",
                "format_version": "2021", "source_type": "html", "table_source": "html",
                "url": f"http://www.bench.gov.cn/{i}.html", "text": TEXT, "sections": {}, "tables": tables, "notes": [],
                "parser_version": "bench", "seen_at": now,
            })
            sighting_rows.append({"report_id": i, "url": f"http://www.bench.gov.cn/{i}.html", "portal_id": 1,
                                  "http_status": 200, "first_seen_at": now, "last_seen_at": now})
            check_rows.append({"version_id": i, "rule": "balance", "scope": "total",
                               "status": "fail" if i % 50 == 0 else "pass", "expected": None, "found": None})
            cells += [{"version_id": i, "table_name": t, "row_key": r, "column_key": c, "value": float(v)}
                      for (t, r, c), v in values.items()]
        with engine.begin() as conn:
            conn.execute(insert(Report), report_rows)
            conn.execute(insert(ReportVersion), version_rows)
            conn.execute(update(Report).where(Report.id.in_(list(ids))).values(current_version_id=Report.id))
            conn.execute(insert(Sighting), sighting_rows)
            conn.execute(insert(CheckResult), check_rows)
            for offset in range(0, len(cells), 50_000):
                conn.execute(insert(TableCell), cells[offset:offset + 50_000])
        print(f"\r  {ids[-1]:,} / {reports:,} reports", end="", file=sys.stderr, flush=True)
    print(file=sys.stderr)
    engine.dispose()


def measure(label: str, command: list[str], env: dict, out: Path | None) -> dict:
    """Run one command as a process; wall time and that process's own peak RSS."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _pid, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - started
    stderr = process.stderr.read().decode(errors="replace").strip().splitlines()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{label} failed: {stderr[-1:] or status}")
    size = out.stat().st_size if out is not None and out.exists() else None
    return {"step": label, "seconds": seconds, "peak_rss_mb": usage.ru_maxrss / 1024,
            "output_mb": None if size is None else size / 2**20}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--cells", type=int, default=40, help="cells per report")
    parser.add_argument("--db", help="store URL (default: a new SQLite file in a temporary directory)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = args.db or f"sqlite:///{work / 'bench.sqlite'}"
        started = time.perf_counter()
        build(url, args.reports, args.cells)
        results = [{"step": f"build {args.reports:,} reports, {args.reports * args.cells:,} cells",
                    "seconds": time.perf_counter() - started, "peak_rss_mb": None, "output_mb": None}]
        env = dict(os.environ, HARVESTER_DB_URL=url)
        harvester = [sys.executable, "-m", "harvester.cli"]
        steps = [
            ("export jsonl (all)", ["export", "--format", "jsonl", "--out", "{out}"], "r.jsonl"),
            ("export jsonl --year 2024", ["export", "--format", "jsonl", "--year", "2024", "--out", "{out}"], "y.jsonl"),
            ("export csv", ["export", "--format", "csv", "--out", "{out}"], "r.csv"),
            ("export csv --cells", ["export", "--format", "csv", "--cells", "--out", "{out}"], "c.csv"),
            ("export parquet", ["export", "--format", "parquet", "--out", "{out}"], "r.parquet"),
            ("export parquet --cells", ["export", "--format", "parquet", "--cells", "--out", "{out}"], "c.parquet"),
            ("stats --cell applications.new.total --by province", ["stats", "--cell", "applications.new.total",
                                                                   "--by", "province", "--json"], None),
            ("sql GROUP BY province_code, year on report_cells", ["sql", "--format", "csv",
             "SELECT province_code, year, sum(value) FROM report_cells WHERE table_name = 'applications' AND "
             "row_key = 'new' AND column_key = 'total' GROUP BY province_code, year"], None),
            ("stats (counts by year, province, level)", ["stats", "--json"], None),
            ("reports --province 62 --year 2024", ["reports", "--province", "62", "--year", "2024", "--json"], None),
        ]
        for label, command, name in steps:
            out = work / name if name else None
            argv = [part.replace("{out}", str(out)) for part in command]
            results.append(measure(label, harvester + argv, env, out))
            print(f"  {label}: {results[-1]['seconds']:.1f} s", file=sys.stderr)
    print("| step | seconds | peak RSS (MB) | output (MB) |\n|---|---:|---:|---:|")
    for r in results:
        rss = "" if r["peak_rss_mb"] is None else f"{r['peak_rss_mb']:.0f}"
        size = "" if r["output_mb"] is None else f"{r['output_mb']:.1f}"
        print(f"| {r['step']} | {r['seconds']:.1f} | {rss} | {size} |")


if __name__ == "__main__":
    main()
