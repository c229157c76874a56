"""HTML of the farm: the official statistics tables and each CMS's page chrome.

Chrome varies by portal style the way real government CMSs differ (plain
站群, TRS WCM, Hanweb, a prefecture portal, a bare site), while the report
tables keep the official rowspan/colspan structure of the 2019 and 2021 formats.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from html import escape

from harvester.farm.catalog import Portal, ReportSpec
from harvester.farm.stats import ReportNumbers
from harvester.farm.text import PRE2019_TABLE, Block
from harvester.parse.schema import (
    ACTIVE_COLUMN_LABELS,
    ACTIVE_ROW_LABELS,
    APPLICATION_COLUMNS,
    APPLICATION_ROW_LABELS,
    REVIEW_CELL_ORDER,
)

#: How each portal prints a zero cell it leaves blank.
BLANK_MARK = {"longxi": "&nbsp;", "nankang": "", "zhanggong": "—"}

Cell = tuple[str, int, int, bool]  # html text, rowspan, colspan, is a value cell


def _c(text: str, rowspan: int = 1, colspan: int = 1) -> Cell:
    return (escape(text, quote=False), rowspan, colspan, False)


class _Values:
    """Formats a report's cells, printing blank cells with the portal's blank mark."""

    def __init__(self, numbers: ReportNumbers, blank_mark: str) -> None:
        self.numbers = numbers
        self.blank_mark = blank_mark

    def __call__(self, table: str, row: str, col: str, colspan: int = 1) -> Cell:
        if (table, row, col) in self.numbers.blank:
            return (self.blank_mark, 1, colspan, True)
        value = self.numbers.cell(table, row, col)
        return (str(value), 1, colspan, True)


def _active_rows(fmt: str, v: _Values) -> list[list[Cell]]:
    def item(n: str) -> list[Cell]:
        return [_c(f"第二十条第（{n}）项", 1, 4)]

    if fmt == "2021":
        head = [_c("信息内容"), _c("本年制发件数"), _c("本年废止件数"), _c("现行有效件数")]
        decisions = [_c("信息内容"), _c("本年处理决定数量", 1, 3)]
        docs = [("regulations", "规章"), ("normative_documents", "行政规范性文件")]
        return [
            item("一"), head,
            *([_c(label)] + [v("active", row, col) for col in ("issued", "repealed", "in_force")] for row, label in docs),
            item("五"), decisions, [_c("行政许可"), v("active", "licensing", "decisions", 3)],
            item("六"), decisions,
            [_c("行政处罚"), v("active", "penalty", "decisions", 3)],
            [_c("行政强制"), v("active", "coercion", "decisions", 3)],
            item("八"), [_c("信息内容"), _c(ACTIVE_COLUMN_LABELS["amount_10k_yuan"], 1, 3)],
            [_c("行政事业性收费"), v("active", "fees", "amount_10k_yuan", 3)],
        ]
    three = ("items_last_year", "change", "decisions")
    head3 = [_c("信息内容")] + [_c(ACTIVE_COLUMN_LABELS[c]) for c in three]

    def rows(keys: tuple[str, ...], cols: tuple[str, ...]) -> list[list[Cell]]:
        return [[_c(ACTIVE_ROW_LABELS[k])] + [v("active", k, c) for c in cols] for k in keys]

    return [
        item("一"), [_c("信息内容")] + [_c(ACTIVE_COLUMN_LABELS[c]) for c in ("produced", "published", "published_total")],
        *rows(("regulations", "normative_documents"), ("produced", "published", "published_total")),
        item("五"), head3, *rows(("licensing", "other_services"), three),
        item("六"), head3, *rows(("penalty", "coercion"), three),
        item("八"), [_c("信息内容"), _c("上一年项目数量"), _c("本年增/减", 1, 2)],
        [_c("行政事业性收费"), v("active", "fees", "items_last_year"), v("active", "fees", "change", 2)],
        item("九"), [_c("信息内容"), _c("采购项目数量"), _c("采购总金额", 1, 2)],
        [_c("政府集中采购"), v("active", "procurement", "items"), v("active", "procurement", "amount", 2)],
    ]


def _application_rows(fmt: str, v: _Values) -> list[list[Cell]]:
    def nums(row: str) -> list[Cell]:
        return [v("applications", row, col) for col in APPLICATION_COLUMNS]

    def labels(prefix: str, rows: tuple[str, ...], *lead: Cell) -> list[list[Cell]]:
        out = []
        for n, row in enumerate(rows):
            first = [*lead, _c(prefix, len(rows))] if n == 0 else []
            out.append(first + [_c(APPLICATION_ROW_LABELS[row])] + nums(row))
        return out

    outcome_span = 22 if fmt == "2021" else 20
    result = _c("三、本年度办理结果", outcome_span)
    rows: list[list[Cell]] = [
        [_c("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), _c("申请人情况", 1, 7)],
        [_c("自然人", 2), _c("法人或其他组织", 1, 5), _c("总计", 2)],
        [_c("商业企业"), _c("科研机构"), _c("社会公益组织"), _c("法律服务机构"), _c("其他")],
        [_c(APPLICATION_ROW_LABELS["new"], 1, 3)] + nums("new"),
        [_c(APPLICATION_ROW_LABELS["carried_over"], 1, 3)] + nums("carried_over"),
        [result, _c(APPLICATION_ROW_LABELS["granted"], 1, 2)] + nums("granted"),
        [_c(APPLICATION_ROW_LABELS["partly_granted"], 1, 2)] + nums("partly_granted"),
        *labels("（三）不予公开", ("denied_state_secret", "denied_prohibited", "denied_security", "denied_third_party",
                             "denied_internal", "denied_process", "denied_enforcement", "denied_inquiry")),
        *labels("（四）无法提供", ("unable_not_held", "unable_needs_creation", "unable_unclear")),
        *labels("（五）不予处理", ("unprocessed_petition", "unprocessed_repeat", "unprocessed_publication",
                             "unprocessed_mass", "unprocessed_confirm")),
    ]
    if fmt == "2021":
        rows += labels("（六）其他处理", ("other_no_correction", "other_unpaid_fee", "other_other"))
    else:
        rows.append([_c(APPLICATION_ROW_LABELS["other"], 1, 2)] + nums("other"))
    rows.append([_c(APPLICATION_ROW_LABELS["total"], 1, 2)] + nums("total"))
    rows.append([_c(APPLICATION_ROW_LABELS["carried_forward"], 1, 3)] + nums("carried_forward"))
    return rows


def _review_rows(v: _Values) -> list[list[Cell]]:
    five = [_c(t) for t in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
    return [
        [_c("行政复议", 1, 5), _c("行政诉讼", 1, 10)],
        [_c(t, 2) for t in ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")]
        + [_c("未经复议直接起诉", 1, 5), _c("复议后起诉", 1, 5)],
        five + five,
        [v("reviews", row, col) for row, col in REVIEW_CELL_ORDER],
    ]


def _span_attrs(rowspan: int, colspan: int) -> str:
    return (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")


def _table_html(rows: list[list[Cell]], markup: str) -> str:
    out = []
    if markup == "word":
        out.append('<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
                   'style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt">')
    else:
        out.append('<table border="1" cellspacing="0" cellpadding="0" width="100%" style="border-collapse:collapse">')
    out.append("<tbody>")
    for row in rows:
        out.append("<tr>")
        for text, rowspan, colspan, _ in row:
            attrs = _span_attrs(rowspan, colspan)
            if markup == "word":
                inner = text or "&nbsp;"
                out.append(f'<td{attrs} valign="center" style="border:solid windowtext 1.0pt;padding:0cm 5.4pt">'
                           f'<p class="MsoNormal" align="center" style="text-align:center">'
                           f'<span style="font-size:10.5pt;font-family:宋体">{inner}</span>'
                           f'<span lang="EN-US"><o:p></o:p></span></p></td>')
            else:
                out.append(f'<td{attrs} align="center">{text}</td>')
        out.append("</tr>")
    out.append("</tbody></table>")
    return "\n".join(out)


def statistics_table(name: str, numbers: ReportNumbers, markup: str, blank_mark: str) -> str:
    v = _Values(numbers, blank_mark)
    rows = {
        "active": lambda: _active_rows(numbers.fmt, v),
        "applications": lambda: _application_rows(numbers.fmt, v),
        "reviews": lambda: _review_rows(v),
    }[name]()
    return _table_html(rows, markup)


def paragraph(text: str, markup: str, heading: bool = False) -> str:
    if markup == "word":
        font = "黑体" if heading else "仿宋_GB2312"
        return (f'<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt">'
                f'<span style="font-size:16.0pt;font-family:{font}">{escape(text, quote=False)}</span>'
                f'<span lang="EN-US" style="font-size:16.0pt"><o:p></o:p></span></p>')
    if heading:
        return f'<p style="text-indent:2em"><strong>{escape(text, quote=False)}</strong></p>'
    return f'<p style="text-indent:2em">{escape(text, quote=False)}</p>'


def report_body(report: ReportSpec, blocks: list[Block]) -> str:
    """The main text of a report as its publisher's editor produced it."""
    parts = []
    blank_mark = BLANK_MARK.get(report.portal, "")
    for kind, text in blocks:
        if kind == "table":
            parts.append(statistics_table(text, report.numbers, report.markup, blank_mark))
        elif kind == "local_table":
            rows = [[_c(cell) for cell in row] for row in PRE2019_TABLE]
            parts.append(_table_html(rows, report.markup))
        else:
            parts.append(paragraph(text, report.markup, heading=kind == "h"))
    return "\n".join(parts)


