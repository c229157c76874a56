"""The main text of a report page: trafilatura for the body, then the page chrome it lets through.

Tables come out one row per line, as ``| cell | cell |``: cells joined by `` | ``
between outer pipes (a cell's own ``|`` becomes ``｜``), empty cells kept where
rowspans and colspans leave them so columns stay aligned, trailing ones dropped.
Split a row with ``[c.strip() for c in line.strip().strip("|").split("|")]``.
"""

from __future__ import annotations

import re
from copy import deepcopy

import lxml.html
import trafilatura
from lxml import etree

# Body containers of the CMSs most Chinese portals run on, most specific first:
# when one is present it is the body, whatever trafilatura's scoring says.
CONTAINER_XPATHS = (
    '//*[contains(concat(" ", normalize-space(@class), " "), " TRS_Editor ")]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " TRS_UEDITOR ")]',
    "//ucapcontent",
    '//*[@id="UCAP-CONTENT"]',
    '//*[@id="zoom" or @id="Zoom"]',
    '//*[contains(concat(" ", normalize-space(@class), " "), " bt_content ")]',
)
# Hanweb marks the body with comments that survive every template change.
# Begin and end are found apart: one lazy pattern over both rescans the page from
# every begin marker, quadratic on a page of thousands of unclosed markers.
_HANWEB_BEGIN = re.compile(r"<!--\s*ZJEG_RSS\.content\.begin\s*-->", re.I)
_HANWEB_END = re.compile(r"<!--\s*ZJEG_RSS\.content\.end\s*-->", re.I)
# A container with less text than this is a template shell (a banner, an empty
# editor box), not the body.
MIN_CONTAINER_CHARS = 20
# trafilatura may drop short lines even inside a known body; below this share of
# the container's characters its output is replaced by a plain rendering.
MIN_COVERAGE = 0.85
# Table cells a page's spans may cover (rowspan × colspan, each capped at 100 as
# trafilatura caps them). A report's tables cover a few hundred; past this,
# overlapping spans make a table quadratic to lay out (a hostile page), so the
# page's spans are dropped before extraction.
MAX_SPAN_AREA = 20_000
# trafilatura lays a table row out in time quadratic in its cells; a row wider
# than this (a report's rows have under 30) marks a hostile page, which is
# rendered plainly instead.
MAX_ROW_CELLS = 500

_DROP_TAGS = ("script", "style", "noscript", "template", "iframe", "object", "embed", "select", "button")
_BLOCK_TAGS = frozenset(
    "address article aside blockquote center dd div dl dt figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr li main nav ol p pre section table tbody thead tfoot tr ul".split()
)
_CONTENT_CHARS = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")

_SPACES = re.compile(r"[ \t\xa0\u2000-\u200a\u202f\u205f\u3000]+")
_INVISIBLE = re.compile(r"[\u200b-\u200d\u2060\ufeff]")
_MD_SEPARATOR = re.compile(r"^\|?(\s*:?-{3,}:?\s*\|)+\s*$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")

