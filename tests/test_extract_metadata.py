"""page_metadata, report_identity and extract_page."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.extract import ExtractedPage, extract_page
from harvester.extract.metadata import iso_datetime, page_metadata, report_identity

REAL_PAGES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "real-pages"
COUNTY_PAGE = Path(__file__).resolve().parent / "data" / "pages" / "county_report.html"


@pytest.mark.parametrize(
    ("name", "title", "published_at", "site_id_code", "column_name"),
    [
        (
            "101_zjdrc_deqing_invest_hanweb_article.html",
            "1-10月德清县固定资产投资结构趋稳趋优",
            "2016-11-22T09:53:00+08:00",
            "3300000020",
            "投资运行",
        ),
        (
            "102_shanxi_gov_trs_article.html",
            "山西品牌丝路行（南美站）正式启动",
            "2019-09-18T06:23:00+08:00",
            "1400000045",
            "山西要闻",
        ),
        (
            "103_govcn_gazette_article.html",
            "全国人民代表大会常务委员会关于批准财政部发行特别国债购买外汇及调整2007年末国债余额限额的决议",
            "2007-08-20T23:59:59+08:00",
            None,
            None,
        ),
        ("104_cmse_gov_article.html", "天宫一号与神舟九号载人交会对接任务第二场新闻发布会", "2012-06-24", None, None),
    ],
)
def test_real_page_metadata(
    name: str, title: str, published_at: str, site_id_code: str | None, column_name: str | None
) -> None:
    meta = page_metadata((REAL_PAGES / name).read_text(encoding="utf-8"))
    assert meta.title == title
    assert meta.published_at == published_at
    assert meta.site_id_code == site_id_code
    assert meta.column_name == column_name
    # news articles are not reports: no agency or year is made up for them
    assert (meta.agency, meta.year) == (None, None)


def test_list_page_column_from_breadcrumb() -> None:
    meta = page_metadata((REAL_PAGES / "301_ordos_egb_xxgknb_trs_list.html").read_text(encoding="utf-8"))
    assert meta.column_name == "信息公开年报"
    assert meta.site_id_code == "1506000140"


def test_county_report_page() -> None:
    page = extract_page(COUNTY_PAGE.read_text(encoding="utf-8"), "http://www.anding.gov.cn/zwgk/zfxxgknb/t1.html")
    assert isinstance(page, ExtractedPage)
    assert page.title == "定西市安定区人民政府2024年政府信息公开工作年度报告"
    assert page.published_at == "2025-01-20T09:24:00+08:00"
    assert (page.agency, page.year) == ("定西市安定区人民政府", 2024)
    assert page.site_id_code == "6211020001"
    assert page.column_name == "政府信息公开年报"
    assert "本年度未收取信息处理费。" in page.text


def bare_page(head: str = "", body: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}<div class='c'><p>一、总体情况</p><p>本年新收申请49件。</p></div></body></html>"


def test_title_from_heading_matching_title_prefix() -> None:
    html = bare_page(
        "<title>冶金街道2024年政府信息公开工作年度报告_冶金街道_XX区人民政府</title>",
        "<h1>XX区人民政府</h1><h2 class='title'>冶金街道2024年政府信息公开工作年度报告</h2>",
    )
    meta = page_metadata(html)
    assert meta.title == "冶金街道2024年政府信息公开工作年度报告"
    assert (meta.agency, meta.year) == ("冶金街道办事处", 2024)


@pytest.mark.parametrize(
    ("title_tag", "expected"),
    [
        ("XX县2023年政府信息公开工作年度报告_XX县人民政府", "XX县2023年政府信息公开工作年度报告"),
        ("XX县2023年政府信息公开工作年度报告 - XX县人民政府", "XX县2023年政府信息公开工作年度报告"),
        ("XX县2023年政府信息公开工作年度报告|XX县人民政府", "XX县2023年政府信息公开工作年度报告"),
        ("XX县2023年政府信息公开工作年度报告——XX县人民政府", "XX县2023年政府信息公开工作年度报告"),
        ("1-10月德清县固定资产投资", "1-10月德清县固定资产投资"),
    ],
)
def test_title_tag_loses_site_suffix(title_tag: str, expected: str) -> None:
    assert page_metadata(bare_page(f"<title>{title_tag}</title>")).title == expected


def test_title_when_title_tag_is_only_the_site_name() -> None:
    html = bare_page(
        "<title>XX县人民政府</title><meta name='SiteName' content='XX县人民政府'>",
        "<div class='article-title'>XX县财政局2023年政府信息公开工作年度报告</div>",
    )
    assert page_metadata(html).title == "XX县财政局2023年政府信息公开工作年度报告"


@pytest.mark.parametrize(
    ("head", "body", "expected"),
    [
        ("<meta name='PubDate' content='2025-02-05 09:24'>", "", "2025-02-05T09:24:00+08:00"),
        ("<meta name='pubdate' content='2025-02-05'>", "", "2025-02-05"),
        ("<meta name='firstpublishedtime' content='2025-02-05-09:24:00'>", "", "2025-02-05T09:24:00+08:00"),
        ("", "<span>发布日期：2025-02-05</span>", "2025-02-05"),
        ("", "<span>发布时间： 2025年2月5日 09:24</span>", "2025-02-05T09:24:00+08:00"),
        ("", "<span>统计时间：2024-12-31</span><span>日期：2025/02/05</span>", "2025-02-05"),
        ("", "<span>发布时间：2025-02-05 00:00:00</span>", "2025-02-05"),
    ],
)
def test_published_at(head: str, body: str, expected: str) -> None:
    assert page_metadata(bare_page(head, body)).published_at == expected


def test_published_at_falls_back_to_htmldate() -> None:
    html = bare_page("<meta property='article:modified_time' content='2025-03-01'>", "<p>2025-02-05</p>")
    assert page_metadata(html, "http://www.example.gov.cn/art/2025/2/5/art_1.html").published_at == "2025-02-05"


def test_iso_datetime_rejects_impossible_dates() -> None:
    assert iso_datetime("2025-02-30") is None
    assert iso_datetime("无") is None


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("定西市安定区人民政府2024年政府信息公开工作年度报告", ("定西市安定区人民政府", 2024)),
        ("XX区教育局2023年度政府信息公开工作年度报告", ("XX区教育局", 2023)),
        ("定西市安定区2024年政府信息公开工作年度报告", ("定西市安定区人民政府", 2024)),
        ("XX县2023年政府信息公开工作年度报告", ("XX县人民政府", 2023)),
        ("XX市XX区2023年政府信息公开工作年度报告", ("XX市XX区人民政府", 2023)),
        ("冶金街道2024年政府信息公开工作年度报告", ("冶金街道办事处", 2024)),
        ("XX镇2023年政府信息公开工作年度报告", ("XX镇人民政府", 2023)),
        ("XX乡2022年度政府信息公开工作年度报告", ("XX乡人民政府", 2022)),
        ("内蒙古自治区2018年政府信息公开年度报告", ("内蒙古自治区人民政府", 2018)),
        ("蓉江新区政务服务和大数据发展中心2024年政府信息公开工作年度报告", ("蓉江新区政务服务和大数据发展中心", 2024)),
        ("XX经济技术开发区2023年政府信息公开工作年度报告", ("XX经济技术开发区", 2023)),
        ("关于定西市安定区人民政府2024年政府信息公开工作年度报告的报告", ("定西市安定区人民政府", 2024)),
        ("安定区人民政府关于2024年政府信息公开工作年度报告", ("安定区人民政府", 2024)),
        ("XX市人民政府办公室关于印发XX市2024年政府信息公开工作年度报告的通知", ("XX市人民政府", 2024)),
        ("2024年度蓉江新区政务服务和大数据发展中心政府信息公开工作年度报告", ("蓉江新区政务服务和大数据发展中心", 2024)),
        ("2024年安定区人民政府信息公开工作年度报告", ("安定区人民政府", 2024)),
        ("XX县人民政府二〇二三年政府信息公开工作年度报告", ("XX县人民政府", 2023)),
        ("老城区人民政府 2024 年政府信息公开工作年度报告", ("老城区人民政府", 2024)),
        ("《XX县财政局2021年政府信息公开工作年度报告》", ("XX县财政局", 2021)),
        ("XX县卫生健康局2020年政府信息公开年报", ("XX县卫生健康局", 2020)),
        ("2024年政府信息公开工作年度报告", (None, 2024)),
        ("山西品牌丝路行（南美站）正式启动", (None, None)),
        ("", (None, None)),
    ],
)
def test_report_identity_from_title(title: str, expected: tuple[str | None, int | None]) -> None:
    assert report_identity(title) == expected


def test_report_identity_from_first_lines_of_text() -> None:
    text = "定西市安定区人民政府\n2024年政府信息公开工作年度报告\n一、总体情况"
    assert report_identity("政府信息公开工作年度报告", text) == (None, 2024)
    text = "定西市安定区人民政府2024年政府信息公开工作年度报告\n一、总体情况"
    assert report_identity("2024年政府信息公开工作年度报告", text) == ("定西市安定区人民政府", 2024)


def test_report_year_from_date_line_only_as_last_resort() -> None:
    text = "（2025年1月17日）\n一、总体情况\n本年新收申请49件。"
    assert report_identity("安定区政府信息公开工作年度报告", text) == (None, 2024)
    # a dated line says nothing on a page that is not a report
    assert report_identity("新闻发布会", "2012年6月24日\n女士们、先生们：") == (None, None)
