"""Selections and questions over the store, shared by ``reports``, ``stats``, ``coverage`` and ``export``.

Pure SQLAlchemy over the views of migration 0002 (``report_summary``,
``report_cells``) and the models; no command-line code. Filter values are
checked against the divisions list and the store before any query runs, so a
typo is a :class:`BadFilter` with a one-line reason instead of an empty answer.
"""

from __future__ import annotations

import re
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from sqlalchemy import (
    DateTime,
    Engine,
    Float,
    Integer,
    String,
    and_,
    case,
    column,
    distinct,
    false,
    func,
    literal_column,
    or_,
    select,
    table,
)
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import ColumnElement, Select

from harvester.discover.regions import Division, Divisions, level_of_code
from harvester.export.records import iso
from harvester.parse import schema
from harvester.store.models import Fetch, Portal, Report, ReportVersion, Sighting, TableCell

#: The ``report_summary`` view: one row per report in its current version, with headline figures.
report_summary = table(
    "report_summary",
    column("id", Integer), column("report_key", String), column("version_id", Integer),
    column("title", String), column("agency", String), column("year", Integer),
    column("published_at", String), column("format_version", String), column("source_type", String),
    column("region_code", String), column("province_code", String),
    column("new_applications", Float), column("granted", Float), column("partly_granted", Float),
    column("denied", Float), column("total", Float), column("reviews", Float), column("lawsuits", Float),
    column("failed_checks", Integer), column("url", String), column("content_hash", String),
    column("first_seen_at", DateTime(timezone=True)), column("gone_at", DateTime(timezone=True)),
)
#: The ``report_cells`` view: every cell of every current version, with the report's metadata.
report_cells = table(
    "report_cells",
    column("id", Integer), column("report_key", String), column("agency", String), column("year", Integer),
    column("format_version", String), column("region_code", String), column("province_code", String),
    column("table_name", String), column("row_key", String), column("column_key", String),
    column("value", Float),
)

#: Headline figures of ``report_summary``, usable wherever a cell key is asked for.
HEADLINES = ("new_applications", "granted", "partly_granted", "denied", "total", "reviews", "lawsuits")
SUMMARY_COLUMNS = (
    "report_id", "title", "agency", "year", "published_at", "format_version", "source_type", "region_code",
    "province_code", "region", "url", "content_hash", *HEADLINES, "failed_checks", "first_seen_at",
)
CELL_COLUMNS = ("report_id", "agency", "year", "region_code", "province_code", "table", "row", "column", "value")
#: Source types the parser produces; a value outside these must at least occur in the store.
KNOWN_SOURCE_TYPES = ("html", "pdf", "docx", "doc", "wps", "rtf", "xls", "xlsx", "image", "text", "ofd")
GROUPINGS = ("province", "year", "region", "agency")
#: Statuses that mean the server refused us rather than lacked a page (412/521: anti-bot walls).
REFUSALS = (401, 403, 412, 429, 521)


class BadFilter(ValueError):
    """A filter or key names something that does not exist; the message is one line."""


class ReadOnlyViolation(ValueError):
    """A statement given to :func:`run_read_only` tried to change the store."""


class BadSQL(ValueError):
    """A statement given to :func:`run_read_only` could not run; the message is the database's first line."""


# --- filters -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """What the user asked for, as typed."""

    year: int | None = None
    agency: str | None = None
    region: str | None = None
    province: str | None = None
    format_version: str | None = None
    source_type: str | None = None
    failing: bool = False

    @property
    def active(self) -> bool:
        return any(getattr(self, f.name) not in (None, False) for f in fields(self))


