"""The parsing comparison: one row per layout, cells that add up, and the farm's pages read exactly."""

from __future__ import annotations

import shutil

import pytest

from bench.core import Options, Section
from bench.parsing import Case, Layout, farm_layout, run, score
from harvester.farm.catalog import catalog


@pytest.fixture(scope="module")
def section(tmp_path_factory: pytest.TempPathFactory) -> Section:
    work = tmp_path_factory.mktemp("bench")
    return run(Options(quick=True, runs=1, copies=1, memory_pages=0, store_reports=0, work=work, ocr=False))


def test_every_farm_layout_has_a_row_with_all_its_reports(section: Section) -> None:
    layouts = section.figures["layouts"]
    reports = catalog().reports
    expected = {farm_layout(report.markup, report.fmt) for report in reports}
    farm = {name for name, row in layouts.items() if row["group"] == "farm"}
    assert farm == expected
    assert sum(layouts[name]["reports"] for name in farm) == len(reports)
    for name in layouts:
        assert f"| {name} |" in section.body


def test_cells_add_up(section: Section) -> None:
    layouts = section.figures["layouts"].values()
    for row in layouts:
        assert row["right"] + row["wrong"] + row["missing"] == row["cells"]
        assert row["nulls"] <= row["cells"]
    for key in ("cells", "right", "wrong", "missing"):
        assert section.figures[key] == sum(row[key] for row in layouts)
    assert section.figures["cells"] > 10_000


def test_farm_pages_are_read_exactly(section: Section) -> None:
    for name, row in section.figures["layouts"].items():
        if row["group"] != "farm":
            continue
        assert (row["wrong"], row["missing"]) == (0, 0), name
        assert row["cells"] > 0 or name.endswith("pre2019"), name  # pre2019 tables map onto no key
        assert row["read_rate"] > 0 and row["parse_rate"] > 0


def test_without_ocr_every_layout_is_right(section: Section) -> None:
    """The corpus, files and real texts are each pinned by their own tests, so the bench must agree."""
    layouts = section.figures["layouts"]
    assert not [name for name, row in layouts.items() if row["group"] == "ocr"]
    faulty = {name: (row["wrong"], row["missing"]) for name, row in layouts.items() if row["wrong"] or row["missing"]}
    assert faulty == {}
    assert "100.0% of" in section.headlines[0] and "0 wrong" in section.headlines[0]
    assert "Scanned files (OCR) are left out" in section.body


def test_real_texts_and_files_rows(section: Section) -> None:
    layouts = section.figures["layouts"]
    texts = {name: row for name, row in layouts.items() if row["group"] == "text"}
    assert len(texts) == 5 and all(row["cells"] == 200 for row in texts.values())
    lost = next(row for name, row in texts.items() if "real 003" in name)
    assert lost["nulls"] > 100  # the hand transcription's undecidable cells came through as null
    files = {name for name, row in layouts.items() if row["group"] == "file"}
    assert any(name.startswith("file PDF, real") for name in files)
    libreoffice = {name for name in files if "LibreOffice" in name}
    if shutil.which("soffice"):
        assert len(libreoffice) == 2
    else:
        assert not libreoffice and "soffice" in section.body


def test_score_counts_wrong_and_missing() -> None:
    truth = {"t": {"r": {"a": 1, "b": None, "c": 2, "d": 3, "e": 0}}}
    got = {"t": {"r": {"a": 1, "b": 5, "c": None, "d": 4}, "x_extra": {"e": 7, "f": None}}}
    layout = Layout("toy", "corpus", [])
    score(layout, Case("toy", truth, read=lambda: got), got)
    assert (layout.cells, layout.nulls, layout.right) == (6, 1, 1)
    assert sorted(cell.key for cell in layout.wrong) == ["t.r.b", "t.r.d", "t.x_extra.e"]
    assert sorted(cell.key for cell in layout.missing) == ["t.r.c", "t.r.e"]
