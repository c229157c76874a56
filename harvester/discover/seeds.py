"""Reading a seeds CSV (interfaces.md): good rows are crawled, bad rows reported by line number."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from harvester.items import PortalSeed

LEVELS = ("province", "prefecture", "county", "township", "department", "other")
REGION_CODE = re.compile(r"^\d{6}$")


@dataclass(frozen=True)
class SeedProblem:
    line: int
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.message}"


class SeedsFileError(ValueError):
    """The file as a whole cannot be read as seeds (missing, no header, no url column)."""


def _has_undecodable(value: str) -> bool:
    return any("\udc80" <= char <= "\udcff" for char in value)


def read_seeds(path: str | Path) -> tuple[list[PortalSeed], list[SeedProblem]]:
    """Parse a seeds file; never raises for a bad row, only for an unreadable file."""
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise SeedsFileError(f"cannot read seeds file {path}: {exc.strerror or exc}") from None
    text = raw.decode("utf-8", errors="surrogateescape").removeprefix("\ufeff")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fields = [name.strip().lower() for name in (reader.fieldnames or [])]
    if "url" not in fields or "name" not in fields:
        raise SeedsFileError(f"seeds file {path} needs a header row with 'name' and 'url' columns")
    reader.fieldnames = fields
    seeds: list[PortalSeed] = []
    problems: list[SeedProblem] = []
    seen_urls: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        values = {key: (value or "").strip() for key, value in row.items() if isinstance(key, str)}
        problem = _row_problem(values)
        if problem is None and values["url"] in seen_urls:
            problem = f"duplicate url {values['url']} (first on line {seen_urls[values['url']]})"
        if problem is not None:
            problems.append(SeedProblem(line, problem))
            continue
        seen_urls[values["url"]] = line
        seeds.append(PortalSeed(
            url=values["url"], name=values["name"], region_code=values.get("region_code") or None,
            level=values.get("level") or None, parent=values.get("parent") or None,
        ))
    return seeds, problems


def _row_problem(values: dict[str, str]) -> str | None:
    if any(_has_undecodable(value) for value in values.values()):
        return "not valid UTF-8"
    if not values.get("name"):
        return "empty name"
    url = values.get("url", "")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"url must be an absolute http(s) URL, got {url!r}"
    code = values.get("region_code", "")
    if code and not REGION_CODE.match(code):
        return f"region_code must be 6 digits, got {code!r}"
    level = values.get("level", "")
    if level and level not in LEVELS:
        return f"level must be one of {', '.join(LEVELS)}, got {level!r}"
    return None
