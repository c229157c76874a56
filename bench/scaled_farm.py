"""A portal farm scaled up by copying every portal N times under new hostnames (benchmarks only).

Each copy's report texts get a marker so they stay distinct reports; links and
hostnames are rewritten byte-wise, which is safe because hostnames are ASCII
in both the UTF-8 and the GBK portals.
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from harvester.farm.seeds import SEEDS_CSV
from harvester.farm.site import Page, Site, build_site

MARKER = "一、总体情况".encode()


def _rename(value: bytes, domains: list[bytes], copy: int) -> bytes:
    for domain in domains:
        value = value.replace(domain, domain.replace(b".gov.cn", b"%d.gov.cn" % copy))
    return value


def scaled_site(copies: int) -> tuple[Site, str]:
    """The farm ``copies`` times over, and the matching seeds CSV text."""
    base = build_site()
    domains = sorted({re.sub(r"^[^.]+\.", "", host).encode() for host in base.hosts}, key=len, reverse=True)
    site = Site()
    for copy in range(copies):
        for (host, path), page in base.pages.items():
            body = _rename(page.body, domains, copy)
            if copy:
                body = body.replace(MARKER, MARKER + f"（第{copy}套）".encode(_encoding(page)), 1)
            headers = {name: _rename(value.encode("latin-1"), domains, copy).decode("latin-1")
                       for name, value in page.headers.items()}
            site.put(_rename(host.encode(), domains, copy).decode(), path,
                     Page(status=page.status, headers=headers, body=body, last_modified=page.last_modified,
                          validators=page.validators, accepts_post=page.accepts_post))
    rows = list(csv.DictReader(io.StringIO(SEEDS_CSV)))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    for copy in range(copies):
        for row in rows:
            writer.writerow({**row, "url": _rename(row["url"].encode(), domains, copy).decode(),
                             "name": row["name"] + (f"{copy}" if copy else "")})
    return site, out.getvalue()


def _encoding(page: Page) -> str:
    content_type = page.headers.get("Content-Type", "")
    return "gb18030" if b"gb2312" in page.body[:1024].lower() or "gb" in content_type.lower() else "utf-8"


def write_scaled_seeds(path: Path, seeds_csv: str) -> Path:
    path.write_text(seeds_csv, encoding="utf-8")
    return path
