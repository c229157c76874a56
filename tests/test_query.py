"""Selections, figures, coverage and the read-only guard of harvester.query, on a crawled farm store."""

from __future__ import annotations

from contextlib import ExitStack
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from harvester import query
from harvester.cli import crawl_farm
from harvester.discover.regions import load_divisions
from harvester.discover.seeds import read_seeds
from harvester.export.records import iter_records
from harvester.farm.seeds import write_seeds
from harvester.farm.server import FarmServer
from harvester.items import PortalSeed
from harvester.store.db import open_store, session_factory
from harvester.store.models import (
    CheckResult,
    Fetch,
    Portal,
    Report,
    ReportVersion,
    TableCell,
)
from tests.conftest import fresh_postgres_database

_STORES: dict[str, tuple[str, Path]] = {}
_RECORDS: dict[str, list[dict]] = {}


def farm_store(backend: str, request) -> tuple[str, Path]:
    """(store URL, seeds file): the farm crawled once per back end per test run, shared by the query,
    export and CLI tests, which only read it."""
    if backend not in _STORES:
        tmp = request.getfixturevalue("tmp_path_factory").mktemp(f"farm-{backend}")
        stack = ExitStack()
        request.config.add_cleanup(stack.close)
        url = f"sqlite:///{tmp / 'store.sqlite'}" if backend == "sqlite" else stack.enter_context(fresh_postgres_database())
        seeds = write_seeds(tmp / "seeds.csv")
        with FarmServer() as farm:
            code = crawl_farm(seeds, url, farm.proxy_url, tmp / "crawl.log")
        assert code == 0, (tmp / "crawl.log").read_text()[-3000:]
        _STORES[backend] = (url, seeds)
    return _STORES[backend]


def store_records(url: str) -> list[dict]:
    """The store's export records: the reference the queries are checked against (the crawl's own
    correctness against the farm's truth is tests/test_crawl_farm.py's business)."""
    if url not in _RECORDS:
        engine = open_store(url)
        with session_factory(engine)() as session:
            _RECORDS[url] = list(iter_records(session))
        engine.dispose()
    return _RECORDS[url]


def expected_coverage(records: list[dict], seeds, year: int) -> dict[str, bool]:
    """Seed URL -> has a report for ``year``, by a sighting on the portal or the report's region code."""
    of_year = [r for r in records if r["year"] == year]
    portals = {s["portal"] for r in of_year for s in r["sightings"]}
    regions = {r["region_code"] for r in of_year}
    return {seed.url: seed.url in portals or seed.region_code in regions for seed in seeds}


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request):
    url, seeds = farm_store(request.param, request)
    engine = open_store(url)
    with session_factory(engine)() as session:
        yield session, seeds, store_records(url)
    engine.dispose()


@pytest.fixture(scope="module")
def divisions():
    return load_divisions()


def select_all(session, divisions, **filters) -> list[dict]:
    return query.summary_rows(session, query.resolve(session, query.Filters(**filters), divisions))


# --- views ---------------------------------------------------------------------------------------------------------


def test_report_summary_has_one_row_per_report_with_headline_figures(store):
    session, _, records = store
    rows = session.execute(select(query.report_summary)).mappings().all()
    truth = {record["report_id"]: record for record in records}
    assert len(rows) == len(truth)
    for row in rows:
        tables = truth[row["report_key"]]["tables"]
        applications, reviews = tables.get("applications", {}), tables.get("reviews", {})
        if not applications:
            assert row["new_applications"] is None
            continue
        assert row["new_applications"] == applications["new"]["total"]
        assert row["granted"] == applications["granted"]["total"]
        assert row["total"] == applications["total"]["total"]
        denied = [values["total"] for key, values in applications.items() if key.startswith("denied_")]
        assert row["denied"] == sum(v for v in denied if v is not None)
        assert row["reviews"] == reviews["review"]["total"]
        assert row["lawsuits"] == reviews["litigation_direct"]["total"] + reviews["litigation_after_review"]["total"]
        assert row["failed_checks"] == sum(c["status"] == "fail" for c in truth[row["report_key"]]["checks"])
        assert row["province_code"] == row["region_code"][:2] + "0000"


