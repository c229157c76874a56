"""The hand transcriptions of the five real report flattenings' tables.

``shared/examples/report-text`` holds five real annual reports flattened to
plain text (000 … 004, the files' three-digit prefixes). Their tables were
transcribed here by hand from the files, cell by cell. Where a flattening
dropped blank cells (003) and the rules do not pin down where the remaining
numbers sat, the expected cell is None; the comments at 003 say which.

This is the one copy of them: ``tests/test_parse_text_tables.py`` asserts the
text parser reads exactly these, and ``bench/parsing.py`` scores against them.
"""

from __future__ import annotations

from harvester.parse.schema import APPLICATION_COLUMNS, REVIEW_CELL_ORDER, REVIEW_ROWS, Table, Tables

#: A row of seven null cells (blank in the report, or undecidable where cells were lost).
N = [None] * 7


def apps(rows: dict[str, list]) -> Table:
    return {key: dict(zip(APPLICATION_COLUMNS, values, strict=True)) for key, values in rows.items()}


def reviews(values: list) -> Table:
    assert len(values) == 15
    table: Table = {row: {} for row in REVIEW_ROWS}
    for (row, col), value in zip(REVIEW_CELL_ORDER, values):
        table[row][col] = value
    return table


def active_2021(reg: list, norm: list, licensing, penalty, coercion, fees) -> Table:
    return {
        "regulations": dict(zip(("issued", "repealed", "in_force"), reg, strict=True)),
        "normative_documents": dict(zip(("issued", "repealed", "in_force"), norm, strict=True)),
        "licensing": {"decisions": licensing},
        "penalty": {"decisions": penalty},
        "coercion": {"decisions": coercion},
        "fees": {"amount_10k_yuan": fees},
    }


