"""``harvester seeds check | add | discover`` driven as a user would: exit codes, output, files."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from typer.testing import CliRunner

from harvester.cli import app

DATA = Path(__file__).parent / "data" / "seeds"
runner = CliRunner()


def invoke(*args: str):
    return runner.invoke(app, ["seeds", *args], terminal_width=200)


def test_check_passes_on_the_shipped_list():
    result = invoke("check")
    assert result.exit_code == 0, result.output
    assert "no problems" in result.output


def test_check_lists_each_problem_with_its_line():
    result = invoke("check", str(DATA / "broken.csv"))
    assert result.exit_code == 1
    assert "12 problems" in result.stdout
    for line, kind in ((4, "name"), (6, "duplicate-host"), (11, "parent"), (14, "fields"), (17, "region_code")):
        assert any(row.split("│")[1:3] == [f" {line:>4} ", f" {kind:<14} "] for row in result.stdout.splitlines()
                   if row.count("│") >= 3), (line, kind)


def test_check_unreadable_file_exits_2(tmp_path):
    result = invoke("check", str(tmp_path / "missing.csv"))
    assert result.exit_code == 2
    assert "cannot read" in result.output and len(result.output.strip().splitlines()) == 1


def test_check_bom_and_bad_bytes(tmp_path):
    path = tmp_path / "seeds.csv"
    path.write_bytes(b"\xef\xbb\xbfname,url\n" + "陇西县人民政府,http://www.longxi.gov.cn/\n".encode("gbk"))
    result = invoke("check", str(path))
    assert result.exit_code == 1
    assert "bom" in result.stdout and "encoding" in result.stdout


def test_add_appends_a_checked_row(tmp_path):
    seeds = tmp_path / "portals.csv"
    shutil.copy(DATA / "gansu_seeds.csv", seeds)
    result = invoke("add", "http://www.tongwei.gov.cn/", "--name", "通渭县人民政府", "--region-code", "621121",
                    "--seeds", str(seeds))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(seeds.read_text(encoding="utf-8"))))
    assert rows[-1]["name"] == "通渭县人民政府"
    assert (rows[-1]["region_code"], rows[-1]["level"], rows[-1]["parent"]) == ("621121", "county", "621100")
    assert invoke("check", str(seeds)).exit_code == 0


def test_add_refuses_a_duplicate_host_with_one_line(tmp_path):
    seeds = tmp_path / "portals.csv"
    shutil.copy(DATA / "gansu_seeds.csv", seeds)
    before = seeds.read_bytes()
    result = invoke("add", "https://anding.gov.cn/", "--name", "安定区人民政府", "--seeds", str(seeds))
    assert result.exit_code == 1
    assert "already in the seeds on line 4" in result.output
    assert len(result.output.strip().splitlines()) == 1
    assert seeds.read_bytes() == before


def test_add_refuses_bad_values(tmp_path):
    seeds = tmp_path / "portals.csv"
    shutil.copy(DATA / "gansu_seeds.csv", seeds)
    bad_code = invoke("add", "http://x.gov.cn/", "--name", "x", "--region-code", "629999", "--seeds", str(seeds))
    assert bad_code.exit_code == 2 and "629999" in bad_code.output
    bad_url = invoke("add", "x.gov.cn", "--name", "x", "--seeds", str(seeds))
    assert bad_url.exit_code == 2 and "http" in bad_url.output
    missing = invoke("add", "http://x.gov.cn/", "--name", "x", "--seeds", str(tmp_path / "none.csv"))
    assert missing.exit_code == 2


def test_discover_prints_rows_to_review(tmp_path):
    result = invoke("discover", str(DATA / "gansu_links.html"), "--parent-code", "620000",
                    "--seeds", str(DATA / "gansu_seeds.csv"))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 15
    assert {"name", "url", "region_code", "level", "parent"} <= set(rows[0])
    assert "proposed 15 rows" in result.stderr and "host already in the seeds" in result.stderr
    assert "dingxi-travel" not in result.stdout and "beian" not in result.stdout


def test_discover_writes_a_file_and_resolves_relative_links(tmp_path):
    page = tmp_path / "links.html"
    page.write_bytes('<meta charset="gbk"><a href="//www.gslongxi.gov.cn/">陇西县</a>'
                     '<a href="/xxgk/">信息公开</a>'.encode("gbk"))
    out = tmp_path / "proposed.csv"
    result = invoke("discover", str(page), "--base-url", "https://www.dingxi.gov.cn/", "--out", str(out),
                    "--seeds", str(DATA / "gansu_seeds.csv"))
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert [(row["url"], row["region_code"]) for row in rows] == [("https://www.gslongxi.gov.cn/", "621122")]


def test_discover_bad_parent_code_exits_2():
    result = invoke("discover", str(DATA / "gansu_links.html"), "--parent-code", "629999")
    assert result.exit_code == 2
