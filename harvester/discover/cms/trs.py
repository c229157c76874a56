"""TRS WCM: lists paged by ``createPageHTML(total, current, "index", "html")``, articles ``./YYYYMM/tYYYYMMDD_{id}.html``.

The pager is written by script, so its links never appear in the markup; the
total in the first list page gives every ``index_N.html`` at once. Bodies sit
in ``.TRS_Editor`` (the extractor prefers it).
"""

from __future__ import annotations

import re

from harvester.discover.cms.base import Next, Page
from harvester.discover.links import CREATE_PAGE_HTML, LinkKind, page_links, pagination_urls

ARTICLE = re.compile(r"/t\d{8}_\d+\.s?html?$", re.I)


def listing(page: Page) -> list[Next]:
    """Every list page of the column from its first page, and report links in TRS's article scheme."""
    if not CREATE_PAGE_HTML.search(page.text) and "countPage" not in page.text:
        return []
    depth = page.hub_depth
    out = [Next(link.url, "report", text=link.text, meta={"hub_depth": depth})
           for link in page_links(page.text, page.url) if link.kind is LinkKind.REPORT and ARTICLE.search(link.url)]
    if page.in_column or page.kind == "column" or out:
        out += [Next(url, "list", meta={"hub_depth": depth, "in_column": True})
                for url in pagination_urls(page.text, page.url)]
    return out
