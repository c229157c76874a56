"""What every comparison of the suite shares: options, medians, ratios and Markdown sections.

Each comparison module (``bench/throughput.py``, ``bench/extraction.py`` …) has
``run(options: Options) -> Section``; ``python -m bench`` runs them in order and
writes their sections into ``bench/RESULTS.md``.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parents[1]


@dataclass
class Options:
    """How big and how often: ``quick`` is the CI smoke form, the full form is for people."""

    quick: bool
    #: Repetitions of every timed figure; the median is reported.
    runs: int
    #: Copies of the farm for the crawl comparisons (each copy: 10 portals, 42 report pages).
    copies: int
    #: Pages the memory crawl must fetch.
    memory_pages: int
    #: Synthetic reports for the store comparison.
    store_reports: int
    #: A scratch directory that lives for the whole run.
    work: Path
    #: PostgreSQL server for the store comparison (a fresh database is made on it).
    postgres_url: str | None = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    #: Read scanned files with OCR in the files comparison.
    ocr: bool = True


@dataclass
class Section:
    """One comparison's part of RESULTS.md."""

    key: str
    title: str
    #: What was measured, on what, and how (Markdown paragraphs).
    method: str
    #: Markdown tables and paragraphs with the figures.
    body: str
    #: One-line figures for the summary at the top ("pages/s: 21.3 vs 48.0 bare Scrapy (0.44×)").
    headlines: list[str] = field(default_factory=list)
    #: Figures other comparisons read (the profile reads the throughput's CPU shares by stage).
    figures: dict = field(default_factory=dict)
    seconds: float = 0.0


def median(values: Iterable[float]) -> float:
    return statistics.median(list(values))


def ratio(value: float, peer: float) -> str:
    """``value / peer`` as ``0.44×``; ``–`` when the peer is zero."""
    return f"{value / peer:.2f}×" if peer else "–"


def repeat(runs: int, measure: Callable[[], T]) -> list[T]:
    return [measure() for _ in range(runs)]


def timed(function: Callable[[], T]) -> tuple[T, float]:
    """The result and the wall seconds of one call."""
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started


def table(headers: Sequence[str], rows: Iterable[Sequence[object]], align: str | None = None) -> str:
    """A Markdown table; ``align`` is one letter per column, ``l`` or ``r`` (default: text left, numbers right)."""
    rows = [[_cell(value) for value in row] for row in rows]
    if align is None:
        align = "".join("r" if rows and all(_numeric(r[i]) for r in rows) else "l" for i in range(len(headers)))
    rule = ["---:" if a == "r" else "---" for a in align]
    lines = ["| " + " | ".join(headers) + " |", "|" + "|".join(rule) + "|"]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _cell(value: object) -> str:
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 1 else f"{value:,.1f}" if abs(value) < 1000 else f"{value:,.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value).replace("|", "\\|")


def _numeric(text: str) -> bool:
    return text.replace(",", "").replace(".", "").replace("×", "").replace("%", "").replace("-", "").replace("–", "").isdigit() or text in ("", "–")


@dataclass
class Watched:
    """A finished child process: exit code, wall and CPU seconds, and its own peak resident memory."""

    exit_code: int
    wall_seconds: float
    cpu_seconds: float
    peak_rss_mb: float


def proc_status_mb(pid: int) -> tuple[float, float] | None:
    """(VmRSS, VmHWM) of a live process in MB, from /proc."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    values = {line.split(":")[0]: int(line.split()[1]) / 1024 for line in status.splitlines()
              if line.startswith(("VmRSS:", "VmHWM:"))}
    return (values["VmRSS"], values["VmHWM"]) if len(values) == 2 else None


def watch(process: subprocess.Popen, every: float, on_sample: Callable[[float], None] | None = None) -> Watched:
    """Wait for ``process``, sampling its memory every ``every`` seconds.

    The peak is the largest VmHWM read while it ran, not ``wait4``'s ``ru_maxrss``:
    a child forked from a large benchmark process starts with the parent's
    resident pages counted in that high-water mark, which would report the
    benchmark's own size instead of the command's.
    """
    started, peak = time.perf_counter(), 0.0
    while True:
        pid, status, usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        figures = proc_status_mb(process.pid)
        if figures is not None:
            peak = max(peak, figures[1])
            if on_sample is not None:
                on_sample(figures[0])
        time.sleep(every)
    process.returncode = os.waitstatus_to_exitcode(status)
    return Watched(process.returncode, time.perf_counter() - started, usage.ru_utime + usage.ru_stime, peak)
