"""The three statistics tables of an annual report, read from its plain text.

Text tools flatten the same table in different ways: one cell a line; rows
separated by ``|`` or tabs that keep empty cells (plus empty ones from
colspans); rows separated by whitespace that drop blank cells; with page chrome
around. This module turns any of them into a stream of cells, cuts the stream
into rows at their labels (``schema.match_application_row`` and friends) and
maps each row's cells onto the canonical columns.

Where the separators kept every cell, cells are taken where they stand. Where
blank cells vanished, a row holds fewer numbers than columns: every in-order
placement of its numbers is tried, the 勾稽关系 of the spec (row_sum, balance
and outcomes_sum per column, reviews_sum) discard the placements they
contradict, and a cell keeps a number only when *every* surviving placement
puts that same number there. Everything else is null and noted. This rests on
one premise, the one the layouts give: what vanished was blank (or a zero),
never another number. A blank counts as 0 in the rules, since a printed table
whose blanks are not zeros cannot satisfy them.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from harvester.parse.numbers import classify_cell
from harvester.parse.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    ACTIVE_ROW_LABELS,
    APPLICATION_COLUMNS,
    APPLICATION_ROWS_2021,
    OUTCOME_ROWS_2019,
    OUTCOME_ROWS_2021,
    REVIEW_CELL_ORDER,
    REVIEW_COLUMNS,
    REVIEW_ROWS,
    CellValue,
    ParsedTables,
    Table,
    derived_key,
    match_active_row,
    match_application_row,
    normalise_label,
)

Kind = Literal["text", "number", "null", "empty"]
Placement = tuple[CellValue, ...]

#: Beyond this many partial-sum states the search gives up (cells stay null).
STATE_LIMIT = 20_000

_OTHER_2021 = ("other_no_correction", "other_unpaid_fee", "other_other")
#: Every application row in printed order, both formats merged.
_APPLICATION_ORDER: tuple[str, ...] = (
    APPLICATION_ROWS_2021[:20] + ("other",) + _OTHER_2021 + ("total", "carried_forward")
)
_CHROME = re.compile(
    r"^(-\s*\d+\s*-|第\s*\d+\s*页(\s*[,/]?\s*共\s*\d+\s*页)?|共\s*\d+\s*页\s*第\s*\d+\s*页|\d+\s*/\s*\d+)$"
)
_MARKDOWN_HEADING = re.compile(r"^\s*#+\s*")
_UNIT_TOKENS = frozenset({"件", "个", "项", "次", "条", "份", "宗", "人", "人次", "万元", "元"})
_MAX_LABEL_CELLS = 6
_LABEL_START = re.compile(r"^[\d(（一二三四五六七八九十]")


@dataclass(frozen=True)
class Cell:
    """One cell of the flattened text; ``explicit`` when its line kept empty cells."""

    text: str
    kind: Kind
    value: CellValue
    explicit: bool


@dataclass
class _Segment:
    """A run of label cells and the run of value cells that follows it."""

    labels: list[str] = field(default_factory=list)
    values: list[Cell] = field(default_factory=list)


# --- cells -----------------------------------------------------------------------


def _cell(text: str, explicit: bool) -> Cell:
    text = text.strip()
    if not text:
        return Cell("", "empty", None, explicit)
    kind, value = classify_cell(text)
    return Cell(text, kind, value, explicit)


def _whitespace_tokens(tokens: list[str]) -> list[str]:
    """Undo what splitting on spaces did to labels and units.

    '1 属于国家秘密' is a label, not a 1 and a label; '1990 件' is one number.
    """
    if (
        len(tokens) >= 2
        and re.fullmatch(r"\d", tokens[0])
        and classify_cell(tokens[1])[0] == "text"
        and not _LABEL_START.match(tokens[1])
    ):
        tokens = [tokens[0] + tokens[1]] + tokens[2:]
    kept: list[str] = []
    for token in tokens:
        if token in _UNIT_TOKENS and kept and classify_cell(kept[-1])[0] == "number":
            continue
        kept.append(token)
    return kept


def line_cells(line: str) -> list[Cell]:
    """Split one line of text into cells, by tabs, pipes or whitespace.

    Tabs and pipes keep empty cells (positions mean something); whitespace does
    not. A line that ends in '|' ends a cell ('6 |' is one cell, '|' one empty
    cell), as in exports that print one cell a line.
    """
    line = unicodedata.normalize("NFKC", line).rstrip("\r\n")
    line = _MARKDOWN_HEADING.sub("", line)
    stripped = line.strip()
    if not stripped or _CHROME.match(stripped):
        return []
    if "\t" in line:
        return [_cell(part, True) for part in line.split("\t")]
    if "|" in stripped:
        parts = stripped.split("|")
        if stripped.endswith("|"):
            parts = parts[:-1]
        return [_cell(part, True) for part in parts]
    return [_cell(token, False) for token in _whitespace_tokens(stripped.split())]


def _first_text(cells: Sequence[Cell]) -> str:
    for cell in cells:
        if cell.kind != "empty":
            return normalise_label(cell.text)
    return ""


def _segments(cells: Iterable[Cell]) -> list[_Segment]:
    segments: list[_Segment] = []
    for cell in cells:
        if cell.kind == "text":
            if not segments or segments[-1].values:
                segments.append(_Segment())
            segments[-1].labels.append(cell.text)
        else:
            if not segments:
                segments.append(_Segment())
            segments[-1].values.append(cell)
    return segments


def _row_keys(labels: Sequence[str], match: Callable[[str], str | None]) -> list[tuple[str, str]]:
    """Row keys named in a label run, in order, as (key, label).

    The last key owns the values that follow; earlier ones are rows whose cells
    all vanished. A row label is the shortest run of cells (at most
    ``_MAX_LABEL_CELLS``) that matches, the one starting last first, so group
    labels (三、本年度办理结果) and labels broken over lines both end up inside
    it. The owner's run must end the label run; an earlier row's may be followed
    by unmatched fragments, the start of the next row's broken label
    ('四、' + '结转下年度继续办理').
    """
    found: list[tuple[str, str]] = []
    end = len(labels)
    while end > 0:
        hit = None
        for start in range(end - 1, -1, -1):
            stops = range(start + 1, min(end, start + _MAX_LABEL_CELLS) + 1) if found else (end,)
            for stop in stops:
                if stop - start <= _MAX_LABEL_CELLS and (key := match("".join(labels[start:stop]))):
                    hit = (start, stop, key)
                    break
            if hit:
                break
        if hit is None:
            break
        start, stop, key = hit
        label = "".join(labels[start:stop])
        if found and found[-1][0] == key:  # both halves of a broken label match
            found[-1] = (key, label + found[-1][1])
        else:
            found.append((key, label))
        end = start
    found.reverse()
    return found


# --- placements ------------------------------------------------------------------


def _combinations(tokens: Sequence[CellValue], width: int) -> list[Placement]:
    placements = []
    for slots in itertools.combinations(range(width), len(tokens)):
        row: list[CellValue] = [None] * width
        for slot, value in zip(slots, tokens):
            row[slot] = value
        placements.append(tuple(row))
    return placements


def _unique(placements: Iterable[Placement]) -> list[Placement]:
    return list(dict.fromkeys(placements))


def candidate_placements(values: Sequence[Cell], width: int) -> list[Placement]:
    """Every way the value cells of a row can sit in its ``width`` columns.

    Cells from tab/pipe lines stand where they are, give or take empty cells
    left of them (a label's colspan) and right of them (the next row's rowspan);
    several offsets can fit. A row with fewer cells than that, or one from
    whitespace-separated text, lost cells: its cells may sit in any columns, in
    order. More numbers than columns fit nowhere: no placement.
    """
    if any(cell.explicit for cell in values):
        filled = [i for i, cell in enumerate(values) if cell.kind != "empty"]
        if not filled:
            return [(None,) * width]
        lead, last = filled[0], filled[-1]
        offsets = [o for o in range(lead + 1) if last < o + width <= len(values)]
        if offsets:
            return _unique(tuple(c.value for c in values[o : o + width]) for o in offsets)
        core = [cell.value for cell in values[lead : last + 1]]
    else:
        core = [cell.value for cell in values]
    if len(core) > width:
        return []
    return _unique(_combinations(core, width))


def _num(value: CellValue) -> int | float:
    return 0 if value is None else value


def consensus(placements: Sequence[Placement]) -> Placement:
    """Per cell, the value every placement agrees on, else None."""
    width = len(placements[0])
    agreed: list[CellValue] = []
    for i in range(width):
        values = {p[i] for p in placements}
        agreed.append(values.pop() if len(values) == 1 else None)
    return tuple(agreed)


Equation = dict[str, list[tuple[int, int]]]  # row -> [(column index, coefficient)]


def _add(a: tuple, b: tuple) -> tuple:
    return tuple(x + y for x, y in zip(a, b))


def _vector(row: str, placement: Placement, equations: Sequence[Equation]) -> tuple:
    return tuple(
        sum(coef * _num(placement[col]) for col, coef in eq.get(row, ())) for eq in equations
    )


@dataclass
class Resolution:
    """What the rules made of a table's rows: surviving placements and why."""

    placements: dict[str, list[Placement]]
    problem: str | None = None