def test_report_cells_is_every_current_cell_and_groups_in_one_line(store):
    session, _, records = store
    cells = session.scalar(
        select(func.count()).select_from(TableCell).join(Report, Report.current_version_id == TableCell.version_id)
    )
    assert session.scalar(select(func.count()).select_from(query.report_cells)) == cells
    grouped = session.execute(text(
        "SELECT province_code, year, sum(value) FROM report_cells WHERE table_name = 'applications'"
        " AND row_key = 'new' AND column_key = 'total' GROUP BY province_code, year"
    )).all()
    truth = sum(r["tables"]["applications"]["new"]["total"] or 0 for r in records if r["tables"].get("applications"))
    assert sum(row[2] or 0 for row in grouped) == truth


# --- filters -------------------------------------------------------------------------------------------------------


def test_filters_select_what_they_say(store, divisions):
    session, _, truth = store
    assert len(select_all(session, divisions, year=2024)) == sum(r["year"] == 2024 for r in truth)
    assert {r["agency"] for r in select_all(session, divisions, agency="陇西县")} == {
        r["agency"] for r in truth if "陇西县" in r["agency"]}
    gansu = select_all(session, divisions, province="甘肃")
    assert gansu and all(r["region_code"].startswith("62") for r in gansu)
    assert [r["id"] for r in select_all(session, divisions, province="62")] == [r["id"] for r in gansu]
    assert [r["id"] for r in select_all(session, divisions, province="621102")] == [r["id"] for r in gansu]
    assert len(select_all(session, divisions, province="甘肃省", year=2024)) == sum(
        1 for r in gansu if r["year"] == 2024)
    jiangxi = select_all(session, divisions, region="3607")
    assert jiangxi and all(r["region_code"].startswith("3607") for r in jiangxi)
    assert [r["id"] for r in select_all(session, divisions, region="赣州")] == [r["id"] for r in jiangxi]
    assert {r["agency"] for r in select_all(session, divisions, region="章贡区")} <= {
        r["agency"] for r in truth if "章贡区" in r["agency"] or "赣州市" == r["agency"][:3]}
    assert len(select_all(session, divisions, format_version="2019")) == sum(r["format_version"] == "2019" for r in truth)
    assert len(select_all(session, divisions, source_type="html")) == sum(r["source_type"] == "html" for r in truth)
    assert len(select_all(session, divisions, failing=True)) == sum(
        any(c["status"] == "fail" for c in r["checks"]) for r in truth)


@pytest.mark.parametrize("filters, reason", [
    ({"province": "火星"}, "no province"),
    ({"province": "江"}, "ambiguous"),
    ({"province": "999"}, "2-digit or a 6-digit"),
    ({"province": "990000"}, "no province has code"),
    ({"region": "12345"}, "2, 4 or 6 digits"),
    ({"region": "9901"}, "no division code"),
    ({"region": "不存在的地方"}, "no division and no agency"),
    ({"format_version": "2030"}, "2021, 2019"),
    ({"source_type": "papyrus"}, "html, pdf"),
    ({"year": 3024}, "not a reporting year"),
])
def test_unknown_filter_values_are_refused_with_a_reason(store, divisions, filters, reason):
    session, _, _ = store
    with pytest.raises(query.BadFilter, match=reason) as caught:
        query.resolve(session, query.Filters(**filters), divisions)
    assert "\n" not in str(caught.value)


def test_cell_keys():
    assert query.parse_cell_key("applications.new.total") == query.CellKey("applications", "new", "total")
    assert query.parse_cell_key("reviews.review.upheld").label == "reviews.review.upheld"
    assert query.parse_cell_key("active.fees.amount_10k_yuan").table == "active"
    assert query.parse_cell_key("lawsuits") == query.CellKey(None, "lawsuits", None)
    for bad in ("applications.new", "tables.new.total", "applications.newly.total", "applications.new.sum"):
        with pytest.raises(query.BadFilter):
            query.parse_cell_key(bad)