# --- chrome --------------------------------------------------------------------

NAV = (("首页", "/"), ("政务公开", None), ("政务服务", "/zwfw/"), ("互动交流", "/hdjl/"))


@dataclass(frozen=True)
class ArticleInfo:
    """What an article page shows around its body."""

    title: str
    published: datetime
    show_time: bool
    column: str
    source: str


def date_text(when: datetime, show_time: bool) -> str:
    return when.strftime("%Y-%m-%d %H:%M" if show_time else "%Y-%m-%d")


def _meta(portal: Portal, info: ArticleInfo | None, page_title: str) -> str:
    charset = ('<meta http-equiv="Content-Type" content="text/html; charset=gb2312">' if portal.encoding == "gbk"
               else '<meta charset="utf-8">')
    tags = [charset, '<meta name="viewport" content="width=device-width, initial-scale=1">',
            f"<title>{escape(page_title)}</title>"]
    if portal.meta_tags:
        tags += [f'<meta name="SiteName" content="{portal.name}">',
                 f'<meta name="SiteDomain" content="{portal.host}">',
                 f'<meta name="SiteIDCode" content="{portal.site_code}">']
        if info:
            tags += [f'<meta name="ColumnName" content="{escape(info.column)}">',
                     f'<meta name="ArticleTitle" content="{escape(info.title)}">',
                     f'<meta name="PubDate" content="{date_text(info.published, info.show_time)}">',
                     f'<meta name="ContentSource" content="{escape(info.source)}">',
                     f'<meta name="Keywords" content="政府信息公开,年度报告">']
    if portal.style == "trs":
        tags.append('<script src="/js/createPageHTML.js"></script>')
    return "\n".join(tags)