def resolve(
    candidates: dict[str, list[Placement]],
    row_ok: Callable[[Placement], bool],
    equations: Sequence[Equation] = (),
) -> Resolution:
    """Keep, per row, the placements that some rule-consistent whole table uses.

    ``row_ok`` is the rule within a row, ``equations`` the rules across rows
    (each a signed sum that must be 0). A row with a single placement is as
    printed and is not second-guessed. If the printed rows already break a rule,
    or no placement at all fits, the rules are not trusted and every placement
    is kept (so only what all of them agree on survives).
    """
    rows = {k: v for k, v in candidates.items() if v}
    fixed = {k: v[0] for k, v in rows.items() if len(v) == 1}
    open_rows = [k for k, v in rows.items() if len(v) > 1]
    if not open_rows:
        return Resolution(dict(candidates))
    untrusted = Resolution(dict(candidates))
    if not all(row_ok(p) for p in fixed.values()):
        untrusted.problem = "printed rows break the row rule"
        return untrusted
    for eq in equations:
        if all(k in fixed for k in eq) and sum(_vector(k, fixed[k], [eq])[0] for k in eq) != 0:
            untrusted.problem = "printed rows break a column rule"
            return untrusted
    kept = {k: [p for p in rows[k] if row_ok(p)] for k in open_rows}
    if not all(kept.values()):
        bad = ", ".join(k for k in open_rows if not kept[k])
        untrusted.problem = f"no placement of {bad} fits the rules"
        return untrusted
    live = [eq for eq in equations if all(k in rows for k in eq) and any(k in kept for k in eq)]
    result = dict(candidates)
    if not live:
        result.update(kept)
        return Resolution(result)
    open_rows.sort(key=lambda k: -sum(k in eq for eq in live))
    layers = _search(open_rows, kept, fixed, live)
    if isinstance(layers, str):
        untrusted.problem = layers
        return untrusted
    for i, k in enumerate(open_rows):
        result[k] = [
            p for p in kept[k] if any(_add(s, _vector(k, p, live)) in layers[i + 1] for s in layers[i])
        ]
    return Resolution(result)


