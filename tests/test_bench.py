"""The benchmark suite: its crawl comparisons measure what they say, and the quick form runs end to end.

No thresholds on speed: these tests check that each figure is measured on the
right thing (the bare peer fetches exactly the crawl's requests, the recrawl
is a recrawl, memory is read against pages), not how fast this machine is.
"""

from __future__ import annotations

import pstats
import re
import subprocess
import sys
from collections import Counter

import pytest

from bench.core import ROOT, Options, table
from bench.focus import PlainCrawl
from bench.profiling import library
from bench.scaled_farm import FILES_EVERY, scaled_site
from bench.throughput import crawl_rounds
from harvester.farm.catalog import PORTALS
from harvester.farm.files import DOCX, FILES_HOST, FILES_REPORTS, SCAN_PDF, SHELL
from harvester.farm.truth import expected_reports


@pytest.fixture(scope="module")
def rounds(tmp_path_factory):
    work = tmp_path_factory.mktemp("throughput")
    options = Options(quick=True, runs=1, copies=1, memory_pages=0, store_reports=0, work=work, ocr=False)
    return crawl_rounds(options)[0]


def test_the_bare_peer_fetches_exactly_the_crawls_requests(rounds):
    first, bare = rounds[0].first, rounds[0].bare
    asked = Counter((e["method"], e["host"], e["path"]) for e in first.log)
    fetched = Counter((e["method"], e["host"], e["path"]) for e in bare.log)
    assert fetched == asked
    assert first.reports == len(expected_reports()) + FILES_REPORTS
    assert any(e["host"] == FILES_HOST and e["path"] == DOCX for e in first.log), "report files are crawled too"
    assert bare.cpu_seconds > 0 and first.cpu_seconds > bare.cpu_seconds


def test_stage_cpu_is_read_from_the_crawl_run(rounds):
    stages = rounds[0].first.stages
    assert {"fetch", "discover", "extract", "parse", "store", "total"} <= set(stages)
    assert 0 < sum(v for k, v in stages.items() if k != "total") <= rounds[0].first.cpu_seconds


def test_the_recrawl_is_conditional_and_stores_nothing_new(rounds):
    first, recrawl = rounds[0].first, rounds[0].recrawl
    assert recrawl.status_304 > 0 and first.status_304 == 0
    assert recrawl.requests < first.requests
    assert recrawl.reports == first.reports


def test_memory_is_sampled_against_pages_answered(rounds):
    samples = rounds[0].first.samples
    answered = [done for done, _rss in samples]
    assert answered == sorted(answered) and answered[-1] > 0
    assert all(rss > 0 for _done, rss in samples) and max(rss for _done, rss in samples) > 50


def test_a_copys_generated_answers_point_at_the_copy():
    """gkmlpt's JSON API is generated per request: a copy must list its own reports, not the original's."""
    site, _seeds = scaled_site(2)
    original = site.get("www.sgwj.gov.cn", "/gkmlpt/api/all/2843?sid=755046&page=1")
    copied = site.get("www.sgwj1.gov.cn", "/gkmlpt/api/all/2843?sid=755046&page=1")
    assert b"http://www.sgwj.gov.cn/" in original.body
    assert b"http://www.sgwj1.gov.cn/" in copied.body and b"http://www.sgwj.gov.cn/" not in copied.body
    assert "武江甲区".encode() in copied.body and "韶关市武江区".encode() not in copied.body


def test_every_tenth_copy_mirrors_the_files_portal_byte_for_byte():
    site, seeds = scaled_site(FILES_EVERY + 1)
    mirror = FILES_HOST.replace(".gov.cn", f"{FILES_EVERY}.gov.cn")
    assert site.get(mirror, DOCX).body == site.get(FILES_HOST, DOCX).body
    assert site.get(mirror, SHELL).body == site.get(FILES_HOST, SHELL).body, "its pages link files by path"
    assert f"http://{mirror}/" in seeds
    assert site.get(FILES_HOST.replace(".gov.cn", "1.gov.cn"), "/") is None
    assert seeds.count("\n") == 1 + (FILES_EVERY + 1) * len(PORTALS) + 2, "header, every portal, two files portals"
    assert site.get(FILES_HOST, SCAN_PDF) and not scaled_site(1, scans=False)[0].get(FILES_HOST, SCAN_PDF)


def test_plain_crawl_is_charged_to_the_shallowest_depth_that_finds_everything():
    crawl = PlainCrawl(requests=[2, 5, 9, 40, 80], found=[set(), {"a"}, {"b"}, set(), set()])
    assert crawl.charge() == (16, 2)
    assert PlainCrawl(requests=[2, 3], found=[set(), set()]).charge() == (2, 0)


def test_profile_names_the_library_of_each_function():
    assert library(("~", 0, "<method 'findall' of 're.Pattern' objects>")) == "stdlib re"
    assert library(("~", 0, "<built-in method onnxruntime.capi.onnxruntime_pybind11_state.run>")) == "onnxruntime"
    assert library(("~", 0, "<built-in method builtins.len>")) == "builtins"
    assert library(("~", 0, "<method 'lower' of 'str' objects>")) == "builtins"
    assert library(("~", 0, "<method 'poll' of 'select.poll' objects>")) == "stdlib select"
    assert library(("/usr/lib/python3/site-packages/lxml/html/__init__.py", 1, "fromstring")) == "lxml"
    assert library((str(ROOT / "harvester" / "parse" / "numbers.py"), 1, "number")) == "harvester.parse"


def test_the_profile_counts_cpu_not_waiting(tmp_path):
    out = tmp_path / "run.prof"
    code = "import time; time.sleep(0.6); sum(range(3_000_000))"
    subprocess.run([sys.executable, "-m", "bench.cpu_profile", str(out), "-m", "timeit", "-n", "1", "-r", "1", code],
                   cwd=ROOT, check=True, capture_output=True)
    stats = pstats.Stats(str(out))
    sleep = next(figures for function, figures in stats.stats.items() if "time.sleep" in function[2])
    assert sleep[2] < 0.05, "a sleep is no work"
    assert 0.02 < stats.total_tt < 0.5


def test_markdown_tables_align_numbers_right():
    text = table(("name", "value"), [("a", 1.5), ("b", 1234)])
    assert text.splitlines()[1] == "|---|---:|"
    assert "1,234" in text


def test_quick_suite_writes_every_comparison(tmp_path):
    out = tmp_path / "RESULTS.md"
    result = subprocess.run([sys.executable, "-m", "bench", "--quick", "--out", str(out)], cwd=ROOT,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    text = out.read_text(encoding="utf-8")
    for title in ("Machine", "Summary", "Throughput", "Focus", "Extraction", "Parsing", "Recrawl", "Memory",
                  "Store", "Files", "Profiles of the heaviest stages"):
        assert re.search(rf"^## {title}$", text, re.M), title
    summary = text.split("## Summary", 1)[1].split("\n## ", 1)[0]
    assert len(re.findall(r"^- ", summary, re.M)) >= 9
    assert "failed" not in summary
    assert re.search(r"\| scrapy crawl portals \| [\d,]+ \|", text)
    stored = re.search(r"^\| first crawl \|.* \| ([\d,]+) \|$", text, re.M)
    expected = 2 * len(expected_reports()) + FILES_REPORTS
    assert stored and int(stored[1].replace(",", "")) == expected, "every copy's reports found"