# --- chrome -----------------------------------------------------------------
# Lines made only of these words (and brackets/separators) are page controls.
CHROME_WORDS = frozenset(
    """打印 打印本页 打印此页 打印文章 打印正文 打印页面 关闭 关闭窗口 关闭本页 关闭页面 关闭本窗口
    返回 返回顶部 顶部 返回首页 返回列表 收藏 加入收藏 收藏本页 保存 保存本页 纠错 我要纠错 分享 分享到
    字号 字体 字号选择 字体大小 大 中 小 默认 超大 放大 缩小 视力保护色 护眼模式 背景色 朗读 语音播报 播报 停止
    复制链接 复制网址 微信 微博 新浪微博 腾讯微博 QQ空间 QQ好友 QQ 手机版 扫一扫 下载 无障碍 无障碍浏览 长者模式
    简 繁 简体 繁体 繁體 简体版 繁体版 登录 注册 个人中心 退出 EN English 首页 网站首页 责任编辑""".split()
)
_CHROME_WORD_SPLIT = re.compile(r"[\s【】\[\]（）()|｜/、:：>＞»›<＜«‹·•,，。;；\-—]+")
_ONLY_SEPARATORS = re.compile(r"^[\s>＞»›→|｜/\\·•]+$")
_CHROME_PATTERNS = tuple(
    (re.compile(pattern), max_len)
    for pattern, max_len in (
        # breadcrumbs
        (r"^[【\[]?\s*(当前位置|您的位置|您当前的位置|您现在的位置是?|您所在的?位置|当前所在位置|所在位置|位置)\s*[：:]", 300),
        (r"^(网站)?首页\s*(>|＞|»|›|→|/|-|>>)", 300),
        # page controls
        (r"(字号|字体)\s*[：:]?\s*[【\[（(]?\s*大\s*[】\]）)]?\s*[【\[（(]?\s*中\s*[】\]）)]?\s*[【\[（(]?\s*小", 200),
        (r"视力保护色|护眼模式", 120),
        (r"^[【\[]?\s*分享(到|至)?\s*[：:]", 150),
        (r"扫一扫|扫码|扫描二维码|二维码", 40),
        (r"^[【\[（(]?\s*(上一篇|下一篇|上一条|下一条)\s*[：:]", 200),
        # editors and article metadata
        (r"^[【\[（(]?\s*(责任编辑|责编|编辑|审核|审校|校对|初审|复审|终审|签发)\s*[：:]", 80),
        (
            r"^[【\[（(]?\s*(发布时间|发布日期|发文日期|成文日期|公开日期|更新时间|更新日期|时间|日期|来源|信息来源|文章来源"
            r"|稿件来源|新闻来源|浏览次数|浏览量|阅读次数|阅读量|点击数|点击量|点击次数|访问次数|访问量|作者|发布者|发布人"
            r"|发布机构|撰稿|供稿|摄影|索引号)\s*[：:]",
            150,
        ),
        (r"(浏览次数|点击数|阅读次数|访问量)\s*[：:]", 150),
        # footers
        (r"ICP\s*(备|证)|公网安备|网站标识码|网站识别码|版权所有|Copyright|©|\(c\)\s*\d{4}", 250),
        (r"(主办单位|承办单位|主办|承办|技术支持|运维单位|维护单位)\s*[：:]", 250),
        (r"联系我们|网站地图|关于我们|隐私声明|网站声明|免责声明|使用帮助|建议使用.{0,30}(浏览器|分辨率)", 60),
    )
)
# Labels of the 信息公开 index block (索引号 | 发布机构 | …) printed above many reports.
INDEX_LABELS = frozenset(
    """索引号 发布机构 公开目录 发文日期 成文日期 生成日期 公开日期 发布日期 文号 发文字号 主题分类 体裁分类 组配分类
    服务对象分类 公开方式 公开范围 公开时限 有效性 时效性 信息时效 所属机构 信息来源 关键词 统一编号 登记号 信息分类""".split()
)


def main_text(html: str, url: str | None = None) -> str:
    """Return the report's main text, chrome removed, tables one row a line.

    >>> main_text("<html><body><div>当前位置：首页 > 年报</div><div class='TRS_Editor'>"
    ...           "<p>一、总体情况</p><p>本年新收申请49件。</p></div><p>【打印本页】【关闭窗口】</p></body></html>")
    '一、总体情况\\n本年新收申请49件。'
    """
    tree = parse_html(html)
    if tree is None:
        return ""
    if _tame_spans(tree):
        html = lxml.html.tostring(tree, encoding="unicode")
    container = _cms_container(html, tree)
    if max((len(row) for row in tree.iter("tr")), default=0) > MAX_ROW_CELLS:
        block = container if container is not None else tree.find("body")
        return strip_chrome(render_element(block)) if block is not None else ""
    if container is not None:
        text = strip_chrome(_trafilatura(_as_document(container), url, favor_recall=True))
        if _chars(text) >= MIN_COVERAGE * _chars(render_element(container)):
            return text
        return strip_chrome(render_element(container))
    text = strip_chrome(_trafilatura(html, url, favor_recall=False))
    if text:
        return text
    block = largest_text_block(tree)
    return strip_chrome(render_element(block)) if block is not None else ""


