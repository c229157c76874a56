"""Seeds: check a seeds file, add a portal, propose portals from a saved page of links.

Exit codes: 0 clean, 1 problems found (or the portal is already listed),
2 bad input (unreadable file, bad option value).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from harvester.discover.regions import load_divisions
from harvester.discover.seedtools import (
    SHIPPED_COLUMNS,
    Problem,
    SeedRefused,
    SeedsTable,
    append_row,
    check_table,
    discover_rows,
    format_rows,
    new_row,
    read_table,
)
from harvester.extract.decode import decode_html
from harvester.store.db import PROJECT_ROOT

seeds_app = typer.Typer(help=__doc__, no_args_is_help=True, add_completion=False)
console = Console(stderr=True)

DEFAULT_SEEDS = PROJECT_ROOT / "seeds" / "portals.csv"
EXIT_PROBLEM, EXIT_BAD_INPUT = 1, 2

SeedsOption = Annotated[Path, typer.Option("--seeds", help="The seeds file.")]
DivisionsOption = Annotated[
    Path | None, typer.Option("--divisions", help="Divisions CSV (default: seeds/divisions.csv).")
]


def _fail(message: str, code: int) -> typer.Exit:
    console.print(f"[red]error:[/red] {escape(message)}", highlight=False, soft_wrap=True)
    return typer.Exit(code)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise _fail(f"cannot read {path}: {exc.strerror or exc}", EXIT_BAD_INPUT) from None


def _divisions(path: Path | None):
    try:
        return load_divisions(path)
    except (OSError, KeyError, UnicodeDecodeError) as exc:
        raise _fail(f"cannot read divisions {path}: {exc}", EXIT_BAD_INPUT) from None


def _readable_table(path: Path) -> tuple[bytes, SeedsTable]:
    raw = _read_bytes(path)
    table = read_table(raw)
    if {"name", "url"} - set(table.header):
        raise _fail(f"{path} is not a seeds file: it needs a header row with 'name' and 'url'", EXIT_BAD_INPUT)
    return raw, table


def problems_table(problems: list[Problem], path: Path) -> Table:
    table = Table(title=f"{len(problems)} problems in {path}", title_justify="left")
    table.add_column("line", justify="right")
    table.add_column("problem")
    table.add_column("detail", overflow="fold")
    for problem in problems:
        table.add_row(str(problem.line), problem.kind, escape(problem.message))
    return table


@seeds_app.command()
def check(
    path: Annotated[Path, typer.Argument(help="Seeds CSV to check.")] = DEFAULT_SEEDS,
    divisions: DivisionsOption = None,
) -> None:
    """Check a seeds file offline: columns, URLs, duplicate hosts, region codes, levels, parent chain, encoding."""
    raw = _read_bytes(path)
    table = read_table(raw)
    problems = check_table(table, _divisions(divisions))
    if problems:
        Console(width=None if sys.stdout.isatty() else 160).print(problems_table(problems, path))
        raise typer.Exit(EXIT_PROBLEM)
    console.print(f"{path}: {len(table.rows)} portals, no problems")


@seeds_app.command()
def add(
    url: Annotated[str, typer.Argument(help="The portal's home page, http(s)://…")],
    name: Annotated[str, typer.Option("--name", help="The government's name, e.g. 陇西县人民政府.")],
    region_code: Annotated[str | None, typer.Option("--region-code", help="6-digit 行政区划代码 (read from the name when omitted).")] = None,
    level: Annotated[str | None, typer.Option("--level", help="province, prefecture, county, township, department or other (from the code when omitted).")] = None,
    parent: Annotated[str | None, typer.Option("--parent", help="Parent's region code (the nearest listed division above when omitted).")] = None,
    seeds: SeedsOption = DEFAULT_SEEDS,
    divisions: DivisionsOption = None,
) -> None:
    """Append one portal to a seeds file after checking it; a host already listed is refused."""
    raw, table = _readable_table(seeds)
    try:
        row = new_row(table, _divisions(divisions), url=url, name=name, region_code=region_code,
                      level=level, parent=parent)
    except SeedRefused as exc:
        raise _fail(str(exc), EXIT_PROBLEM if exc.duplicate else EXIT_BAD_INPUT) from None
    seeds.write_bytes(append_row(raw, table, row))
    console.print(
        f"added {escape(row['name'])} {escape(row['url'])} "
        f"(region {row.get('region_code') or '-'}, {row.get('level') or 'no level'}, "
        f"parent {row.get('parent') or '-'}) to {seeds}",
        highlight=False,
    )


@seeds_app.command()
def discover(
    page: Annotated[Path, typer.Argument(help="A saved HTML page of links, e.g. a province portal's 县区政府网站 block.")],
    base_url: Annotated[str | None, typer.Option("--base-url", help="The address the page was saved from (resolves relative links).")] = None,
    parent_code: Annotated[str | None, typer.Option("--parent-code", help="Only places under this region code.")] = None,
    seeds: SeedsOption = DEFAULT_SEEDS,
    out: Annotated[Path | None, typer.Option("--out", "-o", help="Write the proposed rows here instead of standard output.")] = None,
    divisions: DivisionsOption = None,
) -> None:
    """Propose seed rows for the government sites a saved page links to, as CSV to review."""
    known = _divisions(divisions)
    if parent_code is not None and parent_code not in known:
        raise _fail(f"--parent-code {parent_code} is not in the divisions list", EXIT_BAD_INPUT)
    html, _ = decode_html(_read_bytes(page))
    existing = _readable_table(seeds)[1] if seeds.exists() else SeedsTable(list(SHIPPED_COLUMNS), [])
    columns = existing.header or list(SHIPPED_COLUMNS)
    found = discover_rows(html, known, base_url=base_url, parent_code=parent_code, existing=existing.rows,
                          columns=columns, source=base_url or page.name)
    text = format_rows(found.proposed, columns)
    if out is None:
        sys.stdout.write(text)
    else:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(text, encoding="utf-8")
    reasons: dict[str, int] = {}
    for skipped in found.skipped:
        reasons[skipped.reason] = reasons.get(skipped.reason, 0) + 1
    summary = "; ".join(f"{count} {reason}" for reason, count in sorted(reasons.items()))
    console.print(f"proposed {len(found.proposed)} rows" + (f" to {out}" if out else "")
                  + (f"; skipped {len(found.skipped)} links: {summary}" if found.skipped else ""), highlight=False)