def test_cell_sums_group_by_province_year_region_and_agency(store, divisions):
    session, _, _ = store
    selection = query.resolve(session, query.Filters(), divisions)
    key = query.parse_cell_key("applications.new.total")
    rows = select_all(session, divisions)
    expected = sum(r["new_applications"] or 0 for r in rows)
    for by in query.GROUPINGS:
        sums = query.cell_sums(session, selection, key, by)
        assert sum(total or 0 for *_, total in sums) == expected, by
        assert sum(n for _, n, _, _ in sums) == len(rows), by
    by_year = {year: total for year, _, _, total in query.cell_sums(session, selection, key, "year")}
    assert by_year[2024] == sum(r["new_applications"] or 0 for r in rows if r["year"] == 2024)
    headline = query.cell_sums(session, selection, query.parse_cell_key("new_applications"), "province")
    assert headline == query.cell_sums(session, selection, key, "province")
    with pytest.raises(query.BadFilter):
        query.cell_sums(session, selection, key, "planet")


# --- coverage ------------------------------------------------------------------------------------------------------


def test_coverage_of_the_farm_seeds(store, divisions):
    session, seeds_file, records = store
    seeds, _ = read_seeds(seeds_file)
    for year in (2020, 2024):
        result = query.coverage(session, year, seeds, divisions)
        expected = expected_coverage(records, seeds, year)
        assert {p.url: p.verdict == "covered" for p in result.portals} == expected, year
        assert {p.verdict for p in result.portals} <= {"covered", "missing", "blocked", "failing"}
    dingxi = next(p for p in query.coverage(session, 2024, seeds, divisions).portals if p.url == "http://www.dingxi.gov.cn/")
    assert dingxi.reports == sum(1 for r in records if r["year"] == 2024
                                 and any(s["portal"] == dingxi.url for s in r["sightings"]))
    empty = query.coverage(session, 1999, seeds, divisions)
    assert "covered" not in {p.verdict for p in empty.portals}
    assert not any(empty.regions.values())
    gansu = query.coverage(session, 2024, seeds, divisions, query.resolve_province("甘肃", divisions))
    assert {p.region_code[:2] for p in gansu.portals} == {"62"}
    verdicts = {d.code: d.verdict for d in gansu.divisions}
    assert all(code.startswith("62") for code in verdicts) and len(verdicts) > 50
    seeded = {seed.region_code for seed in seeds}
    with_report = {r["region_code"] for r in records if r["year"] == 2024}
    for code, verdict in verdicts.items():
        if code in with_report:
            assert verdict == "covered", code
        elif code not in seeded:
            assert verdict == "no portal", code