def _search(
    rows: Sequence[str],
    kept: dict[str, list[Placement]],
    fixed: dict[str, Placement],
    equations: Sequence[Equation],
) -> list[set[tuple]] | str:
    """Partial sums of the equations, row by row, that can still end at all zeros.

    Layer i holds the sums after the first i rows. A sum is dropped as soon as
    what the remaining rows can add (at least / at most, per equation) cannot
    bring it back to 0, which keeps the layers small; a sum kept in a layer is
    one some complete consistent table passes through. Returns a reason when
    the search is too large or nothing fits.
    """
    width = len(equations)
    zero = (0,) * width
    base = zero
    for k, p in fixed.items():
        base = _add(base, _vector(k, p, equations))
    options = [{_vector(k, p, equations) for p in kept[k]} for k in rows]
    low = [zero] * (len(rows) + 1)
    high = [zero] * (len(rows) + 1)
    for i in range(len(rows) - 1, -1, -1):
        low[i] = _add(low[i + 1], tuple(min(v[e] for v in options[i]) for e in range(width)))
        high[i] = _add(high[i + 1], tuple(max(v[e] for v in options[i]) for e in range(width)))

    def can_close(state: tuple, i: int) -> bool:
        return all(s + lo <= 0 <= s + hi for s, lo, hi in zip(state, low[i], high[i]))

    layers = [{base} if can_close(base, 0) else set()]
    for i, opts in enumerate(options):
        layer = {n for s in layers[-1] for v in opts if can_close(n := _add(s, v), i + 1)}
        if len(layer) > STATE_LIMIT:
            return "too many placements to search"
        layers.append(layer)
    if zero not in layers[-1]:
        return "no placement of the rows fits the rules"
    layers[-1] = {zero}
    for i in range(len(rows) - 1, -1, -1):
        layers[i] = {s for s in layers[i] if any(_add(s, v) in layers[i + 1] for v in options[i])}
    return layers


