"""Title, publication date, publishing body and reporting year of a report page.

CMSs on government portals print the same facts in several places (``<meta
name="ArticleTitle">``, the heading, ``<title>``, a ``发布日期：`` line); each field
is taken from the most explicit place that has it.
"""

from __future__ import annotations

import re
from copy import deepcopy
from dataclasses import dataclass
from datetime import date, datetime

from htmldate import find_date
from lxml import etree

from harvester.extract.text import parse_html

# Chinese portals publish in Beijing time; a time without an offset is UTC+8.
CHINA_OFFSET = "+08:00"
TITLE_META = ("articletitle",)
DATE_META = ("pubdate", "publishdate", "firstpublishedtime", "publishtime", "article:published_time", "dc.date")
# Reports exist from 2008 on (条例 of 2007); older "years" in a title are something else.
MIN_YEAR = 2000

_TITLE_SEPARATORS = re.compile(r"\s*(?:_+|——|--|\s[-–—]\s|(?<![0-9A-Za-z])-(?![0-9A-Za-z])|[|｜])\s*")
_CJK = r"\u3400-\u9fff"
_SPACE_NEAR_CJK = re.compile(rf"\s+(?=[{_CJK}（）《》“”，、：])|(?<=[{_CJK}（）《》“”，、：])\s+")
_DATE = (
    r"(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[\sT-]*(?P<H>\d{1,2})\s*[:：时]\s*(?P<M>\d{1,2})(?:\s*[:：分]\s*(?P<S>\d{1,2}))?)?"
)
_DATE_RE = re.compile(_DATE)
_DATE_LABELS = (
    re.compile(rf"(?:发布日期|发布时间|公开日期|发文日期|发布于)\s*[：:]?\s*{_DATE}"),
    re.compile(rf"(?<![{_CJK}])(?:时间|日期)\s*[：:]\s*{_DATE}"),
)
_SITE_ID = re.compile(r"网站标识码\s*[：:]?\s*([0-9A-Za-z]{10})")
_BREADCRUMB = re.compile(r"(?:当前位置|您的位置|您当前的位置|您现在的位置是?|您所在的?位置|所在位置)\s*[：:](.{2,200})")
_CRUMB_SPLIT = re.compile(r"\s*(?:>>|>|＞|»|›|→|/)\s*")

# --- report identity ----------------------------------------------------------
_CN_DIGITS = str.maketrans("〇○零一二三四五六七八九", "000123456789")
_CN_YEAR = re.compile(r"[〇○零一二三四五六七八九]{4}(?=\s*年)")
_REPORT = r"(?:的)?(?:本)?(?:政府|政务)?信息公开(?:工作)?(?:年度)?(?:工作)?(?:报告|年报)"
_AGENCY_FIRST = re.compile(rf"^(?P<agency>.*?)(?P<year>(?:19|20)\d{{2}})\s*年度?{_REPORT}")
_YEAR_FIRST = re.compile(rf"^(?P<year>(?:19|20)\d{{2}})\s*年度?[，,]?(?P<agency>.+?){_REPORT}")
_REPORT_RE = re.compile(_REPORT)
_WRAPPER_HEAD = re.compile(r"^.*?关于(?:印发|公布|发布|公开|转发|报送)?")
_WRAPPER_TAIL = re.compile(r"的(?:报告|公告|通知|通报|函)$")
_DATE_LINE = re.compile(r"^[（(【\[]?\s*((?:19|20)\d{2})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*[）)】\]]?$")
# A title naming a place stands for its government; zones and communities have
# no 人民政府, so they are kept as written.
_NOT_A_GOVERNMENT = re.compile(r"(开发区|高新区|新区|园区|景区|示范区|试验区|实验区|保税区|合作区|工业区|管理区|功能区|片区|社区|城区办)$")
_PLACE_GOVERNMENT = re.compile(r"(省|市|区|县|旗|州|盟|镇|乡|苏木)$")
_STREET = re.compile(r"街道$")
_AGENCY_JUNK = re.compile(r"^[《“\"'【\[（(#*]+|[》”\"'】\]）)*]+$|^(转发|印发|公布|发布|公开)")
#: A statistics period of one calendar year: 统计期限是2024年1月1日至2024年12月31日.
_PERIOD = re.compile(r"统计(?:期限|时限|期间|区间|时段)[^。]{0,8}?((?:19|20)\d{2})年1月1日(?:起)?至\1年12月31日")
#: The subject of an overview's first sentence: 2024年，冶金街道在区委区政府的领导下…
_YEAR_SUBJECT = re.compile(
    r"(?:19|20)\d{2}年(?:度|以来)?[，,]\s*(?P<agency>[\u4e00-\u9fff]{2,20}?(?:街道|镇|乡|县|区|市|旗|局|委员会|办公室|中心))"
    r"(?:在|坚持|认真|深入|全面|紧紧|严格|按照|围绕|以|不断|持续|进一步|高度)"
)
MAX_AGENCY_CHARS = 40
# How far into the text a report's own title line may sit (after any chrome a
# flattened page left on top).
TEXT_HEAD_LINES = 12


