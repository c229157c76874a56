"""The ``harvester`` command line: demo, parse, export, migrate.

Exit codes: 0 success, 1 the work ran but found a problem (e.g. a failed
crawl), 2 bad input (unreadable file, bad option), 3 the store cannot be used.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harvester.cli_seeds import seeds_app
from harvester.cli_cluster import cluster_app, enqueue
from harvester import cli_portals, cli_query
from harvester.store.db import PROJECT_ROOT, StoreError

app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
app.add_typer(seeds_app, name="seeds")
app.add_typer(cluster_app, name="cluster")
app.command("enqueue")(enqueue)
app.command("portals")(cli_portals.portals)
console = Console(stderr=True)

EXIT_PROBLEM, EXIT_BAD_INPUT, EXIT_STORE = 1, 2, 3


def fail(message: str, code: int) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


@contextmanager
def store_session(db_url: str | None = None) -> Iterator:
    from harvester.store.db import open_store, session_factory

    try:
        engine = open_store(db_url)
    except StoreError as exc:
        raise fail(str(exc), EXIT_STORE) from None
    with session_factory(engine)() as session:
        yield session
    engine.dispose()


class ExportFormat(str, Enum):
    jsonl = "jsonl"
    csv = "csv"
    parquet = "parquet"
    warc = "warc"


@app.command()
def export(
    format: Annotated[ExportFormat, typer.Option("--format", "-f", help="Output format.")] = ExportFormat.jsonl,
    out: Annotated[str, typer.Option("--out", "-o", help="Output file; '-' for standard output.")] = "-",
    db: Annotated[str | None, typer.Option(help="Store URL (default: HARVESTER_DB_URL or the project's SQLite file).")] = None,
    year: cli_query.Year = None,
    agency: cli_query.Agency = None,
    region: cli_query.Region = None,
    province: cli_query.Province = None,
    format_version: cli_query.FormatVersion = None,
    source_type: cli_query.SourceType = None,
    failing: cli_query.Failing = False,
    cells: Annotated[bool, typer.Option("--cells", help="csv/parquet: the long table report × table × row × column × value.")] = False,
) -> None:
    """Write the distinct reports in the store, newest version: JSON lines (default), CSV, Parquet or WARC.

    Without filters, jsonl is every report, one JSON object per line. csv and parquet
    give one row per report with its metadata and headline figures (--cells: one row
    per cell); warc gives the raw captured responses with their requests.
    """
    from harvester.export.records import iter_records

    filters = cli_query.query.Filters(year, agency, region, province, format_version, source_type, failing)
    if format is not ExportFormat.jsonl or filters.active or cells:
        cli_query.export_selection(format.value, out, db, filters, cells)
        return
    with store_session(db) as session, _output(out) as stream:
        count = 0
        for record in iter_records(session):
            stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    console.print(f"exported {count} reports" + ("" if out == "-" else f" to {out}"))


@contextmanager
def _output(out: str) -> Iterator[TextIO]:
    if out == "-":
        yield sys.stdout
        sys.stdout.flush()
        return
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    with temporary.open("w", encoding="utf-8") as stream:
        yield stream
    temporary.replace(path)


@app.command()
def parse(
    path: Annotated[Path, typer.Argument(help="A saved report: HTML page or plain text.")],
    url: Annotated[str | None, typer.Option(help="The address the file came from.")] = None,
) -> None:
    """Parse one saved report and print its record as JSON (no network, no store)."""
    from harvester.document import UnreadableDocument, read_document

    try:
        body = path.read_bytes()
    except OSError as exc:
        raise fail(f"cannot read {path}: {exc.strerror or exc}", EXIT_BAD_INPUT) from None
    if not body.strip():
        raise fail(f"{path} is empty", EXIT_BAD_INPUT)
    try:
        document = read_document(body, url or path.name)
    except UnreadableDocument as exc:
        raise fail(f"{path}: {exc}", EXIT_BAD_INPUT) from None
    record = document.record()
    if url:
        record["url"] = url
    sys.stdout.write(json.dumps(record, ensure_ascii=False, indent=2) + "\n")


@app.command()
def reparse(
    db: Annotated[str | None, typer.Option(help="Store URL.")] = None,
    stale_only: Annotated[bool, typer.Option("--stale-only", help="Only versions read by an older parser.")] = False,
) -> None:
    """Re-read every stored raw page with the current extractor and parser; update what changed."""
    from rich.progress import Progress

    from harvester.store.db import open_store
    from harvester.store.reparse import reparse as run_reparse

    try:
        engine = open_store(db)
    except StoreError as exc:
        raise fail(str(exc), EXIT_STORE) from None
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("re-parsing", total=None)
        summary = run_reparse(engine, only_stale=stale_only, progress=lambda n: progress.advance(task, n))
    engine.dispose()
    console.print(f"examined {summary.examined} versions: {summary.updated} updated, "
                  f"{summary.unreadable} unreadable, {summary.skipped_no_raw} without raw bytes")


@app.command()
def migrate(db: Annotated[str | None, typer.Option(help="Store URL.")] = None) -> None:
    """Create the store or upgrade it to the current schema (also done on first use)."""
    from harvester.store.db import database_url, open_store, safe_url

    try:
        open_store(db).dispose()
    except StoreError as exc:
        raise fail(str(exc), EXIT_STORE) from None
    console.print(f"store {safe_url(database_url(db))} is at the current schema")


def crawl_environment(db_url: str, proxy_url: str | None) -> dict[str, str]:
    env = dict(os.environ, HARVESTER_DB_URL=db_url, SCRAPY_SETTINGS_MODULE="harvester.settings")
    if proxy_url:
        for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
            env[name] = proxy_url
        for name in ("no_proxy", "NO_PROXY"):
            env.pop(name, None)
    return env


#: Settings for a crawl of the loopback farm: the same spider, no waiting between requests.
FARM_CRAWL_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_START_DELAY=0", "AUTOTHROTTLE_ENABLED=False")


def farm_crawl_command(seeds: Path, log_file: Path, settings: tuple[str, ...] = ()) -> list[str]:
    """``scrapy crawl portals`` for the farm, exactly as a user would type it."""
    command = [sys.executable, "-m", "scrapy", "crawl", "portals", "-a", f"seeds={seeds}", "--logfile", str(log_file)]
    for setting in FARM_CRAWL_SETTINGS + tuple(settings):
        command += ["-s", setting]
    return command


def crawl_farm(seeds: Path, db_url: str, proxy_url: str, log_file: Path, settings: tuple[str, ...] = ()) -> int:
    """Crawl the farm in a subprocess and return the crawl's exit code."""
    return subprocess.run(farm_crawl_command(seeds, log_file, settings), cwd=PROJECT_ROOT,
                          env=crawl_environment(db_url, proxy_url), check=False).returncode


