"""Store: export and a ``GROUP BY province, year`` aggregation on a synthetic store, SQLite and PostgreSQL.

The same synthetic store (same seed) is built on both back ends with bulk
inserts (no crawl, no parsing): reports spread over the real county-level
divisions and the years 2019-2024, each with a 2 kB text, its tables as JSON,
one sighting, one check and 40 long-form cells. Each measured command runs as
its own ``harvester`` process, exactly as a user types it, and its peak
resident memory (VmHWM) is read while it runs, so "memory stays flat" is
measured rather than assumed. Outputs stay in ``options.work/store/<back end>/``
so tests can read what the commands wrote.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, text, update
from sqlalchemy.engine import make_url

from bench.core import ROOT, Options, Section, median, ratio, table, watch
from harvester.discover.regions import load_divisions
from harvester.parse.schema import APPLICATION_COLUMNS, APPLICATION_ROWS_2021, REVIEW_COLUMNS, REVIEW_ROWS
from harvester.store.db import open_store
from harvester.store.models import CheckResult, Portal, Report, ReportVersion, Sighting, TableCell

KEY = "store"
TITLE = "Store"
CHUNK = 5_000
CELLS_PER_REPORT = 40
SEED = 7
#: About 2 kB of UTF-8, the size of a short report's main text.
TEXT = ("本年度，我区深入贯彻落实《中华人民共和国政府信息公开条例》，围绕主动公开、依申请公开等方面开展工作。" * 20)[:700]
#: The analyst's aggregation, on the ``report_cells`` view of migration 0002 (current versions only).
GROUP_BY_SQL = (
    "SELECT province_code, year, count(*) AS reports, sum(value) AS new_applications FROM report_cells "
    "WHERE table_name = 'applications' AND row_key = 'new' AND column_key = 'total' "
    "GROUP BY province_code, year ORDER BY province_code, year"
)
BACKENDS = ("sqlite", "postgresql")


@dataclass(frozen=True)
class Step:
    label: str
    argv: tuple[str, ...]
    #: File the step writes (``--out``) or its standard output is saved to, under the back end's directory.
    output: str
    writes_out: bool = True


STEPS = (
    Step("export jsonl", ("export", "--format", "jsonl"), "reports.jsonl"),
    Step("export csv", ("export", "--format", "csv"), "reports.csv"),
    Step("export parquet", ("export", "--format", "parquet"), "reports.parquet"),
    Step("export csv --cells", ("export", "--format", "csv", "--cells"), "cells.csv"),
    Step("sql GROUP BY province, year", ("sql", "--format", "csv", GROUP_BY_SQL), "group_by.csv", False),
    Step("stats --cell applications.new.total --by province",
         ("stats", "--cell", "applications.new.total", "--by", "province", "--json"), "stats.json", False),
)


@dataclass(frozen=True)
class Measure:
    seconds: float
    peak_rss_mb: float
    output_mb: float


@dataclass
class Backend:
    """One back end's build and step figures (medians over the runs)."""

    name: str
    build_seconds: float
    size_mb: float
    steps: dict[str, Measure]


def cell_keys(per_report: int) -> list[tuple[str, str, str]]:
    """The first ``per_report`` cells in the order an analyst asks for them: totals first."""
    keys = [("applications", row, "total") for row in APPLICATION_ROWS_2021]
    keys += [("reviews", row, col) for row in REVIEW_ROWS for col in REVIEW_COLUMNS]
    keys += [("applications", row, col) for row in APPLICATION_ROWS_2021 for col in APPLICATION_COLUMNS if col != "total"]
    return keys[:per_report]


def build(url: str, reports: int, per_report: int = CELLS_PER_REPORT, seed: int = SEED) -> None:
    """Fill an empty store with ``reports`` synthetic reports in chunks of bulk inserts."""
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
            for (table_name, row, col), value in values.items():
                tables.setdefault(table_name, {}).setdefault(row, {})[col] = value
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
        print(f"\r  {make_url(url).get_backend_name()}: {ids[-1]:,} / {reports:,} reports", end="",
              file=sys.stderr, flush=True)
    print(file=sys.stderr)
    if engine.dialect.name == "postgresql":
        # The state autovacuum reaches a minute later, taken now so plans do not depend on its timing.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()