@dataclass(frozen=True, slots=True)
class PageMetadata:
    title: str | None
    published_at: str | None
    agency: str | None
    year: int | None
    site_id_code: str | None
    column_name: str | None


def page_metadata(html: str, url: str | None = None, text: str | None = None) -> PageMetadata:
    """Read the page's title, date, agency, year, 网站标识码 and column.

    ``text`` is the page's main text when the caller has it; agency and year fall
    back to its first lines.
    """
    tree = parse_html(html)
    if tree is None:
        return PageMetadata(None, None, *report_identity("", text or ""), None, None)
    metas = _metas(tree)
    title = page_title(tree, metas)
    body_text = _body_text(tree)
    agency, year = report_identity(title or "", text or "")
    return PageMetadata(
        title=title,
        published_at=published_at(tree, metas, html, url, body_text),
        agency=agency,
        year=year,
        site_id_code=metas.get("siteidcode") or _first_group(_SITE_ID, body_text),
        column_name=metas.get("columnname") or _breadcrumb_column(body_text, title),
    )


def page_title(tree: etree._Element, metas: dict[str, str] | None = None) -> str | None:
    """ArticleTitle meta, else the heading that ``<title>`` starts with, else ``<title>`` minus the site name."""
    metas = _metas(tree) if metas is None else metas
    for name in TITLE_META:
        if metas.get(name):
            return clean_title(metas[name])
    head_title = clean_title(tree.findtext(".//title") or "")
    headings = [clean_title(" ".join(node.text_content().split())) for node in _heading_nodes(tree)]
    headings = [heading for heading in headings if 4 <= len(heading) <= 200]
    if head_title:
        compact = head_title.replace(" ", "")
        matching = [h for h in headings if compact.startswith(h.replace(" ", ""))]
        if matching:
            return max(matching, key=len)
        first = _TITLE_SEPARATORS.split(head_title)[0].strip()
        site = clean_title(metas.get("sitename", ""))
        if first and first != site:
            return first
    site = clean_title(metas.get("sitename", "")) or head_title
    others = [h for h in headings if h != site and len(h) >= 6]
    return others[0] if others else (head_title or None)


def clean_title(title: str) -> str:
    """Collapse whitespace, dropping the spaces that typesetting puts beside Chinese characters.

    >>> clean_title(" 老城区人民政府 2024 年政府信息公开工作年度报告 ")
    '老城区人民政府2024年政府信息公开工作年度报告'
    """
    title = " ".join(title.replace("\u3000", " ").split())
    return _SPACE_NEAR_CJK.sub("", title)


def published_at(
    tree: etree._Element,
    metas: dict[str, str] | None = None,
    html: str | None = None,
    url: str | None = None,
    body_text: str | None = None,
) -> str | None:
    """Publication date: date metas, then a 发布日期/时间 line, then htmldate's original date."""
    metas = _metas(tree) if metas is None else metas
    for name in DATE_META:
        if found := iso_datetime(metas.get(name, "")):
            return found
    body_text = _body_text(tree) if body_text is None else body_text
    for pattern in _DATE_LABELS:
        for match in pattern.finditer(body_text):
            if found := _from_match(match):
                return found
    try:
        found = find_date(html if html is not None else tree, extensive_search=False, original_date=True, url=url)
    except (ValueError, TypeError):
        found = None
    return iso_datetime(found or "")


def iso_datetime(value: str) -> str | None:
    """ISO 8601 for a date as Chinese pages write it; a time gets the UTC+8 offset.

    >>> iso_datetime("2025年2月5日 09:24")
    '2025-02-05T09:24:00+08:00'
    >>> iso_datetime("2007-08-20")
    '2007-08-20'
    """
    match = _DATE_RE.search(value or "")
    return _from_match(match) if match else None


def report_identity(title: str, text: str = "") -> tuple[str | None, int | None]:
    """Publishing body and reporting year of a 政府信息公开工作年度报告, from its title.

    The first lines of ``text`` fill what the title lacks; a dated line such as
    ``（2025年1月17日）`` gives the year only as a last resort (a report is
    published the year after the one it covers).

    >>> report_identity("定西市安定区2024年政府信息公开工作年度报告")
    ('定西市安定区人民政府', 2024)
    >>> report_identity("冶金街道2024年政府信息公开工作年度报告")
    ('冶金街道办事处', 2024)
    """
    agency, year = _identity_from_line(title)
    if agency is None or year is None:
        for line in _head_lines(text):
            line_agency, line_year = _identity_from_line(line)
            if line_agency is None and line_year is None:
                continue
            agency = agency or line_agency
            year = year or line_year
            break
    if year is None:
        period = _PERIOD.search(text[:2000])
        year = int(period.group(1)) if period else None
    if agency is None:
        subject = _YEAR_SUBJECT.search(text[:3000])
        agency = _agency(subject.group("agency")) if subject else None
    if year is None and _REPORT_RE.search(title + "".join(_head_lines(text))):
        year = _year_from_date_line(text)
    return agency, year


