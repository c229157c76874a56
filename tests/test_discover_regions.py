"""Divisions and the region a harvested report is filed under."""

from __future__ import annotations

import pytest

from harvester.discover.regions import (
    Division,
    Divisions,
    coverage,
    level_of_code,
    load_divisions,
    nearest_listed_ancestor,
    place_names,
    refine_region,
    site_id_region,
)
from harvester.extract.decode import decode_html
from harvester.extract.metadata import page_metadata
from harvester.farm.catalog import catalog
from harvester.farm.site import build_site


@pytest.fixture(scope="module")
def divisions() -> Divisions:
    return load_divisions()


def test_shipped_divisions_have_every_province_and_a_sound_tree(divisions):
    provinces = [d for d in divisions.children(None) if d.level == "province"]
    assert len(provinces) == 34
    for division in divisions:
        if division.parent_code:
            assert division.parent_code in divisions, division
            assert divisions.province_of(division.code) is not None


def test_lookups_by_code_name_parent_and_province(divisions):
    anding = divisions.get("621102")
    assert anding == Division("621102", "安定区", "county", "621100", "district")
    assert {d.name for d in divisions.children("621100")} >= {"安定区", "陇西县", "岷县"}
    assert divisions.province_of("621102").name == "甘肃省"
    assert divisions.province_of("620000").code == "620000"
    assert [d.code for d in divisions.named("安定区", within="620000")] == ["621102"]
    assert len(divisions.named("鼓楼区")) == 4
    assert [d.code for d in divisions.named("甘南州")] == ["623000"]
    assert divisions.path("621102") == "甘肃省/定西市/安定区"
    assert divisions.path("110101") == "北京市/东城区"
    assert divisions.resolve_path("甘肃省/定西市").code == "621100"
    assert divisions.resolve_path("北京市").code == "110000"
    assert divisions.resolve_path("甘肃省/无此市") is None
    assert divisions.is_ancestor("620000", "621102") and not divisions.is_ancestor("621102", "620000")


def test_counties_directly_under_a_province(divisions):
    assert divisions.get("419001").parent_code == "410000"
    assert divisions.province_of("659001").name == "新疆维吾尔自治区"


def test_short_names_and_code_forms():
    assert place_names("寻甸回族彝族自治县", "county") == ("寻甸回族彝族自治县", "寻甸县")
    assert place_names("内蒙古自治区", "province") == ("内蒙古自治区", "内蒙古")
    assert place_names("定西市", "prefecture") == ("定西市",)
    assert [level_of_code(c) for c in ("620000", "621100", "621102", "419001")] == [
        "province", "prefecture", "county", "county"]


@pytest.mark.parametrize(("portal", "agency", "site_id", "expected"), [
    # a county named in the agency on its prefecture's portal
    ("621100", "定西市安定区人民政府", None, "621102"),
    ("621100", "安定区教育局", None, "621102"),
    # townships and streets are not in divisions.csv: they stay at their county
    ("360703", "赣州市南康区唐江镇人民政府", None, "360703"),
    ("621102", "定西市安定区中华路街道办事处", None, "621102"),
    ("621100", "定西市安定区中华路街道办事处", None, "621102"),
    # a department of the portal's own government
    ("621122", "陇西县卫生健康局", None, "621122"),
    ("621100", "定西市人民政府", None, "621100"),
    # a place that is not under the portal's region does not move the report
    ("621100", "赣州市章贡区人民政府", None, "621100"),
    ("621102", "定西市人民政府", None, "621102"),
    # down two levels from a province, by short names too
    ("620000", "甘肃省定西市安定区人民政府", None, "621102"),
    ("620000", "甘南州人民政府", None, "623000"),
    ("110000", "北京市东城区人民政府", None, "110101"),
    # a name found twice under the region is not guessed
    ("320000", "鼓楼区人民政府", None, "320000"),
    ("320000", "徐州市鼓楼区人民政府", None, "320302"),
    # SiteIDCode: its first six digits win when they are a real division
    ("621100", "陇西县人民政府", "6211220003", "621122"),
    ("621100", None, "6211220003", "621122"),
    ("621100", "定西市安定区人民政府", "6211220003", "621122"),
    ("621100", "定西市人民政府", "9999990001", "621100"),
    ("621100", "定西市人民政府", "bm01000001", "621100"),
    # without a portal region, only a name unique in China is taken
    (None, "陇西县人民政府", None, "621122"),
    (None, "朝阳区人民政府", None, None),
    (None, None, None, None),
    # an unknown portal code is kept as it is
    ("629999", "定西市安定区人民政府", None, "629999"),
])
def test_refine_region(divisions, portal, agency, site_id, expected):
    assert refine_region(portal, agency, site_id, divisions) == expected


def test_site_id_region(divisions):
    assert site_id_region("6211020001", divisions) == "621102"
    assert site_id_region("0000000000", divisions) is None
    assert site_id_region("", divisions) is None


def test_farm_reports_get_their_publishers_region(divisions):
    """Every farm report page, its metadata read as the crawl reads it, maps to the catalogue's region (the repost too)."""
    cat, site = catalog(), build_site()
    for report in cat.reports:
        for location in report.locations:
            page = site.get(location.host, location.path)
            meta = page_metadata(decode_html(page.body, page.headers.get("Content-Type"))[0], location.url)
            portal = cat.portals[location.portal]
            assert meta.agency == report.agency
            found = refine_region(portal.region_code, meta.agency, meta.site_id_code, divisions)
            assert found == report.region_code, (location.url, meta.agency, meta.site_id_code)
    assert any(location.portal == "dingxi" and report.portal == "anding"
               for report in cat.reports for location in report.locations)


def test_nearest_listed_ancestor_and_coverage(divisions):
    assert nearest_listed_ancestor("110101", {"110000"}, divisions) == "110000"
    assert nearest_listed_ancestor("621102", {"620000", "621100"}, divisions) == "621100"
    assert nearest_listed_ancestor("621102", set(), divisions) == "621100"
    assert nearest_listed_ancestor("620000", set(), divisions) is None
    counts = coverage(divisions, {"620000", "621100", "621102"})
    gansu = [d for d in divisions if d.code.startswith("62")]
    assert counts["620000"] == (3, len(gansu))
    assert len(counts) >= 34
