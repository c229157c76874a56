"""CMS adapters: family detection, each family's walk, safe XML, overrides."""

from __future__ import annotations

import json
import time
from urllib.parse import parse_qs, urlsplit

import pytest

from harvester.discover import cms
from harvester.discover.cms import generic, gkmlpt, hanweb, ucap
from harvester.discover.cms.base import Page
from harvester.discover.overrides import load_overrides, parse_overrides
from harvester.farm.site import build_site
from harvester.farm.truth import expected_reports, noise_urls

SITE = build_site()
REPORT_URLS = {s["url"] for r in expected_reports() for s in r["sightings"]}


def farm_page(url: str, kind: str = "column", state: dict | None = None) -> Page:
    parts = urlsplit(url)
    page = SITE.get(parts.hostname, parts.path + (f"?{parts.query}" if parts.query else ""))
    assert page is not None, url
    return Page(url=url, text=page.body.decode("utf-8"), kind=kind, portal=f"http://{parts.hostname}/", hub_depth=2,
                state=state or {})


def reports(nexts) -> set[str]:
    return {n.url for n in nexts if n.kind == "report"}


@pytest.mark.parametrize(("url", "family"), [
    ("http://www.deqing.gov.cn/col/col1229213486/index.html", "hanweb"),
    ("http://xxgk.longxi.gov.cn/xxgknb/index.html", "trs"),
    ("http://www.sgwj.gov.cn/gkmlpt/index", "gkmlpt"),
    ("http://www.yixian.gov.cn/xxgk/xxgknb/list.shtml", "ucap"),
    ("http://www.anding.gov.cn/zwgk/zfxxgk/zfxxgknb/", None),
])
def test_family_is_recognised_from_the_page(url, family):
    page = farm_page(url)
    assert cms.detect(page.url, page.text) == family


def test_hanweb_reads_the_datastore_and_asks_for_the_rest_in_one_post():
    family, nexts = cms.follow(farm_page("http://www.deqing.gov.cn/col/col1229213486/index.html"))
    assert family == "hanweb"
    embedded = reports(nexts)
    assert len(embedded) == 2 and embedded <= REPORT_URLS
    [post] = [n for n in nexts if n.kind == "api"]
    assert post.method == "POST" and urlsplit(post.url).path == hanweb.DATAPROXY
    query = parse_qs(urlsplit(post.url).query)
    assert query == {"startrecord": ["3"], "endrecord": ["4"], "perpage": ["2"]}
    form = parse_qs(post.body)
    assert form["columnid"] == ["1229213486"] and form["unitid"] == ["7346367"] and form["webid"] == ["3310"]
    answer = SITE.post("www.deqing.gov.cn", urlsplit(post.url).path + "?" + urlsplit(post.url).query, post.body.encode())
    more = cms.follow_api(Page(post.url, answer.body.decode(), kind="list", state={"cms": "hanweb", **post.meta["cms_state"]}))
    deqing = {u for u in REPORT_URLS if "deqing" in u}
    assert embedded | reports(more) == deqing
    assert not [n for n in more if n.kind == "api"], "all records came back: no further POST"
    assert not (reports(nexts) | reports(more)) & set(noise_urls())


def test_hanweb_walks_on_when_the_server_caps_a_batch():
    state = {"cms": "hanweb", "form": {"columnid": "1", "unitid": "2"}, "start": 3, "end": 40, "per_page": 10,
             "total": 40, "page_url": "http://x.gov.cn/col/col1/index.html"}
    xml = "<datastore><recordset>" + "<record><![CDATA[<li>x</li>]]></record>" * 10 + "</recordset></datastore>"
    [nxt] = cms.follow_api(Page(state["page_url"], xml, kind="list", state=state))
    assert parse_qs(urlsplit(nxt.url).query)["startrecord"] == ["13"]


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
<!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
<!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
<!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
<!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
<!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
<!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">]>
<datastore><recordset><record>&lol9;</record><record><![CDATA[<a href="/art/2025/1/2/art_1_2.html">x</a>]]></record></recordset></datastore>"""

EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd"><!ENTITY net SYSTEM "http://attacker.invalid/x">]>
<datastore><totalrecord>1</totalrecord><recordset><record>&xxe;&net;</record></recordset></datastore>"""


def test_datastore_xml_never_expands_entities_or_reads_files():
    started = time.monotonic()
    records, _ = hanweb.datastore_records(BILLION_LAUGHS)
    assert time.monotonic() - started < 1
    assert records == ['<a href="/art/2025/1/2/art_1_2.html">x</a>']
    records, total = hanweb.datastore_records(EXTERNAL_ENTITY)
    assert records == [] and total == 1
    assert all("root:" not in r for r in records)


def test_malformed_and_oversized_datastores_are_harmless():
    assert hanweb.datastore_records("<datastore><recordset><record><![CDATA[<li>a</li>]]></record>")[0] == ["<li>a</li>"]
    assert hanweb.datastore_records("no xml here") == ([], None)
    huge = "<datastore><recordset>" + "<record><![CDATA[x]]></record>" * 400_000 + "</recordset></datastore>"
    assert len(huge) > hanweb.MAX_XML_CHARS
    records, _ = hanweb.datastore_records(huge)
    assert len(records) < 400_000