@dataclass(frozen=True)
class Selection:
    """Checked filters as SQL conditions on ``report_summary``; ``province`` is the resolved province."""

    filters: Filters
    province: Division | None = None
    region_prefixes: tuple[str, ...] = ()

    def conditions(self, view=report_summary) -> list[ColumnElement[bool]]:
        f, c = self.filters, view.c
        where: list[ColumnElement[bool]] = []
        if f.year is not None:
            where.append(c.year == f.year)
        if f.agency:
            where.append(c.agency.contains(f.agency, autoescape=True))
        if self.province is not None:
            where.append(c.region_code.startswith(self.province.code[:2], autoescape=True))
        if f.region:
            terms = [c.region_code.startswith(prefix, autoescape=True) for prefix in self.region_prefixes]
            if not f.region.isdigit():
                terms.append(c.agency.contains(f.region, autoescape=True))
            where.append(or_(*terms) if terms else false())
        if f.format_version:
            where.append(c.format_version == f.format_version)
        if f.source_type:
            where.append(c.source_type == f.source_type)
        if f.failing:
            where.append(c.failed_checks > 0)
        return where

    def summary(self) -> Select:
        return select(report_summary).where(*self.conditions())


def resolve_province(value: str, divisions: Divisions) -> Division:
    """A province from its name (甘肃, 甘肃省), its 2-digit prefix or any 6-digit code inside it."""
    text = value.strip()
    provinces = [d for d in divisions if d.level == "province"]
    if text.isdigit():
        if len(text) not in (2, 6):
            raise BadFilter(f"--province {value!r}: give a name, a 2-digit or a 6-digit code")
        found = divisions.get(text[:2] + "0000")
        if found is None or found.level != "province":
            raise BadFilter(f"--province {value!r}: no province has code {text[:2]}0000")
        return found
    exact = [d for d in provinces if text in d.names]
    matches = exact or [d for d in provinces if any(text in name for name in d.names)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise BadFilter(f"--province {value!r}: no province of seeds/divisions.csv is called that")
    raise BadFilter(f"--province {value!r} is ambiguous: " + ", ".join(d.name for d in matches))


def _prefix(division: Division) -> str:
    """The code prefix shared by a division and everything under it."""
    level = division.level if division.level in ("province", "prefecture") else level_of_code(division.code)
    return {"province": division.code[:2], "prefecture": division.code[:4]}.get(level, division.code)


def resolve(session: Session, filters: Filters, divisions: Divisions) -> Selection:
    """Check every filter value; raise BadFilter naming the first one that cannot match anything."""
    if filters.year is not None and not 1990 <= filters.year <= 2100:
        raise BadFilter(f"--year {filters.year}: not a reporting year")
    if filters.format_version and filters.format_version not in schema.FORMAT_VERSIONS:
        raise BadFilter(f"--format-version {filters.format_version!r}: one of " + ", ".join(schema.FORMAT_VERSIONS))
    if filters.source_type and filters.source_type not in KNOWN_SOURCE_TYPES:
        stored = session.scalars(select(ReportVersion.source_type).distinct()).all()
        if filters.source_type not in stored:
            raise BadFilter(f"--source-type {filters.source_type!r}: one of " + ", ".join(KNOWN_SOURCE_TYPES))
    province = resolve_province(filters.province, divisions) if filters.province else None
    prefixes: tuple[str, ...] = ()
    if filters.region:
        text = filters.region.strip()
        if text.isdigit():
            if len(text) not in (2, 4, 6):
                raise BadFilter(f"--region {text!r}: a code prefix has 2, 4 or 6 digits")
            division = divisions.get(text) if len(text) == 6 else None
            prefixes = (_prefix(division) if division else text,)
            if not any(d.code.startswith(prefixes[0]) for d in divisions):
                raise BadFilter(f"--region {text!r}: no division code starts with it")
        else:
            named = [d for d in divisions if any(text in name for name in d.names)]
            prefixes = tuple(dict.fromkeys(_prefix(d) for d in named))
            if not named and not session.scalar(
                select(ReportVersion.id).where(ReportVersion.agency.contains(text, autoescape=True)).limit(1)
            ):
                raise BadFilter(f"--region {text!r}: no division and no agency in the store is called that")
    return Selection(filters, province, prefixes)


# --- listing -------------------------------------------------------------------------------------------------------


def count(session: Session, selection: Selection) -> int:
    return session.scalar(select(func.count()).select_from(report_summary).where(*selection.conditions())) or 0


def summary_rows(session: Session, selection: Selection, limit: int | None = None) -> list[dict]:
    """The selected reports, newest year first, as ``report_summary`` rows."""
    statement = selection.summary().order_by(
        report_summary.c.year.desc(), report_summary.c.region_code, report_summary.c.agency, report_summary.c.id
    )
    if limit:
        statement = statement.limit(limit)
    return [dict(row) for row in session.execute(statement).mappings()]


def iter_summary(session: Session, selection: Selection, divisions: Divisions, batch: int = 5000) -> Iterator[dict]:
    """Every selected report as a flat record of SUMMARY_COLUMNS, in store order, by keyset pages."""
    last_id = 0
    paths: dict[str | None, str] = {}
    while True:
        rows = session.execute(
            selection.summary().where(report_summary.c.id > last_id).order_by(report_summary.c.id).limit(batch)
        ).mappings().all()
        if not rows:
            return
        for row in rows:
            code = row["region_code"]
            if code not in paths:
                paths[code] = divisions.path(code) if code else ""
            yield {
                "report_id": row["report_key"], "title": row["title"], "agency": row["agency"], "year": row["year"],
                "published_at": row["published_at"], "format_version": row["format_version"],
                "source_type": row["source_type"], "region_code": code, "province_code": row["province_code"],
                "region": paths[code] or None, "url": row["url"], "content_hash": row["content_hash"],
                **{name: row[name] for name in HEADLINES}, "failed_checks": row["failed_checks"],
                "first_seen_at": iso(row["first_seen_at"]),
            }
        last_id = rows[-1]["id"]


def iter_cells(session: Session, selection: Selection, batch: int = 20000) -> Iterator[tuple]:
    """Every cell of the selected reports as a CELL_COLUMNS tuple, streamed from the server."""
    s = report_summary
    statement = (
        select(s.c.report_key, s.c.agency, s.c.year, s.c.region_code, s.c.province_code,
               TableCell.table_name, TableCell.row_key, TableCell.column_key, TableCell.value)
        .join(TableCell, TableCell.version_id == s.c.version_id)
        .where(*selection.conditions())
        .order_by(s.c.id, TableCell.table_name, TableCell.row_key, TableCell.column_key)
        .execution_options(yield_per=batch, stream_results=True)
    )
    for row in session.execute(statement):
        yield tuple(row)


def iter_reports(session: Session, selection: Selection, batch: int = 200) -> Iterator[Report]:
    """The selected reports as ORM objects with what the export record needs, memory held to one batch."""
    last_id = 0
    while True:
        ids = session.scalars(
            select(report_summary.c.id).where(report_summary.c.id > last_id, *selection.conditions())
            .order_by(report_summary.c.id).limit(batch)
        ).all()
        if not ids:
            return
        reports = session.scalars(
            select(Report).where(Report.id.in_(ids)).order_by(Report.id).options(
                selectinload(Report.current_version).selectinload(ReportVersion.checks),
                selectinload(Report.sightings).selectinload(Sighting.portal),
                selectinload(Report.versions).load_only(
                    ReportVersion.id, ReportVersion.url, ReportVersion.blob_sha256, ReportVersion.seen_at,
                    ReportVersion.content_hash,
                ),
            )
        ).all()
        yield from reports
        last_id = ids[-1]
        session.expunge_all()


def find_report(session: Session, key: str) -> Report | None:
    """A report by its ``report_id``, or by a prefix of it that only one report has."""
    key = key.strip()
    report = session.scalars(select(Report).where(Report.report_key == key)).first()
    if report is None and len(key) >= 4:
        found = session.scalars(select(Report).where(Report.report_key.startswith(key, autoescape=True)).limit(2)).all()
        report = found[0] if len(found) == 1 else None
    return report


# --- statistics ----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CellKey:
    """A figure to add up: ``table.row.column`` of table_cells, or a headline of report_summary."""

    table: str | None
    row: str
    column: str | None

    @property
    def label(self) -> str:
        return self.row if self.table is None else f"{self.table}.{self.row}.{self.column}"


def parse_cell_key(text: str) -> CellKey:
    """``applications.new.total`` or a headline name such as ``lawsuits``; anything else is a BadFilter."""
    text = text.strip()
    if text in HEADLINES:
        return CellKey(None, text, None)
    parts = text.split(".")
    if len(parts) != 3:
        raise BadFilter(f"--cell {text!r}: give table.row.column (e.g. applications.new.total) or one of "
                        + ", ".join(HEADLINES))
    table_name, row, col = parts
    if table_name == "applications":
        rows, cols = set(schema.APPLICATION_ROWS_2021) | set(schema.APPLICATION_ROWS_2019), schema.APPLICATION_COLUMNS
    elif table_name == "reviews":
        rows, cols = schema.REVIEW_ROWS, schema.REVIEW_COLUMNS
    elif table_name == "active":
        rows = set(schema.ACTIVE_2021) | set(schema.ACTIVE_2019)
        cols = {c for spec in (schema.ACTIVE_2021, schema.ACTIVE_2019) for cs in spec.values() for c in cs}
    else:
        raise BadFilter(f"--cell {text!r}: the tables are " + ", ".join(schema.TABLE_NAMES))
    if row not in rows and not row.startswith("x_"):
        raise BadFilter(f"--cell {text!r}: {table_name} has no row {row!r}")
    if col not in cols:
        raise BadFilter(f"--cell {text!r}: {table_name} has no column {col!r}")
    return CellKey(table_name, row, col)


def counts_by_region_year(session: Session, selection: Selection) -> list[tuple[str | None, int | None, int]]:
    """(region_code, year, reports): the one grouped query the count tables and plots roll up from."""
    s = report_summary
    statement = (
        select(s.c.region_code, s.c.year, func.count()).where(*selection.conditions())
        .group_by(s.c.region_code, s.c.year)
    )
    return [tuple(row) for row in session.execute(statement)]


def _figure(key: CellKey):
    """The value expression and the extra join for a figure."""
    if key.table is None:
        return report_summary.c[key.row], None
    cell = select(TableCell.version_id, TableCell.value).where(
        TableCell.table_name == key.table, TableCell.row_key == key.row, TableCell.column_key == key.column
    ).subquery("cell")
    return cell.c.value, cell


def cell_sums(session: Session, selection: Selection, key: CellKey, by: str) -> list[tuple]:
    """(group, reports, reports giving the figure, sum) for a figure over the selection, grouped by ``by``."""
    s = report_summary
    if by not in GROUPINGS:
        raise BadFilter(f"--by {by!r}: one of " + ", ".join(GROUPINGS))
    group = {"province": s.c.province_code, "year": s.c.year, "region": s.c.region_code, "agency": s.c.agency}[by]
    value, cell = _figure(key)
    statement = select(group, func.count(), func.count(value), func.sum(value)).select_from(s)
    if cell is not None:
        statement = statement.outerjoin(cell, cell.c.version_id == s.c.version_id)
    statement = statement.where(*selection.conditions()).group_by(group).order_by(group)
    return [tuple(row) for row in session.execute(statement)]


def figure_by_region_year(session: Session, selection: Selection, key: CellKey) -> list[tuple]:
    """(region_code, year, sum) of a figure: the trend the stats plot draws."""
    s = report_summary
    value, cell = _figure(key)
    statement = select(s.c.region_code, s.c.year, func.sum(value)).select_from(s)
    if cell is not None:
        statement = statement.join(cell, cell.c.version_id == s.c.version_id)
    statement = statement.where(*selection.conditions()).group_by(s.c.region_code, s.c.year)
    return [tuple(row) for row in session.execute(statement)]


def province_of(code: str | None, divisions: Divisions) -> Division | None:
    return divisions.get(code[:2] + "0000") if code else None


def level_of(code: str | None, divisions: Divisions) -> str:
    """A region's level from the divisions list, else from the form of its code."""
    if not code:
        return "unknown"
    division = divisions.get(code)
    return division.level if division else level_of_code(code)


# --- coverage ------------------------------------------------------------------------------------------------------


@dataclass
class PortalCoverage:
    name: str
    url: str
    region_code: str | None
    level: str | None
    reports: int = 0          # reports of the year sighted on this portal
    region_reports: int = 0   # reports of the year filed under the portal's region code
    state: str = "not crawled"  # ok, failing, blocked or not crawled: the portal's latest crawl
    detail: str = ""

    @property
    def verdict(self) -> str:
        if self.reports or self.region_reports:
            return "covered"
        return {"blocked": "blocked", "not crawled": "not crawled"}.get(self.state, "missing")


@dataclass
class DivisionCoverage:
    code: str
    name: str
    path: str
    reports: int = 0
    portals: list[PortalCoverage] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        if self.reports or any(p.reports for p in self.portals):
            return "covered"
        if not self.portals:
            return "no portal"
        if all(p.state == "blocked" for p in self.portals):
            return "blocked"
        if all(p.state == "not crawled" for p in self.portals):
            return "not crawled"
        return "missing"


@dataclass
class Coverage:
    year: int
    portals: list[PortalCoverage]
    regions: dict[str, int]            # seed region code -> reports of the year (by region or portal)
    divisions: list[DivisionCoverage] | None = None


def portal_states(session: Session) -> dict[int, tuple[str, str]]:
    """Portal id -> (state, detail) from the fetches of the portal's latest run.

    ``blocked``: every fetch of that run failed (error or 4xx/5xx); ``failing``:
    some were refused (401/403/412/429/521), errored or 5xx; ``ok`` otherwise.
    A 404 on one page is the site's problem, not ours, so it does not count as failing.
    """
    run = func.coalesce(Fetch.run_id, literal_column("0"))
    latest = select(Fetch.portal_id, func.max(run).label("run")).where(Fetch.portal_id.is_not(None)) \
        .group_by(Fetch.portal_id).subquery()
    failed = or_(Fetch.error.is_not(None), Fetch.status.is_(None), Fetch.status >= 400)
    hard = or_(Fetch.error.is_not(None), Fetch.status.is_(None), Fetch.status >= 500, Fetch.status.in_(REFUSALS))
    zero, one = literal_column("0"), literal_column("1")
    status = func.coalesce(Fetch.status, zero)
    errored = case((Fetch.error.is_not(None), one), else_=zero)
    statement = (
        select(Fetch.portal_id, status, errored,
               func.count(), func.sum(case((failed, one), else_=zero)), func.sum(case((hard, one), else_=zero)))
        .join(latest, and_(latest.c.portal_id == Fetch.portal_id, latest.c.run == run))
        .group_by(Fetch.portal_id, status, errored)
    )
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])
    failures: dict[int, Counter] = defaultdict(Counter)
    for portal_id, code, has_error, n, n_failed, n_hard in session.execute(statement):
        entry = totals[portal_id]
        entry[0] += n
        entry[1] += n_failed or 0
        entry[2] += n_hard or 0
        if n_failed:
            failures[portal_id]["error" if has_error or not code else str(code)] += n
    states = {}
    for portal_id, (n, n_failed, n_hard) in totals.items():
        state = "blocked" if n_failed == n else "failing" if n_hard else "ok"
        detail = ", ".join(f"{what}×{k}" for what, k in failures[portal_id].most_common(3))
        states[portal_id] = (state, detail)
    return states


