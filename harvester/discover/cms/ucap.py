"""Kaipu UCAP: ``list.shtml`` then ``list_2.shtml`` … ``list_N.shtml``, the pager drawn by script, bodies in ``<UCAPCONTENT>``.

The page count sits in the pager's script (``pageCount = N``) or text (共N页);
from the first list page every further page is known without following a pager.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from harvester.discover.cms.base import Next, Page

FIRST_PAGE = re.compile(r"/list\.shtml$", re.I)
PAGE_COUNT = re.compile(r"(?:pageCount|totalPage|countPage|pageTotal)\s*[:=]\s*['\"]?(\d+)|共\s*(\d+)\s*页", re.I)
#: A pager claiming more pages than this is a trap or a typo; the portal's page budget still applies.
MAX_PAGES = 200


def page_count(html: str) -> int:
    """>>> page_count('<script>var pageCount = 3, currentPage = 1;</script>')
    3
    """
    match = PAGE_COUNT.search(html or "")
    if not match:
        return 1
    return min(int(match.group(1) or match.group(2)), MAX_PAGES)


def listing(page: Page) -> list[Next]:
    if not FIRST_PAGE.search(page.url) or not (page.in_column or page.kind == "column"):
        return []
    return [Next(urljoin(page.url, f"list_{n}.shtml"), "list", meta={"hub_depth": page.hub_depth, "in_column": True})
            for n in range(2, page_count(page.text) + 1)]
