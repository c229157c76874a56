"""Commands for analysts: reports, show, stats, coverage, sql, serve, and the filtered exports.

Registered on the ``harvester`` app by harvester.cli. Every command reads the
store only (``serve`` and ``sql`` through read-only connections), refuses a store
that does not exist instead of creating an empty one, and exits 2 with one line
on a filter value that cannot match anything.
"""

from __future__ import annotations

import json
import signal
import sys
import tempfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated, BinaryIO, TextIO

import typer
from rich.console import Console, Group
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from harvester import query
from harvester.parse import schema
from harvester.store.db import PROJECT_ROOT

DEFAULT_SEEDS = PROJECT_ROOT / "seeds" / "portals.csv"

Year = Annotated[int | None, typer.Option("--year", help="Reporting year, e.g. 2024.")]
Agency = Annotated[str | None, typer.Option("--agency", help="Publishing agency contains this text.")]
Region = Annotated[str | None, typer.Option(
    "--region", help="A division's name (its reports and any agency naming it) or a region-code prefix: 62, 6211, 621102.")]
Province = Annotated[str | None, typer.Option("--province", help="Province name (甘肃, 甘肃省) or code (62, 620000).")]
FormatVersion = Annotated[str | None, typer.Option("--format-version", help="2021, 2019, pre2019 or unknown.")]
SourceType = Annotated[str | None, typer.Option("--source-type", help="html, pdf, docx, doc, wps, image, text …")]
Failing = Annotated[bool, typer.Option("--failing", help="Only reports with a failed consistency check.")]
Db = Annotated[str | None, typer.Option("--db", help="Store URL (default: HARVESTER_DB_URL or the project's SQLite file).")]
AsJson = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


class Grouping(str, Enum):
    province = "province"
    year = "year"
    region = "region"
    agency = "agency"


class SqlFormat(str, Enum):
    table = "table"
    csv = "csv"
    json = "json"


class Verdict(str, Enum):
    covered = "covered"
    missing = "missing"
    blocked = "blocked"
    not_crawled = "not crawled"
    no_portal = "no portal"


def _cli():
    """The shared helpers of harvester.cli, imported late because harvester.cli imports this module."""
    from harvester import cli

    return cli


def _fail(message: str, code: int | None = None) -> typer.Exit:
    cli = _cli()
    return cli.fail(message, cli.EXIT_BAD_INPUT if code is None else code)


def _out() -> Console:
    """Tables go to standard output, wide enough for Chinese names when it is not a terminal."""
    return Console(width=None if sys.stdout.isatty() else 160, highlight=False, soft_wrap=False)