def coverage(session: Session, year: int, seeds: Sequence, divisions: Divisions,
             province: Division | None = None) -> Coverage:
    """Which seeds and regions have a report for ``year``: by the report's region code or a sighting on the portal."""
    s = report_summary
    prefix = province.code[:2] if province else ""
    seeds = [seed for seed in seeds if not prefix or (seed.region_code or "").startswith(prefix)]
    by_region = dict(session.execute(
        select(s.c.region_code, func.count()).where(s.c.year == year, s.c.region_code.is_not(None))
        .group_by(s.c.region_code)
    ).all())
    by_portal = dict(session.execute(
        select(Portal.url, func.count(distinct(Sighting.report_id)))
        .join(Sighting, Sighting.portal_id == Portal.id)
        .join(s, s.c.id == Sighting.report_id)
        .where(s.c.year == year).group_by(Portal.url)
    ).all())
    portal_ids = dict(session.execute(select(Portal.url, Portal.id)).all())
    states = portal_states(session)
    portals = []
    for seed in seeds:
        entry = PortalCoverage(seed.name, seed.url, seed.region_code, seed.level, by_portal.get(seed.url, 0),
                               by_region.get(seed.region_code, 0) if seed.region_code else 0)
        if seed.url in portal_ids:
            entry.state, entry.detail = states.get(portal_ids[seed.url], ("not crawled", ""))
        portals.append(entry)
    regions: dict[str, int] = {}
    for entry in portals:
        if entry.region_code:
            regions[entry.region_code] = max(regions.get(entry.region_code, 0), entry.region_reports, entry.reports)
    result = Coverage(year, portals, regions)
    if province is not None:
        seeded: dict[str, list[PortalCoverage]] = defaultdict(list)
        for entry in portals:
            seeded[entry.region_code or ""].append(entry)
        result.divisions = [
            DivisionCoverage(d.code, d.name, divisions.path(d.code), by_region.get(d.code, 0), seeded.get(d.code, []))
            for d in sorted(divisions, key=lambda d: d.code)
            if d.level == "county" and d.code.startswith(prefix)
        ]
    return result