# --- regions ---------------------------------------------------------------------


def _find(lines: Sequence[list[Cell]], start: int, test: Callable[[list[Cell]], bool]) -> int | None:
    for i in range(start, len(lines)):
        if lines[i] and test(lines[i]):
            return i
    return None


def _regions(lines: Sequence[list[Cell]]) -> dict[str, tuple[int, int]]:
    """Line ranges of the three tables, found by their headers."""
    active = _find(lines, 0, lambda c: _first_text(c).startswith("第二十条") and len(_first_text(c)) <= 20)
    apps = _find(
        lines,
        active or 0,
        lambda c: any(
            "勾稽关系" in (t := normalise_label(x.text)) or "申请人情况" in t or t == "自然人" for x in c
        ),
    )
    reviews = _find(lines, apps if apps is not None else (active or 0), lambda c: _first_text(c) == "行政复议")

    def end_of(start: int, pattern: str, *limits: int | None) -> int:
        stop = _find(lines, start + 1, lambda c: re.match(pattern, _first_text(c)) is not None)
        return min(x for x in (stop, *limits, len(lines)) if x is not None and x > start)

    regions: dict[str, tuple[int, int]] = {}
    if active is not None:
        regions["active"] = (active, end_of(active, r"^[三四五六]、", apps, reviews))
    if apps is not None:
        regions["applications"] = (apps, end_of(apps, r"^(四、政府信息公开|[五六]、)", reviews))
    if reviews is not None:
        regions["reviews"] = (reviews, end_of(reviews, r"^[五六]、"))
    return regions


def _cells(lines: Sequence[list[Cell]], span: tuple[int, int]) -> list[Cell]:
    return [cell for line in lines[span[0] : span[1]] for cell in line]


def _format_from_active(cells: Sequence[Cell]) -> str | None:
    text = "".join(normalise_label(c.text) for c in cells if c.kind == "text")
    if "制发" in text or "现行有效" in text:
        return "2021"
    if "新制作" in text or "对外公开总数" in text or "集中采购" in text:
        return "2019"
    return None


def _describe(values: Sequence[Cell]) -> str:
    return " ".join(c.text or "∅" for c in values)


# --- tables ----------------------------------------------------------------------


def _active_rows(labels: Sequence[str], values: list[Cell]) -> list[tuple[str | None, str, list[Cell]]]:
    """(key or None for an unknown row, label, value cells) of the rows a segment names.

    Rows before the last were printed without any cell. An unknown last label
    (a provincial extra row) is its own row, not the tail of a known label.
    """
    named: list[tuple[str | None, str]] = list(_row_keys(labels, match_active_row))
    last = labels[-1] if labels else ""
    filled = any(c.kind != "empty" for c in values)
    if named and match_active_row(last) is None:
        key, label = named[-1]
        head = label[: -len(last)]
        if key and normalise_label(head).endswith(normalise_label(ACTIVE_ROW_LABELS[key])):
            named[-1] = (key, head)
            named.append((None, last))
    elif not named and last:
        named = [(None, last)]
    rows = [(key, label, []) for key, label in named[:-1] if key]
    if named and (named[-1][0] or filled):
        rows.append((named[-1][0], named[-1][1], values))
    return rows


