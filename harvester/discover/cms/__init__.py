"""CMS adapters: from a fetched page to the requests that reach its reports with the fewest fetches.

:func:`follow` walks any page generically (hubs, columns, report links,
pagination) and adds what the page's CMS family (:mod:`.detect`) knows:
Hanweb's datastore and dataproxy POSTs, TRS's script pager, gkmlpt's JSON API,
UCAP's ``list_N.shtml``. :func:`follow_api` reads a family's data answer.
Everything here is pure: pages in, :class:`Next` requests out.
"""

from __future__ import annotations

from collections.abc import Callable

from harvester.discover.cms import generic, gkmlpt, hanweb, trs, ucap
from harvester.discover.cms.base import Next, Page
from harvester.discover.cms.detect import FAMILIES, detect

__all__ = ["FAMILIES", "Next", "Page", "detect", "follow", "follow_api"]

LISTINGS: dict[str, Callable[[Page], list[Next]]] = {
    "hanweb": hanweb.listing, "trs": trs.listing, "gkmlpt": gkmlpt.listing, "ucap": ucap.listing,
}
APIS: dict[str, Callable[[Page], list[Next]]] = {"hanweb": hanweb.api, "gkmlpt": gkmlpt.api}


def follow(page: Page, family: str | None = None) -> tuple[str | None, list[Next]]:
    """The page's family (given, or detected) and the requests to make next, each URL once."""
    family = family if family in LISTINGS else detect(page.url, page.text)
    found = [n for n in generic.follow(page) if n.url != page.url or (n.meta or {}).get("render")]
    extra = LISTINGS[family](page) if family else []
    if extra:
        found = [n for n in found if not (n.meta or {}).get("render")] + extra
    return family, _unique(found)


def follow_api(page: Page) -> list[Next]:
    """Requests that follow a family's data answer (``page.state['cms']`` names the family)."""
    handler = APIS.get(page.state.get("cms", ""))
    return _unique(handler(page)) if handler else []


def _unique(nexts: list[Next]) -> list[Next]:
    seen: set[tuple[str, str, str | None]] = set()
    out = []
    for n in nexts:
        key = (n.method, n.url, n.body)
        if key not in seen:
            seen.add(key)
            out.append(n)
    return out
