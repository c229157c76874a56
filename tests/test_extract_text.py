"""main_text on real saved pages and on a county portal's report page with heavy chrome."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from harvester.extract.text import largest_text_block, main_text, render_element, strip_chrome

REAL_PAGES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "real-pages"
COUNTY_PAGE = Path(__file__).resolve().parent / "data" / "pages" / "county_report.html"

CHROME = (
    "当前位置", "首页 >", "字号", "视力保护色", "打印本页", "关闭窗口", "返回顶部", "分享到", "新浪微博", "扫一扫",
    "责任编辑", "主办单位", "承办单位", "ICP备", "公网安备", "网站标识码", "版权所有", "联系我们", "网站地图",
    "浏览次数", "发布时间", "来源：", "上一篇", "下一篇", "请输入关键字",
)
BODY = (
    "本报告根据《中华人民共和国政府信息公开条例》",
    "一、总体情况",
    "全年通过政府门户网站主动公开政府信息4321条",
    "六、其他需要报告的事项",
    "本年度未收取信息处理费。",
    "定西市安定区人民政府办公室",
    "2025年1月17日",
)


def county_page() -> str:
    return COUNTY_PAGE.read_text(encoding="utf-8")


def without_containers(html: str) -> str:
    """The same page as a CMS without a known body container would print it."""
    return html.replace(' id="zoom"', "").replace('class="TRS_Editor"', 'class="content"')


def chrome_inside_body(html: str) -> str:
    """Some templates put the controls and the editor line inside the body container."""
    tools = re.search(r'<div class="editor">.*?<div class="qr">.*?</div>', html, re.S).group(0)
    info = re.search(r'<div class="info">.*?</div>\s*<div class="share">.*?</div>', html, re.S).group(0)
    html = html.replace(tools, "").replace(info, "")
    html = html.replace('<div class="TRS_Editor">', f'<div class="TRS_Editor">{info}')
    return html.replace("<p style=\"text-align:right\">2025年1月17日</p>", f"<p style=\"text-align:right\">2025年1月17日</p>{tools}")


def table_number_rows(html: str) -> list[tuple[str, ...]]:
    numbers = []
    for tr in lxml.html.fromstring(html).xpath("//table//tr"):
        row = tuple(cell for cell in (" ".join(td.text_content().split()) for td in tr.xpath("td|th")) if _is_number(cell))
        if row:
            numbers.append(row)
    return numbers


def text_number_rows(text: str) -> list[tuple[str, ...]]:
    numbers = []
    for line in text.splitlines():
        if "|" not in line:
            continue
        row = tuple(cell.strip() for cell in line.split("|") if _is_number(cell.strip()))
        if row:
            numbers.append(row)
    return numbers


def _is_number(cell: str) -> bool:
    return re.fullmatch(r"\d+(\.\d+)?", cell) is not None


VARIANTS = {
    "cms-container": county_page,
    "no-container": lambda: without_containers(county_page()),
    "chrome-in-container": lambda: chrome_inside_body(county_page()),
}


@pytest.fixture(params=sorted(VARIANTS))
def county_html(request: pytest.FixtureRequest) -> str:
    return VARIANTS[request.param]()


def test_county_page_body_kept(county_html: str) -> None:
    text = main_text(county_html, "http://www.anding.gov.cn/zwgk/zfxxgknb/202501/t20250120_1.html")
    for phrase in BODY:
        assert phrase in text


def test_county_page_chrome_removed(county_html: str) -> None:
    text = main_text(county_html)
    for phrase in CHROME:
        assert phrase not in text, phrase


def test_county_page_every_table_number_in_its_row(county_html: str) -> None:
    text = main_text(county_html)
    assert text_number_rows(text) == table_number_rows(county_html)


def test_county_page_table_rows_are_lines_of_cells(county_html: str) -> None:
    lines = main_text(county_html).splitlines()
    assert "| 行政许可 | 1990 |" in lines
    assert "| 行政事业性收费 | 79.6954 |" in lines
    assert "| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |" in lines
    assert "| 一、本年新收政府信息公开申请数量 |  |  | 45 | 3 | 0 | 1 | 0 | 0 | 49 |" in lines
    # rowspans keep their column: the spanned label cells stay empty
    assert "|  |  | 2.重复申请 | 1 | 0 | 0 | 0 | 0 | 0 | 1 |" in lines
    assert "| 1 | 0 | 0 | 1 | 2 | 0 | 0 | 1 | 0 | 1 | 0 | 0 | 0 | 0 | 0 |" in lines


def test_whitespace_normalised_and_deterministic(county_html: str) -> None:
    text = main_text(county_html)
    assert text == main_text(county_html)
    assert strip_chrome(text) == text
    assert "\n\n\n" not in text
    assert not re.search(r"[ \t\u3000\xa0]$", text, re.M)
    assert not re.search(r"^[ \t\u3000\xa0]", text, re.M)


REAL = {
    "101_zjdrc_deqing_invest_hanweb_article.html": (
        ("1-10月，全县固定资产投资完成246.79亿元", "总体全县投资结构趋稳趋优。（德清县发改局）"),
        ("发布日期", "浏览次数", "信息来源", "打印", "关闭", "当前位置", "分享", "版权所有", "ICP"),
    ),
    "102_shanxi_gov_trs_article.html": (
        ("图为山西品牌丝路行（南美站）启动仪式", "山西品牌丝路行首次登陆巴西", "南美站活动将先后在巴西、乌拉圭、阿根廷举行。（张巨峰）"),
        ("山西省人民政府网站", "分享", "扫一扫", "网站标识码", "ICP", "版权所有", "主办", "责任编辑", "无障碍"),
    ),
    "103_govcn_gazette_article.html": (
        ("全国人民代表大会常务委员会", "批准2007年末国债余额限额调整为53365.53亿元", "第二十八次会议通过"),
        ("扫一扫在手机打开当前页", "无障碍", "登录", "个人中心", "版权所有", "ICP", "网站标识码", "首页"),
    ),
    "104_cmse_gov_article.html": (
        ("女士们、先生们：", "我国首次航天员手控交会对接试验取得圆满成功", "下面，我愿意回答大家的提问。"),
        ("字号", "[打印]", "发布日期", "友情链接", "专题报道", "版权所有", "ICP", "责任编辑"),
    ),
}


@pytest.mark.parametrize("name", sorted(REAL))
def test_real_page_text(name: str) -> None:
    present, absent = REAL[name]
    text = main_text((REAL_PAGES / name).read_text(encoding="utf-8"))
    for phrase in present:
        assert phrase in text
    for phrase in absent:
        assert phrase not in text, phrase


def test_real_list_page_loses_breadcrumb_and_footer() -> None:
    text = main_text((REAL_PAGES / "301_ordos_egb_xxgknb_trs_list.html").read_text(encoding="utf-8"))
    assert "| 鄂尔多斯市人民政府办公室2019年政府信息公开工作年度报告 | 2020-03-11 |" in text
    for phrase in ("您现在的位置", "网站标识码", "ICP备", "公网安备", "主办："):
        assert phrase not in text


def test_falls_back_to_the_largest_text_block(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("harvester.extract.text._trafilatura", lambda html, url, favor_recall: "")
    html = (
        "<html><body><table><tr><td><a href='/'>首页</a> <a href='/a'>政务公开</a></td></tr>"
        "<tr><td><font>一、总体情况</font><br><font>本年新收政府信息公开申请3件，均已办结。</font></td></tr>"
        "</table></body></html>"
    )
    assert main_text(html) == "一、总体情况\n本年新收政府信息公开申请3件，均已办结。"


def test_render_element_lays_out_tables() -> None:
    table = lxml.html.fromstring(
        "<div><p>标题</p><table><tr><td rowspan='2'>（三）不予公开</td><td>1.属于国家秘密</td><td>0</td></tr>"
        "<tr><td>2.其他法律行政法规禁止公开</td><td>1</td></tr><tr><td colspan='2'>（七）总计</td><td>5</td></tr></table></div>"
    )
    assert strip_chrome(render_element(table)).splitlines() == [
        "标题",
        "| （三）不予公开 | 1.属于国家秘密 | 0 |",
        "|  | 2.其他法律行政法规禁止公开 | 1 |",
        "| （七）总计 |  | 5 |",
    ]


def test_largest_text_block_prefers_paragraphs_over_navigation() -> None:
    tree = lxml.html.fromstring(
        "<html><body><div id='nav'><a>首页</a><a>政务公开</a></div>"
        "<div id='main'><p>第一段正文内容，足够长的一句话。</p><p>第二段正文内容，也足够长。</p></div></body></html>"
    )
    assert largest_text_block(tree).get("id") == "main"


@pytest.mark.parametrize(
    "line",
    [
        "当前位置：首页 > 政务公开 > 政府信息公开年报",
        "您的位置：首页 >> 信息公开",
        "首页 > 政务公开 > 年报",
        "字号：大 中 小",
        "【字体：大 中 小】",
        "视力保护色",
        "【打印本页】 【关闭窗口】",
        "[ 打印本页 | 关闭窗口 ]",
        "【打印】【关闭】",
        "分享到：新浪微博 微信 QQ空间",
        "扫一扫在手机打开当前页",
        "责任编辑：李堃",
        "来源：区政府办公室",
        "发布时间：2025-01-20 09:24 来源：区政府办 浏览次数：1234",
        "作者:县府办 | 来源:本网 | 时间:2022-01-17 点击数:- 分享到:",
        "| 索引号 | 11621102MB1234567X/2025-00012 | 发布机构 | 区政府办公室 |",
        "主办单位：定西市安定区人民政府办公室 承办单位：安定区融媒体中心",
        "网站标识码：6211020001 陇ICP备05000123号-1 甘公网安备 62110202000123号",
        "版权所有 © 定西市安定区人民政府",
        "联系我们 | 网站地图",
    ],
)
def test_chrome_lines_are_dropped(line: str) -> None:
    assert strip_chrome(f"一、总体情况\n{line}\n本年度未收取信息处理费。") == "一、总体情况\n本年度未收取信息处理费。"


@pytest.mark.parametrize(
    "line",
    [
        "2024年，我区通过政府网站发布信息来源于各部门的信息1234条。",
        "| （三）不予公开 | 1.属于国家秘密 | 0 | 0 | 0 | 0 | 0 | 0 | 0 |",
        "五、存在的主要问题及改进情况",
        "联系电话：0932-8212345",
        "2025年1月17日",
    ],
)
def test_body_lines_are_kept(line: str) -> None:
    assert strip_chrome(line) == line
