"""The farm's seeds CSV, in the form of shared/spec/interfaces.md."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from harvester.farm.catalog import PORTALS

SEED_COLUMNS = ("name", "url", "region_code", "level", "parent")


def seeds_csv() -> str:
    """CSV text: one row per portal, ``parent`` being the parent division's region code."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SEED_COLUMNS)
    for portal in PORTALS.values():
        writer.writerow((portal.name, portal.seed_url, portal.region_code, portal.level, portal.parent))
    return out.getvalue()


SEEDS_CSV = seeds_csv()


def write_seeds(path: str | Path) -> Path:
    """Write the farm's seeds to ``path`` (UTF-8) and return it."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(SEEDS_CSV, encoding="utf-8")
    return target