def measure(label: str, command: list[str], env: dict[str, str], out: Path, stdout_to_out: bool) -> Measure:
    """Run one command as a process; wall time, that process's own peak RSS and the size of what it wrote."""
    with open(out if stdout_to_out else os.devnull, "wb") as stdout, tempfile.TemporaryFile() as stderr:
        process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=stdout, stderr=stderr)
        watched = watch(process, every=0.02)
        stderr.seek(0)
        lines = stderr.read().decode(errors="replace").strip().splitlines()
    if process.returncode != 0:
        raise RuntimeError(f"{label} failed: {lines[-1] if lines else process.returncode}")
    return Measure(watched.wall_seconds, watched.peak_rss_mb, out.stat().st_size / 2**20 if out.exists() else 0.0)


def measure_backend(name: str, url: str, reports: int, runs: int, work: Path) -> Backend:
    """Build the store at ``url``, then time every step ``runs`` times; outputs go to ``work/<name>``."""
    started = time.perf_counter()
    build(url, reports)
    build_seconds = time.perf_counter() - started
    out_dir = work / name
    out_dir.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ, HARVESTER_DB_URL=url)
    steps: dict[str, Measure] = {}
    for step in STEPS:
        out = out_dir / step.output
        argv = [sys.executable, "-m", "harvester.cli", *step.argv]
        if step.writes_out:
            argv += ["--out", str(out)]
        measures = [measure(f"{name}: {step.label}", argv, env, out, not step.writes_out) for _ in range(runs)]
        steps[step.label] = Measure(median(m.seconds for m in measures), max(m.peak_rss_mb for m in measures),
                                    measures[-1].output_mb)
        print(f"  {name}: {step.label}: {steps[step.label].seconds:.1f} s", file=sys.stderr, flush=True)
    return Backend(name, build_seconds, _store_size_mb(url), steps)


def _store_size_mb(url: str) -> float:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return Path(parsed.database or "").stat().st_size / 2**20
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT pg_database_size(current_database())")).scalar_one() / 2**20
    finally:
        engine.dispose()