def test_coverage_marks_portals_blocked_or_failing_by_their_latest_crawl(sqlite_url, divisions):
    engine = open_store(sqlite_url)
    now = datetime(2025, 4, 1, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        for name in ("blocked", "failing", "recovered", "quiet"):
            session.add(Portal(url=f"http://www.{name}.gov.cn/", name=name, region_code="621121", first_seen_at=now))
        session.flush()
        ids = dict(session.execute(select(Portal.name, Portal.id)).all())

        def fetch(portal, run, status, error=None):
            session.add(Fetch(portal_id=ids[portal], run_id=None if run is None else run, url=f"http://{portal}/{status}",
                              status=status, error=error, fetched_at=now))

        fetch("blocked", None, 412)
        fetch("blocked", None, 521)
        fetch("failing", None, 200)
        fetch("failing", None, None, "TimeoutError")
        fetch("failing", None, 404)
        fetch("recovered", None, 412)
    seeds = [PortalSeed(url=f"http://www.{name}.gov.cn/", name=name, region_code="621121")
             for name in ("blocked", "failing", "recovered", "quiet", "unknown")]
    with session_factory(engine)() as session:
        states = {p.name: (p.state, p.verdict, p.detail) for p in query.coverage(session, 2024, seeds, divisions).portals}
    assert states["blocked"][:2] == ("blocked", "blocked") and "412" in states["blocked"][2]
    assert states["failing"][:2] == ("failing", "missing") and "error" in states["failing"][2]
    assert states["recovered"][:2] == ("blocked", "blocked")
    assert states["quiet"][:2] == ("not crawled", "not crawled")
    assert states["unknown"][:2] == ("not crawled", "not crawled")
    engine.dispose()


def test_failing_filter_finds_a_report_with_a_failed_check(sqlite_url, divisions):
    engine = open_store(sqlite_url)
    now = datetime(2025, 4, 1, tzinfo=UTC)
    with session_factory(engine).begin() as session:
        for i, status in enumerate(("pass", "fail")):
            report = Report(report_key=f"k{i}", region_code="621102", first_seen_at=now)
            session.add(report)
            session.flush()
            version = ReportVersion(report_id=report.id, content_hash=f"h{i}", title="t", agency="定西市安定区人民政府",
                                    year=2024, format_version="2021", source_type="html", url=f"http://x/{i}", text="",
                                    parser_version="1", seen_at=now)
            session.add(version)
            session.flush()
            report.current_version_id = version.id
            session.add(CheckResult(version_id=version.id, rule="balance", scope="total", status=status,
                                    expected=3, found=4))
    with session_factory(engine)() as session:
        rows = select_all(session, divisions, failing=True)
    assert [(r["report_key"], r["failed_checks"]) for r in rows] == [("k1", 1)]
    engine.dispose()


# --- read-only SQL -------------------------------------------------------------------------------------------------

WRITES = [
    "INSERT INTO portals (url, name, first_seen_at) VALUES ('x', 'y', '2025-01-01')",
    "UPDATE reports SET region_code = '000000'",
    "DELETE FROM reports",
    "DROP TABLE reports",
    "WITH x AS (SELECT 1) DELETE FROM sightings",
    "WITH x AS (SELECT 1) UPDATE reports SET gone_at = NULL",
    "select 1; delete from reports",
    "/* hi */ CREATE TABLE t (a int)",
]


def _counts(session) -> tuple:
    return tuple(session.scalar(select(func.count()).select_from(model)) for model in (Report, Portal))


@pytest.mark.parametrize("statement", WRITES)
def test_read_only_sql_refuses_writes(store, statement):
    session, _, _ = store
    before = _counts(session)
    with pytest.raises((query.ReadOnlyViolation, query.BadSQL)):
        names, rows = query.run_read_only(session.get_bind(), statement)
        list(rows)
    session.rollback()
    assert _counts(session) == before


def test_read_only_sql_refuses_backend_specific_escapes(store):
    session, _, _ = store
    engine = session.get_bind()
    before = _counts(session)
    if engine.dialect.name == "postgresql":
        escapes = ["WITH x AS (DELETE FROM reports RETURNING *) SELECT count(*) FROM x",
                   "EXPLAIN ANALYZE DELETE FROM reports", "SELECT nextval('reports_id_seq')",
                   "COPY reports TO STDOUT"]
    else:
        escapes = ["PRAGMA query_only=OFF", "ATTACH DATABASE ':memory:' AS other",
                   "SELECT * FROM pragma_writable_schema",
                   "WITH x AS (SELECT 1) INSERT INTO portals (url, name, first_seen_at) SELECT 'x', 'y', '2025' FROM x"]
    for statement in escapes:
        with pytest.raises((query.ReadOnlyViolation, query.BadSQL)):
            list(query.run_read_only(engine, statement)[1])
    assert _counts(session) == before


def test_sqlite_connection_itself_is_read_only(store):
    """Below the statement check: the connection refuses writes even when handed one directly."""
    session, _, _ = store
    engine = session.get_bind()
    if engine.dialect.name != "sqlite":
        pytest.skip("SQLite connection layers")
    for statement in ("DELETE FROM reports", "ATTACH DATABASE ':memory:' AS other", "PRAGMA query_only=OFF"):
        with pytest.raises(query.ReadOnlyViolation):
            query._sqlite_read_only(engine, statement)


def test_read_only_sql_reads_and_reports_bad_sql(store):
    session, _, records = store
    names, rows = query.run_read_only(session.get_bind(), "-- count\nSELECT count(*) AS n FROM report_summary")
    assert names == ["n"] and list(rows) == [(len(records),)]
    with pytest.raises(query.BadSQL):
        query.run_read_only(session.get_bind(), "SELECT * FROM no_such_table")
