"""Fuzzing the pure parsers (issue 9, item 5): nothing crashes them, and no wrong number passes the checks.

Three kinds of test:

- **crashes**: every pure entry point on arbitrary text/bytes and on hostile markup
  (10,000-level nesting, ``rowspan="100000"``, huge cell counts, invalid UTF-8, NUL
  bytes, billion laughs, external entities, control characters) returns or raises only
  its documented error; the hostile pages that used to take minutes are regression
  tests with a generous time bound;
- **wrong numbers**: rule-satisfying tables rendered as HTML and as flattened text,
  corrupted (dropped, swapped, duplicated, merged cells, stray numbers, label and digit
  typos) and parsed back: every cell is the true value or None, or a ``fail`` check
  covers it;
- **normalisers**: a number or date comes out only when the text clearly is that number
  or date.

The atheris harnesses in ``fuzz/`` run the same targets coverage-guided, for longer.
"""

from __future__ import annotations

import copy
import html as html_lib
import math
import os
import random
import re
import time
import unicodedata
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from harvester.document import UnreadableDocument, read_document
from harvester.extract.decode import decode_html
from harvester.extract.files import FILE_KINDS, sniff_file
from harvester.extract.metadata import iso_datetime, page_metadata, report_identity
from harvester.extract.text import main_text
from harvester.parse.checks import outcome_rows, run_checks, stated_figures
from harvester.parse.html_tables import tables_from_html
from harvester.parse.numbers import classify_cell, parse_number
from harvester.parse.report import parse_report
from harvester.parse.schema import Check, Tables
from harvester.parse.sections import split_sections
from harvester.parse.text_tables import tables_from_text
from tests.test_parse_html_tables import (
    _all_cells,
    random_tables,
    render_report,
    sample_2021,
)
from tests.test_parse_text_tables import render as render_text
from tests.test_parse_text_tables import rule_tables

#: HARVESTER_FUZZ_SCALE=50 multiplies every example count, for a long run by hand.
SCALE = max(1, int(os.environ.get("HARVESTER_FUZZ_SCALE", "1")))
FAST = settings(max_examples=60 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))

# --- crashes on arbitrary input -------------------------------------------------------

_markup = st.sampled_from(
    [
        "<table>", "</table>", "<tr>", "</tr>", "<td>", "</td>", '<td rowspan="100000">', '<td colspan="0">',
        '<td colspan="-3" rowspan="x">', "<th>", "<tbody>", "<p>", "<br>", "<div class='TRS_Editor'>", "</div>",
        "<!--", "-->", "<![CDATA[", "]]>", "<?xml version='1.0'?>", "<!DOCTYPE x [<!ENTITY a 'b'>]>", "&a;",
        "&nbsp;", "&#0;", "&#xD800;", "&#1114112;", "<meta charset='gbk'>", "<meta charset=\"idna\">",
        '<meta name="PubDate" content="2024-13-45 99:99">', "<title>", "</title>", "<script>", "</script>",
        "<o:p>", "</o:p>", "<span style='display:none'>", "</span>",
    ]
)
_words = st.sampled_from(
    [
        "行政复议", "行政诉讼", "结果维持", "结果纠正", "申请人情况", "自然人", "总计", "第二十条", "本年制发件数",
        "一、本年新收政府信息公开申请数量", "（七）总计", "四、结转下年度继续办理", "三、本年度办理结果", "（一）予以公开",
        "规章", "行政许可", "行政事业性收费", "2024年政府信息公开工作年度报告", "发布日期：2025-01-20",
        "统计期限是2024年1月1日至2024年12月31日", "一、总体情况", "二、主动公开政府信息情况", "0", "1", "12", "1,990件",
        "７９．６９５４", "—", "/", "无", "\t", "|", "\n", " ", "\x00", "\x0b", "\u2028", "\ufeff", "\ud800", "①", "²",
    ]
)
hostile_text = st.lists(st.one_of(_markup, _words, st.text(max_size=8)), max_size=60).map("".join)