def postgres_reachable(server_url: str) -> bool:
    engine = create_engine(_maintenance_url(server_url), connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:
        return False
    finally:
        engine.dispose()


@contextmanager
def fresh_postgres_database(server_url: str) -> Iterator[str]:
    """A new, empty database on the server of ``server_url``, dropped afterwards even on failure."""
    name = f"bench_store_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(_maintenance_url(server_url), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        try:
            yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
        finally:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    finally:
        admin.dispose()


def _maintenance_url(server_url: str) -> str:
    return make_url(server_url).set(database="postgres").render_as_string(hide_password=False)


def run(options: Options) -> Section:
    started = time.perf_counter()
    work = options.work / KEY
    work.mkdir(parents=True, exist_ok=True)
    reports = options.store_reports
    sqlite_file = work / "store.sqlite"
    sqlite_file.unlink(missing_ok=True)
    unavailable = None
    if options.postgres_url is None:
        unavailable = "PostgreSQL not configured (no `postgres_url`): SQLite figures only."
    elif not postgres_reachable(options.postgres_url):
        if os.environ.get("CI"):
            raise RuntimeError(f"PostgreSQL is required in CI but {make_url(options.postgres_url)!r} is not reachable")
        unavailable = f"PostgreSQL unavailable ({make_url(options.postgres_url)!r} not reachable): SQLite figures only."
    backends = [measure_backend("sqlite", f"sqlite:///{sqlite_file}", reports, options.runs, work)]
    if unavailable is None and options.postgres_url is not None:
        with fresh_postgres_database(options.postgres_url) as url:
            backends.append(measure_backend("postgresql", url, reports, options.runs, work))
    body = _body(backends, reports, unavailable)
    figures = {b.name: {"build_seconds": b.build_seconds, "size_mb": b.size_mb, "outputs": str(work / b.name),
                        "steps": {label: asdict(m) for label, m in b.steps.items()}} for b in backends}
    return Section(KEY, TITLE, _method(options), body, headlines=_headlines(backends, reports), figures=figures,
                   seconds=time.perf_counter() - started)


def _method(options: Options) -> str:
    return (
        f"A synthetic store of {options.store_reports:,} reports ({options.store_reports * CELLS_PER_REPORT:,} cells, "
        "a 2 kB text, tables as JSON, one sighting and one check each; real county codes, years 2019-2024) is built "
        "with bulk inserts, the same seed on a SQLite file and on a fresh PostgreSQL database (then `VACUUM ANALYZE`, "
        "the state autovacuum reaches anyway). Each step is the real `harvester` command, run as its own process with "
        f"`HARVESTER_DB_URL` set, so its time includes Python start-up; median of {options.runs} run(s). Peak RSS is "
        "that process's own maximum resident set (VmHWM, read every 20 ms while it runs); output MB is the file written "
        "(`--out`) or the standard output captured. The aggregation is\n\n"
        f"```sql\n{GROUP_BY_SQL}\n```\n\non the `report_cells` view (current versions only)."
    )


def _body(backends: list[Backend], reports: int, unavailable: str | None) -> str:
    sqlite = backends[0]
    if len(backends) == 2:
        pg = backends[1]
        headers = ["step", "SQLite s", "PostgreSQL s", "PostgreSQL vs SQLite", "SQLite peak RSS MB",
                   "PostgreSQL peak RSS MB", "output MB"]
        rows = [[s.label, sqlite.steps[s.label].seconds, pg.steps[s.label].seconds,
                 ratio(pg.steps[s.label].seconds, sqlite.steps[s.label].seconds),
                 round(sqlite.steps[s.label].peak_rss_mb), round(pg.steps[s.label].peak_rss_mb),
                 sqlite.steps[s.label].output_mb] for s in STEPS]
    else:
        headers = ["step", "SQLite s", "SQLite peak RSS MB", "output MB"]
        rows = [[s.label, sqlite.steps[s.label].seconds, round(sqlite.steps[s.label].peak_rss_mb),
                 sqlite.steps[s.label].output_mb] for s in STEPS]
    builds = "; ".join(f"{_label(b.name)} {_seconds(b.build_seconds)} ({b.size_mb:,.0f} MB on disk)" for b in backends)
    parts = [table(headers, rows),
             f"Build of {reports:,} reports ({reports * CELLS_PER_REPORT:,} cells), context only: {builds}."]
    if unavailable:
        parts.insert(0, unavailable)
    return "\n\n".join(parts)


def _headlines(backends: list[Backend], reports: int) -> list[str]:
    jsonl = [b.steps["export jsonl"].seconds for b in backends]
    group = [b.steps["sql GROUP BY province, year"].seconds for b in backends]
    rss = max(b.steps[s.label].peak_rss_mb for b in backends for s in STEPS if s.argv[0] == "export")
    if len(backends) == 2:
        return [f"Store: {reports:,} reports export to JSONL in {_seconds(jsonl[0])} on SQLite, "
                f"{_seconds(jsonl[1])} on PostgreSQL ({ratio(jsonl[1], jsonl[0])}); GROUP BY province, year "
                f"{_seconds(group[0])} vs {_seconds(group[1])}; export peak RSS {rss:.0f} MB"]
    return [f"Store: {reports:,} reports export to JSONL in {_seconds(jsonl[0])} on SQLite (PostgreSQL unavailable); "
            f"GROUP BY province, year {_seconds(group[0])}; export peak RSS {rss:.0f} MB"]


def _label(name: str) -> str:
    return {"sqlite": "SQLite", "postgresql": "PostgreSQL"}[name]


def _seconds(value: float) -> str:
    return f"{value:.0f} s" if value >= 10 else f"{value:.1f} s" if value >= 1 else f"{value:.2f} s"
