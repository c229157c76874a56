"""Tables read from plain text: the five real flattenings, synthetic ones, and a property.

The expected tables of the real examples are transcribed by hand from the
files, cell by cell, in ``tests/report_text_truth.py`` (shared with the
parsing bench). Where a flattening dropped blank cells (003) and the rules
do not pin down where the remaining numbers sat, the expected cell is None.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harvester.parse.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    APPLICATION_COLUMNS,
    APPLICATION_ROW_LABELS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    OUTCOME_ROWS_2019,
    OUTCOME_ROWS_2021,
    REVIEW_CELL_ORDER,
    REVIEW_ROWS,
    Tables,
)
from harvester.parse.text_tables import candidate_placements, line_cells, tables_from_text
from tests.report_text_truth import EXPECTED_TABLES, active_2021, apps, reviews

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "report-text"

Z = [0, 0, 0, 0, 0, 0, 0]


def parse_example(prefix: str):
    (path,) = EXAMPLES.glob(f"{prefix}_*.txt")
    return tables_from_text(path.read_text(encoding="utf-8"))


# --- the five real flattenings ------------------------------------------------------


def test_000_one_cell_a_line_with_page_chrome():
    parsed = parse_example("000")
    assert parsed.tables["active"] == EXPECTED_TABLES["000"]["active"]
    assert parsed.tables["applications"] == EXPECTED_TABLES["000"]["applications"]
    assert parsed.tables["reviews"] == EXPECTED_TABLES["000"]["reviews"]
    assert parsed.notes == []


def test_001_pipe_one_cell_a_line_keeps_blank_cells():
    """Blank cells are printed as '|' lines, so positions hold: 6 sits under 自然人, 总计 is blank."""
    parsed = parse_example("001")
    assert parsed.tables["active"] == EXPECTED_TABLES["001"]["active"]
    assert parsed.tables["applications"] == EXPECTED_TABLES["001"]["applications"]
    assert parsed.tables["reviews"] == EXPECTED_TABLES["001"]["reviews"]
    assert parsed.notes == []


def test_002_pipe_separated_rows_with_colspan_cells():
    parsed = parse_example("002")
    assert parsed.tables["active"] == EXPECTED_TABLES["002"]["active"]
    assert parsed.tables["applications"] == EXPECTED_TABLES["002"]["applications"]
    assert parsed.tables["reviews"] == EXPECTED_TABLES["002"]["reviews"]
    assert parsed.notes == []


def test_003_whitespace_with_blank_cells_lost():
    """Blank cells vanished: only full rows, and what the rules force, survive.

    denied_internal (1 0 0 0 0 1) and total (18 0 0 0 0 18) lost one cell each.
    Balance in the 自然人 column (18 + 0 = total + 0) puts 18 under 自然人, and
    outcomes_sum there (3 + 14 + x = 18) puts the 1 under 自然人; which of the
    zeros is the blank one is undecidable, so those cells are null. Rows of
    zeros with cells missing, and the 13 review zeros, fit anywhere: null.
    """
    parsed = parse_example("003")
    assert parsed.tables["active"] == EXPECTED_TABLES["003"]["active"]
    assert parsed.tables["applications"] == EXPECTED_TABLES["003"]["applications"]
    assert parsed.tables["reviews"] == EXPECTED_TABLES["003"]["reviews"]
    noted = " ".join(parsed.notes)
    for key in ("denied_state_secret", "denied_internal", "total", "carried_forward", "reviews.reviews"):
        assert key in noted
    assert "applications.new" not in noted


def test_004_tab_separated_markdown_headings():
    parsed = parse_example("004")
    assert parsed.tables["active"] == EXPECTED_TABLES["004"]["active"]
    assert parsed.tables["applications"] == EXPECTED_TABLES["004"]["applications"]
    assert parsed.tables["reviews"] == EXPECTED_TABLES["004"]["reviews"]
    assert parsed.notes == []


# --- cells and placements -----------------------------------------------------------


def test_line_cells_by_separator():
    assert [c.text for c in line_cells("6 |")] == ["6"]
    assert [c.kind for c in line_cells("|")] == ["empty"]
    assert [c.value for c in line_cells("行政许可 | 1990件 | ||")] == [None, 1990, None, None]
    assert [c.value for c in line_cells("规章\t０\t\t")] == [None, 0, None, None]
    assert [c.text for c in line_cells("1 属于国家秘密 0 0")] == ["1属于国家秘密", "0", "0"]
    assert [c.value for c in line_cells("办理 1990 件")] == [None, 1990]
    assert line_cells("- 3 -") == [] and line_cells("第 2 页 共 5 页") == []


def test_explicit_offsets_and_lost_cells():
    cells = line_cells("\t545\t0\t0\t0\t0\t0\t545\t")
    assert candidate_placements(cells, 7) == [(545, 0, 0, 0, 0, 0, 545)]
    assert len(candidate_placements(line_cells("1 1"), 7)) == 21
    assert candidate_placements(line_cells("1 2 3 4 5 6 7 8"), 7) == []


# --- synthetic flattenings ----------------------------------------------------------

GROUPS = {
    "granted": "三、本年度办理结果",
    "denied_state_secret": "（三）不予公开",
    "unable_not_held": "（四）无法提供",
    "unprocessed_petition": "（五）不予处理",
    "other_no_correction": "（六）其他处理",
}
ACTIVE_SECTIONS_2021 = (
    ("（一）", ("regulations", "normative_documents")),
    ("（五）", ("licensing",)),
    ("（六）", ("penalty", "coercion")),
    ("（八）", ("fees",)),
)
ACTIVE_SECTIONS_2019 = (
    ("（一）", ("regulations", "normative_documents")),
    ("（五）", ("licensing", "other_services")),
    ("（六）", ("penalty", "coercion")),
    ("（八）", ("fees",)),
    ("（九）", ("procurement",)),
)
ACTIVE_LABELS = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
ACTIVE_HEADERS = {
    "issued": "本年制发件数", "repealed": "本年废止件数", "in_force": "现行有效件数",
    "decisions": "本年处理决定数量", "amount_10k_yuan": "本年收费金额（单位：万元）",
    "produced": "本年新制作数量", "published": "本年新公开数量", "published_total": "对外公开总数量",
    "items_last_year": "上一年项目数量", "change": "本年增/减", "items": "采购项目数量", "amount": "采购总金额",
}
STYLES = ("lines", "spaces", "tabs", "pipes", "pipe_lines")
EXPLICIT = {"tabs", "pipes", "pipe_lines"}


def _fmt(value) -> str:
    return "" if value is None else str(value)


def _row_lines(labels: list[str], values: list, style: str, rng: random.Random, blank: str) -> list[str]:
    """One table row in a flattening; `blank` is how a blank cell prints."""
    texts = [blank if v is None else _fmt(v) for v in values]
    if style == "lines":
        shown = [t for t in texts if t]
        out = []
        for label in labels:
            if len(label) > 6 and rng.random() < 0.3:
                cut = rng.randrange(2, len(label) - 1)
                out += [label[:cut], label[cut:]]
            else:
                out.append(label)
        return out + shown
    if style == "spaces":
        return [" ".join(labels + [t for t in texts if t])]
    if style == "tabs":
        lead = [""] if len(labels) == 1 and rng.random() < 0.5 else []
        return ["\t".join(labels + lead + texts) + "\t"]
    if style == "pipes":
        return [" | ".join(labels + texts) + " | ||"]
    return [f"{label} |" for label in labels] + [f"{t} |" if t else "|" for t in texts] + ["||"]


def render(tables: Tables, fmt: str, style: str, seed: int = 0, blank: str = "", lose_zeros: float = 0.0) -> str:
    """Flatten tables the way one of the real exports does.

    In the implicit styles blank cells vanish, and with `lose_zeros` some zeros too.
    """
    rng = random.Random(seed)

    def row(labels, values):
        if style not in EXPLICIT and lose_zeros:
            values = [v for v in values if not (v == 0 and rng.random() < lose_zeros)]
        return _row_lines(labels, list(values), style, rng, blank)

    def header(cells: list[str]) -> list[str]:
        if style in ("lines", "pipe_lines"):
            return [c + (" |" if style == "pipe_lines" else "") for c in cells]
        sep = {"spaces": " ", "tabs": "\t", "pipes": " | "}[style]
        return [sep.join(cells)]

    out = ["首页", ">政务公开>年报", "某区2024年政府信息公开工作年度报告", "一、总体情况", "全年 公开 信息 4275 条。"]
    out.append("二、主动公开政府信息情况")
    layout = ACTIVE_2021 if fmt == "2021" else ACTIVE_2019
    for item, keys in ACTIVE_SECTIONS_2021 if fmt == "2021" else ACTIVE_SECTIONS_2019:
        out += header([f"第二十条第{item}项"])
        out += header(["信息内容"] + [ACTIVE_HEADERS[c] for c in layout[keys[0]]])
        for key in keys:
            out += row([ACTIVE_LABELS[key]], [tables["active"][key][c] for c in layout[key]])
    out.append("三、收到和处理政府信息公开申请情况")
    out += header(["（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", "申请人情况"])
    out += header(["自然人", "法人或其他组织", "总计"])
    out += header(["商业 企业", "科研 机构", "社会公益组织", "法律服务机构", "其他"])
    for key, cells in tables["applications"].items():
        labels = [APPLICATION_ROW_LABELS[key]]
        if key in GROUPS and (key != "other_no_correction" or fmt == "2021"):
            labels.insert(0, GROUPS[key])
        out += row(labels, [cells[c] for c in APPLICATION_COLUMNS])
    out.append("四、政府信息公开行政复议、行政诉讼情况")
    out += header(["行政复议", "行政诉讼"])
    out += header(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉", "复议后起诉"])
    out += header(["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2)
    values = [tables["reviews"][r][c] for r, c in REVIEW_CELL_ORDER]
    if style == "lines" or rng.random() < 0.5 and style == "spaces":
        out += [t for t in (blank if v is None else _fmt(v) for v in values) if t]
    else:
        out += row([], values)
    out += ["五、存在的主要问题及改进情况", "一是 公开 不够。", "六、其他需要报告的事项", "[ 打印本页 | 关闭窗口 ]"]
    return "\n".join(out) + "\n"


def known_tables(fmt: str = "2021") -> Tables:
    rows = APPLICATION_ROWS_2021 if fmt == "2021" else APPLICATION_ROWS_2019
    outcomes = OUTCOME_ROWS_2021 if fmt == "2021" else OUTCOME_ROWS_2019
    table: dict[str, list[int]] = {k: [0] * 7 for k in rows}
    table["granted"][:2] = [5, 1]
    table["denied_third_party"][0] = 2
    table["unable_not_held"][3] = 4
    table[outcomes[-1]][0] = 3
    table["carried_forward"][0] = 1
    table["carried_over"][0] = 2
    for r in rows:
        table[r][6] = sum(table[r][:6])
    for c in range(6):
        table["total"][c] = sum(table[o][c] for o in outcomes)
        table["new"][c] = table["total"][c] + table["carried_forward"][c] - table["carried_over"][c]
    table["total"][6] = sum(table["total"][:6])
    table["new"][6] = sum(table["new"][:6])
    if fmt == "2021":
        active = active_2021([0, 1, 12], [9, 7, 12], 12126, 466, 0, 79.6954)
    else:
        active = {k: dict(zip(cols, range(3, 3 + len(cols)))) for k, cols in ACTIVE_2019.items()}
        active["procurement"]["amount"] = 12.5
        active["fees"]["change"] = -1
    return {
        "active": active,
        "applications": apps(table),
        "reviews": reviews([8, 4, 12, 0, 24, 0, 0, 0, 0, 0, 2, 0, 1, 1, 4]),
    }


@pytest.mark.parametrize("fmt", ["2021", "2019"])
@pytest.mark.parametrize("style", STYLES)
def test_known_tables_parse_back_in_every_flattening(style, fmt):
    tables = known_tables(fmt)
    parsed = tables_from_text(render(tables, fmt, style))
    assert parsed.tables == tables
    assert parsed.notes == []


def test_format_hint_does_not_override_the_table():
    tables = known_tables("2019")
    parsed = tables_from_text(render(tables, "2019", "tabs"), format_version_hint="2021")
    assert parsed.tables == tables


def _sparse_tables(printed_zero_rows: tuple[str, ...]) -> Tables:
    """Only 自然人 and 总计 filled; zeros printed only in `printed_zero_rows`, blank elsewhere."""
    rows = {k: [None] * 7 for k in APPLICATION_ROWS_2021}
    for key, n in (("new", 9), ("carried_over", 2), ("granted", 5), ("denied_third_party", 2),
                   ("other_other", 3), ("total", 10), ("carried_forward", 1)):
        rows[key] = [n, None, None, None, None, None, n]
    for key in printed_zero_rows:
        rows[key] = [0 if v is None else v for v in rows[key]]
    tables = known_tables("2021")
    tables["applications"] = apps(rows)
    return tables


def test_only_natural_person_and_total_filled_is_placed_by_the_column_rules():
    """One row printed in full (as in 003) pins the columns; the rules then place every number."""
    tables = _sparse_tables(("new",))
    parsed = tables_from_text(render(tables, "2021", "lines"))
    assert parsed.tables["applications"] == tables["applications"]
    assert any("applications.total: cells lost (10 10), placed by the rules" in n for n in parsed.notes)


def test_sparse_table_without_a_full_row_keeps_only_the_total_column():
    """Nothing tells 自然人 from 商业企业 when every row lost cells: only 总计 is certain."""
    tables = _sparse_tables(())
    parsed = tables_from_text(render(tables, "2021", "spaces"))
    for key, cells in parsed.tables["applications"].items():
        assert cells == dict(zip(APPLICATION_COLUMNS, [None] * 6 + [tables["applications"][key]["total"]]))


def test_ambiguous_lost_cells_stay_null_with_a_note():
    """Two applicants, one request each, blanks elsewhere: 1 1 2 fits several columns."""
    rows = {k: [None] * 7 for k in APPLICATION_ROWS_2021}
    rows["new"] = [1, 1, None, None, None, None, 2]
    rows["granted"] = [1, 1, None, None, None, None, 2]
    rows["total"] = [1, 1, None, None, None, None, 2]
    tables = known_tables("2021")
    tables["applications"] = apps(rows)
    parsed = tables_from_text(render(tables, "2021", "spaces"))
    got = parsed.tables["applications"]
    for key in ("new", "granted", "total"):
        assert got[key]["total"] == 2
        assert all(got[key][c] is None for c in APPLICATION_COLUMNS[:6]), got[key]
        assert any(f"applications.{key}:" in note and "placements fit" in note for note in parsed.notes)


def test_lost_number_breaking_the_rules_is_not_placed():
    """A printed table that breaks row_sum: its rules are not trusted to place anything."""
    text = render(known_tables("2021"), "2021", "spaces")
    text = text.replace("（七）总计 10 1 0 4 0 0 15", "（七）总计 10 1 0 4 0 0 99")
    text = text.replace("4.保护第三方合法权益 2 0 0 0 0 0 2", "4.保护第三方合法权益 2 2")
    assert "总计 10 1 0 4 0 0 99" in text and "权益 2 2\n" in text
    parsed = tables_from_text(text)
    assert parsed.tables["applications"]["denied_third_party"] == dict.fromkeys(APPLICATION_COLUMNS)
    assert any("rules not used" in note for note in parsed.notes)


def test_missing_tables_are_absent():
    parsed = tables_from_text("一、总体情况\n全年公开信息 12 条。\n")
    assert parsed.tables == {}
    assert len(parsed.notes) == 3


# --- property: a parsed cell is the true value or None ----------------------------

small = st.integers(0, 30)
zero_heavy = st.one_of(st.just(0), st.just(0), st.just(0), small)


@st.composite
def rule_tables(draw) -> tuple[str, Tables]:
    """Random tables that satisfy every rule, blanks counting as 0."""
    fmt = draw(st.sampled_from(["2021", "2019"]))
    rows = APPLICATION_ROWS_2021 if fmt == "2021" else APPLICATION_ROWS_2019
    outcomes = OUTCOME_ROWS_2021 if fmt == "2021" else OUTCOME_ROWS_2019
    values = {k: [0] * 7 for k in rows}
    busy = draw(st.lists(st.sampled_from(outcomes), max_size=4))
    cols = draw(st.sampled_from([[0], [0], [0, 1], list(range(6))]))
    for key in busy:
        for c in cols:
            values[key][c] = draw(zero_heavy)
    for c in range(6):
        values["total"][c] = sum(values[o][c] for o in outcomes)
        values["carried_forward"][c] = draw(st.integers(0, 3)) if c in cols else 0
        values["carried_over"][c] = draw(st.integers(0, values["total"][c] + values["carried_forward"][c]))
        values["new"][c] = values["total"][c] + values["carried_forward"][c] - values["carried_over"][c]
    for key in rows:
        values[key][6] = sum(values[key][:6])
    blank_p = draw(st.sampled_from([0.0, 0.5, 1.0]))
    flags = random.Random(draw(st.integers(0, 2**16)))
    table = {k: [None if v == 0 and flags.random() < blank_p else v for v in vals] for k, vals in values.items()}
    review_values: list = []
    for _ in REVIEW_ROWS:
        four = [draw(zero_heavy) for _ in range(4)]
        review_values += four + [sum(four)]
    review_values = [None if v == 0 and blank_p == 1.0 else v for v in review_values]
    layout = ACTIVE_2021 if fmt == "2021" else ACTIVE_2019
    active = {k: {c: draw(st.one_of(st.none(), small)) for c in cols_} for k, cols_ in layout.items()}
    return fmt, {"active": active, "applications": apps(table), "reviews": reviews(review_values)}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(
    rule_tables(),
    st.sampled_from(STYLES),
    st.integers(0, 2**16),
    st.sampled_from(["", "", "—"]),
    st.sampled_from([0.0, 0.0, 0.3]),
)
def test_parsed_cells_are_true_or_null(case, style, seed, blank, lose_zeros):
    fmt, tables = case
    parsed = tables_from_text(render(tables, fmt, style, seed, blank, lose_zeros))
    for name, table in parsed.tables.items():
        for row, cells in table.items():
            for col, value in cells.items():
                if value is not None:
                    assert value == tables[name][row][col], (name, row, col, value, parsed.notes)
    assert set(parsed.tables["applications"]) == set(tables["applications"])
    if style in EXPLICIT and blank:
        # Kept cells stand where printed. (An empty blank cell, by contrast, can
        # pass for colspan filler, which makes its row's offset ambiguous.)
        assert parsed.tables == tables


def test_active_rows_printed_without_cells_and_extra_provincial_rows():
    text = "\n".join([
        "第二十条第（一）项", "信息内容 本年制发件数 本年废止件数 现行有效件数",
        "规章", "行政规范性文件 1 0 10",
        "第二十条第（六）项", "信息内容 本年处理决定数量",
        "行政处罚 370", "行政强制", "其他主动公开文件 5",
        "第二十条第（八）项", "信息内容 本年收费金额（单位：万元）", "行政事业性收费 0.5",
    ])
    active = tables_from_text(text).tables["active"]
    assert active == {
        "regulations": {"issued": None, "repealed": None, "in_force": None},
        "normative_documents": {"issued": 1, "repealed": 0, "in_force": 10},
        "penalty": {"decisions": 370},
        "coercion": {"decisions": None},
        "x_其他主动公开文件": {"decisions": 5},
        "fees": {"amount_10k_yuan": 0.5},
    }


def test_rows_printed_without_cells_and_labels_broken_anywhere():
    """Regression (found by the property): blank rows between broken labels keep their keys."""
    labels = [
        "自然人", "总计", "一、本年新收政府", "信息公开申请数量", "3", "3",
        "二、上年结转政", "府信息公开申请数量",
        "（六", "）其他处理", "1.申请人无正当理由逾期不补正、行政机关不再", "处理其政府信息公开申请",
        "2.申请人逾期未按收费通知要求缴纳费用", "、行政机关不再处理其政府信息公开申请",
        "3.其他", "3", "3", "（七）总计", "3", "3", "四、", "结转下年度继续办理",
    ]
    table = tables_from_text("\n".join(["申请人情况", *labels])).tables["applications"]
    assert list(table) == [
        "new", "carried_over", "other_no_correction", "other_unpaid_fee", "other_other", "total", "carried_forward",
    ]
    assert table["other_unpaid_fee"] == dict.fromkeys(APPLICATION_COLUMNS)
    assert table["carried_forward"] == dict.fromkeys(APPLICATION_COLUMNS)