def strip_chrome(text: str) -> str:
    """Normalise whitespace and table rows, and drop lines that are page chrome.

    Works on any extracted text (also text other tools flattened), line by line,
    so a body line is only lost when it looks exactly like a control or footer.
    """
    lines: list[str] = []
    for raw in text.splitlines():
        line = _normalise_line(raw)
        if line is None or _is_chrome_line(line):
            continue
        lines.append(line)
    return _collapse_blank_lines(lines)


def render_element(element: etree._Element) -> str:
    """Plain text of an element: blocks on their own lines, table rows as `` | `` lines.

    Used where trafilatura is not: a known body container it under-extracts, or
    the largest text block when it finds nothing.
    """
    element = deepcopy(element)
    etree.strip_elements(element, *_DROP_TAGS, etree.Comment, with_tail=False)
    parts: list[str] = []
    _render(element, parts)
    # like trafilatura's output: one line per block, no blank lines between them
    return "\n".join(line for line in "".join(parts).splitlines() if line.strip())


def largest_text_block(tree: etree._Element) -> etree._Element | None:
    """The element holding most non-link text in its paragraphs (a readability-style score)."""
    scores: dict[etree._Element, float] = {}
    for node in tree.iter("p", "div", "td", "span", "font"):
        own = _own_text_length(node)
        if own < 10:
            continue
        parent = node.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + own
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + own / 2
    if not scores:
        return None
    return max(scores, key=lambda node: scores[node])


# --- extraction -------------------------------------------------------------


def parse_html(html: str) -> etree._Element | None:
    """An lxml tree of a page, or None for an empty or unparsable one."""
    if not html or not html.strip():
        return None
    try:
        return lxml.html.document_fromstring(html)
    except (etree.ParserError, ValueError):
        return None


def _tame_spans(tree: etree._Element) -> bool:
    """Drop every rowspan/colspan of a page whose spans cover more than ``MAX_SPAN_AREA`` cells."""
    spanned = tree.xpath("//*[@rowspan or @colspan]")
    if sum(_span(cell, "rowspan") * _span(cell, "colspan") for cell in spanned) <= MAX_SPAN_AREA:
        return False
    for cell in spanned:
        cell.attrib.pop("rowspan", None)
        cell.attrib.pop("colspan", None)
    return True


def _cms_container(html: str, tree: etree._Element) -> etree._Element | None:
    begin = _HANWEB_BEGIN.search(html)
    end = _HANWEB_END.search(html, begin.end()) if begin else None
    if begin and end:
        fragment = parse_html(f"<html><body><div>{html[begin.end() : end.start()]}</div></body></html>")
        if fragment is not None:
            body = fragment.find("body")
            if body is not None and _chars(body.text_content()) >= MIN_CONTAINER_CHARS:
                return body[0]
    for xpath in CONTAINER_XPATHS:
        nodes = [node for node in tree.xpath(xpath) if _chars(node.text_content()) >= MIN_CONTAINER_CHARS]
        if nodes:
            return max(nodes, key=lambda node: _chars(node.text_content()))
    return None


def _as_document(element: etree._Element) -> str:
    # trafilatura rejects bare fragments, so the container gets a page of its own
    inner = lxml.html.tostring(element, encoding="unicode", with_tail=False)
    return f"<html><head></head><body><article>{inner}</article></body></html>"


def _trafilatura(html: str, url: str | None, favor_recall: bool) -> str:
    # deduplicate=False: report tables repeat rows ("0 | 0 | 0") that must all stay
    text = trafilatura.extract(
        html,
        url=url,
        output_format="txt",
        include_tables=True,
        include_comments=False,
        include_images=False,
        include_links=False,
        include_formatting=False,
        favor_recall=favor_recall,
        deduplicate=False,
        with_metadata=False,
    )
    return text or ""


