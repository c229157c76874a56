"""bench/store.py on a small store: every step timed on both back ends, and what the commands wrote is right.

The store comparison is only worth its figures if the commands it times did the
whole job, so the outputs are checked against the store itself.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench import store
from bench.core import Options, Section

POSTGRES_URL = os.environ.get("HARVESTER_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
REPORTS = 300
HEADER = ("| step | SQLite s | PostgreSQL s | PostgreSQL vs SQLite | SQLite peak RSS MB | PostgreSQL peak RSS MB "
          "| output MB |")


def options(work: Path, postgres_url: str | None = POSTGRES_URL, reports: int = REPORTS) -> Options:
    return Options(quick=True, runs=1, copies=1, memory_pages=1, store_reports=reports, work=work,
                   postgres_url=postgres_url)


@pytest.fixture(scope="module")
def section(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Options, Section]]:
    """One quick run for the module; in CI a missing PostgreSQL makes ``run`` raise, so these tests fail."""
    opts = options(tmp_path_factory.mktemp("bench"))
    yield opts, store.run(opts)


@pytest.fixture
def backends(section: tuple[Options, Section]) -> list[str]:
    """The back ends measured: both, unless PostgreSQL is unreachable outside CI."""
    return list(section[1].figures)


def test_postgres_was_measured(section: tuple[Options, Section]) -> None:
    if "postgresql" not in section[1].figures:
        pytest.skip("PostgreSQL not reachable (in CI the run itself fails)")
    assert list(section[1].figures) == list(store.BACKENDS)


def expected_groups(store_file: Path) -> dict[tuple[str, int], tuple[int, float]]:
    """(province, year) → (reports, sum of applications.new.total), straight from the tables, not the view."""
    with sqlite3.connect(store_file) as conn:
        rows = conn.execute(
            "SELECT substr(r.region_code, 1, 2) || '0000', v.year, count(*), sum(c.value) FROM reports r "
            "JOIN report_versions v ON v.id = r.current_version_id JOIN table_cells c ON c.version_id = v.id "
            "WHERE c.table_name = 'applications' AND c.row_key = 'new' AND c.column_key = 'total' "
            "GROUP BY 1, 2"
        ).fetchall()
    return {(province, year): (count, total) for province, year, count, total in rows}


def test_every_step_has_a_figure_on_both_back_ends(section: tuple[Options, Section], backends: list[str]) -> None:
    _opts, result = section
    assert "sqlite" in backends
    for name in backends:
        figures = result.figures[name]
        assert figures["build_seconds"] > 0 and figures["size_mb"] > 0
        for step in store.STEPS:
            measured = figures["steps"][step.label]
            assert measured["seconds"] > 0 and measured["peak_rss_mb"] > 20 and measured["output_mb"] > 0
    assert result.headlines[0].startswith(f"Store: {REPORTS:,} reports export to JSONL in ")
    assert "GROUP BY province, year" in result.headlines[0]
    if "postgresql" not in backends:
        return
    lines = result.body.splitlines()
    assert HEADER in lines
    for step in store.STEPS:
        row = next(line for line in lines if line.startswith(f"| {step.label} |"))
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert len(cells) == 7 and all(cells[1:]) and cells[3].endswith("×")
        assert float(cells[1].replace(",", "")) > 0 and float(cells[2].replace(",", "")) > 0
    builds = result.body.split("Build of", 1)[1]
    assert "SQLite" in builds and "PostgreSQL" in builds


def test_jsonl_export_has_every_report_once(section: tuple[Options, Section], backends: list[str]) -> None:
    opts, result = section
    for name in backends:
        lines = Path(result.figures[name]["outputs"], "reports.jsonl").read_text(encoding="utf-8").splitlines()
        assert len(lines) == opts.store_reports
        assert len({json.loads(line)["report_id"] for line in lines}) == opts.store_reports


def test_group_by_has_one_row_per_province_and_year(section: tuple[Options, Section], backends: list[str]) -> None:
    opts, result = section
    expected = expected_groups(opts.work / "store" / "store.sqlite")
    assert sum(count for count, _total in expected.values()) == opts.store_reports
    for name in backends:
        with open(Path(result.figures[name]["outputs"], "group_by.csv"), encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        found = {(row["province_code"], int(row["year"])): (int(row["reports"]), float(row["new_applications"]))
                 for row in rows}
        assert len(rows) == len(found) == len(expected), name
        assert found == expected, name


def test_stats_sums_match_the_store(section: tuple[Options, Section], backends: list[str]) -> None:
    opts, result = section
    by_province: dict[str, float] = {}
    for (province, _year), (_count, total) in expected_groups(opts.work / "store" / "store.sqlite").items():
        by_province[province] = by_province.get(province, 0) + total
    for name in backends:
        stats = json.loads(Path(result.figures[name]["outputs"], "stats.json").read_text(encoding="utf-8"))
        assert {row["province"]: row["sum"] for row in stats} == by_province, name


def test_ci_without_postgres_fails_fast(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    with pytest.raises(RuntimeError, match="PostgreSQL is required in CI"):
        store.run(options(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/test"))
    assert not (tmp_path / "store" / "sqlite").exists()


def test_without_postgres_reports_sqlite_only(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(store, "STEPS", tuple(s for s in store.STEPS if s.output in ("reports.jsonl", "group_by.csv")))
    result = store.run(options(tmp_path, "postgresql+psycopg://postgres@127.0.0.1:1/test", reports=20))
    assert "PostgreSQL unavailable" in result.body
    assert "| step | SQLite s | SQLite peak RSS MB | output MB |" in result.body.splitlines()
    assert list(result.figures) == ["sqlite"]
    assert len((tmp_path / "store" / "sqlite" / "reports.jsonl").read_text(encoding="utf-8").splitlines()) == 20