def _bytes_of(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


hostile_bytes = st.one_of(
    st.binary(max_size=400),
    hostile_text.map(_bytes_of),
    hostile_text.map(lambda t: t.encode("gb18030", "replace")),
    st.tuples(hostile_text, st.binary(max_size=40)).map(lambda p: _bytes_of(p[0]) + p[1]),
)


def _check_tables(parsed) -> None:
    for name, rows in parsed.tables.items():
        assert name in ("active", "applications", "reviews")
        for row, columns in rows.items():
            assert isinstance(row, str)
            for value in columns.values():
                assert value is None or (isinstance(value, int | float) and math.isfinite(value) and abs(value) < 1e13)


@FAST
@given(hostile_text)
def test_parsers_never_crash_on_text(text: str) -> None:
    _check_tables(tables_from_html(text))
    _check_tables(tables_from_text(text))
    split_sections(text)
    stated_figures(text)
    report_identity(text[:200], text)
    iso_datetime(text)
    classify_cell(text)
    main_text(text)
    page_metadata(text)
    report = parse_report(text, html=text, year=2024)
    run_checks(report.tables, report.format_version, text)


@FAST
@given(hostile_bytes)
def test_parsers_never_crash_on_bytes(body: bytes) -> None:
    _check_tables(tables_from_html(body))
    html, encoding = decode_html(body, "text/html; charset=gbk")
    assert isinstance(html, str) and encoding
    decode_html(body)


@FAST
@given(hostile_bytes, st.sampled_from([("a.html", "text/html"), ("a.txt", "text/plain"), (None, None)]))
def test_read_document_only_refuses(body: bytes, where) -> None:
    url, content_type = where
    assume(sniff_file(body, content_type, url) not in FILE_KINDS)  # files: fuzz/fuzz_read_document.py
    try:
        document = read_document(body, url, content_type)
    except UnreadableDocument as exc:
        assert "\n" not in str(exc)
        return
    document.content_hash.encode("ascii")
    document.text.encode("utf-8")  # no lone surrogates reach the store


# --- hostile pages: bounded, not expanded, not fetched -------------------------------------------

BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
 <!ENTITY xxe SYSTEM "file:///etc/passwd">
 <!ENTITY remote SYSTEM "http://127.0.0.1:9/evil.dtd">
]>
<html><head><title>某县2024年政府信息公开工作年度报告</title></head><body>
<div class="TRS_Editor"><p>一、总体情况 &lol9; &xxe; &remote;</p>
<table><tr><td>行政复议 &lol9;</td><td colspan="10">行政诉讼 &xxe;</td></tr>
<tr>""" + "<td>0</td>" * 14 + """<td>3</td></tr></table>
<p>本年新收政府信息公开申请 12 件。全年主动公开政府信息 300 余条。</p>
<p>""" + "二、主动公开政府信息情况。本机关按照条例要求，及时准确公开政府信息，做好政策解读和回应关切工作。" * 4 + """</p></div></body></html>"""


def _timed(function, *args):
    start = time.perf_counter()
    result = function(*args)
    return result, time.perf_counter() - start


def test_billion_laughs_and_external_entities_are_neither_expanded_nor_fetched() -> None:
    body = BILLION_LAUGHS.encode()
    document, seconds = _timed(read_document, body, "http://x.gov.cn/a.html", "text/html")
    assert seconds < 10
    assert len(document.text) < 2 * len(BILLION_LAUGHS)
    assert "lollol" not in document.text and "root:" not in document.text
    parsed = tables_from_html(body)
    assert "lollol" not in repr(parsed) and "root:" not in repr(parsed)
    assert parsed.tables["reviews"]["litigation_after_review"]["total"] == 3
    assert len(main_text(BILLION_LAUGHS)) < 2 * len(BILLION_LAUGHS)


def _nested(depth: int) -> str:
    return "<html><body>" + "<div>" * depth + "<table><tr><td>行政复议</td></tr></table>" + "</div>" * depth + "</body></html>"


HOSTILE_PAGES = {
    "nested_10000_divs": _nested(10_000),
    "nested_10000_spans_in_a_cell": "<table><tr><td>" + "<span>" * 10_000 + "1" + "</span>" * 10_000 + "</td></tr></table>",
    "nested_3000_tables": "<html><body>" + "<table><tr><td>" * 3000 + "x" + "</td></tr></table>" * 3000 + "</body></html>",
    # 2,000 overlapping huge spans: took 393 s in html_tables and minutes in trafilatura before the span budgets
    "huge_spans": "<html><body><div class='TRS_Editor'><p>正文内容正文内容正文内容正文内容</p><table>"
    + '<tr><td rowspan="100000" colspan="100000">行政复议</td></tr>' * 2000
    + "</table></div></body></html>",
    # one row of 30,000 cells: trafilatura lays a row out in quadratic time (100,000 cells took 87 s)
    "wide_row": "<html><body><table><tr>" + "<td>1</td>" * 30_000 + "</tr></table></body></html>",
    # 35,000 unclosed Hanweb body markers: the lazy begin…end pattern was quadratic
    "hanweb_markers": "<html><body>" + "<!--ZJEG_RSS.content.begin-->" * 35_000 + "</body></html>",
    "controls_and_nuls": "<html><body><p>" + "".join(chr(c) for c in range(32)) * 500 + "</p></body></html>",
    "huge_digit_runs": "<html><body><p>本年新收政府信息公开申请" + "9" * 5000 + "件</p><table><tr><td>行政复议</td></tr><tr>"
    + ("<td>" + "9" * 5000 + "</td>") * 15 + "</tr></table></body></html>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE_PAGES))
def test_hostile_pages_are_read_in_bounded_time(name: str) -> None:
    page = HOSTILE_PAGES[name]
    parsed, seconds = _timed(tables_from_html, page)
    assert seconds < 15, seconds
    _check_tables(parsed)
    try:
        document, seconds = _timed(read_document, page.encode(), "http://x.gov.cn/a.html", "text/html")
    except UnreadableDocument:
        return
    assert seconds < 30, seconds
    _check_tables(parse_report(document.text, html=page))


@pytest.mark.parametrize("charset", ["idna", "punycode", "undefined", "unicode_escape", "utf-7", "rot13", "zlib"])
def test_a_charset_that_is_no_charset_is_not_used(charset: str) -> None:
    """Regression: <meta charset="idna"> (or punycode, undefined) made decode_html and
    read_document raise UnicodeError; unicode_escape turned \\ud800 into a lone surrogate."""
    body = f'<html><head><meta charset="{charset}"></head><body><p>\\ud800 正文</p></body></html>'.encode("gbk")
    body += b"\x80\xff\xfe"
    text, encoding = decode_html(body)
    assert encoding not in ("idna", "punycode", "undefined", "unicode-escape", "utf-7")
    text.encode("utf-8")
    decode_html(body, f"text/html; charset={charset}")
    tables_from_html(body)
    try:
        read_document(body, "http://x.gov.cn/a.html", "text/html").text.encode("utf-8")
    except UnreadableDocument:
        pass


# --- number and date normalisers ----------------------------------------------------------

FULL_WIDTH = str.maketrans("0123456789.,-", "０１２３４５６７８９．，－")


@FAST
@given(
    st.integers(min_value=-999, max_value=10**9),
    st.sampled_from(["plain", "thousands", "fullwidth", "unit", "spaced", "wan"]),
)
def test_numbers_as_sites_print_them(value: int, style: str) -> None:
    text = {
        "plain": str(value),
        "thousands": f"{value:,}",
        "fullwidth": f"{value:,}".translate(FULL_WIDTH),
        "unit": f"{value}件",
        "spaced": f" \u3000{value}\xa0件 ",
        "wan": f"{value}万元",
    }[style]
    assert classify_cell(text) == ("number", value)


@FAST
@given(st.integers(0, 10**7), st.integers(0, 9999), st.booleans())
def test_decimals(whole: int, fraction: int, fullwidth: bool) -> None:
    text = f"{whole}.{fraction:04d}"
    value = parse_number(text.translate(FULL_WIDTH) if fullwidth else text)
    assert value == pytest.approx(float(text))


_NUMBERISH = st.text(alphabet="0123456789０１２３４５６７８９,，.．-－+ \u3000件万元个①²٣〇一二三十百千万亿%e", max_size=14)


@settings(max_examples=400 * SCALE, deadline=None)
@given(st.one_of(_NUMBERISH, st.text(max_size=20)))
@example("1,2")
@example("1 2")
@example("1  2")  # found by fuzz/fuzz_numbers_dates.py as 1, eleven U+001F, 0 -> 10
@example("1\x1f\x1f\x1f0")
@example("10²")
@example("①")
@example("12元")
@example("9" * 5000)
@example("9" * 400 + ".5")
def test_a_number_only_when_the_text_is_that_number(text: str) -> None:
    """Whatever comes out is the digits of the text: nothing merged, guessed or overflowed.

    Regressions: '1,2', '1 2' and (after the first fix) '1  2' were 12, '10²' was 102, '①' was 1, '12元' was 12 (in a
    万元 column), 5,000 digits raised ValueError and 400 digits with a point gave inf.
    """
    kind, value = classify_cell(text)
    if kind != "number":
        assert value is None
        return
    norm = unicodedata.normalize("NFKC", text)
    digits = re.sub(r"[^0-9]", "", norm.split(".")[0])
    assert str(abs(int(value))) == (digits.lstrip("0") or "0")
    assert abs(value) < 10**12
    assert not re.search(r"[0-9][\s,]+[0-9]{1,2}(?![0-9])", norm.split(".")[0])  # no group of 1-2 digits merged
    assert not any(char in norm for char in "一二三十百千亿元%")


@FAST
@given(st.sampled_from(["三", "十二", "一百二十三", "二〇二四", "叁", "两", "十", "Ⅻ", "⑫", "¹²"]))
def test_chinese_and_other_numerals_are_not_read(text: str) -> None:
    assert classify_cell(text) == ("text", None)


_dates = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))


@FAST
@given(_dates, st.integers(0, 23), st.integers(0, 59), st.sampled_from(["{y}-{m:02d}-{d:02d}", "{y}年{m}月{d}日", "{y}/{m}/{d}", "{y}.{m:02d}.{d:02d}"]))
def test_dates_as_pages_print_them(day: date, hour: int, minute: int, pattern: str) -> None:
    text = pattern.format(y=day.year, m=day.month, d=day.day)
    found = iso_datetime(f"发布日期：{text} {hour:02d}:{minute:02d}")
    if day.year > date.today().year + 1:
        assert found is None
        return
    assert found is not None and found.startswith(day.isoformat())
    if hour or minute:
        assert found == datetime(day.year, day.month, day.day, hour, minute).isoformat() + "+08:00"


@settings(max_examples=300 * SCALE, deadline=None)
@given(st.one_of(st.text(alphabet="0123456789-/.年月日时分: T\u3000\n", max_size=30), st.text(max_size=30)))
@example("2024-02-30")
@example("2024-1-1" + " " * 5000 + "1x")
def test_a_date_only_when_the_text_is_that_date(text: str) -> None:
    found = iso_datetime(text)
    if found is None:
        return
    parsed = datetime.fromisoformat(found)
    assert 1980 <= parsed.year <= date.today().year + 1
    assert str(parsed.year) in text


@FAST
@given(hostile_text, hostile_text)
def test_report_identity_years_are_plausible(title: str, text: str) -> None:
    agency, year = report_identity(title, text)
    assert year is None or 2000 <= year <= date.today().year
    assert agency is None or (isinstance(agency, str) and len(agency) <= 45)


def test_stated_figure_of_5000_digits_is_no_figure() -> None:
    """Regression: int() of a 5,000-digit run raised ValueError inside run_checks."""
    assert stated_figures("本年新收政府信息公开申请" + "9" * 5000 + "件") == {}
    checks = run_checks({"reviews": {"review": {"total": 1}}}, "2021", "收到行政复议案件" + "9" * 5000 + "件")
    assert [c.rule for c in checks] == ["reviews_sum"]


# --- wrong numbers: corrupted tables never pass the checks silently ------------------------

_BALANCE_ROWS = ("new", "carried_over", "total", "carried_forward")
_LABEL_NOISE = "的一是了公开申请政府信息其他处理不予总计结转年度（）()、.123"


def _covering(cell: tuple[str, str, str], checks: list[Check], applications: dict, fmt: str) -> list[Check]:
    """The checks whose rule involves this cell."""
    table, row, column = cell
    outcomes = set(outcome_rows(applications, fmt)) | {"total"}
    found = []
    for check in checks:
        if table == "applications" and (
            (check.rule == "row_sum" and check.scope == row)
            or (check.rule == "balance" and check.scope == column and row in _BALANCE_ROWS)
            or (check.rule == "outcomes_sum" and check.scope == column and row in outcomes)
        ):
            found.append(check)
        if table == "reviews" and check.rule == "reviews_sum" and check.scope == row:
            found.append(check)
    return found


def _assert_no_silent_wrong_number(parsed: Tables, truth: Tables, fmt: str, swapped: set, skip_active: bool) -> None:
    """No wrong number under a check that passes: every parsed cell is true, None, one of
    two swapped values, covered by a failing check, or covered only by skipped ones.

    The last is the blind spot of the rules as the spec defines them (a rule with a null
    target or all-null parts is skipped, never failed): a wrong figure in a row whose 总计
    and a column whose 总计 are both blank cannot be seen. fuzz/README.md has the cases.
    """
    checks = run_checks(parsed, fmt)
    applications = parsed.get("applications", {})
    for name, row, column in _all_cells(parsed):
        got = parsed[name][row][column]
        if got is None or row.startswith("x_") or column.startswith("x_"):
            continue  # rows and columns outside the format are kept under their own label
        true = truth.get(name, {}).get(row, {}).get(column, "absent")
        if got == true or got in swapped:
            continue  # a swap within a row prints a different table: reading it is no parser error
        if got == 0 and true is None:
            continue  # a blank read as 0 (a duplicated 0 filled it): the same figure in every rule
        if name == "active" and skip_active:
            continue  # a digit typo in 第二十条 is a different figure no rule can see
        covering = _covering((name, row, column), checks, applications, fmt)
        if any(check.status == "fail" for check in covering):
            continue
        if covering and all(check.status == "skipped" for check in covering):
            continue
        raise AssertionError(
            f"{name}.{row}.{column}: read {got}, true {true}, and no failing check covers it",
            {"read": parsed[name][row], "true": truth.get(name, {}).get(row)},
            [check for check in covering],
        )


_TD = re.compile(r"<td[^>]*>(.*?)</td>", re.DOTALL)
CORRUPTIONS = ("drop", "swap", "duplicate", "merge", "stray", "label_typo", "digit_typo")


def _same_row(text: str, a: re.Match, b: re.Match) -> bool:
    return "<tr" not in text[a.end() : b.start()] and "</tr" not in text[a.end() : b.start()]


def corrupt_html(html: str, kind: str, rng: random.Random) -> tuple[str, set, bool]:
    """One corruption of a rendered page; returns (page, swapped values, touched the active table)."""
    start = html.index("第二十条")
    cells = [m for m in _TD.finditer(html) if m.start() > start]
    numbers = [m for m in cells if classify_cell(html_lib.unescape(m.group(1)))[0] == "number"]
    labels = [m for m in cells if classify_cell(html_lib.unescape(m.group(1)))[0] == "text"]
    in_active = lambda m: m.start() < html.index("申请人情况")
    if kind == "label_typo":
        m = rng.choice(labels)
        text = html_lib.unescape(m.group(1))
        at = rng.randrange(len(text))
        noise = rng.choice(_LABEL_NOISE)
        text = text[:at] + (noise if rng.random() < 0.5 else "") + text[at + 1 :]
        return html[: m.start(1)] + html_lib.escape(text) + html[m.end(1) :], set(), in_active(m)
    m = rng.choice(numbers)
    i = cells.index(m)
    following = cells[i + 1] if i + 1 < len(cells) else None
    if kind == "drop":
        return html[: m.start()] + html[m.end() :], set(), in_active(m)
    if kind == "duplicate":
        return html[: m.end()] + m.group(0) + html[m.end() :], set(), in_active(m)
    if kind == "stray":
        return html[: m.start()] + f"<td>{rng.randint(1, 99)}</td>" + html[m.start() :], set(), in_active(m)
    if kind == "digit_typo":
        text = m.group(1)
        spots = [j for j, c in enumerate(text) if c.isdigit()]
        j = rng.choice(spots)
        new = str((int(text[j]) + rng.randint(1, 9)) % 10)
        return html[: m.start(1) + j] + new + html[m.start(1) + j + 1 :], set(), in_active(m)
    if following is None or not _same_row(html, m, following):
        return html[: m.start()] + html[m.end() :], set(), in_active(m)  # fall back to a drop
    a, b = m.group(1), following.group(1)
    if kind == "swap":
        out = html[: m.start(1)] + b + html[m.end(1) : following.start(1)] + a + html[following.end(1) :]
        swapped = {parse_number(html_lib.unescape(a)), parse_number(html_lib.unescape(b))}
        return out, swapped, in_active(m)
    # merge: two cells become one, their texts run together ("3" "5" -> "35")
    return html[: m.start(1)] + a + b + html[m.end(1) : m.end()] + html[following.end() :], set(), in_active(m)


@settings(max_examples=90 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    tables=random_tables(),
    layout=st.sampled_from(["standard", "split", "all_in_one"]),
    style=st.sampled_from(["plain", "unit", "thousands", "fullwidth"]),
    blank_zeros=st.booleans(),
    kind=st.sampled_from(CORRUPTIONS),
    seed=st.integers(0, 2**32 - 1),
)
def test_corrupted_html_tables_never_pass_silently(tables, layout, style, blank_zeros, kind, seed) -> None:
    shown = copy.deepcopy(tables)
    if blank_zeros:
        for name, row, column in list(_all_cells(shown)):
            if shown[name][row][column] == 0 and name == "applications":
                shown[name][row][column] = None
    html = render_report(shown, layout=layout, style=style)
    corrupted, swapped, active = corrupt_html(html, kind, random.Random(seed))
    parsed = tables_from_html(corrupted).tables
    skip_active = active and kind in ("digit_typo", "swap")
    _assert_no_silent_wrong_number(parsed, shown, "2021", swapped - {None}, skip_active)


_TOKEN = re.compile(r"[^\s|]+")


def corrupt_text(text: str, kind: str, rng: random.Random) -> tuple[str, set, bool]:
    """One corruption of a flattened report, on its tokens; same contract as :func:`corrupt_html`."""
    start, apps = text.index("二、主动公开政府信息情况"), text.index("三、收到和处理")
    tokens = [m for m in _TOKEN.finditer(text) if m.start() > start and not text[m.start() :].startswith("五、")]
    tokens = tokens[: next((i for i, m in enumerate(tokens) if m.group(0).startswith("五、")), len(tokens))]
    numbers = [m for m in tokens if classify_cell(m.group(0))[0] == "number"]
    labels = [m for m in tokens if classify_cell(m.group(0))[0] == "text" and len(m.group(0)) > 1]
    if kind == "label_typo" or not numbers:
        m = rng.choice(labels)
        word = m.group(0)
        at = rng.randrange(len(word))
        word = word[:at] + (rng.choice(_LABEL_NOISE) if rng.random() < 0.5 else "") + word[at + 1 :]
        return text[: m.start()] + word + text[m.end() :], set(), m.start() < apps
    m = rng.choice(numbers)
    i = tokens.index(m)
    following = tokens[i + 1] if i + 1 < len(tokens) else None
    sep = text[m.end() : following.start()] if following else "\n"
    if kind == "drop":
        return text[: m.start()] + text[m.end() :], set(), m.start() < apps
    if kind == "duplicate":
        return text[: m.end()] + sep + m.group(0) + text[m.end() :], set(), m.start() < apps
    if kind == "stray":
        return text[: m.start()] + str(rng.randint(1, 99)) + sep + text[m.start() :], set(), m.start() < apps
    if kind == "digit_typo":
        word = m.group(0)
        j = rng.choice([j for j, c in enumerate(word) if c.isdigit()])
        word = word[:j] + str((int(word[j]) + rng.randint(1, 9)) % 10) + word[j + 1 :]
        return text[: m.start()] + word + text[m.end() :], set(), m.start() < apps
    if following is None or classify_cell(following.group(0))[0] != "number":
        return text[: m.start()] + text[m.end() :], set(), m.start() < apps
    a, b = m.group(0), following.group(0)
    if kind == "swap":
        out = text[: m.start()] + b + sep + a + text[following.end() :]
        return out, {parse_number(a), parse_number(b)}, m.start() < apps
    return text[: m.start()] + a + b + text[following.end() :], set(), m.start() < apps  # merge


@settings(max_examples=100 * SCALE, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    case=rule_tables(),
    style=st.sampled_from(["lines", "spaces", "tabs", "pipes", "pipe_lines"]),
    blank=st.sampled_from(["", "—"]),
    kind=st.sampled_from(CORRUPTIONS),
    seed=st.integers(0, 2**32 - 1),
)
def test_corrupted_text_tables_never_pass_silently(case, style, blank, kind, seed) -> None:
    fmt, tables = case
    text = render_text(tables, fmt, style, seed, blank)
    corrupted, swapped, active = corrupt_text(text, kind, random.Random(seed))
    parsed = tables_from_text(corrupted).tables
    # 第二十条 has no rules, and flattened text does not pin its cells: a digit typo, a swap, a
    # stray or duplicated number filling a lost blank (or, in tab/pipe text, a padding cell
    # taken for a label's colspan), a lost cell before a trailing empty one each give a
    # plausible row no parser can tell from the real one. Only label typos are checked there.
    skip_active = active and kind != "label_typo"
    _assert_no_silent_wrong_number(parsed, tables, fmt, swapped - {None}, skip_active)


def test_corruption_helpers_change_the_page() -> None:
    rng = random.Random(1)
    html = render_report(sample_2021())
    text = render_text(sample_2021(), "2021", "spaces")
    for kind in CORRUPTIONS:
        assert corrupt_html(html, kind, rng)[0] != html, kind
        assert corrupt_text(text, kind, rng)[0] != text, kind


def test_a_duplicated_cell_in_a_row_with_blanks_leaves_the_row_null() -> None:
    """Regression (found by test_corrupted_html_tables_never_pass_silently): the 总计 cell
    of a row printed with blanks duplicated (∅ 1 ∅ ∅ ∅ ∅ 1 1) read as other_org=1,
    total=1, which passes row_sum, while commercial=1 was left null. A row where one
    number fits two columns had extras that were not blank: nothing in it is placed."""
    from harvester.parse.html_tables import place_values

    kinds = ["null", "number", "null", "null", "null", "null", "number", "number"]
    assert place_values(kinds, [None, 1, None, None, None, None, 1, 1], 7) == ([None] * 7, False)
    cells = "<td></td><td>1</td>" + "<td></td>" * 4 + "<td>1</td><td>1</td>"
    html = "<table><tr><td>申请人情况</td></tr><tr><td>一、本年新收政府信息公开申请数量</td>" + cells + "</tr></table>"
    assert tables_from_html(html).tables["applications"]["new"] == dict.fromkeys(
        ("natural_person", "commercial", "research", "public_welfare", "legal_services", "other_org", "total")
    )
