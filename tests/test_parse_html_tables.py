"""tables_from_html against a corpus of layouts rendered from known numbers.

The generator below renders a table in the official 2021 (or 2019) layout with
options for the variations seen on real sites; each test parses the page back
and compares with the numbers it was rendered from.
"""

from __future__ import annotations

import copy
import html as html_lib
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harvester.parse.html_tables import place_values, tables_from_html
from harvester.parse.schema import (
    APPLICATION_COLUMNS,
    APPLICATION_ROW_LABELS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    OUTCOME_ROWS_2019,
    OUTCOME_ROWS_2021,
    REVIEW_CELL_ORDER,
    REVIEW_COLUMN_LABELS,
    Tables,
)

PAGES = Path(__file__).parent / "data" / "pages"

# --- the generator ---------------------------------------------------------------------

Cell = tuple[str, int, int]  # text, colspan, rowspan
Value = int | float | None


def _lbl(text: str, colspan: int = 1, rowspan: int = 1) -> Cell:
    return (text, colspan, rowspan)


def _val(value: Value, colspan: int = 1) -> tuple[Value, int]:
    return (value, colspan)


def active_rows_2021(active: dict) -> list[list]:
    a = active
    rows: list[list] = [
        [_lbl("第二十条第（一）项", 4)],
        [_lbl("信息内容"), _lbl("本年制发件数"), _lbl("本年废止件数"), _lbl("现行有效件数")],
    ]
    for key, label in (("regulations", "规章"), ("normative_documents", "行政规范性文件")):
        rows.append([_lbl(label)] + [_val(a[key][c]) for c in ("issued", "repealed", "in_force")])
    rows += [[_lbl("第二十条第（五）项", 4)], [_lbl("信息内容"), _lbl("本年处理决定数量", 3)]]
    rows.append([_lbl("行政许可"), _val(a["licensing"]["decisions"], 3)])
    rows += [[_lbl("第二十条第（六）项", 4)], [_lbl("信息内容"), _lbl("本年处理决定数量", 3)]]
    rows.append([_lbl("行政处罚"), _val(a["penalty"]["decisions"], 3)])
    rows.append([_lbl("行政强制"), _val(a["coercion"]["decisions"], 3)])
    rows += [[_lbl("第二十条第（八）项", 4)], [_lbl("信息内容"), _lbl("本年收费金额（单位：万元）", 3)]]
    rows.append([_lbl("行政事业性收费"), _val(a["fees"]["amount_10k_yuan"], 3)])
    return rows


def active_rows_2019(active: dict) -> list[list]:
    a = active
    three = ("items_last_year", "change", "decisions")
    header_5 = [_lbl("信息内容"), _lbl("上一年项目数量"), _lbl("本年增/减"), _lbl("处理决定数量")]
    rows: list[list] = [
        [_lbl("第二十条第（一）项", 4)],
        [_lbl("信息内容"), _lbl("本年新制作数量"), _lbl("本年新公开数量"), _lbl("对外公开总数量")],
    ]
    for key, label in (("regulations", "规章"), ("normative_documents", "规范性文件")):
        rows.append([_lbl(label)] + [_val(a[key][c]) for c in ("produced", "published", "published_total")])
    rows += [[_lbl("第二十条第（五）项", 4)], header_5]
    rows.append([_lbl("行政许可")] + [_val(a["licensing"][c]) for c in three])
    rows.append([_lbl("其他对外管理服务事项")] + [_val(a["other_services"][c]) for c in three])
    rows += [[_lbl("第二十条第（六）项", 4)], header_5]
    rows.append([_lbl("行政处罚")] + [_val(a["penalty"][c]) for c in three])
    rows.append([_lbl("行政强制")] + [_val(a["coercion"][c]) for c in three])
    rows += [[_lbl("第二十条第（八）项", 4)], [_lbl("信息内容"), _lbl("上一年项目数量"), _lbl("本年增/减", 2)]]
    rows.append([_lbl("行政事业性收费"), _val(a["fees"]["items_last_year"]), _val(a["fees"]["change"], 2)])
    rows += [[_lbl("第二十条第（九）项", 4)], [_lbl("信息内容"), _lbl("采购项目数量"), _lbl("采购总金额", 2)]]
    rows.append([_lbl("政府集中采购"), _val(a["procurement"]["items"]), _val(a["procurement"]["amount"], 2)])
    return rows