def _header(portal: Portal, home: str, gk: str) -> str:
    links = []
    for label, href in NAV:
        target = gk if href is None else (home.rstrip("/") + href if href != "/" else home)
        links.append(f'<li><a href="{target}">{label}</a></li>')
    nav = "".join(links)
    match portal.style:
        case "hanweb":
            return (f'<table width="1000" border="0" align="center" cellpadding="0" cellspacing="0" class="top">'
                    f'<tr><td class="logo"><img src="/images/logo.png" alt="{portal.name}">{portal.name}</td>'
                    f'<td align="right"><a href="javascript:void(0)">无障碍浏览</a> | <a href="javascript:void(0)">长者模式</a></td></tr></table>'
                    f'<table width="1000" align="center" class="nav"><tr><td><ul>{nav}</ul></td></tr></table>')
        case "trs":
            return (f'<div class="top"><div class="w1200"><div class="logo"><a href="{home}">{portal.name}</a></div>'
                    f'<div class="search"><input type="text" placeholder="请输入关键字"><button>搜索</button></div></div></div>'
                    f'<div class="navbar"><ul class="w1200">{nav}</ul></div>')
        case _:
            return (f'<div class="header"><div class="wrap"><h1 class="site-name"><a href="{home}">{portal.name}</a></h1>'
                    f'<p class="date">今天是：<span id="today"></span></p></div></div>'
                    f'<div class="nav"><ul class="wrap">{nav}</ul></div>')