@contextmanager
def open_store(db: str | None) -> Iterator:
    """(engine, session) on an existing store; a missing SQLite file is an error, not a new empty store."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from harvester.store.db import StoreError, database_url, safe_url, session_factory
    from harvester.store.db import open_store as open_engine

    cli = _cli()
    url = database_url(db)
    try:
        parsed = make_url(url)
    except ArgumentError:
        raise _fail(f"not a database URL: {safe_url(url)}", cli.EXIT_STORE) from None
    if parsed.get_backend_name() == "sqlite" and not Path(parsed.database or "").is_file():
        raise _fail(f"no store at {parsed.database}; crawl first or set HARVESTER_DB_URL", cli.EXIT_STORE)
    try:
        engine = open_engine(url)
    except StoreError as exc:
        raise _fail(str(exc), cli.EXIT_STORE) from None
    try:
        with session_factory(engine)() as session:
            yield engine, session
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise _fail(f"store query failed: {reason}", cli.EXIT_STORE) from None
    finally:
        engine.dispose()


def _selection(session, filters: query.Filters) -> query.Selection:
    from harvester.discover.regions import load_divisions

    try:
        return query.resolve(session, filters, load_divisions())
    except query.BadFilter as exc:
        raise _fail(str(exc)) from None


def _number(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _json_value(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _print_json(data) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def _progress() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=_cli().console, transient=True, disable=not _cli().console.is_terminal)


# --- reports and show ----------------------------------------------------------------------------------------------


def reports(
    year: Year = None, agency: Agency = None, region: Region = None, province: Province = None,
    format_version: FormatVersion = None, source_type: SourceType = None, failing: Failing = False,
    limit: Annotated[int, typer.Option(help="Rows to show; 0 for all.")] = 100,
    as_json: AsJson = False, db: Db = None,
) -> None:
    """List the reports in the store, newest year first, with their headline figures."""
    from harvester.discover.regions import load_divisions

    filters = query.Filters(year, agency, region, province, format_version, source_type, failing)
    with open_store(db) as (_engine, session):
        selection = _selection(session, filters)
        total = query.count(session, selection)
        rows = query.summary_rows(session, selection, limit or None)
    divisions = load_divisions()
    if as_json:
        from harvester.export.records import iso

        _print_json([{**{k: _json_value(v) for k, v in row.items() if k not in ("id", "version_id")},
                      "region": divisions.path(row["region_code"]) if row["region_code"] else None,
                      "first_seen_at": iso(row["first_seen_at"]), "gone_at": iso(row["gone_at"])} for row in rows])
        return
    table = Table(title=f"{total} reports" + (f" (first {len(rows)})" if len(rows) < total else ""))
    for name in ("report_id", "year", "agency", "region", "published", "format", "new", "total", "failed"):
        table.add_column(name, justify="right" if name in ("new", "total", "failed") else "left", overflow="fold")
    for row in rows:
        table.add_row(
            row["report_key"], str(row["year"] or "?"), row["agency"] or "?",
            divisions.path(row["region_code"]) if row["region_code"] else "", (row["published_at"] or "")[:10],
            row["format_version"], _number(row["new_applications"]), _number(row["total"]),
            str(row["failed_checks"] or ""),
        )
    _out().print(table)


def show(
    report_id: Annotated[str, typer.Argument(help="A report_id (or a prefix of one) from 'harvester reports'.")],
    as_json: AsJson = False, db: Db = None,
) -> None:
    """Print one report: metadata, sightings, the three tables as in the official layout, checks, versions."""
    from harvester.discover.regions import load_divisions
    from harvester.export.records import report_record

    with open_store(db) as (_engine, session):
        report = query.find_report(session, report_id)
        if report is None or report.current_version is None:
            raise _fail(f"no report {report_id!r} in the store")
        version = report.current_version
        record = report_record(report, version)
        versions = [(v.id, v.content_hash, v.seen_at, v.parser_version, v.year, v.title) for v in report.versions]
    if as_json:
        _print_json(record)
        return
    divisions = load_divisions()
    meta = Table.grid(padding=(0, 2))
    meta.add_column(style="bold")
    meta.add_column(overflow="fold")
    for label, value in (
        ("report_id", record["report_id"]), ("title", record["title"]), ("agency", record["agency"]),
        ("year", record["year"]), ("published", record["published_at"]),
        ("region", f"{record['region_code']} {divisions.path(record['region_code'])}" if record["region_code"] else None),
        ("format", record["format_version"]), ("source", f"{record['source_type']} (tables from {record['table_source']})"),
        ("url", record["url"]), ("content_hash", record["content_hash"]), ("first seen", record["first_seen_at"]),
        ("gone", record["gone_at"]),
    ):
        meta.add_row(label, "" if value is None else str(value))
    parts: list = [meta]
    sightings = Table(title="sightings", title_justify="left")
    for name in ("url", "portal", "first seen", "last seen", "status"):
        sightings.add_column(name, overflow="fold")
    for s in record["sightings"]:
        sightings.add_row(s["url"], s["portal"] or "", (s["fetched_at"] or "")[:19], (s["last_seen_at"] or "")[:19],
                          str(s["http_status"] or ""))
    parts.append(sightings)
    parts += official_tables(record["tables"], record["format_version"])
    parts.append(checks_table(record["checks"]))
    history = Table(title="versions", title_justify="left")
    for name in ("id", "content_hash", "seen", "parser", "year", "title"):
        history.add_column(name, overflow="fold")
    for vid, content_hash, seen, parser, vyear, title in versions:
        current = " (current)" if vid == version.id else ""
        history.add_row(f"{vid}{current}", content_hash[:16], str(seen)[:19], parser, str(vyear or ""), title)
    parts.append(history)
    _out().print(Group(*parts))


#: Section headings of the applications table, printed above their first row as in the official form.
APPLICATION_HEADINGS = {
    "granted": "三、本年度办理结果",
    "denied_state_secret": "（三）不予公开",
    "unable_not_held": "（四）无法提供",
    "unprocessed_petition": "（五）不予处理",
    "other_no_correction": "（六）其他处理",
}
ACTIVE_GROUPS = {
    "2021": (("第（一）项", ("regulations", "normative_documents")), ("第（五）项", ("licensing",)),
             ("第（六）项", ("penalty", "coercion")), ("第（八）项", ("fees",))),
    "2019": (("第（一）项", ("regulations", "normative_documents")), ("第（五）项", ("licensing", "other_services")),
             ("第（六）项", ("penalty", "coercion")), ("第（八）项", ("fees",)), ("第（九）项", ("procurement",))),
}


def official_tables(tables: dict, format_version: str) -> list[Table]:
    """The three statistics tables with the official row and column labels; rows not in the form come last."""
    out: list[Table] = []
    active = tables.get("active") or {}
    if active:
        spec = schema.ACTIVE_2019 if format_version == "2019" else schema.ACTIVE_2021
        groups = list(ACTIVE_GROUPS["2019" if format_version == "2019" else "2021"])
        extra = tuple(row for row in active if not any(row in rows for _, rows in groups))
        if extra:
            groups.append(("其他", extra))
        for item, rows in groups:
            present = [row for row in rows if row in active]
            if not present:
                continue
            columns = list(dict.fromkeys(c for row in present for c in (spec.get(row) or active[row])))
            table = Table(title=f"二、主动公开政府信息情况 {item}", title_justify="left", min_width=60)
            table.add_column("信息内容", min_width=16)
            for col in columns:
                table.add_column(schema.ACTIVE_COLUMN_LABELS.get(col, col), justify="right")
            for row in present:
                table.add_row(schema.ACTIVE_ROW_LABELS.get(row, row), *(_number(active[row].get(c)) for c in columns))
            out.append(table)
    applications = tables.get("applications") or {}
    if applications:
        table = Table(title="三、收到和处理政府信息公开申请情况", title_justify="left",
                      caption="申请人情况：商业企业 … 其他 are 法人或其他组织", caption_justify="left")
        table.add_column("申请人情况", overflow="fold", min_width=30)
        for col in schema.APPLICATION_COLUMNS:
            table.add_column(schema.APPLICATION_COLUMN_LABELS[col], justify="right")
        order = schema.APPLICATION_ROWS_2019 if format_version == "2019" else schema.APPLICATION_ROWS_2021
        rows = [row for row in order if row in applications] + [row for row in applications if row not in order]
        for row in rows:
            if row in APPLICATION_HEADINGS:
                table.add_row(f"[bold]{APPLICATION_HEADINGS[row]}[/bold]")
            values = applications[row]
            table.add_row(schema.APPLICATION_ROW_LABELS.get(row, row),
                          *(_number(values.get(col)) for col in schema.APPLICATION_COLUMNS))
        out.append(table)
    reviews = tables.get("reviews") or {}
    if reviews:
        table = Table(title="四、政府信息公开行政复议、行政诉讼情况", title_justify="left")
        table.add_column("", min_width=28)
        for col in schema.REVIEW_COLUMNS:
            table.add_column(schema.REVIEW_COLUMN_LABELS[col], justify="right")
        for row in [r for r in schema.REVIEW_ROWS if r in reviews] + [r for r in reviews if r not in schema.REVIEW_ROWS]:
            values = (_number(reviews[row].get(c)) for c in schema.REVIEW_COLUMNS)
            table.add_row(schema.REVIEW_ROW_LABELS.get(row, row), *values)
        out.append(table)
    return out


def checks_table(checks: list[dict]) -> Table:
    """Failed and skipped checks in full; passed ones counted per rule."""
    table = Table(title="checks", title_justify="left")
    for name in ("rule", "status", "scope", "expected", "found"):
        table.add_column(name, overflow="fold")
    passed: dict[str, int] = defaultdict(int)
    for check in checks:
        if check["status"] == "pass":
            passed[check["rule"]] += 1
            continue
        style = "red" if check["status"] == "fail" else "yellow"
        table.add_row(check["rule"], f"[{style}]{check['status']}[/{style}]", check["scope"],
                      _number(check.get("expected")), _number(check.get("found")))
    for rule, n in passed.items():
        table.add_row(rule, "[green]pass[/green]", f"{n} scopes", "", "")
    return table


# --- stats ---------------------------------------------------------------------------------------------------------


def stats(
    year: Year = None, agency: Agency = None, region: Region = None, province: Province = None,
    format_version: FormatVersion = None, source_type: SourceType = None, failing: Failing = False,
    cell: Annotated[str | None, typer.Option(
        help="Sum this figure: table.row.column (applications.new.total) or a headline "
             "(new_applications, granted, denied, total, reviews, lawsuits).")] = None,
    by: Annotated[Grouping, typer.Option(help="Group the --cell sum by this.")] = Grouping.province,
    plot: Annotated[Path | None, typer.Option(
        help="Also draw reports per province and year and the figure's trend (.png or .svg).")] = None,
    as_json: AsJson = False, db: Db = None,
) -> None:
    """Count reports by year and by province and level, or sum one figure across the selection."""
    from harvester.discover.regions import load_divisions

    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise _fail(f"--plot {plot}: give a .png or .svg file")
    divisions = load_divisions()
    filters = query.Filters(year, agency, region, province, format_version, source_type, failing)
    try:
        key = query.parse_cell_key(cell) if cell else None
    except query.BadFilter as exc:
        raise _fail(str(exc)) from None
    with open_store(db) as (_engine, session):
        selection = _selection(session, filters)
        counts = query.counts_by_region_year(session, selection)
        sums = query.cell_sums(session, selection, key, by.value) if key else None
        trend = query.figure_by_region_year(session, selection, key or query.parse_cell_key("new_applications")) \
            if plot else None
    if plot is not None:
        from harvester import plots

        try:
            plots.stats_figure(plot, counts, trend, (key or query.parse_cell_key("new_applications")).label, divisions)
        except ImportError:
            raise _fail("plots need matplotlib: pip install 'harvester[plot]'") from None
        _cli().console.print(f"plot written to {plot}")
    if sums is not None:
        _show_sums(sums, key, by.value, divisions, as_json)
    else:
        _show_counts(counts, divisions, as_json)


def _group_label(value, by: str, divisions) -> str:
    if value is None:
        return "(unknown)"
    if by == "province":
        division = divisions.get(value)
        return division.name if division else str(value)
    if by == "region":
        return divisions.path(value) or "(not in divisions.csv)"
    return str(value)


def _show_sums(sums: list[tuple], key: query.CellKey, by: str, divisions, as_json: bool) -> None:
    if as_json:
        _print_json([{by: value, "name": _group_label(value, by, divisions) if by in ("province", "region") else None,
                      "reports": n, "reports_with_value": given, "sum": _json_value(total)}
                     for value, n, given, total in sums])
        return
    table = Table(title=f"{key.label} by {by}")
    table.add_column(by)
    if by in ("province", "region"):
        table.add_column("name", overflow="fold")
    for name in ("reports", "giving it", "sum"):
        table.add_column(name, justify="right")
    grand = 0.0
    for value, n, given, total in sums:
        names = [_group_label(value, by, divisions)] if by in ("province", "region") else []
        table.add_row("" if value is None else str(value), *names, str(n), str(given), _number(total))
        grand += total or 0
    table.add_section()
    table.add_row("all", *([""] if by in ("province", "region") else []), str(sum(r[1] for r in sums)),
                  str(sum(r[2] for r in sums)), _number(grand))
    _out().print(table)


def _show_counts(counts: list[tuple], divisions, as_json: bool) -> None:
    levels = ("province", "prefecture", "county", "unknown")
    by_year: dict = defaultdict(int)
    by_province: dict = defaultdict(lambda: dict.fromkeys(levels, 0))
    for code, year, n in counts:
        by_year[year] += n
        province = query.province_of(code, divisions)
        level = query.level_of(code, divisions)
        by_province[province.code if province else None][level if level in levels else "unknown"] += n
    if as_json:
        _print_json({
            "by_year": [{"year": y, "reports": n} for y, n in sorted(by_year.items(), key=lambda kv: kv[0] or 0)],
            "by_province": [{"province_code": p, "name": _group_label(p, "province", divisions), **c,
                             "total": sum(c.values())} for p, c in sorted(by_province.items(), key=lambda kv: kv[0] or "")],
        })
        return
    years = Table(title="reports by year")
    years.add_column("year")
    years.add_column("reports", justify="right")
    for y, n in sorted(by_year.items(), key=lambda kv: kv[0] or 0):
        years.add_row(str(y) if y is not None else "(unknown)", str(n))
    provinces = Table(title="reports by province and level of the region")
    provinces.add_column("province")
    provinces.add_column("code")
    for level in (*levels, "total"):
        provinces.add_column(level, justify="right")
    for p, c in sorted(by_province.items(), key=lambda kv: kv[0] or ""):
        provinces.add_row(_group_label(p, "province", divisions), p or "", *(str(c[lv]) for lv in levels),
                          str(sum(c.values())))
    _out().print(Group(years, provinces))


# --- coverage ------------------------------------------------------------------------------------------------------


def coverage(
    year: Annotated[int | None, typer.Option(help="Reporting year to check.")] = None,
    seeds: Annotated[Path, typer.Option(help="Seeds CSV of the portals that should have reports.")] = DEFAULT_SEEDS,
    province: Province = None,
    only: Annotated[Verdict | None, typer.Option(help="List only the portals (and divisions) with this verdict.")] = None,
    plot: Annotated[Path | None, typer.Option(help="Draw a province × year coverage grid (.png or .svg).")] = None,
    as_json: AsJson = False, db: Db = None,
) -> None:
    """Which portals and regions of the seeds have a report for a year, which have none, which were blocked.

    A portal is covered when a report of the year was seen on it or is filed under
    its region code; blocked when every fetch of its latest crawl failed. With
    --province, also every county-level division of that province, including
    those no seed points at.
    """
    from harvester.discover.regions import load_divisions
    from harvester.discover.seeds import SeedsFileError, read_seeds

    if year is None and plot is None:
        raise _fail("give --year N (and/or --plot FILE)")
    if year is not None and not 1990 <= year <= 2100:
        raise _fail(f"--year {year}: not a reporting year")
    if plot is not None and plot.suffix.lower() not in (".png", ".svg"):
        raise _fail(f"--plot {plot}: give a .png or .svg file")
    try:
        portals, _problems = read_seeds(seeds)
    except (OSError, SeedsFileError) as exc:
        raise _fail(f"cannot read seeds {seeds}: {getattr(exc, 'strerror', None) or exc}") from None
    divisions = load_divisions()
    try:
        chosen = query.resolve_province(province, divisions) if province else None
    except query.BadFilter as exc:
        raise _fail(str(exc)) from None
    with open_store(db) as (_engine, session):
        result = query.coverage(session, year, portals, divisions, chosen) if year is not None else None
        grid = query.coverage_grid(session, portals, divisions) if plot is not None else None
    if grid is not None:
        from harvester import plots

        try:
            plots.coverage_figure(plot, *grid, divisions)
        except ImportError:
            raise _fail("plots need matplotlib: pip install 'harvester[plot]'") from None
        _cli().console.print(f"plot written to {plot}")
    if result is None:
        return
    listed = [p for p in result.portals if only is None or p.verdict == only.value]
    if as_json:
        _print_json({
            "year": result.year,
            "portals": [{"name": p.name, "url": p.url, "region_code": p.region_code, "level": p.level,
                         "reports": p.reports, "region_reports": p.region_reports, "state": p.state,
                         "detail": p.detail, "verdict": p.verdict} for p in listed],
            "regions_with_report": sorted(code for code, n in result.regions.items() if n),
            "regions_without_report": sorted(code for code, n in result.regions.items() if not n),
            "divisions": None if result.divisions is None else [
                {"region_code": d.code, "name": d.name, "path": d.path, "reports": d.reports,
                 "portals": [p.url for p in d.portals], "verdict": d.verdict} for d in result.divisions],
        })
        return
    verdicts = defaultdict(int)
    for p in result.portals:
        verdicts[p.verdict] += 1
    table = Table(title=f"portals and their reports for {result.year}")
    for name in ("portal", "region", "level", "on portal", "in region", "latest crawl", "verdict"):
        table.add_column(name, justify="right" if name in ("on portal", "in region") else "left", overflow="fold")
    style = {"covered": "green", "missing": "red", "blocked": "magenta", "not crawled": "yellow"}
    for p in sorted(listed, key=lambda p: (p.verdict != "missing", p.region_code or "", p.name)):
        state = p.state + (f" ({p.detail})" if p.detail else "")
        table.add_row(p.name, p.region_code or "", p.level or "", str(p.reports), str(p.region_reports), state,
                      f"[{style[p.verdict]}]{p.verdict}[/]")
    parts: list = [table]
    if result.divisions is not None:
        county = Table(title=f"county-level divisions of {chosen.name} and their reports for {result.year}")
        for name in ("code", "division", "reports", "portal", "verdict"):
            county.add_column(name, justify="right" if name == "reports" else "left", overflow="fold")
        dstyle = {**style, "no portal": "yellow"}
        for d in sorted(result.divisions, key=lambda d: (d.verdict == "covered", d.code)):
            if only is not None and d.verdict != only.value:
                continue
            county.add_row(d.code, d.path, str(d.reports), ", ".join(p.name for p in d.portals),
                           f"[{dstyle[d.verdict]}]{d.verdict}[/]")
        parts.append(county)
    _out().print(Group(*parts))
    with_report = sum(1 for n in result.regions.values() if n)
    summary = ", ".join(f"{n} {v}" for v, n in sorted(verdicts.items()))
    line = f"{len(result.portals)} portals: {summary}; {with_report} of {len(result.regions)} seed regions have a report"
    if result.divisions is not None:
        covered = sum(1 for d in result.divisions if d.verdict == "covered")
        line += (f"; {covered} of {len(result.divisions)} county-level divisions of {chosen.name} have one,"
                 f" {len(result.divisions) - covered} have none (listed first)")
    _cli().console.print(line, soft_wrap=True, highlight=False)


# --- sql -----------------------------------------------------------------------------------------------------------


def sql(
    statement: Annotated[str, typer.Argument(help="One query: SELECT, WITH, VALUES, TABLE or EXPLAIN.")],
    format: Annotated[SqlFormat, typer.Option("--format", "-f", help="Output format.")] = SqlFormat.table,
    db: Db = None,
) -> None:
    """Run one read-only SQL query against the store (views: report_summary, report_cells)."""
    with open_store(db) as (engine, _session):
        try:
            names, rows = query.run_read_only(engine, statement)
        except (query.ReadOnlyViolation, query.BadSQL) as exc:
            raise _fail(str(exc)) from None
        if format is SqlFormat.csv:
            from harvester.export.csv import write_rows

            write_rows(sys.stdout, names, rows)
        elif format is SqlFormat.json:
            _write_json_array(sys.stdout, ({name: _json_value(v) for name, v in zip(names, row)} for row in rows))
        else:
            table = Table()
            for name in names:
                table.add_column(name, overflow="fold")
            for row in rows:
                table.add_row(*("" if v is None else str(_json_value(v)) for v in row))
            _out().print(table)


def _write_json_array(stream: TextIO, items: Iterable) -> None:
    stream.write("[")
    for i, item in enumerate(items):
        stream.write(("," if i else "") + "\n" + json.dumps(item, ensure_ascii=False, default=str))
    stream.write("\n]\n")


# --- serve ---------------------------------------------------------------------------------------------------------

#: Facets that answer the usual first questions about a harvest.
DATASETTE_TABLES = {
    "report_summary": {
        "description": "One row per report, current version, with headline figures (README: Querying the harvest).",
        "facets": ["year", "province_code", "format_version", "source_type", "failed_checks"],
        "sort_desc": "year",
    },
    "report_cells": {
        "description": "Every statistics cell of every current version, with its report's metadata.",
        "facets": ["table_name", "year", "province_code"],
    },
    "blobs": {"hidden": True},
    "alembic_version": {"hidden": True},
}


def datasette_metadata(database: str) -> dict:
    return {
        "title": "harvester: 政府信息公开工作年度报告",
        "databases": {database: {"tables": DATASETTE_TABLES}},
    }


def serve(
    db: Db = None,
    host: Annotated[str, typer.Option(help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8001,
) -> None:
    """Browse the SQLite store in Datasette (read-only), with facets on the report views."""
    import importlib.util

    from sqlalchemy.engine import make_url

    from harvester.store.db import database_url

    if importlib.util.find_spec("datasette") is None:
        raise _fail("Datasette is not installed: pip install 'harvester[serve]'")
    url = make_url(database_url(db))
    if url.get_backend_name() != "sqlite":
        raise _fail("serve needs an SQLite store; for PostgreSQL, point Datasette-like tools at the views directly")
    with open_store(db):
        pass
    path = Path(url.database).resolve()
    from datasette.cli import cli as datasette_cli

    # uvicorn re-raises SIGTERM after its shutdown; exiting through Python lets the temporary file go.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    with tempfile.TemporaryDirectory() as tmp:
        metadata = Path(tmp) / "metadata.json"
        metadata.write_text(json.dumps(datasette_metadata(path.stem), ensure_ascii=False), encoding="utf-8")
        _cli().console.print(f"serving {path} on http://{host}:{port}/ (Ctrl-C stops)")
        datasette_cli.main(
            ["serve", str(path), "--metadata", str(metadata), "--host", host, "--port", str(port),
             "--setting", "sql_time_limit_ms", "5000"],
            prog_name="datasette", standalone_mode=False,
        )


# --- filtered exports ----------------------------------------------------------------------------------------------


@contextmanager
def _binary_output(out: str) -> Iterator[BinaryIO]:
    if out == "-":
        yield sys.stdout.buffer
        sys.stdout.buffer.flush()
        return
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    with temporary.open("wb") as stream:
        yield stream
    temporary.replace(path)


def _tracked(iterable: Iterable, progress: Progress, task, step: int = 1000) -> Iterator:
    """Pass items through, advancing the bar every ``step`` items (per item would cost more than the export)."""
    pending = 0
    for item in iterable:
        yield item
        pending += 1
        if pending == step:
            progress.advance(task, pending)
            pending = 0
    progress.advance(task, pending)


def export_selection(format: str, out: str, db: str | None, filters: query.Filters, cells: bool) -> None:
    """The export command beyond the plain JSONL of every report: filters, CSV, Parquet, WARC."""
    from harvester.discover.regions import load_divisions
    from harvester.export import csv as csv_export
    from harvester.export.records import report_record

    cli = _cli()
    if cells and format not in ("csv", "parquet"):
        raise _fail("--cells goes with --format csv or parquet")
    if format == "parquet" and out == "-":
        raise _fail("parquet needs a file: --out PATH")
    with open_store(db) as (_engine, session):
        selection = _selection(session, filters)
        total = query.count(session, selection)
        with _progress() as progress:
            task = progress.add_task(f"export {format}{' cells' if cells else ''}", total=total)
            if format == "jsonl":
                with cli._output(out) as stream:
                    for report in _tracked(query.iter_reports(session, selection), progress, task):
                        stream.write(json.dumps(report_record(report, report.current_version), ensure_ascii=False) + "\n")
                done = f"{total} reports"
            elif format == "warc":
                with _binary_output(out) as stream:
                    from harvester.export.warc import write_captures

                    written = write_captures(session, query.iter_reports(session, selection), stream,
                                             on_report=lambda _r: progress.advance(task))
                done = f"{written} captures of {total} reports"
            elif cells:
                rows = query.iter_cells(session, selection)
                progress.update(task, total=None)
                if format == "csv":
                    with cli._output(out) as stream:
                        n = csv_export.write_rows(stream, query.CELL_COLUMNS, _tracked(rows, progress, task))
                else:
                    from harvester.export import parquet

                    n = _write_file(out, lambda path: parquet.write_cells(path, _tracked(rows, progress, task)))
                done = f"{n} cells of {total} reports"
            else:
                records = _tracked(query.iter_summary(session, selection, load_divisions()), progress, task)
                if format == "csv":
                    with cli._output(out) as stream:
                        csv_export.write_records(stream, query.SUMMARY_COLUMNS, records)
                else:
                    from harvester.export import parquet

                    _write_file(out, lambda path: parquet.write_reports(path, records))
                done = f"{total} reports"
    cli.console.print(f"exported {done}" + ("" if out == "-" else f" to {out}"))


def _write_file(out: str, write) -> int:
    path = Path(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".part")
    count = write(temporary)
    temporary.replace(path)
    return count
