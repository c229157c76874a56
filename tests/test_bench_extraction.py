"""The extraction comparison: its scoring is right, and its quick run reports every extractor."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

import lxml.html
import pytest

from bench.core import Options, Section
from bench.extraction import (
    CHROME_REGIONS,
    EXTRACTORS,
    REAL_PAGES,
    REAL_TRUTH,
    ReportPage,
    Score,
    check_real_truth,
    real_pages,
    report_pages,
    run,
    score_page,
    visible_text,
)
from harvester.extract.decode import decode_html
from harvester.farm.catalog import catalog


@pytest.fixture(scope="module")
def section(tmp_path_factory: pytest.TempPathFactory) -> Section:
    work: Path = tmp_path_factory.mktemp("bench")
    return run(Options(quick=True, runs=1, copies=1, memory_pages=0, store_reports=0, work=work))


@pytest.fixture(scope="module")
def pages() -> list[ReportPage]:
    return report_pages()


@pytest.fixture(scope="module")
def real() -> list[ReportPage]:
    return real_pages()


def _rows(markdown: str) -> dict[str, list[str]]:
    """The first table of ``markdown``, by its first cell."""
    lines = [line for line in markdown.split("\n\n")[0].splitlines() if line.startswith("|")][2:]
    cells = [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]
    return {row[0]: row[1:] for row in cells}


def _table_after(markdown: str, lead: str) -> str:
    """The table that follows the paragraph of ``markdown`` starting with ``lead``."""
    blocks = markdown.split("\n\n")
    (index,) = [i for i, block in enumerate(blocks) if block.startswith(lead)]
    return blocks[index + 1]


def _share(cell: str) -> float:
    assert cell.endswith("%"), cell
    value = float(cell.rstrip("%")) / 100
    assert 0.0 <= value <= 1.0
    return value


def test_every_html_report_page_is_used(pages: list[ReportPage]) -> None:
    sightings = sum(len(report.locations) for report in catalog().reports)
    assert len(pages) == sightings
    assert all(page.sentences and page.chrome for page in pages)


def test_whole_page_text_has_every_chrome_kind_and_every_sentence(pages: list[ReportPage]) -> None:
    score = Score("page text")
    for page in pages:
        score_page(score, page, lxml.html.document_fromstring(page.html).text_content())
    assert score.kept_share == 1.0
    assert score.chrome_share == 1.0
    assert dict(score.kind_pages) == {kind: len(pages) for kind in CHROME_REGIONS}


def test_report_text_alone_has_no_chrome(pages: list[ReportPage]) -> None:
    clean, empty = Score("report text"), Score("nothing")
    for page in pages:
        score_page(clean, page, "\n".join(page.sentences))
        score_page(empty, page, "")
    assert (clean.kept_share, clean.chrome_share, clean.worst_page) == (1.0, 0.0, 1.0)
    assert (empty.kept_share, empty.chrome_share, empty.worst_page) == (0.0, 0.0, 0.0)


def test_quick_run_reports_every_extractor(section: Section, pages: list[ReportPage]) -> None:
    assert (section.key, section.title) == ("extraction", "Extraction")
    rows = _rows(section.body)
    assert set(rows) == set(EXTRACTORS)
    for name, (count, failures, chrome, kept, worst, ms, versus) in rows.items():
        assert int(count) == len(pages), name
        assert 0 <= int(failures) <= len(pages)
        assert _share(worst) <= _share(kept)
        _share(chrome)
        assert float(ms) > 0
        assert versus.endswith("×")
    harvester = rows["harvester"]
    assert harvester[1] == "0"
    assert _share(harvester[3]) > 0.9
    assert rows["harvester"][6] == "1.00×"


def test_quick_run_breaks_chrome_down_by_kind(section: Section) -> None:
    kinds = _table_after(section.body, "Pages (of ")
    for kind in CHROME_REGIONS:
        assert f"| {kind} |" in kinds
    assert section.headlines and section.headlines[0].startswith("Extraction (")
    for package in ("trafilatura", "readability-lxml", "gne"):
        assert version(package) in section.method


@pytest.mark.parametrize("name", sorted(REAL_TRUTH))
def test_real_truth_fits_its_page(name: str) -> None:
    html, _ = decode_html((REAL_PAGES / name).read_bytes(), None)
    assert check_real_truth(name, html, REAL_TRUTH[name]) == []
    truth = REAL_TRUTH[name]
    assert truth["sentences"] and set(truth["chrome"]) <= set(CHROME_REGIONS)
    assert {"breadcrumb", "footer", "tool bars"} <= set(truth["chrome"])


def test_real_truth_check_catches_typos() -> None:
    name = "104_cmse_gov_article.html"
    html, _ = decode_html((REAL_PAGES / name).read_bytes(), None)
    truth = REAL_TRUTH[name]
    typo = {**truth, "sentences": (*truth["sentences"][:-1], "下面，我愿意回答大家的问题。")}
    assert check_real_truth(name, html, typo) == [f"{name}: sentence not on the page: 下面，我愿意回答大家的问题。"]
    # a body phrase, a string in no visible text (the bShare panel is display:none) and one from the <title>
    chrome = {**truth["chrome"], "footer": ("空间技术试验", "新华微博", "中国载人航天官方网站")}
    problems = check_real_truth(name, html, {**truth, "chrome": chrome})
    assert problems == [
        f"{name}: chrome string inside the body: 空间技术试验",
        f"{name}: chrome string not on the page: 新华微博",
        f"{name}: chrome string not on the page: 中国载人航天官方网站",
        f"{name}: chrome string in the <title>: 中国载人航天官方网站",
    ]


def test_visible_text_reads_past_a_stray_html_end_tag() -> None:
    html = "<html><head><title>题目</title></head><body><p>页头</p></html><div style='display: none'>隐藏</div>" \
           "<div>正文 第一句。</div><script>var x = '脚本';</script></body></html>"
    assert visible_text(html) == "页头正文第一句。"


def test_real_page_text_and_truth_alone_score_as_expected(real: list[ReportPage]) -> None:
    assert [page.label[:3] for page in real] == ["101", "102", "103", "104"]
    whole, clean = Score("page text"), Score("truth")
    for page in real:
        score_page(whole, page, visible_text(page.html))
        score_page(clean, page, "\n".join(page.sentences))
    assert (whole.kept_share, whole.chrome_share) == (1.0, 1.0)
    assert all(len(left) == len(page.chrome) for page, _, left in whole.per_page)
    assert (clean.kept_share, clean.chrome_share, clean.worst_page) == (1.0, 0.0, 1.0)


def test_quick_run_reports_real_pages_for_every_extractor(section: Section, real: list[ReportPage]) -> None:
    rows = _rows(_table_after(section.body, "Real government pages ("))
    assert set(rows) == set(EXTRACTORS)
    for name, (count, failures, chrome, kept, worst, ms, versus) in rows.items():
        assert int(count) == len(real), name
        assert 0 <= int(failures) <= len(real)
        assert _share(worst) <= _share(kept)
        _share(chrome)
        assert float(ms) > 0
        assert versus.endswith("×")
    assert rows["harvester"][6] == "1.00×"
    detail = _table_after(section.body, "Each real page: ")
    header, _, *lines = detail.splitlines()
    assert [cell.strip() for cell in header.strip("|").split("|")] == ["page", *EXTRACTORS]
    assert [line.split("|")[1].strip() for line in lines] == [page.label for page in real]
    for line, page in zip(lines, real):
        for cell in [cell.strip() for cell in line.strip("|").split("|")][1:]:
            kept, left = cell.split(" · ")
            assert kept.endswith(f"/{len(page.sentences)}") and left.split(" ")[0].endswith(f"/{len(page.chrome)}")
    assert "real government article pages" in section.headlines[0]
    assert "GeneralNewsExtractor's own test suite" in section.method
