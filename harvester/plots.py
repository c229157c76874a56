"""Pictures of a harvest with matplotlib (the ``plot`` extra): counts, a figure's trend, coverage.

Drawn off-screen (Agg). Province names need a font with Chinese glyphs: the
first one fontconfig lists for ``:lang=zh`` is used; without one the labels fall
back to region codes, since boxes in place of names would be worse than codes.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import defaultdict
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402  (after choosing the back end)
from matplotlib import font_manager  # noqa: E402

#: Provinces drawn as their own line in the trend plot; the rest would be unreadable.
TREND_PROVINCES = 8


@cache
def cjk_font() -> str | None:
    """The family name of an installed font with Chinese glyphs, registered with matplotlib, or None."""
    if shutil.which("fc-list") is None:
        return None
    try:
        listing = subprocess.run(["fc-list", ":lang=zh", "file", "style"], capture_output=True, text=True,
                                 timeout=20, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    files = [line.split(":")[0].strip() for line in listing.splitlines() if line.strip()]
    files.sort(key=lambda f: ("Regular" not in f and "regular" not in f, "Sans" not in f, f))
    for path in files:
        try:
            font_manager.fontManager.addfont(path)
            return font_manager.FontProperties(fname=path).get_name()
        except (OSError, RuntimeError, ValueError):
            continue
    return None


def _province_label(code: str | None, divisions, chinese: bool) -> str:
    if not code:
        return "?"
    division = divisions.get(code[:2] + "0000")
    if chinese and division is not None:
        return division.names[-1]
    return code[:2]


def _style() -> bool:
    """Set the font; True when Chinese labels can be drawn."""
    font = cjk_font()
    if font:
        plt.rcParams["font.family"] = [font, "DejaVu Sans"]
    plt.rcParams["axes.unicode_minus"] = False
    return font is not None


def _heatmap(ax, matrix, rows: list[str], columns: list, text, limits=None):
    image = ax.imshow(matrix, aspect="auto", cmap="YlGnBu")
    if limits:
        image.set_clim(*limits)
    ax.set_yticks(range(len(rows)), rows)
    ax.set_xticks(range(len(columns)), [str(c) for c in columns])
    low, high = image.get_clim()
    if len(rows) * len(columns) <= 600:
        for i in range(len(rows)):
            for j in range(len(columns)):
                label = text(i, j)
                dark = high > low and (matrix[i][j] - low) / (high - low) > 0.6
                if label:
                    ax.text(j, i, label, ha="center", va="center", fontsize=7, color="white" if dark else "black")
    return image


def stats_figure(path: Path, counts: list[tuple], trend: list[tuple], figure: str, divisions) -> None:
    """Reports per province and year (heat map) beside the yearly sum of ``figure`` per province."""
    chinese = _style()
    per_cell: dict[tuple[str, int], int] = defaultdict(int)
    for code, year, n in counts:
        if year is not None:
            per_cell[(_province_label(code, divisions, chinese), year)] += n
    provinces = sorted({p for p, _ in per_cell})
    years = sorted({y for _, y in per_cell})
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, max(4, 0.3 * len(provinces) + 2)))
    if provinces and years:
        matrix = [[per_cell.get((p, y), 0) for y in years] for p in provinces]
        image = _heatmap(left, matrix, provinces, years, lambda i, j: str(matrix[i][j] or ""))
        fig.colorbar(image, ax=left, shrink=0.6)
    left.set_title("reports per province and year")
    sums: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    for code, year, value in trend:
        if year is not None and value is not None:
            sums[_province_label(code, divisions, chinese)][year] += value
    overall: dict[int, float] = defaultdict(float)
    for series in sums.values():
        for year, value in series.items():
            overall[year] += value
    top = sorted(sums, key=lambda p: -sum(sums[p].values()))[:TREND_PROVINCES]
    for province in top:
        xs = sorted(sums[province])
        right.plot(xs, [sums[province][x] for x in xs], marker="o", linewidth=1, label=province)
    if overall:
        xs = sorted(overall)
        right.plot(xs, [overall[x] for x in xs], color="black", linewidth=2.5, marker="s", label="all")
        right.legend(fontsize=8)
        right.xaxis.get_major_locator().set_params(integer=True)
    right.set_title(f"{figure} per year")
    right.set_xlabel("year")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def coverage_figure(path: Path, provinces: list[str], years: list[int], grid: dict, divisions) -> None:
    """Share of each province's seed regions with a report, per year."""
    chinese = _style()
    labels = [_province_label(p, divisions, chinese) for p in provinces]
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(years) + 3), max(4, 0.3 * len(provinces) + 2)))
    if provinces and years:
        matrix = [[grid[(p, y)][0] / grid[(p, y)][1] if grid[(p, y)][1] else 0 for y in years] for p in provinces]
        image = _heatmap(ax, matrix, labels, years,
                         lambda i, j: f"{grid[(provinces[i], years[j])][0]}/{grid[(provinces[i], years[j])][1]}",
                         limits=(0, 1))
        fig.colorbar(image, ax=ax, shrink=0.6, label="seed regions with a report")
    ax.set_title("coverage: seed regions with a report, by province and year")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
