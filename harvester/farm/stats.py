"""Deterministic statistics for the farm's invented reports.

Numbers come from a seeded ``random.Random`` so the farm serves the same bytes
on every build, and they are generated to satisfy the spec's consistency rules
(balance, outcomes_sum, row_sum, reviews_sum, carry_chain) so that any failed
check in a crawl points at the harvester, never at the farm.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from harvester.parse.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    APPLICATION_COLUMNS,
    APPLICATION_ROWS_2019,
    APPLICATION_ROWS_2021,
    OUTCOME_ROWS_2019,
    OUTCOME_ROWS_2021,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    Tables,
)

APPLICANTS = APPLICATION_COLUMNS[:6]
_APPLICANT_WEIGHTS = (0.82, 0.1, 0.015, 0.02, 0.03, 0.015)
_OUTCOME_WEIGHTS = {
    "granted": 50, "partly_granted": 8,
    "denied_state_secret": 0.5, "denied_prohibited": 1, "denied_security": 0.5,
    "denied_third_party": 2, "denied_internal": 1.5, "denied_process": 2,
    "denied_enforcement": 1, "denied_inquiry": 1.5,
    "unable_not_held": 16, "unable_needs_creation": 3, "unable_unclear": 2,
    "unprocessed_petition": 3, "unprocessed_repeat": 2, "unprocessed_publication": 1,
    "unprocessed_mass": 0.5, "unprocessed_confirm": 1,
    "other_no_correction": 1.5, "other_unpaid_fee": 0.5, "other_other": 2, "other": 4,
}

#: Where a report leaves zero cells blank (or marks them), as real tables do.
BLANK_POLICIES = {
    "none": (),
    "active_regulations": (("active", "regulations"),),
    "minor_applicants": tuple(
        ("applications_col", col) for col in ("research", "public_welfare", "legal_services", "other_org")
    ),
    "reviews_litigation": (("reviews", "litigation_after_review"),),
}


def format_of(year: int) -> str:
    """The format version a report on ``year`` is written in."""
    if year >= 2021:
        return "2021"
    if year >= 2019:
        return "2019"
    return "pre2019"


@dataclass
class ReportNumbers:
    """True values of one report, and which zero cells the page leaves blank."""

    fmt: str
    values: Tables
    blank: set[tuple[str, str, str]] = field(default_factory=set)

    def cell(self, table: str, row: str, col: str) -> int | float | None:
        return self.values[table][row][col]

    def truth(self) -> Tables:
        """Tables as a correct parser must read them: blank cells are null."""
        return {
            table: {
                row: {col: (None if (table, row, col) in self.blank else value) for col, value in cols.items()}
                for row, cols in rows.items()
            }
            for table, rows in self.values.items()
        }


def _spread(rng: random.Random, total: int, keys: tuple[str, ...], weights: list[float]) -> dict[str, int]:
    counts = dict.fromkeys(keys, 0)
    for key in rng.choices(keys, weights=weights, k=total):
        counts[key] += 1
    return counts


def _applications(rng: random.Random, fmt: str, scale: int, carried_over: dict[str, int] | None) -> dict:
    rows = APPLICATION_ROWS_2021 if fmt == "2021" else APPLICATION_ROWS_2019
    outcomes = OUTCOME_ROWS_2021 if fmt == "2021" else OUTCOME_ROWS_2019
    new = _spread(rng, rng.randint(scale // 3, scale), APPLICANTS, list(_APPLICANT_WEIGHTS))
    if carried_over is None:
        carried_over = {c: (rng.choice((0, 0, 1, 2, 3)) if c == "natural_person" else 0) for c in APPLICANTS}
    table: dict[str, dict[str, int]] = {row: {} for row in rows}
    for col in APPLICANTS:
        available = new[col] + carried_over[col]
        forward = min(available, rng.choice((0, 0, 0, 1, 2, 4))) if col in ("natural_person", "commercial") else 0
        done = available - forward
        spread = _spread(rng, done, outcomes, [_OUTCOME_WEIGHTS[o] for o in outcomes])
        table["new"][col] = new[col]
        table["carried_over"][col] = carried_over[col]
        for outcome in outcomes:
            table[outcome][col] = spread[outcome]
        table["total"][col] = done
        table["carried_forward"][col] = forward
    for row in rows:
        table[row]["total"] = sum(table[row][c] for c in APPLICANTS)
    return {row: {col: table[row][col] for col in APPLICATION_COLUMNS} for row in rows}


def _reviews(rng: random.Random, busy: bool) -> dict:
    table = {}
    for row in REVIEW_ROWS:
        top = (3, 1, 1, 1) if busy and row == "review" else (1, 1, 0, 1) if busy else (0, 0, 0, 0)
        cells = {col: rng.randint(0, hi) for col, hi in zip(REVIEW_COLUMNS[:4], top)}
        cells["total"] = sum(cells.values())
        table[row] = cells
    return table


def _amount(rng: random.Random, low: float, high: float) -> float:
    """A money figure with non-zero decimals, so it never prints as an integer."""
    value = round(rng.uniform(low, high), 4)
    return value if value % 1 >= 0.001 else round(value + 0.0137, 4)


def _active_2021(rng: random.Random, kind: str) -> dict:
    big = kind in ("gov", "prefecture")
    return {
        "regulations": {"issued": rng.randint(1, 3), "repealed": rng.randint(0, 1), "in_force": rng.randint(8, 30)}
        if kind == "prefecture"
        else {"issued": 0, "repealed": 0, "in_force": 0},
        "normative_documents": {
            "issued": rng.randint(1, 12) if big else rng.randint(0, 3),
            "repealed": rng.randint(0, 4),
            "in_force": rng.randint(20, 90) if big else rng.randint(2, 15),
        },
        "licensing": {"decisions": rng.randint(800, 9000) if big else rng.randint(0, 600)},
        "penalty": {"decisions": rng.randint(60, 1500) if big else rng.randint(0, 120)},
        "coercion": {"decisions": rng.randint(0, 60) if big else rng.randint(0, 5)},
        "fees": {"amount_10k_yuan": _amount(rng, 20, 900) if big else _amount(rng, 0.5, 60)},
    }


def _active_2019(rng: random.Random, kind: str) -> dict:
    big = kind in ("gov", "prefecture")

    def items(lo: int, hi: int, decisions: bool = True) -> dict:
        row = {"items_last_year": rng.randint(lo, hi), "change": rng.randint(-5, 6)}
        if decisions:
            row["decisions"] = rng.randint(lo * 3, hi * 20)
        return row

    produced = rng.randint(1, 10) if big else rng.randint(0, 3)
    return {
        "regulations": {"produced": 0, "published": 0, "published_total": 0},
        "normative_documents": {"produced": produced, "published": produced, "published_total": rng.randint(15, 80)},
        "licensing": items(60, 400) if big else items(2, 40),
        "other_services": items(20, 150) if big else items(0, 20),
        "penalty": items(100, 900) if big else items(5, 80),
        "coercion": items(5, 40) if big else items(0, 6),
        "fees": items(5, 30, decisions=False),
        "procurement": {"items": rng.randint(10, 120), "amount": _amount(rng, 100, 9000)},
    }


def _blank_cells(values: Tables, policy: str) -> set[tuple[str, str, str]]:
    blank = set()
    for target, name in BLANK_POLICIES[policy]:
        if target == "applications_col":
            for row, cols in values["applications"].items():
                if cols[name] == 0:
                    blank.add(("applications", row, name))
        else:
            for col, value in values[target][name].items():
                if value == 0 and col != "total":
                    blank.add((target, name, col))
    return blank


def make_series(seed: str, years: list[int], kind: str, scale: int, blank_policy: str = "none") -> dict[int, ReportNumbers]:
    """Numbers for one publisher's reports, chained so carry_chain holds year to year."""
    rng = random.Random(seed)
    series: dict[int, ReportNumbers] = {}
    carried: dict[str, int] | None = None
    for year in sorted(years):
        fmt = format_of(year)
        if fmt == "pre2019":
            series[year] = ReportNumbers(fmt, {})
            carried = None
            continue
        if year - 1 not in series:
            carried = None
        applications = _applications(rng, fmt, scale, carried)
        carried = {c: applications["carried_forward"][c] for c in APPLICANTS}
        values: Tables = {
            "active": _active_2021(rng, kind) if fmt == "2021" else _active_2019(rng, kind),
            "applications": applications,
            "reviews": _reviews(rng, busy=scale >= 20),
        }
        series[year] = ReportNumbers(fmt, values, _blank_cells(values, blank_policy))
    return series


def active_layout(fmt: str) -> dict[str, tuple[str, ...]]:
    """Rows and columns of the 第二十条 table in this format."""
    return ACTIVE_2021 if fmt == "2021" else ACTIVE_2019
