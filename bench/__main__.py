"""``python -m bench``: harvester against its peers, side by side, in one run; writes bench/RESULTS.md.

    python -m bench               # the full run, for people (about an hour on 2 cores)
    python -m bench --quick       # the smoke form CI runs (under 3 minutes), no thresholds
    python -m bench --only focus --only extraction

Exit codes: 0 every comparison ran, 1 one or more failed (the others are still
written, the failure with its reason), 2 bad options.
"""

from __future__ import annotations

import os
import tempfile
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from bench.core import ROOT, Options, Section
from bench.machine import describe

COMPARISONS = ("throughput", "focus", "extraction", "parsing", "recrawl", "memory", "store", "files", "profile")
console = Console(stderr=True)
app = typer.Typer(add_completion=False, help=__doc__)


def _runners(options: Options, done: dict[str, Section]) -> dict[str, Callable[[], Section | list[Section]]]:
    """Each comparison's entry; throughput also yields recrawl, and the profile reads throughput's stage shares."""
    from bench import extraction, files, focus, memory, parsing, profiling, store, throughput

    def profile() -> Section:
        shares = done["throughput"].figures.get("stage_shares", {}) if "throughput" in done else {}
        return profiling.run(options, shares)

    return {
        "throughput": lambda: throughput.run(options), "focus": lambda: focus.run(options),
        "extraction": lambda: extraction.run(options), "parsing": lambda: parsing.run(options),
        "memory": lambda: memory.run(options), "store": lambda: store.run(options),
        "files": lambda: files.run(options), "profile": profile,
    }


def render(sections: dict[str, Section], failures: dict[str, str], options: Options, started: datetime,
           seconds: float, machine: str) -> str:
    mode = "quick (CI smoke form: small farm, one run each)" if options.quick else "full"
    lines = [
        "# harvester benchmark results", "",
        f"Written by `python -m bench{' --quick' if options.quick else ''}` on {started:%Y-%m-%d %H:%M} UTC, "
        f"{mode}; the run took {seconds / 60:.0f} min. Every figure below comes from this one run; timed figures "
        f"are medians of {options.runs} run{'s' if options.runs > 1 else ''} and each ratio is harvester's figure "
        f"divided by its peer's. The farm, its server and the crawls share the machine's cores, so absolute "
        f"times move with the machine; the ratios, measured side by side, are the figures to compare.", "",
        "## Machine", "", machine, "", "## Summary", "",
    ]
    lines += [f"- {headline}" for key in COMPARISONS if key in sections for headline in sections[key].headlines]
    lines += [f"- **{key} failed**: {reason.splitlines()[-1]}" for key, reason in failures.items()]
    for key in COMPARISONS:
        if key in sections:
            section = sections[key]
            lines += ["", f"## {section.title}", "", section.method, "", section.body.rstrip(),
                      "", f"_{section.seconds:.0f} s for this comparison._"]
        elif key in failures:
            lines += ["", f"## {key}", "", "This comparison failed:", "", "```", failures[key].rstrip()[-3000:], "```"]
    return "\n".join(lines) + "\n"


@app.command()
def main(
    quick: Annotated[bool, typer.Option("--quick", help="Small farm, one run each: the CI smoke form.")] = False,
    out: Annotated[Path | None, typer.Option(help="Results file (default bench/RESULTS.md, or bench/RESULTS-quick.md with --quick).")] = None,
    only: Annotated[list[str] | None, typer.Option(help=f"Run only these comparisons: {', '.join(COMPARISONS)}.")] = None,
    runs: Annotated[int | None, typer.Option(min=1, help="Repetitions of each timed figure (default 3, 1 with --quick).")] = None,
    copies: Annotated[int | None, typer.Option(min=1, help="Copies of the farm for the crawls (default 60: 600 portals).")] = None,
    postgres: Annotated[str, typer.Option(help="PostgreSQL server for the store comparison.")] =
        os.environ.get("HARVESTER_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/test"),
) -> None:
    """Run harvester against its peers side by side and write bench/RESULTS.md (exit 1 if a comparison failed)."""
    chosen = list(only or COMPARISONS)
    unknown = sorted(set(chosen) - set(COMPARISONS))
    if unknown:
        console.print(f"[red]error:[/red] unknown comparison {', '.join(unknown)}; choose from {', '.join(COMPARISONS)}")
        raise typer.Exit(2)
    if "recrawl" in chosen and "throughput" not in chosen:
        chosen.append("throughput")  # the recrawl is the second crawl of each throughput round
    target = out or ROOT / "bench" / ("RESULTS-quick.md" if quick else "RESULTS.md")
    started, clock = datetime.now(UTC), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="harvester-bench-") as work:
        options = Options(
            quick=quick, runs=runs or (1 if quick else 3), copies=copies or (2 if quick else 60),
            memory_pages=400 if quick else 20_000, store_reports=2_000 if quick else 100_000,
            work=Path(work), postgres_url=postgres, ocr=not quick,
        )
        machine = describe(postgres)
        sections, failures = run_all(chosen, options)
    target.write_text(render(sections, failures, options, started, time.perf_counter() - clock, machine), encoding="utf-8")
    console.print(f"wrote {target}")
    for key in COMPARISONS:
        for headline in sections[key].headlines if key in sections else ():
            console.print(f"  {headline}", highlight=False)
    if failures:
        console.print(f"[red]failed:[/red] {', '.join(failures)}")
        raise typer.Exit(1)


def run_all(chosen: list[str], options: Options) -> tuple[dict[str, Section], dict[str, str]]:
    sections: dict[str, Section] = {}
    failures: dict[str, str] = {}
    runners = _runners(options, sections)
    for key in [k for k in COMPARISONS if k in chosen and k != "recrawl"]:
        began = time.perf_counter()
        with console.status(f"{key} …"):
            try:
                result = runners[key]()
            except Exception:  # noqa: BLE001 - one failed comparison must not lose the others
                failures[key] = traceback.format_exc()
                console.print(f"[red]{key} failed[/red] after {time.perf_counter() - began:.0f} s")
                continue
        for section in result if isinstance(result, list) else [result]:
            section.seconds = time.perf_counter() - began
            if section.key in chosen:
                sections[section.key] = section
        console.print(f"{key}: {time.perf_counter() - began:.0f} s")
    return sections, failures


if __name__ == "__main__":
    app()