def _chars(text: str) -> int:
    return len(_CONTENT_CHARS.findall(text))


def _own_text_length(node: etree._Element) -> int:
    text = node.text or ""
    for child in node:
        if child.tag in ("br", "span", "font", "b", "strong", "em", "i", "u"):
            text += child.text_content() if child.tag != "br" else ""
        text += child.tail or ""
    return _chars(text)


def _render(element: etree._Element, parts: list[str]) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag == "table":
        parts.append("\n")
        parts.extend(row + "\n" for row in _table_rows(element))
    elif tag == "br":
        parts.append("\n")
    else:
        block = tag in _BLOCK_TAGS
        if block:
            parts.append("\n")
        parts.append(element.text or "")
        for child in element:
            _render(child, parts)
        if block:
            parts.append("\n")
    parts.append(element.tail or "")


def _table_rows(table: etree._Element) -> list[str]:
    """Rows of a table with colspans padded and rowspans carried, as trafilatura does."""
    rows: list[str] = []
    carried: dict[int, int] = {}
    for tr in table.xpath("./tr|./*/tr"):
        cells: list[str] = []
        column = 0
        for td in tr.xpath("./td|./th"):
            while carried.get(column, 0) > 0:
                carried[column] -= 1
                cells.append("")
                column += 1
            colspan = _span(td, "colspan")
            rowspan = _span(td, "rowspan")
            cells.append(_cell_text(td))
            cells.extend([""] * (colspan - 1))
            if rowspan > 1:
                for spanned in range(column, column + colspan):
                    carried[spanned] = rowspan - 1
            column += colspan
        while carried.get(column, 0) > 0:
            carried[column] -= 1
            cells.append("")
            column += 1
        rows.append(_row_line(cells))
    return rows


def _cell_text(cell: etree._Element) -> str:
    nested = cell.xpath(".//table")
    for table in nested:
        table.drop_tree()
    return " ".join(cell.text_content().split()).replace("|", "｜")


def _span(cell: etree._Element, name: str) -> int:
    value = re.sub(r"\D", "", cell.get(name, "") or "")
    return max(1, min(int(value), 100)) if value else 1


# --- normalisation ----------------------------------------------------------


def _normalise_line(raw: str) -> str | None:
    line = _SPACES.sub(" ", _INVISIBLE.sub("", raw)).strip()
    if not line.startswith("|"):
        return line
    if _MD_SEPARATOR.match(line):
        return None
    cells = [cell.strip().replace("\\|", "｜") for cell in _CELL_SPLIT.split(line)][1:]
    while cells and not cells[-1]:
        cells.pop()
    return _row_line(cells) if cells else None


def _row_line(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _is_chrome_line(line: str) -> bool:
    if not line:
        return False
    cells = [cell.strip() for cell in line.split("|")] if "|" in line else [line]
    filled = [cell for cell in cells if cell]
    if not filled:
        return True
    if _is_index_row(filled):
        return True
    return all(_is_chrome_text(cell) for cell in filled)


def _is_chrome_text(text: str) -> bool:
    if _ONLY_SEPARATORS.match(text):
        return True
    words = [word for word in _CHROME_WORD_SPLIT.split(text) if word]
    if words and all(word in CHROME_WORDS for word in words):
        return True
    return any(len(text) <= max_len and pattern.search(text) for pattern, max_len in _CHROME_PATTERNS)


def _is_index_row(cells: list[str]) -> bool:
    """A row of the 索引号/发布机构 block, as label|value pairs or 'label：value' cells."""
    labels = [re.sub(r"[\s：:]", "", cell) for cell in cells[::2]]
    if len(cells) >= 2 and all(label in INDEX_LABELS for label in labels):
        return True
    return all(re.sub(r"\s", "", cell).split("：")[0].split(":")[0] in INDEX_LABELS for cell in cells) and any(
        "：" in cell or ":" in cell for cell in cells
    )


def _collapse_blank_lines(lines: list[str]) -> str:
    out: list[str] = []
    for line in lines:
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()
