"""Consistency rules: pass, fail and skipped on known tables."""

from __future__ import annotations

import copy

from harvester.parse.checks import carry_chain, run_checks, stated_figures
from harvester.parse.schema import APPLICATION_COLUMNS, Check
from tests.test_parse_html_tables import make_applications, sample_2019, sample_2021


def _by(checks: list[Check], rule: str) -> dict[str, Check]:
    return {c.scope: c for c in checks if c.rule == rule}


def test_consistent_2021_tables_pass_everything() -> None:
    checks = run_checks(sample_2021(), "2021")
    assert {c.rule for c in checks} == {"balance", "outcomes_sum", "row_sum", "reviews_sum"}
    assert [c for c in checks if c.status == "fail"] == []
    assert len(_by(checks, "balance")) == 7
    assert len(_by(checks, "row_sum")) == 25
    assert len(_by(checks, "reviews_sum")) == 3


def test_consistent_2019_tables_pass_with_single_other_row() -> None:
    checks = run_checks(sample_2019(), "2019")
    assert [c for c in checks if c.status == "fail"] == []
    # the 2019 "other" row is part of the outcomes: dropping it breaks the sum
    tables = sample_2019()
    tables["applications"]["other"]["natural_person"] = 0
    tables["applications"]["other"]["total"] = 0
    failed = _by(run_checks(tables, "2019"), "outcomes_sum")
    assert failed["natural_person"].status == "fail"
    assert (failed["natural_person"].expected, failed["natural_person"].found) == (14, 16)


def test_outcome_rows_follow_the_table_not_the_label() -> None:
    """A 2019-layout table in a report labelled 2021 is still summed over its own rows."""
    assert [c for c in run_checks(sample_2019(), "2021") if c.status == "fail"] == []


def test_failures_report_expected_and_found() -> None:
    tables = sample_2021()
    tables["applications"]["new"]["natural_person"] += 1
    tables["reviews"]["review"]["total"] = 25
    checks = run_checks(tables, "2021")
    balance = _by(checks, "balance")["natural_person"]
    assert balance.status == "fail"
    assert balance.as_dict() == {
        "rule": "balance", "scope": "natural_person", "status": "fail",
        "expected": balance.expected, "found": balance.found,
    }
    assert balance.expected == balance.found + 1
    assert _by(checks, "row_sum")["new"].status == "fail"
    review = _by(checks, "reviews_sum")["review"]
    assert (review.status, review.expected, review.found) == ("fail", 24, 25)
    assert _by(checks, "balance")["commercial"].status == "pass"


def test_blank_rows_and_columns_are_skipped() -> None:
    tables = sample_2021()
    for row in tables["applications"].values():
        row["research"] = None
    tables["applications"]["denied_security"] = dict.fromkeys(APPLICATION_COLUMNS)
    checks = run_checks(tables, "2021")
    assert _by(checks, "balance")["research"].status == "skipped"
    assert _by(checks, "outcomes_sum")["research"].status == "skipped"
    assert _by(checks, "row_sum")["denied_security"].status == "skipped"
    assert _by(checks, "row_sum")["new"].status == "pass"


def test_blanks_printed_for_zero_pass_when_the_rest_adds_up() -> None:
    apps = make_applications({"natural_person": {"granted": 6}})
    for row in apps.values():
        for column, value in row.items():
            if value == 0:
                row[column] = None
    checks = run_checks({"applications": apps}, "2021")
    assert _by(checks, "balance")["natural_person"].status == "pass"
    assert _by(checks, "outcomes_sum")["natural_person"].status == "pass"
    assert _by(checks, "row_sum")["granted"].status == "pass"
    assert _by(checks, "balance")["commercial"].status == "skipped"
    assert _by(checks, "row_sum")["denied_inquiry"].status == "skipped"


def test_target_null_is_skipped_even_with_addends() -> None:
    tables = sample_2021()
    tables["applications"]["new"]["total"] = None
    assert _by(run_checks(tables, "2021"), "row_sum")["new"].status == "skipped"


def test_decimal_tolerance() -> None:
    tables = {"reviews": {"review": {"upheld": 0.1, "corrected": 0.2, "other": None, "pending": None, "total": 0.3}}}
    assert run_checks(tables, "2021")[0].status == "pass"


def test_absent_tables_give_no_checks() -> None:
    assert run_checks({}, "2021", "本年新收政府信息公开申请5件") == []
    only_reviews = {"reviews": sample_2021()["reviews"]}
    assert {c.rule for c in run_checks(only_reviews, "2021")} == {"reviews_sum"}


def test_text_vs_table() -> None:
    tables = sample_2021()
    new_total = tables["applications"]["new"]["total"]
    text = (
        f"2024年共收到依申请公开事项 {new_total} 件，其中结转下年度继续办理 11 件。"
        "本年度收到政府信息公开行政复议案件 24 件、行政诉讼案件 5 件。"
    )
    checks = _by(run_checks(tables, "2021", text), "text_vs_table")
    assert checks["applications.new.total"].status == "pass"
    assert checks["reviews.review.total"].status == "pass"
    litigation = checks["reviews.litigation.total"]
    assert (litigation.status, litigation.expected, litigation.found) == ("fail", 5, 4)


def test_text_vs_table_skipped_when_table_blank_and_absent_when_text_silent() -> None:
    tables = sample_2021()
    tables["applications"]["new"]["total"] = None
    checks = _by(run_checks(tables, "2021", "本年新收政府信息公开申请数量为12件。未发生行政复议和行政诉讼。"), "text_vs_table")
    assert checks == {"applications.new.total": Check("text_vs_table", "applications.new.total", "skipped")}


def test_stated_figures_wording() -> None:
    assert stated_figures("本年度共收到政府信息公开申请１２件") == {"applications.new.total": 12}
    assert stated_figures("全年共受理依申请公开3件，均已办结。") == {"applications.new.total": 3}
    assert stated_figures("收到行政复议申请2件") == {"reviews.review.total": 2}
    assert stated_figures("2024年我街道共受理政府公开信息3件,其中有2件已依法答复") == {"applications.new.total": 3}
    assert stated_figures("上年结转申请2件") == {}
    assert stated_figures("无行政复议、行政诉讼案件。") == {}
    assert stated_figures("一、本年新收政府信息公开申请数量 | 6 |") == {}


def test_carry_chain() -> None:
    last_year = sample_2021()
    this_year = copy.deepcopy(last_year)
    this_year["applications"]["carried_over"] = dict(last_year["applications"]["carried_forward"])
    assert {c.status for c in carry_chain(this_year, last_year)} == {"pass"}
    this_year["applications"]["carried_over"]["natural_person"] = 99
    failed = _by(carry_chain(this_year, last_year), "carry_chain")["natural_person"]
    assert (failed.status, failed.expected, failed.found) == ("fail", 11, 99)
    assert {c.status for c in carry_chain(this_year, {})} == {"skipped"}
    assert len(carry_chain(this_year, {})) == 7