def _footer(portal: Portal) -> str:
    return (f'<div class="footer"><div class="wrap">'
            f'<p><a href="#">关于我们</a> | <a href="#">网站地图</a> | <a href="#">联系我们</a></p>'
            f'<p>主办单位：{portal.office}　承办：{portal.short}政务数据服务中心</p>'
            f'<p>地址：{portal.address}　联系电话：{portal.phone}</p>'
            f'<p>网站标识码：{portal.site_code}　<a href="https://beian.miit.gov.cn/">{portal.icp}</a>　'
            f'<img src="/images/ga.png" alt="">{portal.police}</p>'
            f'<p><img src="/images/jiucuo.png" alt="政府网站找错"></p></div></div>')


def breadcrumb(crumbs: list[tuple[str, str]]) -> str:
    links = " &gt; ".join(f'<a href="{href}">{escape(text)}</a>' for text, href in crumbs)
    return f'<div class="position">当前位置：{links}</div>'


def page(portal: Portal, page_title: str, content: str, *, home: str, gk: str,
         info: ArticleInfo | None = None, crumbs: list[tuple[str, str]] | None = None) -> str:
    """A full page of the portal around ``content``."""
    return "\n".join([
        "<!DOCTYPE html>",
        '<html lang="zh-CN"><head>',
        _meta(portal, info, page_title),
        '<link rel="stylesheet" href="/css/style.css">',
        "</head><body>",
        _header(portal, home, gk),
        '<div class="main wrap">',
        breadcrumb(crumbs) if crumbs else "",
        content,
        "</div>",
        _footer(portal),
        "</body></html>",
    ])


def article(portal: Portal, info: ArticleInfo, body: str) -> str:
    """Title, info bar, body and tool bars of an article, in the portal's markup."""
    label = "发布日期" if portal.style in ("trs", "hanweb", "simple") else "发布时间"
    when = date_text(info.published, info.show_time)
    bar = (f'<div class="info"><span>{label}：{when}</span>　<span>来源：{escape(info.source)}</span>　'
           f'<span>浏览次数：<script>document.write(hits)</script></span>　'
           f'<span class="font">字号：[<a href="javascript:doZoom(18)">大</a> <a href="javascript:doZoom(16)">中</a> '
           f'<a href="javascript:doZoom(14)">小</a>]</span>　<span class="eye">视力保护色：'
           f'<a href="javascript:setColor(\'#FAFBE6\')"></a><a href="javascript:setColor(\'#C7EDCC\')"></a></span></div>')
    tools = ('<div class="tools"><span class="share">分享到：<a href="javascript:void(0)">微信</a> '
             '<a href="javascript:void(0)">微博</a></span>'
             '<span class="qr"><img src="/images/qrcode.png" alt="">扫一扫在手机打开当前页</span>'
             '<span class="print"><a href="javascript:window.print()">【打印本页】</a>'
             '<a href="javascript:window.close()">【关闭窗口】</a></span></div>'
             f'<div class="editor">责任编辑：{portal.editor}</div>')
    match portal.style:
        case "trs":
            main = f'<div class="TRS_Editor">{body}</div>'
            title = f'<div class="article-title"><h2>{escape(info.title)}</h2></div>'
        case "hanweb":
            main = f'<div id="zoom">{body}</div>'
            title = (f'<table width="100%"><tr><td class="title" align="center">{escape(info.title)}</td></tr></table>')
        case "jcms":
            main = (f'<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">{body}'
                    f'<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div>')
            title = f'<div class="title"><p>{escape(info.title)}</p></div>'
        case "ucap":
            main = f'<div class="content" id="zoom"><UCAPCONTENT>{body}</UCAPCONTENT></div>'
            title = f'<div class="wzy_title"><h1>{escape(info.title)}</h1></div>'
        case _:
            main = f'<div class="article-content" id="zoom">{body}</div>'
            title = f'<h1 class="article-title">{escape(info.title)}</h1>'
    return f'<div class="article">{title}{bar}{main}{tools}</div>'


def item_list(items: list[tuple[str, str, datetime]]) -> str:
    lis = "".join(f'<li><a href="{href}" target="_blank" title="{escape(text)}">{escape(text)}</a>'
                  f'<span class="date">{when:%Y-%m-%d}</span></li>' for text, href, when in items)
    return f'<ul class="list">{lis}</ul>'