def _active_table(cells: Sequence[Cell], fmt: str) -> tuple[Table, list[str]]:
    layout = ACTIVE_2021 if fmt == "2021" else ACTIVE_2019
    table: Table = {}
    notes: list[str] = []
    columns: tuple[str, ...] = next(iter(layout.values()))
    for segment in _segments(cells):
        for key, label, values in _active_rows(segment.labels, segment.values):
            if key in layout:
                columns = layout[key]
            else:
                key = derived_key(label)  # kept under the columns of the item it sits in
            if key in table:
                notes.append(f"active.{key}: printed twice, first kept")
                continue
            placements = candidate_placements(values, len(columns))
            if not placements:
                notes.append(f"active.{key}: {_describe(values)} does not fit {len(columns)} columns; left null")
                placements = [(None,) * len(columns)]
            elif len(placements) > 1:
                notes.append(f"active.{key}: cells lost ({_describe(values)}), placement ambiguous; left null")
            table[key] = dict(zip(columns, consensus(placements)))
    return table, notes


def _application_rows(cells: Sequence[Cell]) -> tuple[dict[str, list[Cell]], list[str]]:
    """Value cells of each application row, rows taken in printed order only.

    The table starts at 一、本年新收 (header cells such as 总计 before it are no
    rows) and ends with 四、结转下年度继续办理.
    """
    notes: list[str] = []
    entries: list[tuple[str | None, str, list[Cell]]] = []
    for segment in _segments(cells):
        keys = _row_keys(segment.labels, match_application_row)
        if not keys:
            entries.append((None, "".join(segment.labels), segment.values))
            continue
        for i, (key, label) in enumerate(keys):
            owns_values = i == len(keys) - 1
            if not owns_values and key == "other" and keys[i + 1][0] in _OTHER_2021:
                continue  # （六）其他处理 as the group label of the 2021 rows
            entries.append((key, label, segment.values if owns_values else []))
    keys_found = [key for key, _, _ in entries]
    if "new" in keys_found:
        first = keys_found.index("new")
    else:
        first = next(
            (i for i, (k, _, v) in enumerate(entries) if k and any(c.kind != "empty" for c in v)), len(entries)
        )
    rows: dict[str, list[Cell]] = {}
    position = -1
    for key, label, values in entries[first:]:
        if "carried_forward" in rows:
            break
        if key is None:
            if any(c.kind != "empty" for c in values):
                notes.append(f"applications: values after unrecognised label {label or '(none)'!r} ignored")
            continue
        index = _APPLICATION_ORDER.index(key)
        if index <= position:
            notes.append(f"applications.{key}: printed out of order, ignored")
            continue
        rows[key] = list(values)
        position = index
    return rows, notes


def _application_equations(rows: Iterable[str], fmt: str | None) -> list[Equation]:
    present = set(rows)
    equations: list[Equation] = []
    balance = {"new": 1, "carried_over": 1, "total": -1, "carried_forward": -1}
    outcome_rows = {"2021": OUTCOME_ROWS_2021, "2019": OUTCOME_ROWS_2019}.get(fmt or "", ())
    for col in range(len(APPLICATION_COLUMNS)):
        if set(balance) <= present:
            equations.append({k: [(col, c)] for k, c in balance.items()})
        if outcome_rows and set(outcome_rows) | {"total"} <= present:
            eq: Equation = {k: [(col, 1)] for k in outcome_rows}
            eq["total"] = [(col, -1)]
            equations.append(eq)
    return equations


def _row_sum_ok(placement: Placement) -> bool:
    return sum(_num(v) for v in placement[:6]) == _num(placement[6])


def _reviews_ok(placement: Placement) -> bool:
    return all(
        sum(_num(v) for v in placement[i : i + 4]) == _num(placement[i + 4]) for i in range(0, 15, 5)
    )


