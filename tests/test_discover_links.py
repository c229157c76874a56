"""Link rules: reports vs look-alikes, columns, hubs, pagination, real TRS list page."""

from pathlib import Path

import pytest

from harvester.discover.links import (
    LinkKind,
    classify,
    is_report_title,
    normalise_url,
    page_links,
    pagination_urls,
    registrable_domain,
    same_government,
)

REAL_PAGES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "real-pages"


@pytest.mark.parametrize("title", [
    "定西市安定区人民政府2024年政府信息公开工作年度报告",
    "定西市安定区2023年政府信息公开工作年度报告",
    "区教育局2022年度政府信息公开工作年度报告",
    "鄂尔多斯市2018年政府信息公开年度报告",
    "冶金街道办事处2024年政府信息公开工作年度报告",
    "蓉江新区政务服务和大数据发展中心2024年政府信息公开工作年度报告",
])
def test_report_titles(title):
    assert is_report_title(title)
    assert classify(title, "http://x.gov.cn/a.html") is LinkKind.REPORT


@pytest.mark.parametrize("title", [
    "关于做好2024年政府信息公开工作年度报告编制发布工作的通知",
    "关于报送2023年度政府信息公开工作年度报告的通知",
    "安定区政府信息公开指南",
    "2024年政务公开工作要点",
    "一图读懂安定区2023年政府信息公开工作年度报告",
    "2023年度政府信息公开工作年度报告评估结果",
    "安定区人民政府门户网站2024年工作年度报表",
])
def test_look_alikes_are_not_reports(title):
    assert not is_report_title(title)
    assert classify(title, "http://x.gov.cn/a.html") is not LinkKind.REPORT


@pytest.mark.parametrize("text,url,kind", [
    ("政府信息公开年报", "http://x.gov.cn/zwgk/nb/", LinkKind.COLUMN),
    ("年度报告", "http://x.gov.cn/zfxxgk/ndbg/", LinkKind.COLUMN),
    ("", "http://x.gov.cn/zfxxgk/zfxxgknb/", LinkKind.COLUMN),
    ("政务公开", "http://x.gov.cn/zwgk/", LinkKind.HUB),
    ("政府信息公开", "http://xxgk.x.gov.cn/", LinkKind.HUB),
    ("通知公告", "http://x.gov.cn/tzgg/", LinkKind.NOTICES),
    ("政府信息公开指南", "http://x.gov.cn/zfxxgk/zn/", LinkKind.OTHER),
    ("依申请公开", "http://x.gov.cn/xxgk/ysq/", LinkKind.OTHER),
    ("新闻中心", "http://x.gov.cn/xwzx/", LinkKind.OTHER),
])
def test_column_and_hub_links(text, url, kind):
    assert classify(text, url) is kind


def test_registrable_domain_groups_hosts_of_one_government():
    assert registrable_domain("http://xxgk.anding.gov.cn/x") == "anding.gov.cn"
    assert same_government("http://xxgk.anding.gov.cn/x", "http://www.anding.gov.cn/")
    assert not same_government("http://www.dingxi.gov.cn/", "http://www.anding.gov.cn/")


@pytest.mark.parametrize("href", [
    "javascript:void(0)", "mailto:a@b.cn", "data:text/html,x", "file:///etc/passwd", "#top", "",
    "http://127.0.0.1:8080/admin", "http://10.1.2.3/", "http://192.168.0.1/", "http://[::1]/", "http://localhost/",
    "http://169.254.169.254/latest/meta-data/", "http://0.0.0.0/", "ftp://x.gov.cn/a",
])
def test_unfollowable_hrefs(href):
    assert normalise_url(href, "http://x.gov.cn/") is None


def test_normalise_url_keeps_query_order_and_drops_fragment():
    assert normalise_url("index.html?uid=1&pageNum=2#x", "http://x.gov.cn/col/") == "http://x.gov.cn/col/index.html?uid=1&pageNum=2"


def test_trs_create_page_html_and_next_links():
    html = """<script>createPageHTML(4, 0, "index", "shtml");</script>
    <a href="?page=2">下一页</a> <a href="list.html?page=3">3</a> <a href="/news/1.html">4</a>"""
    urls = pagination_urls(html, "http://x.gov.cn/nb/index.shtml")
    assert urls[:3] == [f"http://x.gov.cn/nb/index_{n}.shtml" for n in (1, 2, 3)]
    assert "http://x.gov.cn/nb/index.shtml?page=2" in urls
    assert "http://x.gov.cn/nb/list.html?page=3" in urls
    assert "http://x.gov.cn/news/1.html" not in urls


def test_real_trs_report_column_page():
    html = (REAL_PAGES / "301_ordos_egb_xxgknb_trs_list.html").read_text(encoding="utf-8", errors="replace")
    base = "http://www.egb.gov.cn/xxgk/xxgknb/index.html"
    reports = [link.text for link in page_links(html, base) if link.kind is LinkKind.REPORT]
    assert "鄂尔多斯市人民政府办公室2019年政府信息公开工作年度报告" in reports
    assert all(is_report_title(title) for title in reports)
    assert "http://www.egb.gov.cn/xxgk/xxgknb/index_1.html" in pagination_urls(html, base)