EXPECTED_TABLES: dict[str, Tables] = {
    "000": {
        "active": active_2021([0, 0, 0], [1, 0, 10], 9713, 370, 0, 10866),
        "applications": apps({
            "new": [22, 0, 0, 0, 0, 0, 22],
            "carried_over": [0, 0, 0, 0, 0, 0, 0],
            "granted": [21, 0, 0, 0, 0, 0, 21],
            "partly_granted": [0, 0, 0, 0, 0, 0, 0],
            "denied_state_secret": [0, 0, 0, 0, 0, 0, 0],
            "denied_prohibited": [0, 0, 0, 0, 0, 0, 0],
            "denied_security": [0, 0, 0, 0, 0, 0, 0],
            "denied_third_party": [1, 0, 0, 0, 0, 0, 1],
            "denied_internal": [0, 0, 0, 0, 0, 0, 0],
            "denied_process": [0, 0, 0, 0, 0, 0, 0],
            "denied_enforcement": [0, 0, 0, 0, 0, 0, 0],
            "denied_inquiry": [0, 0, 0, 0, 0, 0, 0],
            "unable_not_held": [0, 0, 0, 0, 0, 0, 0],
            "unable_needs_creation": [0, 0, 0, 0, 0, 0, 0],
            "unable_unclear": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_petition": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_repeat": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_publication": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_mass": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_confirm": [0, 0, 0, 0, 0, 0, 0],
            "other_no_correction": [0, 0, 0, 0, 0, 0, 0],
            "other_unpaid_fee": [0, 0, 0, 0, 0, 0, 0],
            "other_other": [0, 0, 0, 0, 0, 0, 0],
            "total": [22, 0, 0, 0, 0, 0, 22],
            "carried_forward": [0, 0, 0, 0, 0, 0, 0],
        }),
        "reviews": reviews([0] * 15),
    },
    # Blank cells are printed as '|' lines, so positions hold: 6 sits under 自然人, 总计 is blank.
    "001": {
        "active": active_2021([0, 0, 0], [0, 0, 0], 1491, 0, 0, 0),
        "applications": apps({
            "new": [6, None, None, None, None, None, None],
            "carried_over": N,
            "granted": N,
            "partly_granted": N,
            "denied_state_secret": N,
            "denied_prohibited": N,
            "denied_security": N,
            "denied_third_party": N,
            "denied_internal": N,
            "denied_process": N,
            "denied_enforcement": N,
            "denied_inquiry": N,
            "unable_not_held": N,
            "unable_needs_creation": N,
            "unable_unclear": N,
            "unprocessed_petition": N,
            "unprocessed_repeat": N,
            "unprocessed_publication": N,
            "unprocessed_mass": N,
            "unprocessed_confirm": N,
            "other_no_correction": N,
            "other_unpaid_fee": N,
            "other_other": N,
            "total": [6, None, None, None, None, None, None],
            "carried_forward": N,
        }),
        "reviews": reviews([0] * 15),
    },
    "002": {
        "active": active_2021([0, 0, 0], [0, 0, 0], 1990, 186, 0, 0),
        "applications": apps({
            "new": [3, 0, 0, 0, 0, 0, 3],
            "carried_over": [0, 0, 0, 0, 0, 0, 0],
            "granted": [0, 0, 0, 0, 0, 0, 0],
            "partly_granted": [1, 0, 0, 0, 0, 0, 1],
            "denied_state_secret": [0, 0, 0, 0, 0, 0, 0],
            "denied_prohibited": [0, 0, 0, 0, 0, 0, 0],
            "denied_security": [0, 0, 0, 0, 0, 0, 0],
            "denied_third_party": [0, 0, 0, 0, 0, 0, 0],
            "denied_internal": [0, 0, 0, 0, 0, 0, 0],
            "denied_process": [0, 0, 0, 0, 0, 0, 0],
            "denied_enforcement": [0, 0, 0, 0, 0, 0, 0],
            "denied_inquiry": [0, 0, 0, 0, 0, 0, 0],
            "unable_not_held": [0, 0, 0, 0, 0, 0, 0],
            "unable_needs_creation": [0, 0, 0, 0, 0, 0, 0],
            "unable_unclear": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_petition": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_repeat": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_publication": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_mass": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_confirm": [0, 0, 0, 0, 0, 0, 0],
            "other_no_correction": [0, 0, 0, 0, 0, 0, 0],
            "other_unpaid_fee": [0, 0, 0, 0, 0, 0, 0],
            "other_other": [1, 0, 0, 0, 0, 0, 1],
            "total": [2, 0, 0, 0, 0, 0, 2],
            "carried_forward": [1, 0, 0, 0, 0, 0, 1],
        }),
        "reviews": reviews([0] * 15),
    },
    # Blank cells vanished: only full rows, and what the rules force, survive.
    # denied_internal (1 0 0 0 0 1) and total (18 0 0 0 0 18) lost one cell each.
    # Balance in the 自然人 column (18 + 0 = total + 0) puts 18 under 自然人, and
    # outcomes_sum there (3 + 14 + x = 18) puts the 1 under 自然人; which of the
    # zeros is the blank one is undecidable, so those cells are null. Rows of
    # zeros with cells missing, and the 13 review zeros, fit anywhere: null.
    "003": {
        "active": active_2021([0, 0, 0], [0, 0, 0], 0, 0, 0, 0),
        "applications": apps({
            "new": [18, 0, 0, 0, 0, 0, 18],
            "carried_over": [0, 0, 0, 0, 0, 0, 0],
            "granted": [3, 0, 0, 0, 0, 0, 3],
            "partly_granted": [0, 0, 0, 0, 0, 0, 0],
            "denied_state_secret": N,  # 5 zeros
            "denied_prohibited": N,  # 6 zeros
            "denied_security": N,  # 4 zeros
            "denied_third_party": N,  # 3 zeros
            "denied_internal": [1, None, None, None, None, None, 1],
            "denied_process": N,
            "denied_enforcement": N,
            "denied_inquiry": N,
            "unable_not_held": [14, 0, 0, 0, 0, 0, 14],
            "unable_needs_creation": N,
            "unable_unclear": N,
            "unprocessed_petition": N,
            "unprocessed_repeat": N,
            "unprocessed_publication": N,
            "unprocessed_mass": N,
            "unprocessed_confirm": N,
            "other_no_correction": N,
            "other_unpaid_fee": N,
            "other_other": N,
            "total": [18, None, None, None, None, None, 18],
            "carried_forward": N,
        }),
        "reviews": reviews([None] * 15),
    },
    "004": {
        "active": active_2021([0, 0, 0], [9, 7, 12], 12126, 466, 0, 79.6954),
        "applications": apps({
            "new": [545, 0, 0, 0, 0, 0, 545],
            "carried_over": [23, 0, 0, 0, 0, 0, 23],
            "granted": [80, 0, 0, 0, 0, 0, 80],
            "partly_granted": [0, 0, 0, 0, 0, 0, 0],
            "denied_state_secret": [0, 0, 0, 0, 0, 0, 0],
            "denied_prohibited": [0, 0, 0, 0, 0, 0, 0],
            "denied_security": [0, 0, 0, 0, 0, 0, 0],
            "denied_third_party": [94, 0, 0, 0, 0, 0, 94],
            "denied_internal": [8, 0, 0, 0, 0, 0, 8],
            "denied_process": [9, 0, 0, 0, 0, 0, 9],
            "denied_enforcement": [16, 0, 0, 0, 0, 0, 16],
            "denied_inquiry": [0, 0, 0, 0, 0, 0, 0],
            "unable_not_held": [112, 0, 0, 0, 0, 0, 112],
            "unable_needs_creation": [73, 0, 0, 0, 0, 0, 73],
            "unable_unclear": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_petition": [1, 0, 0, 0, 0, 0, 1],
            "unprocessed_repeat": [5, 0, 0, 0, 0, 0, 5],
            "unprocessed_publication": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_mass": [0, 0, 0, 0, 0, 0, 0],
            "unprocessed_confirm": [0, 0, 0, 0, 0, 0, 0],
            "other_no_correction": [154, 0, 0, 0, 0, 0, 154],
            "other_unpaid_fee": [0, 0, 0, 0, 0, 0, 0],
            "other_other": [5, 0, 0, 0, 0, 0, 5],
            "total": [557, 0, 0, 0, 0, 0, 557],
            "carried_forward": [11, 0, 0, 0, 0, 0, 11],
        }),
        "reviews": reviews([8, 4, 12, 0, 24, 0, 0, 0, 0, 0, 2, 0, 1, 1, 4]),
    },
}