def coverage_grid(session: Session, seeds: Sequence, divisions: Divisions) -> tuple[list[str], list[int], dict]:
    """Province codes, years, and {(province, year): (seed regions with a report, seed regions)} for the grid plot."""
    s = report_summary
    regions_by_province: dict[str, set[str]] = defaultdict(set)
    for seed in seeds:
        if seed.region_code:
            regions_by_province[seed.region_code[:2] + "0000"].add(seed.region_code)
    covered: dict[int, set[str]] = defaultdict(set)
    for code, year in session.execute(select(s.c.region_code, s.c.year).where(s.c.year.is_not(None)).distinct()):
        if code:
            covered[year].add(code)
    seed_region = {seed.url: seed.region_code for seed in seeds if seed.region_code}
    for url, year in session.execute(
        select(Portal.url, s.c.year).join(Sighting, Sighting.portal_id == Portal.id)
        .join(s, s.c.id == Sighting.report_id).where(s.c.year.is_not(None)).distinct()
    ):
        if url in seed_region:
            covered[year].add(seed_region[url])
    provinces = sorted(regions_by_province)
    years = sorted(covered)
    grid = {
        (p, y): (len(regions_by_province[p] & covered[y]), len(regions_by_province[p]))
        for p in provinces for y in years
    }
    return provinces, years, grid


