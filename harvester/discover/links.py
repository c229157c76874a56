"""Which links on a portal page lead to annual reports: pure functions over HTML.

A portal is walked top-down: the home page and hub pages (政务公开, 政府信息公开)
lead to the report *column* (政府信息公开年报 …); column pages list *reports*
and further *list pages* (下一页, ?page=N, TRS ``createPageHTML``). Everything
else is ignored, so that a portal's report column is found without crawling
the whole site.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
from dataclasses import dataclass
from enum import Enum
from urllib.parse import urldefrag, urljoin, urlsplit

import tldextract
from parsel import Selector
from w3lib.url import canonicalize_url, safe_url_string

#: Offline suffix list: a crawler on a closed network must never fetch it.
_TLD = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


class LinkKind(str, Enum):
    REPORT = "report"
    COLUMN = "column"
    HUB = "hub"
    NOTICES = "notices"
    OTHER = "other"


@dataclass(frozen=True)
class Link:
    url: str
    text: str
    kind: LinkKind = LinkKind.OTHER


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


REPORT_WORDS = re.compile(r"(政府|政务)?信息公开(工作)?(年度)?(报告|年报)|信息公开工作年度报告|政府信息公开年报")
#: Titles that look like reports but are not (spec: "Not reports, though they look alike").
NOT_REPORT_WORDS = re.compile(
    r"通知|关于(做好|报送|开展|印发|组织)|指南|工作要点|要点|一图读懂|图读|图解|解读|评估|考核|测评|检查|"
    r"结果|公示|报表|统计表|目录|制度|办法|意见|方案|情况通报|通报|征集|网站工作年度报表"
)
YEAR = re.compile(r"(19|20)\d{2}")
COLUMN_TEXT = re.compile(
    r"^(政府)?信息公开(工作)?(年度)?(年报|报告)$|^(政府信息公开)?年度报告$|^年报$|^信息公开年报$|"
    r"^(政府)?信息公开(工作)?年度报告$|^(政府信息公开)?工作年度报告$|^政府信息公开工作年报$"
)
COLUMN_URL = re.compile(r"(zfxxgknb|xxgknb|gknb|ndbg|zfxxgkndbg|xxgkndbg|nianbao|gkndbg)", re.I)
HUB_TEXT = re.compile(r"^(政务公开|政府信息公开|信息公开|政府信息公开专栏|法定主动公开内容|政务信息公开|政府公开|信息公开目录|政府信息公开目录|公开年报|政府信息公开平台)$")
HUB_URL = re.compile(r"/(zwgk|xxgk|zfxxgk|zfxxgkzl|gkml|xxgkml|govinfo|zwxxgk|public)(/|$|\.|_)", re.I)
#: General notice columns: reports are often posted there too, so their first page is worth a look.
NOTICES_TEXT = re.compile(r"^(通知公告|公示公告|公告公示|最新公开|最新信息|最新发布|公开动态|通知公示|政务公告)$")
#: Year sub-columns inside a report column: 2024年, 2024年度, 2024年报.
YEAR_SUBCOLUMN = re.compile(r"^((19|20)\d{2})年?度?(年报|报告)?$")
#: Pages under a disclosure path that never lead to the reports.
NOT_HUB_WORDS = re.compile(r"指南|制度|规定|依申请|申请|查询|财务|预决算|意见箱|目录$")
NEXT_PAGE_TEXT = re.compile(r"^(下一页|下页|后一页|>|›|»|>>|下一頁|next)$", re.I)
CREATE_PAGE_HTML = re.compile(
    r"createPageHTML\(\s*['\"]?(\w+)['\"]?\s*,\s*['\"]?(\w+)['\"]?\s*,\s*['\"]([^'\"]+)['\"]\s*,\s*['\"]([^'\"]+)['\"]"
)
COUNT_PAGE = re.compile(r"var\s+countPage\s*=\s*(\d+)")
NUMBERED_PAGE_URL = re.compile(r"([?&](page|pageNo|pageIndex|pageNum|p|curpage|currentPage)=\d+)|(index_\d+\.s?html?$)|(list_\d+\.s?html?$)", re.I)
SKIPPED_SCHEMES = ("javascript:", "mailto:", "tel:", "data:", "file:", "#")


def is_report_title(title: str) -> bool:
    """True when a title names an annual disclosure report itself.

    >>> is_report_title("定西市安定区人民政府2024年政府信息公开工作年度报告")
    True
    >>> is_report_title("关于做好2024年政府信息公开工作年度报告编制发布工作的通知")
    False
    >>> is_report_title("一图读懂安定区2023年政府信息公开工作年度报告")
    False
    """
    norm = _norm(title)
    if not REPORT_WORDS.search(norm):
        return False
    return not NOT_REPORT_WORDS.search(norm)


def registrable_domain(url: str) -> str:
    """'http://xxgk.anding.gov.cn/a' -> 'anding.gov.cn' (the government, not the host)."""
    host = urlsplit(url).hostname or ""
    extracted = _TLD(host)
    return extracted.top_domain_under_public_suffix or host


def same_government(url: str, portal_url: str) -> bool:
    return registrable_domain(url) == registrable_domain(portal_url)


def normalise_url(href: str, base_url: str) -> str | None:
    """Absolute http(s) URL without fragment, or None for anything that must not be fetched.

    The query keeps its order: servers may care, and Scrapy's duplicate filter
    canonicalises on its own.
    """
    href = (href or "").strip()
    if not href or href.lower().startswith(SKIPPED_SCHEMES):
        return None
    url, _fragment = urldefrag(urljoin(base_url, safe_url_string(href)))
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or is_private_host(parts.hostname or ""):
        return None
    return url


def is_private_host(host: str) -> bool:
    """Loopback, private, link-local and reserved addresses, and names that mean this machine.

    A page that links there wants the crawler to probe the network it runs in;
    such links are never followed. (Names are resolved by the proxy or the
    resolver, so only literal addresses and local names can be judged here.)

    >>> is_private_host("192.168.1.1"), is_private_host("localhost"), is_private_host("www.gov.cn")
    (True, True, False)
    """
    host = host.strip("[]").lower().rstrip(".")
    if not host or host == "localhost" or host.endswith((".localhost", ".local", ".internal")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return not address.is_global


def classify(text: str, url: str) -> LinkKind:
    norm = _norm(text)
    if is_report_title(norm) and YEAR.search(norm):
        return LinkKind.REPORT
    if COLUMN_TEXT.match(norm) or (COLUMN_URL.search(url) and (not norm or REPORT_WORDS.search(norm) or "年报" in norm)):
        return LinkKind.COLUMN
    if HUB_TEXT.match(norm):
        return LinkKind.HUB
    if NOTICES_TEXT.match(norm):
        return LinkKind.NOTICES
    if HUB_URL.search(urlsplit(url).path) and ("公开" in norm or not norm) and not NOT_HUB_WORDS.search(norm):
        return LinkKind.HUB
    return LinkKind.OTHER


def page_links(html: str | Selector, base_url: str) -> list[Link]:
    """Every followable link of a page, classified, first occurrence of each URL kept."""
    selector = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    seen: set[str] = set()
    links: list[Link] = []
    for anchor in selector.xpath("//a[@href]"):
        url = normalise_url(anchor.attrib.get("href", ""), base_url)
        if url is None or url in seen:
            continue
        text = " ".join(anchor.xpath(".//text()").getall()).strip() or anchor.attrib.get("title", "")
        title = anchor.attrib.get("title", "")
        kind = classify(text, url)
        if kind is LinkKind.OTHER and title:
            kind = classify(title, url)
            text = title if kind is not LinkKind.OTHER else text
        seen.add(url)
        links.append(Link(url=url, text=_norm(text), kind=kind))
    return links


def year_subcolumns(links: list[Link]) -> list[Link]:
    """Links such as '2024年' inside a report column: each is a sub-column of reports."""
    return [link for link in links if YEAR_SUBCOLUMN.match(link.text)]


def pagination_urls(html: str | Selector, base_url: str) -> list[str]:
    """Further list pages: 下一页 links, numbered pages, TRS createPageHTML pagers.

    >>> pagination_urls('<script>createPageHTML(3, 0, "index", "html");</script>', "http://x.gov.cn/nb/index.html")
    ['http://x.gov.cn/nb/index_1.html', 'http://x.gov.cn/nb/index_2.html']
    """
    selector = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    urls: list[str] = []
    for script in selector.xpath("//script/text()").getall():
        for total, _current, stem, ext in CREATE_PAGE_HTML.findall(script):
            count = int(total) if total.isdigit() else _count_page(script)
            for page in range(1, min(count, 500)):
                urls.append(urljoin(base_url, f"{stem}_{page}.{ext}"))
        if "countPage" in script and not CREATE_PAGE_HTML.search(script) and re.search(r"index\W+_", script):
            urls.extend(urljoin(base_url, f"index_{page}.html") for page in range(1, min(_count_page(script), 500)))
    for anchor in selector.xpath("//a[@href]"):
        text = _norm(" ".join(anchor.xpath(".//text()").getall()))
        href = anchor.attrib.get("href", "")
        url = normalise_url(href, base_url)
        if url is None:
            continue
        if NEXT_PAGE_TEXT.match(text) or (text.isdigit() and NUMBERED_PAGE_URL.search(url)):
            urls.append(url)
    own = canonicalize_url(base_url)
    return list(dict.fromkeys(u for u in urls if canonicalize_url(u) != own))


def _count_page(script: str) -> int:
    match = COUNT_PAGE.search(script)
    return int(match.group(1)) if match else 0


#: File types a report may be published as (issue: reports as attachments).
ATTACHMENT_EXTENSIONS = (".pdf", ".doc", ".docx", ".wps", ".rtf", ".xls", ".xlsx", ".et",
                         ".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp", ".gif")
#: Download endpoints that hide the file name in the query (Hanweb downfile.jsp?filename=…).
DOWNLOAD_ENDPOINT = re.compile(r"(downfile|download|downloadfile|getfile|fileDownload)\w*\.(jsp|do|aspx?|php)", re.I)
_FILE_IN_TEXT = re.compile(r"\.(pdf|docx?|wps|rtf|xlsx?|et)\b", re.I)


def attachment_links(html: str | Selector, base_url: str) -> list[Link]:
    """Files attached to a report page: by extension, download endpoint, TRS ``appendix`` mark or text.

    Images count only when their link names the report (a logo or a QR code
    does not): scans are posted as linked images with the report's title.
    """
    selector = html if isinstance(html, Selector) else Selector(text=html or "<html></html>")
    found: dict[str, Link] = {}
    for anchor in selector.xpath("//a[@href]"):
        url = normalise_url(anchor.attrib.get("href", ""), base_url)
        if url is None or url in found:
            continue
        text = _norm(" ".join(anchor.xpath(".//text()").getall()) or anchor.attrib.get("title", ""))
        parts = urlsplit(url)
        path = parts.path.lower()
        named = path.endswith(ATTACHMENT_EXTENSIONS) or bool(_FILE_IN_TEXT.search(text))
        endpoint = bool(DOWNLOAD_ENDPOINT.search(path)) or "filename=" in parts.query.lower()
        appendix = anchor.attrib.get("appendix", "").lower() == "true"
        image = path.endswith((".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff"))
        if image and not REPORT_WORDS.search(text):
            continue
        if named or endpoint or appendix:
            found[url] = Link(url=url, text=text, kind=LinkKind.REPORT)
    return list(found.values())

