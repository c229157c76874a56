"""Checking, adding and discovering seed rows, without the command line."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.discover.regions import load_divisions
from harvester.discover.seeds import read_seeds
from harvester.discover.seedtools import (
    SHIPPED_COLUMNS,
    SeedRefused,
    append_row,
    check_seeds,
    discover_rows,
    government_name,
    host_key,
    new_row,
    read_table,
    url_problem,
)

PROJECT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data" / "seeds"
HEADER = "name,url,region_code,level,parent\n"


@pytest.fixture(scope="module")
def divisions():
    return load_divisions()


def kinds(problems) -> list[tuple[int, str]]:
    return [(problem.line, problem.kind) for problem in problems]


def test_shipped_seed_list_passes(divisions):
    raw = (PROJECT / "seeds" / "portals.csv").read_bytes()
    assert check_seeds(raw, divisions) == []
    table = read_table(raw)
    assert tuple(table.header) == SHIPPED_COLUMNS
    assert len(table.rows) > 3200
    coded = [row for row in table.rows if row.values["region_code"]]
    assert len(coded) == len(table.rows) - 1  # 新疆生产建设兵团 has no division code
    assert all(row.values["parent"] for row in table.rows if row.values["level"] != "province")
    assert len({divisions.province_of(row.values["region_code"]).code for row in coded}) == 31


def test_broken_file_reports_each_problem_on_its_line(divisions):
    problems = check_seeds((DATA / "broken.csv").read_bytes(), divisions)
    assert kinds(problems) == [
        (4, "name"), (5, "url"), (6, "duplicate-host"), (7, "region_code"), (8, "region_code"), (9, "level"),
        (10, "level"), (11, "parent"), (12, "parent"), (14, "fields"), (15, "name"), (17, "region_code"),
    ]
    assert "line 3" in problems[2].message
    assert "623000" in problems[7].message  # the real parent is named


def test_the_crawl_still_reads_the_good_rows_of_a_broken_file():
    seeds, problems = read_seeds(DATA / "broken.csv")
    assert [seed.name for seed in seeds][:2] == ["定西市人民政府", "定西市安定区人民政府"]
    assert problems


def test_bom_bad_bytes_and_header(divisions):
    bom = b"\xef\xbb\xbf" + HEADER.encode() + "安定区,http://www.anding.gov.cn/,621102,county,621100\n".encode()
    assert kinds(check_seeds(bom, divisions)) == [(1, "bom")]
    gbk = HEADER.encode() + "安定区,http://www.anding.gov.cn/,,,\n".encode("gbk")
    problems = check_seeds(gbk, divisions)
    assert kinds(problems) == [(2, "encoding")] and "b0" in problems[0].message
    assert kinds(check_seeds(b"name,site\nx,y\n", divisions)) == [(1, "columns")]
    assert kinds(check_seeds(b"name,url,url\nx,http://a.gov.cn/,http://a.gov.cn/\n", divisions)) == [(1, "columns")]
    assert kinds(check_seeds(b"", divisions)) == [(1, "columns")]


def test_parent_forms(divisions):
    def parent(value: str, code: str = "621102") -> list[tuple[int, str]]:
        raw = (HEADER + f"安定区,http://www.anding.gov.cn/,{code},county,{value}\n").encode()
        return kinds(check_seeds(raw, divisions))

    assert parent("621100") == [] and parent("620000") == [] and parent("甘肃省/定西市") == []
    assert parent("621102") == [(2, "parent")]  # itself
    assert parent("360700") == [(2, "parent")]  # elsewhere
    assert parent("1234") == [(2, "parent")]
    assert parent("甘肃省/赣州市") == [(2, "parent")]
    assert parent("621100", code="") == []


def test_levels_and_codes(divisions):
    def level(value: str, code: str) -> list[tuple[int, str]]:
        raw = (HEADER + f"x,http://www.x.gov.cn/,{code},{value},\n").encode()
        return kinds(check_seeds(raw, divisions))

    assert level("township", "360703") == [] and level("department", "621100") == []
    assert level("county", "621100") == [(2, "level")]
    assert level("province", "110100") == [(2, "level")]
    assert level("township", "620000") == [(2, "level")]


def test_urls_and_hosts():
    assert url_problem("http://www.anding.gov.cn/") is None
    assert url_problem("https://10.0.0.1:8080/x") is None
    for bad in ("www.anding.gov.cn", "http://", "http://a b.gov.cn/", "http://user:pw@x.gov.cn/",
                "http://x.gov.cn:99999/", "http://bad_host!.cn/", "javascript:void(0)"):
        assert url_problem(bad), bad
    assert host_key("http://WWW.Anding.gov.cn./index.html") == host_key("https://anding.gov.cn") == "anding.gov.cn"


def test_new_row_infers_level_parent_and_code(divisions):
    table = read_table((DATA / "gansu_seeds.csv").read_bytes())
    row = new_row(table, divisions, url="http://www.tongwei.gov.cn/", name="通渭县人民政府", region_code="621121")
    assert (row["region_code"], row["level"], row["parent"], row["parent_path"]) == (
        "621121", "county", "621100", "甘肃省/定西市")
    assert list(row) == table.header
    by_name = new_row(table, divisions, url="http://www.lintan.gov.cn/", name="临潭县人民政府")
    assert (by_name["region_code"], by_name["parent"]) == ("623021", "620000")  # 甘南州 has no portal here
    department = new_row(table, divisions, url="http://wjw.dingxi.gov.cn/", name="定西市卫生健康委员会",
                         level="department", parent="621100")
    assert (department["region_code"], department["level"]) == ("", "department")


@pytest.mark.parametrize(("options", "duplicate", "message"), [
    ({"url": "http://anding.gov.cn/x", "name": "安定区"}, True, "line 4"),
    ({"url": "ftp://x.gov.cn/", "name": "x"}, False, "http"),
    ({"url": "http://x.gov.cn/", "name": "x", "region_code": "629999"}, False, "629999"),
    ({"url": "http://x.gov.cn/", "name": "x", "region_code": "621121", "level": "prefecture"}, False, "level"),
    ({"url": "http://x.gov.cn/", "name": "x", "region_code": "621121", "parent": "360700"}, False, "not above"),
    ({"url": "http://x.gov.cn/", "name": ""}, False, "empty name"),
])
def test_new_row_refuses(divisions, options, duplicate, message):
    table = read_table((DATA / "gansu_seeds.csv").read_bytes())
    with pytest.raises(SeedRefused) as refused:
        new_row(table, divisions, **options)
    assert refused.value.duplicate is duplicate
    assert message in str(refused.value)


def test_append_row_keeps_the_file_form():
    raw = b"name,url\r\na,http://a.gov.cn/"
    table = read_table(raw)
    assert append_row(raw, table, {"name": "b, c", "url": "http://b.gov.cn/"}) == (
        b'name,url\r\na,http://a.gov.cn/\r\n"b, c",http://b.gov.cn/\r\n')


def test_discover_proposes_county_sites_and_nothing_else(divisions):
    existing = read_table((DATA / "gansu_seeds.csv").read_bytes())
    found = discover_rows((DATA / "gansu_links.html").read_text(encoding="utf-8"), divisions,
                          parent_code="620000", existing=existing.rows, columns=existing.header)
    codes = [row["region_code"] for row in found.proposed]
    assert codes == ["623000", "621121", "621122", "621123", "621124", "621125", "621126",
                     "623001", "623021", "623022", "623023", "623024", "623025", "623026", "623027"]
    by_code = {row["region_code"]: row for row in found.proposed}
    assert by_code["623000"]["name"] == "甘南藏族自治州人民政府"  # from the link's title
    assert by_code["621122"]["name"] == "陇西县人民政府"  # from 陇西县政府网
    assert by_code["621122"]["url"] == "http://www.gslongxi.gov.cn/"
    assert by_code["621124"]["url"] == "https://www.lintaoxian.gov.cn/"
    assert by_code["623021"]["parent"] == "623000"  # the prefecture proposed in the same page
    assert by_code["621121"]["parent"] == "621100" and by_code["621121"]["level"] == "county"
    proposed_hosts = {host_key(row["url"]) for row in found.proposed}
    for host in ("gov.cn", "gjzwfw.www.gov.cn", "gat.gansu.gov.cn", "zwfw.gansu.gov.cn", "beian.miit.gov.cn",
                 "dingxi-travel.com", "weather.com.cn", "anding.gov.cn", "dingxi.gov.cn", "ndrc.gov.cn"):
        assert host not in proposed_hosts
    reasons = {skipped.text: (skipped.reason, skipped.detail) for skipped in found.skipped}
    assert reasons["安定区"] == ("host already in the seeds", "line 4")
    assert reasons["安定区文化旅游"] == ("anchor text names no single government", "under 620000")
    assert reasons["甘肃省公安厅"][0] == "anchor text names no single government"
    assert reasons["陇ICP备05001234号"][0] == "anchor text names no single government"
    assert reasons["网站纠错"][0] == "not a link to a web site"
    assert reasons["陇西县"] == ("host already proposed", "for «陇西县政府网»")


def test_discovered_rows_pass_the_check_when_appended(divisions):
    raw = (DATA / "gansu_seeds.csv").read_bytes()
    table = read_table(raw)
    found = discover_rows((DATA / "gansu_links.html").read_bytes(), divisions, existing=table.rows,
                          columns=table.header)
    for row in found.proposed:
        raw = append_row(raw, table, row)
    assert check_seeds(raw, divisions) == []
    assert len(read_table(raw).rows) == 3 + 15


def test_discover_without_a_parent_needs_names_unique_in_china(divisions):
    html = ('<a href="http://www.cy.example.gov.cn/">朝阳区</a>'
            '<a href="http://www.lx.example.gov.cn/">陇西县</a>'
            '<a href="http://www.bj-cy.example.gov.cn/">北京市朝阳区</a>')
    found = discover_rows(html, divisions, base_url="https://www.example.gov.cn/")
    assert [(row["region_code"], row["name"]) for row in found.proposed] == [
        ("621122", "陇西县人民政府"), ("110105", "北京市朝阳区人民政府")]
    assert discover_rows("", divisions).proposed == []


def test_government_name_follows_the_shipped_style(divisions):
    assert government_name("安定区", divisions.get("621102"), divisions) == "定西市安定区人民政府"
    assert government_name("岷县政府", divisions.get("621126"), divisions) == "岷县人民政府"
    assert government_name("阿里地区", divisions.get("542500"), divisions) == "阿里地区行政公署"


def test_build_script_reproduces_the_shipped_files(tmp_path, monkeypatch):
    """seeds/build.py from ../shared/data gives byte for byte the shipped portals.csv and divisions.csv."""
    import importlib.util

    shared = PROJECT.parent / "shared" / "data"
    if not (shared / "portals.csv").exists():
        pytest.skip("../shared/data is not beside the project")
    spec = importlib.util.spec_from_file_location("seeds_build", PROJECT / "seeds" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    monkeypatch.setattr(build, "SEEDS", tmp_path)
    assert build.main(["--shared", str(shared)]) == 0
    for name in ("portals.csv", "divisions.csv"):
        assert (tmp_path / name).read_bytes() == (PROJECT / "seeds" / name).read_bytes(), name