def _identity_from_line(line: str) -> tuple[str | None, int | None]:
    line = clean_title(line).replace(" ", "").translate(str.maketrans("（）", "()"))
    line = _CN_YEAR.sub(lambda m: m.group(0).translate(_CN_DIGITS), line)
    line = line.strip("《》“”\"'【】[]")
    line = _WRAPPER_TAIL.sub("", line)
    match = _AGENCY_FIRST.search(line) or _YEAR_FIRST.search(line)
    if not match:
        return None, None
    year = int(match.group("year"))
    if not MIN_YEAR <= year <= date.today().year:
        year = None
    return _agency(match.group("agency")), year


def _agency(candidate: str) -> str | None:
    if "关于" in candidate:
        after = _WRAPPER_HEAD.sub("", candidate)
        candidate = after or candidate.split("关于")[0]
    previous = None
    while previous != candidate:
        previous = candidate
        candidate = _AGENCY_JUNK.sub("", candidate).strip("，,、:：")
    if candidate.endswith("人民"):
        candidate += "政府"
    if not candidate or len(candidate) > MAX_AGENCY_CHARS or candidate in {"本机关", "我局", "我委", "我办", "本单位"}:
        return None
    if _NOT_A_GOVERNMENT.search(candidate):
        return candidate
    if _STREET.search(candidate):
        return candidate + "办事处"
    if _PLACE_GOVERNMENT.search(candidate):
        return candidate + "人民政府"
    return candidate


def _head_lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines() if line.strip()][:TEXT_HEAD_LINES]


def _year_from_date_line(text: str) -> int | None:
    for line in text.splitlines():
        match = _DATE_LINE.match(clean_title(line).replace(" ", ""))
        if match:
            year = int(match.group(1)) - 1
            return year if MIN_YEAR <= year <= date.today().year else None
    return None


# --- page helpers -------------------------------------------------------------


def _metas(tree: etree._Element) -> dict[str, str]:
    """Named metas, lower-cased names; the first non-empty value of a name wins."""
    found: dict[str, str] = {}
    for meta in tree.iter("meta"):
        name = (meta.get("name") or meta.get("property") or "").strip().lower()
        content = (meta.get("content") or "").strip()
        if name and content and name not in found:
            found[name] = content
    return found


def _heading_nodes(tree: etree._Element) -> list[etree._Element]:
    return tree.xpath(
        "//body//h1|//body//h2|//body//h3"
        '|//body//*[contains(@class, "title") or contains(@id, "title") or contains(@class, "Title")]'
    )


def _body_text(tree: etree._Element) -> str:
    body = tree.find("body")
    if body is None:
        return ""
    body = deepcopy(body)
    etree.strip_elements(body, "script", "style", "noscript", etree.Comment, with_tail=False)
    return " ".join(body.text_content().split())


def _from_match(match: re.Match[str]) -> str | None:
    try:
        day = date(int(match["y"]), int(match["m"]), int(match["d"]))
    except ValueError:
        return None
    if not MIN_YEAR - 20 <= day.year <= date.today().year + 1:
        return None
    # a CMS that stores only the day prints midnight
    if match["H"] is None or int(match["H"]) == int(match["M"]) == int(match["S"] or 0) == 0:
        return day.isoformat()
    try:
        moment = datetime(day.year, day.month, day.day, int(match["H"]), int(match["M"]), int(match["S"] or 0))
    except ValueError:
        return day.isoformat()
    return moment.isoformat() + CHINA_OFFSET


def _first_group(pattern: re.Pattern[str], text: str) -> str | None:
    match = pattern.search(text)
    return match.group(1) if match else None


def _breadcrumb_column(body_text: str, title: str | None) -> str | None:
    match = _BREADCRUMB.search(body_text)
    if not match:
        return None
    crumbs = [crumb.strip() for crumb in _CRUMB_SPLIT.split(match.group(1)) if crumb.strip()]
    if len(crumbs) < 2:
        return None
    # the trail runs on into the page; it ends where the next label starts
    crumbs = [crumb.split(" ")[0] for crumb in crumbs]
    last = crumbs[-1]
    if title and last and title.startswith(last) and len(crumbs) > 2:
        last = crumbs[-2]
    return last or None