# --- raw captures (WARC) -------------------------------------------------------------------------------------------


def capture_fetches(session: Session, urls: Iterable[str]) -> dict[str, list[Fetch]]:
    """Successful fetches of these addresses (asked or final), so a raw body can carry its exchange."""
    urls = list(dict.fromkeys(urls))
    found: dict[str, list[Fetch]] = defaultdict(list)
    if not urls:
        return found
    for fetch in session.scalars(
        select(Fetch).where(or_(Fetch.final_url.in_(urls), Fetch.url.in_(urls)), Fetch.status == 200)
        .order_by(Fetch.fetched_at)
    ):
        found[fetch.final_url or fetch.url].append(fetch)
        if fetch.url != fetch.final_url:
            found[fetch.url].append(fetch)
    return found


# --- read-only SQL -------------------------------------------------------------------------------------------------

_LEADING_COMMENTS = re.compile(r"^(\s+|--[^\n]*(\n|$)|/\*.*?\*/)+", re.S)
READ_STATEMENTS = ("select", "with", "values", "table", "explain")


def _first_word(sql: str) -> str:
    body = _LEADING_COMMENTS.sub("", sql).lstrip("( \t\n")
    match = re.match(r"[A-Za-z]+", body)
    return match.group(0).lower() if match else ""


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def run_read_only(engine: Engine, sql: str) -> tuple[list[str], Iterator[tuple]]:
    """Run one statement that cannot change the store: (column names, rows).

    Three locks, so that no single mistake lets a write through: only a query
    statement is accepted (SELECT, WITH, VALUES, TABLE, EXPLAIN); the connection
    itself is read-only (SQLite: the file opened ``mode=ro`` with ``query_only``
    and an authorizer that allows reads only, so ATTACH and PRAGMA are refused;
    PostgreSQL: a READ ONLY transaction on a session whose default is read-only,
    rolled back afterwards); and PostgreSQL gets the statement as a prepared
    statement, which cannot hold a second command such as ``COMMIT; DELETE …``.
    """
    word = _first_word(sql)
    if word not in READ_STATEMENTS:
        allowed = ", ".join(w.upper() for w in READ_STATEMENTS)
        raise ReadOnlyViolation(f"only queries are allowed ({allowed}), not {word.upper() or 'this'}")
    if engine.dialect.name == "sqlite":
        return _sqlite_read_only(engine, sql)
    if engine.dialect.name == "postgresql":
        return _postgres_read_only(engine, sql)
    raise BadSQL(f"read-only SQL is not supported on {engine.dialect.name}")