def application_rows(apps: dict, fmt: str = "2021") -> list[list]:
    """The applications table; ``apps`` rows missing from the dict are rendered blank."""

    def vals(key: str) -> list:
        return [_val(apps.get(key, {}).get(c)) for c in APPLICATION_COLUMNS]

    rows: list[list] = [
        [_lbl("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), _lbl("申请人情况", 7)],
        [_lbl("自然人", 1, 2), _lbl("法人或其他组织", 5), _lbl("总计", 1, 2)],
        [_lbl(t) for t in ("商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他")],
        [_lbl(APPLICATION_ROW_LABELS["new"], 3)] + vals("new"),
        [_lbl(APPLICATION_ROW_LABELS["carried_over"], 3)] + vals("carried_over"),
    ]
    outcome_span = 22 if fmt == "2021" else 20
    rows.append([_lbl("三、本年度办理结果", 1, outcome_span), _lbl("（一）予以公开", 2)] + vals("granted"))
    rows.append([_lbl(APPLICATION_ROW_LABELS["partly_granted"], 2)] + vals("partly_granted"))
    groups = [
        ("（三）不予公开", [k for k in APPLICATION_ROWS_2021 if k.startswith("denied_")]),
        ("（四）无法提供", [k for k in APPLICATION_ROWS_2021 if k.startswith("unable_")]),
        ("（五）不予处理", [k for k in APPLICATION_ROWS_2021 if k.startswith("unprocessed_")]),
    ]
    if fmt == "2021":
        groups.append(("（六）其他处理", ["other_no_correction", "other_unpaid_fee", "other_other"]))
    for group_label, keys in groups:
        for i, key in enumerate(keys):
            head = [_lbl(group_label, 1, len(keys))] if i == 0 else []
            rows.append(head + [_lbl(APPLICATION_ROW_LABELS[key])] + vals(key))
    if fmt == "2019":
        rows.append([_lbl("（六）其他处理", 2)] + vals("other"))
    rows.append([_lbl("（七）总计", 2)] + vals("total"))
    rows.append([_lbl(APPLICATION_ROW_LABELS["carried_forward"], 3)] + vals("carried_forward"))
    return rows


def review_rows(reviews: dict) -> list[list]:
    labels = list(REVIEW_COLUMN_LABELS.values())
    return [
        [_lbl("行政复议", 5), _lbl("行政诉讼", 10)],
        [_lbl(t, 1, 2) for t in labels] + [_lbl("未经复议直接起诉", 5), _lbl("复议后起诉", 5)],
        [_lbl(t) for t in labels * 2],
        [_val(reviews[r][c]) for r, c in REVIEW_CELL_ORDER],
    ]


FULL_WIDTH = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


def format_value(value: Value, style: str = "plain", null_mark: str = "") -> str:
    """A number as a site would print it."""
    if value is None:
        return null_mark
    text = str(value)
    if style == "unit":
        return text + ("万元" if isinstance(value, float) else "件")
    if style == "thousands":
        return f"{value:,}"
    if style == "fullwidth":
        return f"{value:,}".translate(FULL_WIDTH)
    return text


def render_table(rows: list[list], *, word: bool = False, style: str = "plain", null_mark: str = "") -> str:
    """Rows of cells (labels are (text, colspan, rowspan), values (value, colspan)) as one <table>."""
    out = ['<table border="1" cellspacing="0" class="MsoNormalTable">' if word else '<table border="1">']
    for row in rows:
        out.append("<tr>")
        for cell in row:
            if len(cell) == 3:
                text, colspan, rowspan = cell
                body = html_lib.escape(text)
                if word and len(text) > 6:
                    half = len(text) // 2
                    body = f"{html_lib.escape(text[:half])}<br>\n{html_lib.escape(text[half:])}"
            else:
                value, colspan = cell
                rowspan = 1
                body = html_lib.escape(format_value(value, style, null_mark))
            if word:
                body = (
                    f'<p class="MsoNormal" align="center"><span lang="EN-US" style="font-size:10.5pt">'
                    f'{body or "&nbsp;"}<o:p></o:p></span></p>'
                )
            attrs = (f' colspan="{colspan}"' if colspan > 1 else "") + (f' rowspan="{rowspan}"' if rowspan > 1 else "")
            out.append(f"<td{attrs}>{body}</td>")
        out.append("</tr>")
    out.append("</table>")
    return "\n".join(out)


def page(*bodies: str, chrome: bool = True) -> str:
    """A page with portal chrome around the report body (layout table included)."""
    head = '<html><head><meta charset="utf-8"><title>2024年政府信息公开工作年度报告</title></head><body>'
    nav = (
        '<table class="layout"><tr><td><a href="/">首页</a></td><td>政务公开</td>'
        "<td>访问量</td><td>12345</td></tr></table>"
    )
    content = "\n".join(bodies)
    wrapped = f'<table class="layout" width="100%"><tr><td><div id="zoom">{content}</div></td></tr></table>'
    foot = (
        '<div class="footer"><table><tr><td>电话</td><td>0932-8212345</td></tr>'
        "<tr><td>网站标识码</td><td>6211020001</td></tr></table></div>"
    )
    if not chrome:
        return head + content + "</body></html>"
    return head + nav + wrapped + foot + "</body></html>"


def render_report(
    tables: Tables,
    fmt: str = "2021",
    *,
    layout: str = "standard",
    word: bool = False,
    style: str = "plain",
    null_mark: str = "",
) -> str:
    """A whole page holding ``tables`` in one of the layouts of the corpus."""
    active = (active_rows_2021 if fmt == "2021" else active_rows_2019)(tables["active"])
    apps = application_rows(tables["applications"], fmt)
    reviews = review_rows(tables["reviews"])
    kw = {"word": word, "style": style, "null_mark": null_mark}
    sections = ["<p><strong>二、主动公开政府信息情况</strong></p>", "<p>三、收到和处理政府信息公开申请情况</p>", "<p>四、政府信息公开行政复议、行政诉讼情况</p>"]
    if layout == "all_in_one":
        return page(render_table(active + apps + reviews, **kw))
    if layout == "split":
        cut = 9  # applications split after （二）部分公开 … inside 三、本年度办理结果
        parts = [
            render_table(active[:4], **kw),
            render_table(active[4:], **kw),
            sections[1],
            render_table(apps[:cut], **kw),
            "<p>（续表）</p>",
            render_table(apps[cut:], **kw),
            sections[2],
            render_table(reviews[:2], **kw),
            render_table(reviews[2:], **kw),
        ]
        return page(*parts)
    return page(
        sections[0], render_table(active, **kw),
        sections[1], render_table(apps, **kw),
        sections[2], render_table(reviews, **kw),
    )


# --- known tables -----------------------------------------------------------------------


def make_applications(per_column: dict[str, dict[str, int]], fmt: str = "2021") -> dict:
    """Applications rows from per-applicant outcomes, rules satisfied by construction.

    ``per_column[col]`` gives outcome counts and carried_over/carried_forward for
    the six applicant columns; ``new`` and the totals are derived.
    """
    rows = APPLICATION_ROWS_2021 if fmt == "2021" else APPLICATION_ROWS_2019
    outcomes = OUTCOME_ROWS_2021 if fmt == "2021" else OUTCOME_ROWS_2019
    apps: dict[str, dict[str, Value]] = {row: {} for row in rows}
    for column in APPLICATION_COLUMNS[:-1]:
        given_ = per_column.get(column, {})
        for row in outcomes:
            apps[row][column] = given_.get(row, 0)
        apps["total"][column] = sum(apps[row][column] for row in outcomes)
        apps["carried_over"][column] = given_.get("carried_over", 0)
        apps["carried_forward"][column] = given_.get("carried_forward", 0)
        apps["new"][column] = apps["total"][column] + apps["carried_forward"][column] - apps["carried_over"][column]
    for row in rows:
        apps[row]["total"] = sum(apps[row][c] for c in APPLICATION_COLUMNS[:-1])
    return apps


def sample_2021() -> Tables:
    return {
        "active": {
            "regulations": {"issued": 0, "repealed": 1, "in_force": 2},
            "normative_documents": {"issued": 9, "repealed": 7, "in_force": 12},
            "licensing": {"decisions": 12126},
            "penalty": {"decisions": 466},
            "coercion": {"decisions": 3},
            "fees": {"amount_10k_yuan": 79.6954},
        },
        "applications": make_applications(
            {
                "natural_person": {
                    "granted": 80, "denied_third_party": 94, "denied_internal": 8, "denied_process": 9,
                    "denied_enforcement": 16, "unable_not_held": 112, "unable_needs_creation": 73,
                    "unprocessed_repeat": 30, "other_other": 5, "carried_over": 23, "carried_forward": 11,
                },
                "commercial": {"granted": 3, "partly_granted": 1, "carried_forward": 1},
                "legal_services": {"unable_not_held": 2, "carried_over": 1},
            }
        ),
        "reviews": {
            "review": {"upheld": 8, "corrected": 4, "other": 12, "pending": 0, "total": 24},
            "litigation_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
            "litigation_after_review": {"upheld": 2, "corrected": 0, "other": 1, "pending": 1, "total": 4},
        },
    }


def sample_2019() -> Tables:
    return {
        "active": {
            "regulations": {"produced": 0, "published": 0, "published_total": 3},
            "normative_documents": {"produced": 5, "published": 5, "published_total": 40},
            "licensing": {"items_last_year": 120, "change": -3, "decisions": 1500},
            "other_services": {"items_last_year": 10, "change": 2, "decisions": 80},
            "penalty": {"items_last_year": 200, "change": 0, "decisions": 310},
            "coercion": {"items_last_year": 12, "change": 1, "decisions": 4},
            "fees": {"items_last_year": 6, "change": -1},
            "procurement": {"items": 14, "amount": 356.27},
        },
        "applications": make_applications(
            {"natural_person": {"granted": 10, "other": 2, "unable_not_held": 4, "carried_forward": 1}}, "2019"
        ),
        "reviews": {
            "review": {"upheld": 1, "corrected": 0, "other": 0, "pending": 0, "total": 1},
            "litigation_direct": {"upheld": 0, "corrected": 0, "other": 0, "pending": 1, "total": 1},
            "litigation_after_review": {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0},
        },
    }


def with_nulls(tables: Tables, cells: list[tuple[str, str, str]]) -> Tables:
    out = copy.deepcopy(tables)
    for table, row, column in cells:
        out[table][row][column] = None
    return out


# --- the corpus ---------------------------------------------------------------------------


@pytest.mark.parametrize("layout", ["standard", "split", "all_in_one"])
@pytest.mark.parametrize("word", [False, True])
def test_2021_layouts_round_trip(layout: str, word: bool) -> None:
    tables = sample_2021()
    parsed = tables_from_html(render_report(tables, layout=layout, word=word))
    assert parsed.tables == tables
    assert parsed.notes == []


@pytest.mark.parametrize("style", ["unit", "thousands", "fullwidth"])
def test_number_styles(style: str) -> None:
    tables = sample_2021()
    parsed = tables_from_html(render_report(tables, style=style))
    assert parsed.tables == tables


@pytest.mark.parametrize("mark", ["", "—", "-", "/", "无", "&nbsp;"])
def test_null_marks(mark: str) -> None:
    nulls = [
        ("applications", "carried_over", "research"),
        ("applications", "denied_security", "total"),
        ("reviews", "review", "pending"),
        ("active", "licensing", "decisions"),
        ("active", "regulations", "issued"),
    ]
    tables = with_nulls(sample_2021(), nulls)
    html = render_report(tables, null_mark="\x00").replace("\x00", mark)
    assert tables_from_html(html).tables == tables


def test_2019_layout() -> None:
    tables = sample_2019()
    parsed = tables_from_html(render_report(tables, "2019"))
    assert parsed.tables == tables
    assert "other" in parsed.tables["applications"]
    assert "other_other" not in parsed.tables["applications"]


def test_bytes_in_gb18030() -> None:
    tables = sample_2021()
    html = render_report(tables).replace('charset="utf-8"', 'charset="gb2312"')
    assert tables_from_html(html.encode("gb18030")).tables == tables


def test_missing_cell_leaves_row_null_with_note() -> None:
    tables = sample_2021()
    html = render_report(tables)
    # the 4.保护第三方合法权益 row loses one value cell (94 0 0 0 0 0 94 -> 94 0 0 0 0 94)
    row = "<td>4.保护第三方合法权益</td>\n<td>94</td>\n<td>0</td>\n"
    assert row in html
    html = html.replace(row, "<td>4.保护第三方合法权益</td>\n<td>94</td>\n", 1)
    parsed = tables_from_html(html)
    assert parsed.tables["applications"]["denied_third_party"] == dict.fromkeys(APPLICATION_COLUMNS)
    assert any("denied_third_party" in note and "ambiguous" in note for note in parsed.notes)
    expected = copy.deepcopy(tables)
    expected["applications"]["denied_third_party"] = dict.fromkeys(APPLICATION_COLUMNS)
    assert parsed.tables == expected


def test_extra_cell_in_the_middle_never_shifts_a_number() -> None:
    tables = sample_2021()
    html = render_report(tables)
    row = "<td colspan=\"2\">（一）予以公开</td>\n<td>80</td>\n<td>3</td>\n"
    assert row in html
    html = html.replace(row, row + "<td>7</td>\n", 1)
    parsed = tables_from_html(html)
    assert all(v is None for v in parsed.tables["applications"]["granted"].values())
    assert parsed.notes


def test_extra_blank_cell_at_the_end_is_dropped() -> None:
    tables = sample_2021()
    cell = '<td>行政处罚</td>\n<td colspan="3">466</td>'
    html = render_report(tables).replace(cell, cell + "<td></td>")
    assert "466</td><td></td>" in html
    assert tables_from_html(html).tables == tables


def test_provincial_extra_rows_kept() -> None:
    tables = sample_2021()
    html = render_report(tables)
    extra_active = "<tr><td>其他主动公开文件</td><td>4</td><td>0</td><td>4</td></tr>"
    extra_app = "<tr><td colspan=\"3\">五、转送其他机关办理</td>" + "<td>2</td>" + "<td>0</td>" * 5 + "<td>2</td></tr>"
    item_5 = '<tr>\n<td colspan="4">第二十条第（五）项'
    html = html.replace(item_5, extra_active + item_5, 1)
    marker = "<td colspan=\"3\">四、结转下年度继续办理</td>"
    end = html.index("</tr>", html.index(marker)) + len("</tr>")
    html = html[:end] + extra_app + html[end:]
    parsed = tables_from_html(html)
    assert parsed.tables["active"]["x_其他主动公开文件"] == {"issued": 4, "repealed": 0, "in_force": 4}
    assert parsed.tables["applications"]["x_五、转送其他机关办理"]["total"] == 2
    assert parsed.tables["applications"]["new"] == tables["applications"]["new"]


def test_reviews_numbers_in_a_table_of_their_own() -> None:
    tables = sample_2021()
    rows = review_rows(tables["reviews"])
    html = page(render_table(active_rows_2021(tables["active"])), render_table(rows[:3]), render_table(rows[3:]))
    assert tables_from_html(html).tables == {"active": tables["active"], "reviews": tables["reviews"]}


def test_reviews_one_row_per_kind() -> None:
    reviews = sample_2021()["reviews"]
    labels = {"review": "行政复议", "litigation_direct": "行政诉讼（未经复议直接起诉）", "litigation_after_review": "行政诉讼（复议后起诉）"}
    rows = [[_lbl("")] + [_lbl(t) for t in REVIEW_COLUMN_LABELS.values()]]
    rows += [[_lbl(labels[key])] + [_val(v) for v in reviews[key].values()] for key in labels]
    assert tables_from_html(page(render_table(rows))).tables == {"reviews": reviews}


def test_huge_rowspan_is_bounded() -> None:
    tables = sample_2021()
    html = render_report(tables).replace('rowspan="22"', 'rowspan="100000"').replace('colspan="10"', 'colspan="100000"')
    assert tables_from_html(html).tables == tables


def test_page_without_statistics() -> None:
    html = page("<p>本年度无数据。</p>", "<table><tr><td>电话</td><td>12345</td></tr></table>")
    parsed = tables_from_html(html)
    assert parsed.tables == {}
    assert tables_from_html("").tables == {}
    assert tables_from_html(b"").tables == {}


def test_real_county_page() -> None:
    parsed = tables_from_html((PAGES / "county_report.html").read_bytes())
    assert parsed.notes == []
    assert parsed.tables["active"]["licensing"] == {"decisions": 1990}
    assert parsed.tables["active"]["fees"] == {"amount_10k_yuan": 79.6954}
    assert parsed.tables["applications"]["new"]["total"] == 49
    assert parsed.tables["applications"]["other_other"]["natural_person"] == 2
    assert len(parsed.tables["applications"]) == 25
    assert parsed.tables["reviews"]["litigation_direct"]["other"] == 1


def test_place_values_never_guesses() -> None:
    assert place_values(["number"] * 3, [1, 2, 3], 3) == ([1, 2, 3], True)
    assert place_values(["number", "number"], [1, 2], 3) == ([None, None, None], False)
    assert place_values(["null", "number", "number", "number"], [None, 1, 2, 3], 3) == ([1, 2, 3], True)


# --- property: random rule-satisfying tables, random layouts and defects -----------------

_counts = st.integers(min_value=0, max_value=3000)
_outcome = st.sampled_from(OUTCOME_ROWS_2021)


@st.composite
def random_tables(draw) -> Tables:
    per_column = {
        column: {row: draw(_counts) for row in draw(st.sets(_outcome, max_size=4))}
        | {"carried_over": draw(_counts), "carried_forward": draw(_counts)}
        for column in draw(st.sets(st.sampled_from(APPLICATION_COLUMNS[:-1]), max_size=3))
    }
    reviews = {}
    for row in ("review", "litigation_direct", "litigation_after_review"):
        parts = [draw(st.integers(0, 50)) for _ in range(4)]
        reviews[row] = dict(zip(("upheld", "corrected", "other", "pending"), parts)) | {"total": sum(parts)}
    return {
        "active": {
            "regulations": {c: draw(_counts) for c in ("issued", "repealed", "in_force")},
            "normative_documents": {c: draw(_counts) for c in ("issued", "repealed", "in_force")},
            "licensing": {"decisions": draw(_counts)},
            "penalty": {"decisions": draw(_counts)},
            "coercion": {"decisions": draw(_counts)},
            "fees": {"amount_10k_yuan": draw(st.sampled_from([0, 12.5, 79.6954, 1234.01]))},
        },
        "applications": make_applications(per_column),
        "reviews": reviews,
    }


def _all_cells(tables: Tables):
    for name, rows in tables.items():
        for row, columns in rows.items():
            for column in columns:
                yield name, row, column


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    tables=random_tables(),
    layout=st.sampled_from(["standard", "split", "all_in_one"]),
    word=st.booleans(),
    style=st.sampled_from(["plain", "unit", "thousands", "fullwidth"]),
    null_mark=st.sampled_from(["", "—", "/", "无"]),
    blank_zeros=st.booleans(),
    defect=st.sampled_from(["none", "drop", "insert_blank"]),
    where=st.integers(min_value=0, max_value=10_000),
)
def test_round_trip_never_a_different_number(
    tables: Tables, layout: str, word: bool, style: str, null_mark: str, blank_zeros: bool, defect: str, where: int
) -> None:
    shown = copy.deepcopy(tables)
    if blank_zeros:  # many sites print 0 as a blank: those cells read back as null
        for name, row, column in list(_all_cells(shown)):
            if shown[name][row][column] == 0 and name == "applications":
                shown[name][row][column] = None
    html = render_report(shown, layout=layout, word=word, style=style, null_mark="\x00").replace("\x00", null_mark)
    if defect != "none":
        cells = [i for i in range(len(html)) if html.startswith("<td>", i) or html.startswith("<td colspan", i)]
        at = cells[where % len(cells)]
        close = html.index("</td>", at) + len("</td>")
        if defect == "drop":
            html = html[:at] + html[close:]
        else:
            html = html[:at] + ("<td></td>" if defect == "insert_blank" else "<td>7</td>") + html[at:]
    parsed = tables_from_html(html).tables
    for name, row, column in _all_cells(parsed):
        got = parsed[name][row][column]
        if got is None or row.startswith("x_"):  # a defect may turn a row into an extra one
            continue
        assert name in shown and row in shown[name], (name, row)
        assert got == shown[name][row][column], (name, row, column, got)
    if defect == "none":
        assert parsed == shown
