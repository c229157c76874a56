"""The harvester command line, driven as a user would: exit codes and output."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from harvester.cli import app
from harvester.farm.truth import expected_reports

REPORT_TEXT = Path(__file__).resolve().parents[2] / "shared" / "examples" / "report-text"
runner = CliRunner()


def test_demo_crawls_the_farm_and_prints_the_harvest(tmp_path):
    store = tmp_path / "demo.sqlite"
    result = subprocess.run([sys.executable, "-m", "harvester.cli", "demo", "--store", str(store)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "Harvested annual reports" in result.stdout
    assert "定西市安定区人民政府" in result.stdout
    assert f"{len(expected_reports())} reports" in result.stderr


def test_parse_prints_one_record(tmp_path):
    page = Path(__file__).parent / "data" / "pages" / "county_report.html"
    result = runner.invoke(app, ["parse", str(page), "--url", "http://www.x.gov.cn/a.html"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert {"title", "agency", "year", "published_at", "format_version", "source_type", "text", "tables", "checks"} <= set(record)
    assert record["source_type"] == "html"
    assert record["tables"]["applications"]["new"]["total"] is not None


@pytest.mark.parametrize("name,agency,year", [
    ("000_de385e6a7bd35784.txt", "定西市安定区人民政府", 2024),
    ("001_2f7acd81927c9392.txt", "蓉江新区政务服务和大数据发展中心", 2024),
    ("002_2e0bbb7745e2b5ab.txt", "冶金街道办事处", 2024),
    ("003_e31c770031eabc62.txt", "遂溪县人民政府办公室", 2021),
    ("004_bb716c0dab2a4345.txt", "老城区人民政府", 2024),
])
def test_parse_plain_text_examples(name, agency, year):
    result = runner.invoke(app, ["parse", str(REPORT_TEXT / name)])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert (record["source_type"], record["agency"], record["year"]) == ("text", agency, year)
    assert record["format_version"] == "2021"
    assert set(record["tables"]) == {"active", "applications", "reviews"}
    assert set(record["sections"]) == {"overview", "proactive", "applications", "reviews", "problems", "other"}


def test_parse_unreadable_file_exits_non_zero_with_one_line(tmp_path):
    missing = runner.invoke(app, ["parse", str(tmp_path / "nope.html")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    binary = tmp_path / "x.bin"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    result = runner.invoke(app, ["parse", str(binary)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1


def test_export_to_file_and_bad_store(tmp_path):
    url = f"sqlite:///{tmp_path / 's.sqlite'}"
    out = tmp_path / "out" / "r.jsonl"
    result = runner.invoke(app, ["export", "--format", "jsonl", "--out", str(out), "--db", url])
    assert result.exit_code == 0 and out.read_text() == ""
    bad = subprocess.run([sys.executable, "-m", "harvester.cli", "export"], capture_output=True, text=True,
                         env=dict(os.environ, HARVESTER_DB_URL="postgresql+psycopg://u:pw@127.0.0.1:1/x"))
    assert bad.returncode == 3 and "pw" not in bad.stderr.replace("psycopg", "")
