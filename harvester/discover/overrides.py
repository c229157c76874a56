"""Per-portal overrides for the portals the heuristics miss: a small YAML file, by seed URL.

```yaml
http://www.example.gov.cn/:
  column: http://www.example.gov.cn/col/col1229/index.html   # or a list of URLs
  cms: hanweb          # hanweb, trs, gkmlpt, ucap or generic
  render: true         # fetch its column and list pages with the browser
```

A bad entry is reported and skipped; the rest still apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

from harvester.discover.cms.detect import FAMILIES

KEYS = frozenset({"column", "cms", "render"})


@dataclass(frozen=True)
class Override:
    columns: tuple[str, ...] = ()
    cms: str | None = None
    render: bool = False


def parse_overrides(data: object) -> tuple[dict[str, Override], list[str]]:
    """Overrides by seed URL, and one problem line per entry skipped.

    >>> parse_overrides({"http://a.gov.cn/": {"cms": "trs"}})[0]["http://a.gov.cn/"].cms
    'trs'
    >>> parse_overrides({"http://a.gov.cn/": {"cms": "wordpress"}})[1]
    ["http://a.gov.cn/: cms must be one of hanweb, trs, gkmlpt, ucap, generic, not 'wordpress'"]
    """
    if data is None:
        return {}, []
    if not isinstance(data, dict):
        return {}, ["the file must map seed URLs to overrides"]
    found: dict[str, Override] = {}
    problems: list[str] = []
    for portal, entry in data.items():
        problem = _problem(str(portal), entry)
        if problem:
            problems.append(f"{portal}: {problem}")
            continue
        columns = entry.get("column") or ()
        found[str(portal)] = Override(
            columns=(columns,) if isinstance(columns, str) else tuple(columns),
            cms=None if entry.get("cms") in (None, "generic") else entry["cms"],
            render=bool(entry.get("render", False)),
        )
    return found, problems


def _problem(portal: str, entry: object) -> str | None:
    if not portal.startswith(("http://", "https://")):
        return "the key must be the portal's seed URL"
    if not isinstance(entry, dict):
        return "expected a mapping of column, cms, render"
    unknown = set(entry) - KEYS
    if unknown:
        return f"unknown key(s) {', '.join(sorted(map(str, unknown)))}"
    columns = entry.get("column") or []
    columns = [columns] if isinstance(columns, str) else columns
    if not isinstance(columns, list) or not all(isinstance(c, str) and c.startswith(("http://", "https://")) for c in columns):
        return "column must be an http(s) URL or a list of them"
    cms = entry.get("cms")
    if cms is not None and cms not in (*FAMILIES, "generic"):
        return f"cms must be one of {', '.join((*FAMILIES, 'generic'))}, not {cms!r}"
    if "render" in entry and not isinstance(entry["render"], bool):
        return "render must be true or false"
    return None


def load_overrides(path: str | Path | None) -> tuple[dict[str, Override], list[str]]:
    """The overrides in ``path``; a missing file means none."""
    if not path or not Path(path).is_file():
        return {}, []
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        return {}, [f"{path}: unreadable ({str(exc).splitlines()[0]})"]
    return parse_overrides(data)