@app.command()
def demo(
    store: Annotated[Path, typer.Option(help="SQLite file for the demo store (recreated).")] = PROJECT_ROOT / "data" / "demo.sqlite",
) -> None:
    """Crawl the bundled offline portal farm with the real spider into a fresh store and show the harvest."""
    from harvester.export.records import iter_records
    from harvester.farm.seeds import write_seeds
    from harvester.farm.server import FarmServer

    store.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{store}{suffix}").unlink(missing_ok=True)
    db_url = f"sqlite:///{store}"
    with FarmServer() as farm, tempfile.TemporaryDirectory() as tmp:
        seeds = write_seeds(Path(tmp) / "seeds.csv")
        log_file = store.with_suffix(".log")
        console.print(f"portal farm on {farm.proxy_url}; crawling {seeds.name} into {store}")
        with console.status("scrapy crawl portals …"):
            code = crawl_farm(seeds, db_url, farm.proxy_url, log_file)
        requests = len(farm.request_log)
    if code != 0:
        raise fail(f"crawl exited with {code}; see {log_file}", EXIT_PROBLEM)
    with store_session(db_url) as session:
        records = list(iter_records(session))
    Console(width=None if sys.stdout.isatty() else 140).print(harvest_table(records))
    console.print(
        f"{len(records)} reports, {sum(len(r['sightings']) for r in records)} sightings, {requests} requests. "
        f"Export: HARVESTER_DB_URL={db_url} harvester export --format jsonl --out reports.jsonl"
    )


def harvest_table(records: list[dict]) -> Table:
    table = Table(title="Harvested annual reports", show_lines=False)
    for column in ("year", "agency", "published", "format", "cells", "checks pass/fail", "sightings"):
        table.add_column(column, overflow="fold")
    for record in sorted(records, key=lambda r: (r["agency"] or "", r["year"] or 0)):
        cells = sum(1 for rows in record["tables"].values() for cols in rows.values() for v in cols.values() if v is not None)
        statuses = [check["status"] for check in record["checks"]]
        checks = f"{statuses.count('pass')}/{statuses.count('fail')}" if statuses else "-"
        table.add_row(
            str(record["year"] or "?"), record["agency"] or "?", (record["published_at"] or "?")[:10],
            record["format_version"], str(cells), checks, str(len(record["sightings"])),
        )
    return table


app.command("reports")(cli_query.reports)
app.command("show")(cli_query.show)
app.command("stats")(cli_query.stats)
app.command("coverage")(cli_query.coverage)
app.command("sql")(cli_query.sql)
app.command("serve")(cli_query.serve)


if __name__ == "__main__":
    app()
