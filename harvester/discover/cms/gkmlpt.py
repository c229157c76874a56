"""Guangdong's gkmlpt (政府信息公开目录平台): a script application fed by a JSON API.

``/gkmlpt/index`` carries ``window._CONFIG`` with the site's ``SID``; the
category tree comes from ``/gkmlpt/api/tree?sid=…`` and a category's articles
from ``/gkmlpt/api/all/{catId}?page=N&sid=…``. Only the annual-report
categories are listed: three or four requests replace a browser.
"""

from __future__ import annotations

import json
import math
import re
from urllib.parse import urlencode, urljoin

from harvester.discover.cms.base import Next, Page
from harvester.discover.links import COLUMN_TEXT, _norm, is_report_title

SID = re.compile(r"window\._CONFIG\s*=\s*\{.*?['\"]?SID['\"]?\s*:\s*['\"]?([\w-]+)", re.S)
#: JSON larger than this is not a category list.
MAX_JSON_CHARS = 4_000_000
#: Category names holding the reports (COLUMN_TEXT covers the usual ones).
REPORT_CATEGORY = re.compile(r"年报|年度报告")
MAX_PAGES = 100


def sid_of(html: str) -> str | None:
    """>>> sid_of("<script>window._CONFIG = {SID: '755046', X: 1};</script>")
    '755046'
    """
    match = SID.search(html or "")
    return match.group(1) if match else None


def _api(page_url: str, path: str, params: dict, state: dict, depth: int) -> Next:
    return Next(urljoin(page_url, f"/gkmlpt/api/{path}?{urlencode(params)}"), "api",
                meta={"hub_depth": depth, "in_column": True, "cms": "gkmlpt", "cms_state": state})


def listing(page: Page) -> list[Next]:
    """From the gkmlpt shell: ask for the category tree."""
    sid = sid_of(page.text)
    if sid is None:
        return []
    return [_api(page.url, "tree", {"sid": sid}, {"step": "tree", "sid": sid, "page_url": page.url}, page.hub_depth)]


def _load(text: str):
    try:
        return json.loads((text or "")[:MAX_JSON_CHARS])
    except ValueError:
        return None


def report_categories(tree) -> list[int]:
    """Ids of the categories named like a report column, at any depth.

    >>> report_categories([{"id": 1, "name": "政策文件"}, {"id": 2, "name": "x", "children": [{"id": 3, "name": "政府信息公开年报"}]}])
    [3]
    """
    found: list[int] = []
    stack = list(tree if isinstance(tree, list) else (tree or {}).get("data") or [])
    while stack:
        node = stack.pop(0)
        if not isinstance(node, dict):
            continue
        name = _norm(str(node.get("name") or ""))
        if COLUMN_TEXT.match(name) or (REPORT_CATEGORY.search(name) and "网站" not in name):
            if isinstance(node.get("id"), int):
                found.append(node["id"])
        stack.extend(node.get("children") or [])
    return found


def api(page: Page) -> list[Next]:
    state = page.state
    data = _load(page.text)
    if data is None:
        return []
    sid, depth = state["sid"], page.hub_depth
    if state.get("step") == "tree":
        return [_api(state["page_url"], f"all/{category}", {"page": 1, "sid": sid},
                     {"step": "list", "sid": sid, "category": category, "page": 1, "page_url": state["page_url"]}, depth)
                for category in report_categories(data)]
    articles = data.get("articles") or [] if isinstance(data, dict) else []
    out = [Next(urljoin(state["page_url"], article["url"]), "report", text=_norm(article.get("title") or ""),
                meta={"hub_depth": depth})
           for article in articles
           if isinstance(article, dict) and article.get("url") and is_report_title(article.get("title") or "")]
    if state.get("page") == 1 and isinstance(data, dict):
        size = int(data.get("size") or len(articles) or 1)
        pages = min(math.ceil(int(data.get("total") or 0) / max(size, 1)), MAX_PAGES)
        out += [_api(state["page_url"], f"all/{state['category']}", {"page": n, "sid": sid},
                     {**state, "page": n}, depth) for n in range(2, pages + 1)]
    return out
