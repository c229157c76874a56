"""A portal farm scaled up by copying every portal N times under new hostnames (benchmarks only).

Copy ``k`` renames each portal's place (安定区 → 安定甲区, 陇西县 → 陇西甲县 …) so that
its reports are other publishers' reports, not more files of the same ones,
and rewrites hostnames byte-wise (ASCII in both the UTF-8 and the GBK portals).
Generated routes (calendars, search pages, JSON and POST data endpoints) are copied too,
and what they generate is renamed the same way.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

from harvester.farm.catalog import PORTALS
from harvester.farm.seeds import SEEDS_CSV
from harvester.farm.site import Page, Site, build_site

COPY_MARKS = "甲乙丙丁戊己庚辛壬癸"


def _host(host: str, domains: list[str], copy: int) -> str:
    if not copy:
        return host
    for domain in domains:
        if host.endswith(domain):
            return host[: -len(domain)] + domain.replace(".gov.cn", f"{copy}.gov.cn")
    return host


def _places(copy: int) -> list[tuple[str, str]]:
    """(place, renamed place) for every farm portal, longest first so 定西市安定区 is not half-renamed."""
    mark = COPY_MARKS[(copy - 1) % len(COPY_MARKS)] * (1 + (copy - 1) // len(COPY_MARKS))
    shorts = sorted({portal.short for portal in PORTALS.values()}, key=len, reverse=True)
    return [(short, short[:-1] + mark + short[-1]) for short in shorts]


def _copy_body(body: bytes, domains: list[str], copy: int, encoding: str) -> bytes:
    for domain in domains:
        body = body.replace(domain.encode(), domain.replace(".gov.cn", f"{copy}.gov.cn").encode())
    for place, renamed in _places(copy):
        try:
            body = body.replace(place.encode(encoding), renamed.encode(encoding))
        except UnicodeEncodeError:
            continue
    return body


def _encoding(page: Page) -> str:
    head = page.body[:2048].lower()
    return "gb18030" if b"gb2312" in head or b"gbk" in head else "utf-8"


def _copy_page(page: Page | None, domains: list[str], copy: int) -> Page | None:
    """``page`` as copy ``copy`` serves it: body and redirect target renamed; copy 0 is the original.

    Generated routes (gkmlpt's JSON API, Hanweb's dataproxy, calendars) build
    their answers from the original portal, so their answers go through here
    too: otherwise a copy's API would list the original portal's report URLs
    and the copy would have no reports of its own.
    """
    if page is None or not copy:
        return page
    headers = dict(page.headers)
    if "Location" in headers:
        headers["Location"] = _copy_body(headers["Location"].encode(), domains, copy, "utf-8").decode()
    return replace(page, headers=headers, body=_copy_body(page.body, domains, copy, _encoding(page)))


def scaled_site(copies: int) -> tuple[Site, str]:
    """The farm ``copies`` times over, and the matching seeds CSV text."""
    base = build_site()
    domains = sorted({re.sub(r"^[^.]+\.", "", host) for host in base.hosts}, key=len, reverse=True)
    site = Site()
    for copy in range(copies):
        for (host, path), page in base.pages.items():
            site.put(_host(host, domains, copy), path, _copy_page(page, domains, copy))
        for (host, prefix), route in base.routes.items():
            site.routes[(_host(host, domains, copy), prefix)] = \
                lambda path, route=route, copy=copy: _copy_page(route(path), domains, copy)
        for (host, path), route in base.post_routes.items():
            site.post_routes[(_host(host, domains, copy), path)] = \
                lambda path, body, route=route, copy=copy: _copy_page(route(path, body), domains, copy)
        for host, guard in base.guards.items():
            site.guards[_host(host, domains, copy)] = \
                lambda path, cookie, guard=guard, copy=copy: _copy_page(guard(path, cookie), domains, copy)
    rows = list(csv.DictReader(io.StringIO(SEEDS_CSV)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for copy in range(copies):
        for row in rows:
            url = row["url"] if not copy else "http://" + _host(row["url"].split("/")[2], domains, copy) + "/"
            writer.writerow({**row, "url": url, "name": row["name"] + (COPY_MARKS[(copy - 1) % 10] if copy else "")})
    return site, out.getvalue()


def write_scaled_seeds(path: Path, seeds_csv: str) -> Path:
    path.write_text(seeds_csv, encoding="utf-8")
    return path
