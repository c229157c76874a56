"""The analyst commands driven as a user would: reports, show, stats, coverage, sql, serve."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harvester.cli import app
from harvester.discover.regions import load_divisions
from harvester.discover.seeds import read_seeds
from tests.test_query import expected_coverage, farm_store, store_records

runner = CliRunner()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request):
    url, seeds = farm_store(request.param, request)
    return url, seeds, store_records(url)


def run(*args: str, code: int = 0):
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, (result.stdout, result.stderr)
    return result


def as_json(*args: str):
    return json.loads(run(*args, "--json").stdout)


def one_line_error(result, *phrases: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:"), result.stderr
    for phrase in phrases:
        assert phrase in lines[0]


# --- reports and show ----------------------------------------------------------------------------------------------


def test_reports_lists_and_filters(store):
    url, _, truth = store
    table = run("reports", "--db", url).stdout
    assert f"{len(truth)} reports" in table and "定西市安定区人民政府" in table and "甘肃省/定西市" in table
    rows = as_json("reports", "--db", url, "--limit", "0")
    assert len(rows) == len(truth)
    assert [r["year"] for r in rows] == sorted((r["year"] for r in rows), reverse=True)
    for args, keep in [
        (("--year", "2024"), lambda r: r["year"] == 2024),
        (("--agency", "教育局"), lambda r: "教育局" in r["agency"]),
        (("--province", "江西"), lambda r: r["region_code"].startswith("36")),
        (("--region", "621122"), lambda r: r["region_code"] == "621122"),
        (("--format-version", "pre2019"), lambda r: r["format_version"] == "pre2019"),
        (("--source-type", "html"), lambda r: True),
    ]:
        selected = as_json("reports", "--db", url, "--limit", "0", *args)
        assert selected and selected == [r for r in rows if keep(r)], args
    assert as_json("reports", "--db", url, "--failing") == []
    assert len(as_json("reports", "--db", url, "--limit", "3")) == 3


@pytest.mark.parametrize("args, phrase", [
    (("--province", "火星"), "火星"),
    (("--region", "9901"), "9901"),
    (("--format-version", "1999"), "format-version"),
    (("--source-type", "papyrus"), "papyrus"),
    (("--year", "20245"), "20245"),
])
def test_reports_unknown_filter_exits_2_with_one_line(store, args, phrase):
    one_line_error(run("reports", "--db", store[0], *args, code=2), phrase)


def test_show_prints_the_official_tables(store):
    url, _, records = store
    reposted = next(r for r in records if len(r["sightings"]) > 1 and r["format_version"] == "2021")
    key = reposted["report_id"]
    out = run("show", key, "--db", url).stdout
    for phrase in ("sightings", "三、收到和处理政府信息公开申请情况", "一、本年新收政府信息公开申请数量", "（三）不予公开",
                   "1.属于国家秘密", "四、政府信息公开行政复议、行政诉讼情况", "行政复议", "结果维持", "规范性文件",
                   "checks", "balance", "versions", "(current)", *(s["portal"] for s in reposted["sightings"])):
        assert phrase in out, phrase
    record = as_json("show", key[:8], "--db", url)
    assert record == reposted
    one_line_error(run("show", "nosuchreport", "--db", url, code=2), "nosuchreport")


# --- stats ---------------------------------------------------------------------------------------------------------


def test_stats_counts_by_year_and_province(store):
    url, _, truth = store
    counts = as_json("stats", "--db", url)
    assert {r["year"]: r["reports"] for r in counts["by_year"]} == {
        y: sum(r["year"] == y for r in truth) for y in {r["year"] for r in truth}}
    provinces = {r["name"]: r for r in counts["by_province"]}
    assert set(provinces) == {load_divisions().get(r["region_code"][:2] + "0000").name for r in truth}
    assert sum(r["total"] for r in provinces.values()) == len(truth)
    assert provinces["甘肃省"]["prefecture"] >= 1 and provinces["江西省"]["county"] >= 1
    out = run("stats", "--db", url).stdout
    assert "reports by year" in out and "甘肃省" in out


def test_stats_sums_a_cell_by_each_grouping(store):
    url, _, records = store
    truth = [r for r in records if r["year"] == 2024 and r["tables"].get("applications")]
    expected = sum(r["tables"]["applications"]["new"]["total"] or 0 for r in truth)
    for by in ("province", "year", "region", "agency"):
        rows = as_json("stats", "--db", url, "--year", "2024", "--cell", "applications.new.total", "--by", by)
        assert sum(r["sum"] for r in rows) == expected, by
    regions = as_json("stats", "--db", url, "--year", "2024", "--province", "甘肃", "--cell",
                      "applications.new.total", "--by", "region")
    assert all(r["region"].startswith("62") and r["name"].startswith("甘肃省") for r in regions)
    table = run("stats", "--db", url, "--cell", "lawsuits", "--by", "year").stdout
    assert "lawsuits by year" in table and "all" in table
    one_line_error(run("stats", "--db", url, "--cell", "applications.nope.total", code=2), "nope")
    assert run("stats", "--db", url, "--cell", "lawsuits", "--by", "planet", code=2)


def test_stats_and_coverage_plots(store, tmp_path):
    url, seeds, _ = store
    png, svg = tmp_path / "stats.png", tmp_path / "coverage.svg"
    run("stats", "--db", url, "--plot", str(png), "--cell", "applications.total.total")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    run("coverage", "--db", url, "--seeds", str(seeds), "--plot", str(svg))
    assert b"<svg" in svg.read_bytes()[:500]
    one_line_error(run("stats", "--db", url, "--plot", str(tmp_path / "x.gif"), code=2), "png")


# --- coverage ------------------------------------------------------------------------------------------------------


def test_coverage_by_portal_region_and_division(store):
    url, seeds, records = store
    portals, _ = read_seeds(seeds)
    for year in (2020, 2024):
        result = as_json("coverage", "--db", url, "--year", str(year), "--seeds", str(seeds))
        assert {p["url"]: p["verdict"] == "covered" for p in result["portals"]} == expected_coverage(records, portals, year)
    gansu = as_json("coverage", "--db", url, "--year", "2024", "--seeds", str(seeds), "--province", "甘肃")
    divisions = {d["region_code"]: d for d in gansu["divisions"]}
    covered = {r["region_code"] for r in records if r["year"] == 2024 and r["region_code"].startswith("62")}
    assert covered and all(divisions[code]["verdict"] == "covered" for code in covered if code in divisions)
    seeded = {p.region_code for p in portals}
    unseeded = sorted(code for code in divisions if code not in seeded and code not in covered)
    assert all(divisions[code]["verdict"] == "no portal" for code in unseeded)
    out = run("coverage", "--db", url, "--year", "2024", "--seeds", str(seeds), "--province", "62",
              "--only", "no portal")
    assert divisions[unseeded[0]]["path"] in out.stdout and "covered" not in out.stdout
    assert "county-level divisions of 甘肃省" in out.stderr
    one_line_error(run("coverage", "--db", url, code=2), "--year")
    one_line_error(run("coverage", "--db", url, "--year", "2024", "--province", "火星", code=2), "火星")
    one_line_error(run("coverage", "--db", url, "--year", "2024", "--seeds", "/no/such.csv", code=2), "seeds")


# --- sql -----------------------------------------------------------------------------------------------------------


def test_sql_outputs_table_csv_and_json(store):
    url, _, records = store
    statement = "SELECT province_code, year, count(*) AS n FROM report_summary GROUP BY province_code, year ORDER BY 1, 2"
    rows = json.loads(run("sql", statement, "--db", url, "--format", "json").stdout)
    assert sum(r["n"] for r in rows) == len(records)
    csv_out = run("sql", statement, "--db", url, "--format", "csv").stdout.splitlines()
    assert csv_out[0] == "province_code,year,n" and len(csv_out) == len(rows) + 1
    assert "province_code" in run("sql", statement, "--db", url).stdout


@pytest.mark.parametrize("statement", [
    "INSERT INTO portals (url, name, first_seen_at) VALUES ('x', 'y', '2025-01-01')",
    "UPDATE reports SET region_code = NULL",
    "DELETE FROM reports",
    "DROP TABLE reports",
    "WITH x AS (SELECT 1) DELETE FROM reports",
    "SELECT * FROM no_such_table",
    "SELEC 1",
])
def test_sql_refuses_writes_and_bad_sql_with_exit_2(store, statement):
    url, _, records = store
    one_line_error(run("sql", statement, "--db", url, code=2))
    assert len(json.loads(run("sql", "SELECT report_key FROM reports", "--db", url, "-f", "json").stdout)) == len(records)


def test_missing_store_exits_3(tmp_path):
    missing = f"sqlite:///{tmp_path / 'none.sqlite'}"
    for args in (["reports"], ["show", "x"], ["stats"], ["coverage", "--year", "2024"], ["sql", "SELECT 1"],
                 ["export", "--format", "csv"], ["serve"]):
        one_line_error(run(*args, "--db", missing, code=3), "no store")
    assert not (tmp_path / "none.sqlite").exists()
    bad = run("reports", "--db", "postgresql+psycopg://u:secret@127.0.0.1:1/x", code=3)
    assert "secret" not in bad.stderr


# --- serve ---------------------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get_json(url: str, deadline: float):
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                return json.loads(response.read())
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def test_serve_opens_the_views_in_datasette(store):
    url, _, records = store
    if not url.startswith("sqlite"):
        one_line_error(run("serve", "--db", url, code=2), "SQLite")
        return
    pytest.importorskip("datasette")
    port = _free_port()
    database = Path(url.removeprefix("sqlite:///")).stem
    process = subprocess.Popen([sys.executable, "-m", "harvester.cli", "serve", "--db", url, "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=dict(os.environ),
                               start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}/{database}"
        summary = _get_json(f"{base}/report_summary.json?_shape=objects", time.monotonic() + 30)
        assert len(summary["rows"]) == min(len(records), 100)
        assert {"year", "province_code", "format_version"} <= set(summary["facet_results"])
        cells = _get_json(f"{base}/report_cells.json?_shape=array&table_name=applications&row_key=new"
                          "&column_key=total", time.monotonic() + 10)
        assert cells and {"report_key", "province_code", "value"} <= set(cells[0])
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def test_serve_without_datasette_says_how_to_install(store, monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "datasette" else real(name, *a))
    one_line_error(run("serve", "--db", store[0], code=2), "harvester[serve]")
