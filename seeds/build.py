"""Rebuild seeds/portals.csv and seeds/divisions.csv from ../shared/data, the same way every time.

    python seeds/build.py [--shared ../shared/data]

The shared list is kept as gathered; this script applies the few decisions
recorded in seeds/SOURCES.md (one host is one portal; the Shanghai 普陀区
correction), writes every parent as its region code and checks the result
with ``harvester seeds check``'s rules before writing anything.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

SEEDS = Path(__file__).resolve().parent
sys.path.insert(0, str(SEEDS.parent))

from harvester.discover.regions import Divisions, load_divisions, nearest_listed_ancestor  # noqa: E402
from harvester.discover.seedtools import SHIPPED_COLUMNS, check_seeds, format_rows, host_key  # noqa: E402

DEFAULT_SHARED = SEEDS.parent.parent / "shared" / "data"

#: Rows whose URL is replaced, by region code: (new URL, confidence, note). Each is cited in SOURCES.md.
CORRECTIONS = {
    "310107": (
        "https://www.shpt.gov.cn/", "medium",
        "corrected: shared list gave www.putuo.gov.cn, also listed for 舟山市普陀区; www.shpt.gov.cn is the "
        "上海普陀区 host in public scraper code [code-index files 66311633635, 54747830189, 54522966633]",
    ),
    "330903": (
        "http://www.putuo.gov.cn/", "medium",
        "www.putuo.gov.cn listed under 舟山市 in public scripts [code-index files 53681093587, 53508108738, "
        "53346310989]; the same host was also listed for 上海普陀区, corrected there",
    ),
}
#: The one portal without a division code: 新疆生产建设兵团 sits in 新疆 without a GB/T 2260 code.
NO_CODE_PARENTS = {"新疆生产建设兵团": "650000"}


def build_rows(shared_rows: list[dict[str, str]], divisions: Divisions) -> tuple[list[dict[str, str]], list[str]]:
    """The seed rows and a line per dropped row: corrections applied, one row per host, parents as codes."""
    rows = [dict(row) for row in shared_rows]
    for row in rows:
        if row["region_code"] in CORRECTIONS:
            url, row["confidence"], row["notes"] = CORRECTIONS[row["region_code"]]
            if host_key(url) != host_key(row["url"]):
                row["access_2026_04_26"] = ""
            row["url"] = url
    kept, dropped = _one_row_per_host(rows, divisions)
    listed = {row["region_code"] for row in kept if row["region_code"]}
    out = []
    for row in kept:
        code = row["region_code"]
        if code:
            parent = nearest_listed_ancestor(code, listed, divisions) or ""
        else:
            parent = NO_CODE_PARENTS.get(row["name"], "")
        out.append({
            "name": row["name"], "url": row["url"], "region_code": code, "level": row["level"],
            "parent": parent, "parent_path": row["parent"], "confidence": row["confidence"],
            "access_2026_04_26": row["access_2026_04_26"], "report_column_url": row["report_column_url"],
            "notes": row["notes"],
        })
    return out, dropped


def _one_row_per_host(rows: list[dict[str, str]], divisions: Divisions) -> tuple[list[dict[str, str]], list[str]]:
    """Drop a child listed on its ancestor's host (珲春 on 延边's): the host is the ancestor's portal."""
    by_host: dict[str, dict[str, str]] = {}
    dropped: list[str] = []
    for row in rows:
        key = host_key(row["url"])
        first = by_host.get(key)
        if first is None:
            by_host[key] = row
            continue
        if divisions.is_ancestor(first["region_code"], row["region_code"]):
            dropped.append(f"{row['name']} ({row['region_code']}): host {key} is the portal of {first['name']}")
            continue
        raise SystemExit(f"host {key} is listed for {first['name']} and {row['name']}; decide in CORRECTIONS")
    kept = {id(row) for row in by_host.values()}
    return [row for row in rows if id(row) in kept], dropped


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED, help="the shared data folder")
    args = parser.parse_args(argv)
    divisions_bytes = (args.shared / "divisions.csv").read_bytes()
    divisions = load_divisions(args.shared / "divisions.csv")
    with (args.shared / "portals.csv").open(encoding="utf-8", newline="") as stream:
        shared_rows = list(csv.DictReader(stream))
    rows, dropped = build_rows(shared_rows, divisions)
    text = format_rows(rows, SHIPPED_COLUMNS)
    problems = check_seeds(text.encode("utf-8"), divisions)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1
    (SEEDS / "portals.csv").write_text(text, encoding="utf-8", newline="")
    (SEEDS / "divisions.csv").write_bytes(divisions_bytes)
    print(f"{len(rows)} portals, {len(divisions)} divisions written to {SEEDS}; dropped {len(dropped)}:")
    for line in dropped:
        print(f"  {line}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
