"""Consistency rules (勾稽关系) evaluated on parsed tables.

Blank cells: tables commonly print 0 as a blank, so a blank inside a
partly-filled sum counts as 0. A rule is ``skipped`` only when it has no
evidence: its printed target is null, or every addend is null (a fully blank
row or column, or one the parser left null because the placement was
ambiguous). So: target null -> skipped; all addends null -> skipped; the
non-null addends sum to the target -> pass; otherwise fail.

For a ``fail``, ``expected`` is what the rule computes from the parts and
``found`` is the figure printed (the total, or the later/other side).
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable

from harvester.parse.schema import (
    APPLICATION_COLUMNS,
    OUTCOME_ROWS_2019,
    OUTCOME_ROWS_2021,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    CellValue,
    Check,
    Tables,
)

_OTHER_2021 = ("other_no_correction", "other_unpaid_fee", "other_other")


def _equal(a: float, b: float) -> bool:
    """Equal up to float noise: decimals such as 79.6954 are summed."""
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def _tidy(value: float) -> CellValue:
    return int(value) if float(value).is_integer() else round(value, 6)


def _sum_check(rule: str, scope: str, target: CellValue, addends: Iterable[CellValue]) -> Check:
    """``target`` = sum of ``addends``, blanks among addends counted as 0.

    >>> _sum_check("row_sum", "new", 5, [2, None, 3]).status
    'pass'
    >>> _sum_check("row_sum", "new", None, [2, 3]).status
    'skipped'
    >>> _sum_check("row_sum", "new", 6, [2, 3])
    Check(rule='row_sum', scope='new', status='fail', expected=5, found=6)
    """
    present = [a for a in addends if a is not None]
    if target is None or not present:
        return Check(rule, scope, "skipped")
    total = sum(present)
    if _equal(total, target):
        return Check(rule, scope, "pass")
    return Check(rule, scope, "fail", expected=_tidy(total), found=target)


def _equation_check(rule: str, scope: str, left: list[CellValue], right: list[CellValue]) -> Check:
    """sum(left) = sum(right); skipped when either side is entirely null."""
    left_present = [v for v in left if v is not None]
    right_present = [v for v in right if v is not None]
    if not left_present or not right_present:
        return Check(rule, scope, "skipped")
    expected, found = sum(left_present), sum(right_present)
    if _equal(expected, found):
        return Check(rule, scope, "pass")
    return Check(rule, scope, "fail", expected=_tidy(expected), found=_tidy(found))


def outcome_rows(applications: dict, format_version: str) -> tuple[str, ...]:
    """The outcome rows to sum: decided by the rows printed, else by the format."""
    has_2021 = any(key in applications for key in _OTHER_2021)
    has_2019 = "other" in applications
    if has_2021 and not has_2019:
        return OUTCOME_ROWS_2021
    if has_2019 and not has_2021:
        return OUTCOME_ROWS_2019
    return OUTCOME_ROWS_2019 if format_version == "2019" else OUTCOME_ROWS_2021


def _cell(table: dict, row: str, column: str) -> CellValue:
    return table.get(row, {}).get(column)


def application_checks(applications: dict, format_version: str) -> list[Check]:
    """balance and outcomes_sum per column, row_sum per row."""
    checks: list[Check] = []
    for column in APPLICATION_COLUMNS:
        checks.append(
            _equation_check(
                "balance",
                column,
                [_cell(applications, "new", column), _cell(applications, "carried_over", column)],
                [_cell(applications, "total", column), _cell(applications, "carried_forward", column)],
            )
        )
    rows = outcome_rows(applications, format_version)
    for column in APPLICATION_COLUMNS:
        checks.append(
            _sum_check(
                "outcomes_sum",
                column,
                _cell(applications, "total", column),
                [_cell(applications, row, column) for row in rows],
            )
        )
    for row, values in applications.items():
        checks.append(
            _sum_check("row_sum", row, values.get("total"), [values.get(c) for c in APPLICATION_COLUMNS[:-1]])
        )
    return checks


def review_checks(reviews: dict) -> list[Check]:
    """reviews_sum per review row present."""
    return [
        _sum_check("reviews_sum", row, reviews[row].get("total"), [reviews[row].get(c) for c in REVIEW_COLUMNS[:-1]])
        for row in REVIEW_ROWS
        if row in reviews
    ]


# --- figures stated in the text ----------------------------------------------------------

_GAP = r"[^。；;，,\d]"
# A figure: ASCII digits (NFKC made full-width ones ASCII), at most 12 of them,
# so a hostile run of digits is no figure rather than an int() error.
_FIGURE = r"(?<![0-9])([0-9]{1,12})"
_APPLICATIONS_NEW = re.compile(
    r"(?:新收|收到|受理)[^。；;，,\d]{0,30}?(?:申请|公开信息)" + _GAP + r"{0,15}?" + _FIGURE + r"(?:件|个|宗)"
)
_REVIEW = re.compile(r"行政复议(?:(?!诉讼)" + _GAP + r"){0,15}?" + _FIGURE + r"(?:件|起|宗)")
_LITIGATION = re.compile(r"行政诉讼(?:(?!复议)" + _GAP + r"){0,15}?" + _FIGURE + r"(?:件|起|宗)")


def stated_figures(text: str) -> dict[str, int]:
    """Figures the prose states, keyed by the table scope they describe.

    >>> stated_figures("2024年共收到依申请公开事项 545 件。收到行政复议案件 24 件、行政诉讼案件 4 件。")
    {'applications.new.total': 545, 'reviews.review.total': 24, 'reviews.litigation.total': 4}
    """
    flat = re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))
    found: dict[str, int] = {}
    for match in _APPLICATIONS_NEW.finditer(flat):
        if not re.search(r"复议|诉讼|结转", match.group(0)):
            found["applications.new.total"] = int(match.group(1))
            break
    for scope, pattern in (("reviews.review.total", _REVIEW), ("reviews.litigation.total", _LITIGATION)):
        match = pattern.search(flat)
        if match:
            found[scope] = int(match.group(1))
    return found


def text_checks(tables: Tables, text: str) -> list[Check]:
    """text_vs_table for each figure the text states (none stated -> no check)."""
    applications = tables.get("applications", {})
    reviews = tables.get("reviews", {})
    litigation = [_cell(reviews, row, "total") for row in ("litigation_direct", "litigation_after_review")]
    in_table: dict[str, CellValue] = {
        "applications.new.total": _cell(applications, "new", "total"),
        "reviews.review.total": _cell(reviews, "review", "total"),
        "reviews.litigation.total": (
            None if all(v is None for v in litigation) else sum(v for v in litigation if v is not None)
        ),
    }
    checks = []
    for scope, stated in stated_figures(text).items():
        table_value = in_table[scope]
        if table_value is None:
            checks.append(Check("text_vs_table", scope, "skipped"))
        elif _equal(stated, table_value):
            checks.append(Check("text_vs_table", scope, "pass"))
        else:
            checks.append(Check("text_vs_table", scope, "fail", expected=stated, found=table_value))
    return checks


def run_checks(tables: Tables, format_version: str, text: str = "") -> list[Check]:
    """Every rule that applies to one report; tables that are absent give no checks.

    >>> tables = {"reviews": {"review": {"upheld": 1, "corrected": None, "other": 0, "pending": 1, "total": 2}}}
    >>> [c.status for c in run_checks(tables, "2021")]
    ['pass']
    """
    checks: list[Check] = []
    if tables.get("applications"):
        checks += application_checks(tables["applications"], format_version)
    if tables.get("reviews"):
        checks += review_checks(tables["reviews"])
    if text and (tables.get("applications") or tables.get("reviews")):
        checks += text_checks(tables, text)
    return checks


def carry_chain(this: Tables, previous: Tables) -> list[Check]:
    """This year's carried_over = last year's carried_forward, per column.

    Skipped per column when either year's row is absent or entirely blank;
    within a printed row a blank counts as 0.
    """
    now = this.get("applications", {}).get("carried_over")
    before = previous.get("applications", {}).get("carried_forward")
    checks = []
    for column in APPLICATION_COLUMNS:
        if not now or not before or all(v is None for v in now.values()) or all(v is None for v in before.values()):
            checks.append(Check("carry_chain", column, "skipped"))
            continue
        expected, found = before.get(column) or 0, now.get(column) or 0
        if _equal(expected, found):
            checks.append(Check("carry_chain", column, "pass"))
        else:
            checks.append(Check("carry_chain", column, "fail", expected=expected, found=found))
    return checks
