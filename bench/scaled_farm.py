"""A portal farm scaled up by copying every portal N times under new hostnames (benchmarks only).

Copy ``k`` renames each portal's place (安定区 → 安定甲区, 陇西县 → 陇西甲县 …) so that
its reports are other publishers' reports, not more files of the same ones,
and rewrites hostnames byte-wise (ASCII in both the UTF-8 and the GBK portals).
Generated routes (calendars, search pages, JSON and POST data endpoints) are copied too,
and what they generate is renamed the same way.

Every ``files_every``-th copy also carries the files portal (reports as PDF,
DOCX, DOC, WPS and scans, a fake PDF, a zip bomb). Its files are served byte
for byte on each copy's hostname: a file cannot be renamed without rewriting
it, so these copies are the same reports mirrored on other portals, which the
store keeps as one report seen in several places.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

from harvester.farm.catalog import PORTALS
from harvester.farm.files import FILES_SEED_ROW, files_site
from harvester.farm.seeds import SEEDS_CSV
from harvester.farm.site import Page, Site, build_site

COPY_MARKS = "甲乙丙丁戊己庚辛壬癸"
#: Copies 0, 10, 20 … carry the files portal: its OCR costs seconds of CPU a copy.
FILES_EVERY = 10
#: Content types rewritten in a copy; anything else (PDF, DOC, images, zips) is served as is.
TEXT_TYPES = ("text/", "json", "javascript", "xml")


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
    """``page`` as copy ``copy`` serves it (copy 0 is the original): text renamed, files as they are.

    Generated routes (gkmlpt's JSON API, Hanweb's dataproxy, calendars) build
    their answers from the original portal, so their answers go through here
    too: otherwise a copy's API would list the original portal's report URLs
    and the copy would have no reports of its own.
    """
    if page is None or not copy:
        return page
    content_type = page.headers.get("Content-Type", "text/html").lower()
    if not any(kind in content_type for kind in TEXT_TYPES):
        return page
    headers = dict(page.headers)
    if "Location" in headers:
        headers["Location"] = _copy_body(headers["Location"].encode(), domains, copy, "utf-8").decode()
    return replace(page, headers=headers, body=_copy_body(page.body, domains, copy, _encoding(page)))


def _copy_site(site: Site, source: Site, domains: list[str], copy: int) -> None:
    for (host, path), page in source.pages.items():
        site.put(_host(host, domains, copy), path, _copy_page(page, domains, copy))
    for (host, prefix), route in source.routes.items():
        site.routes[(_host(host, domains, copy), prefix)] = \
            lambda path, route=route: _copy_page(route(path), domains, copy)
    for (host, path), route in source.post_routes.items():
        site.post_routes[(_host(host, domains, copy), path)] = \
            lambda path, body, route=route: _copy_page(route(path, body), domains, copy)
    for host, guard in source.guards.items():
        site.guards[_host(host, domains, copy)] = \
            lambda path, cookie, guard=guard: _copy_page(guard(path, cookie), domains, copy)


def scaled_site(copies: int, files_every: int = FILES_EVERY, scans: bool = True) -> tuple[Site, str]:
    """The farm ``copies`` times over, and the matching seeds CSV text.

    ``scans=False`` leaves the scanned copies out of the files portal (the
    quick suite cannot afford their OCR).
    """
    base, files = build_site(), files_site(Site(), scans=scans)
    domains = sorted({re.sub(r"^[^.]+\.", "", host) for host in base.hosts | files.hosts}, key=len, reverse=True)
    site = Site()
    *rows, files_row = csv.DictReader(io.StringIO(SEEDS_CSV + FILES_SEED_ROW))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for copy in range(copies):
        with_files = copy % files_every == 0
        _copy_site(site, base, domains, copy)
        if with_files:
            _copy_site(site, files, domains, copy)
        for row in rows + ([files_row] if with_files else []):
            url = row["url"] if not copy else "http://" + _host(row["url"].split("/")[2], domains, copy) + "/"
            writer.writerow({**row, "url": url, "name": row["name"] + (COPY_MARKS[(copy - 1) % 10] if copy else "")})
    return site, out.getvalue()


def write_scaled_seeds(path: Path, seeds_csv: str) -> Path:
    path.write_text(seeds_csv, encoding="utf-8")
    return path
