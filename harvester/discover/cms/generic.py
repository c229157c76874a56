"""The walk for any portal: hub and column links by their words, report links, list pagination.

This is the walk the spider always did (see :mod:`harvester.discover.links`);
family adapters only add what links alone cannot show.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from harvester.discover.cms.base import Next, Page
from harvester.discover.cms.detect import draws_with_script
from harvester.discover.links import (
    NOT_REPORT_WORDS,
    YEAR,
    LinkKind,
    page_links,
    pagination_urls,
    same_government,
    year_subcolumns,
)


def may_enter(url: str, portal: str, hub_depth: int) -> bool:
    """Stay within the portal's government; from the home page, a gov.cn disclosure site is allowed too."""
    if same_government(url, portal):
        return True
    host = urlsplit(url).hostname or ""
    return hub_depth == 0 and host.endswith(".gov.cn")


def follow(page: Page) -> list[Next]:
    """Reports, columns, hubs, notice columns and, inside a column, its further list pages."""
    links = page_links(page.text, page.url)
    reports = [link for link in links if link.kind is LinkKind.REPORT]
    in_column = page.in_column or page.kind == "column" or len(reports) >= 2
    depth = page.hub_depth
    out = [Next(link.url, "report", text=link.text, meta={"hub_depth": depth}) for link in reports]
    if page.kind == "notices":
        return out
    for link in links:
        if link.kind is LinkKind.COLUMN and may_enter(link.url, page.portal, depth) and not article_title(link.text):
            out.append(Next(link.url, "column", meta={"hub_depth": depth + 1, "in_column": True}))
        elif link.kind is LinkKind.NOTICES and depth >= 1 and same_government(link.url, page.portal):
            out.append(Next(link.url, "notices", meta={"hub_depth": depth + 1}))
        elif link.kind is LinkKind.HUB and depth < page.max_hub_depth and may_enter(link.url, page.portal, depth):
            out.append(Next(link.url, "hub", meta={"hub_depth": depth + 1}))
    if in_column:
        pages = [url for url in pagination_urls(page.text, page.url) if same_government(url, page.url)]
        out += [Next(url, "list", meta={"hub_depth": depth, "in_column": True}) for url in pages]
        out += [Next(link.url, "column", meta={"hub_depth": depth, "in_column": True})
                for link in year_subcolumns(links) if same_government(link.url, page.url)]
        if not reports and not pages and needs_browser(page):
            out.append(Next(page.url, page.kind, meta={"hub_depth": depth, "in_column": True, "render": True}))
    return out


def article_title(text: str) -> bool:
    """A dated title of a notice or plan (关于做好2024年…年度报告…的通知): an article, not a column name."""
    return bool(YEAR.search(text) and NOT_REPORT_WORDS.search(text))


def needs_browser(page: Page) -> bool:
    """A report column showing no report and no pager, whose scripts draw into the page: render it once."""
    return not page.rendered and page.kind in ("column", "list") and draws_with_script(page.text)