_SQLITE_READS = {sqlite3.SQLITE_SELECT, sqlite3.SQLITE_READ, sqlite3.SQLITE_FUNCTION,
                  getattr(sqlite3, "SQLITE_RECURSIVE", 33)}


def _sqlite_authorizer(action: int, *_args) -> int:
    """Reads only: every write, ATTACH, PRAGMA (pragma_* functions too) and transaction control is denied."""
    return sqlite3.SQLITE_OK if action in _SQLITE_READS else sqlite3.SQLITE_DENY


def _sqlite_read_only(engine: Engine, sql: str) -> tuple[list[str], Iterator[tuple]]:
    path = Path(make_url(str(engine.url)).database or "")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    connection.execute("PRAGMA query_only=ON")
    connection.set_authorizer(_sqlite_authorizer)
    try:
        cursor = connection.execute(sql)
    except sqlite3.Error as exc:
        connection.close()
        message = _one_line(exc)
        if "not authorized" in message or "readonly" in message or "read-only" in message:
            raise ReadOnlyViolation(f"the store is read-only here: {message}") from None
        raise BadSQL(message) from None
    names = [d[0] for d in cursor.description or ()]
    return names, _drain(cursor, connection.close)


def _postgres_read_only(engine: Engine, sql: str) -> tuple[list[str], Iterator[tuple]]:
    import psycopg

    url = make_url(str(engine.url)).set(drivername="postgresql")
    connection = psycopg.connect(url.render_as_string(hide_password=False),
                                 options="-c default_transaction_read_only=on")
    connection.read_only = True
    cursor = connection.cursor()
    try:
        cursor.execute(sql, prepare=True)
    except psycopg.errors.ReadOnlySqlTransaction as exc:
        connection.close()
        raise ReadOnlyViolation(f"the store is read-only here: {_one_line(exc)}") from None
    except psycopg.Error as exc:
        connection.close()
        raise BadSQL(_one_line(exc)) from None
    names = [d.name for d in cursor.description or ()]

    def close() -> None:
        connection.rollback()
        connection.close()

    return names, _drain(cursor, close)


def _drain(cursor, close, batch: int = 1000) -> Iterator[tuple]:
    try:
        if cursor.description is None:
            return
        while rows := cursor.fetchmany(batch):
            yield from (tuple(row) for row in rows)
    finally:
        close()

