"""parse_report end to end, and format detection."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from harvester.parse.report import ParsedReport, detect_format_version, parse_report
from harvester.parse.schema import SECTION_KEYS
from tests.test_parse_html_tables import render_report, sample_2019, sample_2021

PAGES = Path(__file__).parent / "data" / "pages"
EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "report-text"

TEXT_2021 = """某区2024年政府信息公开工作年度报告
一、总体情况
2024年共收到依申请公开事项 421 件。本年度收到政府信息公开行政复议案件 24 件、行政诉讼案件 4 件。
二、主动公开政府信息情况
三、收到和处理政府信息公开申请情况
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
仍有不足。
六、其他需要报告的事项
无。"""


def test_detect_format_version_from_tables_first() -> None:
    assert detect_format_version(sample_2021(), 2020) == "2021"
    assert detect_format_version(sample_2019(), 2023) == "2019"
    assert detect_format_version({"active": {"regulations": {"issued": 1}}}, None) == "2021"
    assert detect_format_version({"active": {"regulations": {"produced": 1}}}, None) == "2019"


def test_detect_format_version_from_text_then_year() -> None:
    assert detect_format_version({}, None, "信息内容 本年新制作数量 本年新公开数量") == "2019"
    assert detect_format_version({}, 2018, "信息内容 本年制发件数 本年废止件数") == "2021"
    assert [detect_format_version({}, y) for y in (2024, 2021, 2020, 2019, 2018, 2008, 2007)] == [
        "2021", "2021", "2019", "2019", "pre2019", "pre2019", "unknown",
    ]
    assert detect_format_version({"reviews": sample_2021()["reviews"]}, None) == "unknown"


def test_html_report_end_to_end() -> None:
    tables = sample_2021()
    report = parse_report(TEXT_2021, render_report(tables), 2024)
    assert isinstance(report, ParsedReport)
    assert (report.format_version, report.table_source) == ("2021", "html")
    assert report.tables == tables
    assert list(report.sections) == ["overview", "problems", "other"]  # headings with no text are left out
    assert report.sections["problems"] == "仍有不足。"
    statuses = {(c.rule, c.scope): c.status for c in report.checks}
    assert statuses[("text_vs_table", "applications.new.total")] == "pass"
    assert statuses[("text_vs_table", "reviews.review.total")] == "pass"
    assert statuses[("text_vs_table", "reviews.litigation.total")] == "pass"
    assert "fail" not in statuses.values()
    record = {"tables": report.tables_json(), "checks": report.checks_json()}
    assert json.loads(json.dumps(record, ensure_ascii=False)) == record
    assert record["checks"][0].keys() == {"rule", "scope", "status"}


def test_2019_report() -> None:
    report = parse_report("", render_report(sample_2019(), "2019"), 2020)
    assert report.format_version == "2019"
    assert report.tables == sample_2019()
    assert not [c for c in report.checks if c.status == "fail"]


def test_real_county_page_without_text() -> None:
    report = parse_report("", (PAGES / "county_report.html").read_bytes(), 2024)
    assert (report.format_version, report.table_source) == ("2021", "html")
    assert report.tables["applications"]["new"]["total"] == 49
    assert not [c for c in report.checks if c.status == "fail"]
    assert {"proactive", "applications", "reviews", "problems", "other"} <= set(report.sections)


def test_pre2019_keeps_text_but_maps_no_tables() -> None:
    html = (
        "<p>一、概述</p><table><tr><td>指标</td><td>单位</td><td>数量</td></tr>"
        "<tr><td>主动公开政府信息数</td><td>条</td><td>120</td></tr></table>"
    )
    text = "一、概述\n本年度公开信息120条。\n二、主动公开政府信息的情况\n见下表。"
    report = parse_report(text, html, 2015)
    assert (report.format_version, report.tables, report.table_source) == ("pre2019", {}, "none")
    assert report.sections == {"overview": "本年度公开信息120条。", "proactive": "见下表。"}
    assert report.checks == []


def test_no_tables_anywhere() -> None:
    report = parse_report("一、总体情况\n无申请。", None, None)
    assert (report.format_version, report.tables, report.table_source) == ("unknown", {}, "none")
    assert report.sections == {"overview": "无申请。"}


def test_text_parser_missing_is_tolerated(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "harvester.parse.text_tables", None)
    report = parse_report(TEXT_2021, None, 2024)
    assert (report.tables, report.table_source, report.format_version) == ({}, "none", "2021")
    assert report.notes == ["text table parser not available"]


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.txt")), ids=lambda p: p.name[:3])
def test_real_texts_go_through_the_text_parser(path: Path) -> None:
    pytest.importorskip("harvester.parse.text_tables")
    report = parse_report(path.read_text(encoding="utf-8"), None, 2024)
    assert report.format_version == "2021"
    assert report.table_source in ("text", "none")
    assert list(report.sections) == list(SECTION_KEYS)
    json.dumps({"tables": report.tables_json(), "checks": report.checks_json()})