def test_gkmlpt_uses_the_sid_and_the_report_category_only():
    family, nexts = cms.follow(farm_page("http://www.sgwj.gov.cn/gkmlpt/index", kind="hub"))
    assert family == "gkmlpt"
    [tree] = [n for n in nexts if n.kind == "api"]
    assert tree.url == "http://www.sgwj.gov.cn/gkmlpt/api/tree?sid=755046"
    found, pending = set(), [tree]
    requests = 0
    while pending:
        nxt = pending.pop()
        requests += 1
        page = farm_page(nxt.url, kind="list", state={"cms": "gkmlpt", **nxt.meta["cms_state"]})
        follow = cms.follow_api(page)
        found |= reports(follow)
        pending += [n for n in follow if n.kind == "api"]
    assert found == {u for u in REPORT_URLS if "sgwj" in u}
    assert requests == 3, "tree + two list pages of the report category"
    assert gkmlpt.report_categories([{"id": 9, "name": "网站工作年度报表"}]) == []


def test_ucap_pages_come_from_the_script_pager():
    family, nexts = cms.follow(farm_page("http://www.yixian.gov.cn/xxgk/xxgknb/list.shtml"))
    assert family == "ucap"
    assert {n.url for n in nexts if n.kind == "list"} == {"http://www.yixian.gov.cn/xxgk/xxgknb/list_2.shtml",
                                                          "http://www.yixian.gov.cn/xxgk/xxgknb/list_3.shtml"}
    assert ucap.page_count("<p>共 12 页</p>") == 12
    _, later = cms.follow(farm_page("http://www.yixian.gov.cn/xxgk/xxgknb/list_2.shtml", kind="list"))
    assert not [n for n in later if n.kind == "list"], "only the first list page names the others"


def test_trs_pager_gives_every_index_page():
    family, nexts = cms.follow(farm_page("http://xxgk.longxi.gov.cn/xxgknb/index.html"))
    assert family == "trs"
    assert {n.url for n in nexts if n.kind == "list"} >= {"http://xxgk.longxi.gov.cn/xxgknb/index_1.html",
                                                          "http://xxgk.longxi.gov.cn/xxgknb/index_2.html"}


def test_a_script_built_list_is_rendered_once_and_only_it():
    family, nexts = cms.follow(farm_page("http://www.weiyuan.gov.cn/zgxxgk/ndbg/"))
    assert family is None and not reports(nexts)
    [render] = [n for n in nexts if (n.meta or {}).get("render")]
    assert render.url == "http://www.weiyuan.gov.cn/zgxxgk/ndbg/"
    page = farm_page("http://www.weiyuan.gov.cn/zgxxgk/ndbg/")
    assert not generic.needs_browser(Page(page.url, page.text, kind="column", rendered=True))
    for url in ("http://www.anding.gov.cn/zwgk/zfxxgk/zfxxgknb/", "http://www.deqing.gov.cn/col/col1229213486/index.html"):
        assert not [n for n in cms.follow(farm_page(url))[1] if (n.meta or {}).get("render")], url
    notice = next(u for u in noise_urls() if "weiyuan" in u)
    assert not generic.needs_browser(farm_page(notice)), "a view counter's document.write is not a list"


def test_notice_titles_are_not_followed_as_columns():
    html = ('<a href="/zgxxgk/ndbg/202412/1.html">关于做好2024年政府信息公开工作年度报告编制发布工作的通知</a>'
            '<a href="/zgxxgk/ndbg/">政府信息公开工作年度报告</a>')
    _, nexts = cms.follow(Page("http://www.x.gov.cn/zgxxgk/", html, kind="hub", portal="http://www.x.gov.cn/", hub_depth=1))
    assert [n.url for n in nexts if n.kind == "column"] == ["http://www.x.gov.cn/zgxxgk/ndbg/"]


def test_overrides(tmp_path):
    path = tmp_path / "overrides.yaml"
    path.write_text(
        "http://www.a.gov.cn/:\n  column: http://www.a.gov.cn/col/col1/index.html\n  cms: hanweb\n  render: true\n"
        "http://www.b.gov.cn/:\n  colum: x\n"
        "www.c.gov.cn:\n  cms: trs\n", encoding="utf-8")
    found, problems = load_overrides(path)
    assert found["http://www.a.gov.cn/"].columns == ("http://www.a.gov.cn/col/col1/index.html",)
    assert found["http://www.a.gov.cn/"].cms == "hanweb" and found["http://www.a.gov.cn/"].render
    assert len(problems) == 2 and set(found) == {"http://www.a.gov.cn/"}
    assert load_overrides(tmp_path / "missing.yaml") == ({}, [])
    assert parse_overrides({"http://x.gov.cn/": {"render": "yes"}})[1]
    assert load_overrides("seeds/overrides.yaml")[1] == []


def test_gkmlpt_ignores_bad_json():
    assert gkmlpt.api(Page("http://x.gov.cn/gkmlpt/api/tree?sid=1", "<html>", state={"step": "tree", "sid": "1"})) == []
    data = json.dumps({"articles": [{"title": "关于做好2024年政府信息公开工作年度报告的通知", "url": "/a.html"}], "total": 1})
    assert gkmlpt.api(Page("http://x.gov.cn/", data, state={"step": "list", "sid": "1", "page": 1, "category": 2,
                                                          "page_url": "http://x.gov.cn/gkmlpt/index"})) == []