def _resolved_table(
    name: str,
    raw: dict[str, list[Cell]],
    candidates: dict[str, list[Placement]],
    resolution: Resolution,
    columns: Sequence[str],
) -> tuple[Table, list[str]]:
    notes: list[str] = []
    if resolution.problem:
        notes.append(f"{name}: rules not used to place lost cells: {resolution.problem}")
    table: Table = {}
    for key, cands in candidates.items():
        if not cands:
            notes.append(f"{name}.{key}: {_describe(raw[key])} does not fit {len(columns)} columns; left null")
            table[key] = dict.fromkeys(columns)
            continue
        kept = resolution.placements[key]
        row = consensus(kept)
        if len(cands) > 1:
            described = _describe(raw[key]) or "no values"
            if len(kept) == 1:
                notes.append(f"{name}.{key}: cells lost ({described}), placed by the rules")
            else:
                notes.append(
                    f"{name}.{key}: cells lost ({described}), {len(kept)} placements fit; "
                    "cells they disagree on left null"
                )
        table[key] = dict(zip(columns, row))
    return table, notes


def _applications_table(cells: Sequence[Cell], fmt: str | None) -> tuple[Table, list[str], str | None]:
    raw, notes = _application_rows(cells)
    if any(k in raw for k in _OTHER_2021):
        fmt = "2021"
    elif "other" in raw:
        fmt = "2019"
    width = len(APPLICATION_COLUMNS)
    candidates = {k: candidate_placements(v, width) for k, v in raw.items()}
    resolution = resolve(candidates, _row_sum_ok, _application_equations(raw, fmt))
    table, more = _resolved_table("applications", raw, candidates, resolution, APPLICATION_COLUMNS)
    return table, notes + more, fmt


def _reviews_table(cells: Sequence[Cell]) -> tuple[Table, list[str]] | None:
    values = next((s.values for s in _segments(cells) if any(c.kind != "empty" for c in s.values)), None)
    if values is None:
        return None
    candidates = {"reviews": candidate_placements(values, len(REVIEW_CELL_ORDER))}
    resolution = resolve(candidates, _reviews_ok)
    flat, notes = _resolved_table("reviews", {"reviews": values}, candidates, resolution, [
        f"{row}.{col}" for row, col in REVIEW_CELL_ORDER
    ])
    cells_by_key = flat["reviews"]
    table: Table = {row: {col: cells_by_key[f"{row}.{col}"] for col in REVIEW_COLUMNS} for row in REVIEW_ROWS}
    return table, notes


def tables_from_text(text: str, format_version_hint: str | None = None) -> ParsedTables:
    """Read the active, applications and reviews tables from a report's plain text.

    ``format_version_hint`` ('2021'/'2019') is used only where the table itself
    does not tell (2021 splits （六）其他处理 into three rows; 2019 has 本年新制作数量).
    """
    hint = format_version_hint if format_version_hint in ("2021", "2019") else None
    lines = [line_cells(line) for line in text.splitlines()]
    regions = _regions(lines)
    parsed = ParsedTables()
    app_fmt: str | None = None
    if "applications" in regions:
        active_fmt = _format_from_active(_cells(lines, regions["active"])) if "active" in regions else None
        table, notes, app_fmt = _applications_table(_cells(lines, regions["applications"]), active_fmt or hint)
        if table:
            parsed.tables["applications"] = table
        parsed.notes.extend(notes)
    if "active" in regions:
        active_cells = _cells(lines, regions["active"])
        fmt = _format_from_active(active_cells) or app_fmt or hint
        if fmt is None:
            parsed.notes.append("active: format (2021/2019) unknown, table not read")
        else:
            table, notes = _active_table(active_cells, fmt)
            if table:
                parsed.tables["active"] = table
            parsed.notes.extend(notes)
    if "reviews" in regions:
        result = _reviews_table(_cells(lines, regions["reviews"]))
        if result:
            parsed.tables["reviews"], notes = result
            parsed.notes.extend(notes)
    for name in ("active", "applications", "reviews"):
        if name not in parsed.tables:
            parsed.notes.append(f"{name}: table not found in text")
    return parsed
