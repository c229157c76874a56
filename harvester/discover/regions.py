"""Administrative divisions (行政区划) and the region a harvested report belongs to.

The divisions list (``seeds/divisions.csv``) is the yardstick for seeds and
coverage: every region code a seed or a report carries must be one of its
codes, and a place with no portal is a division no seed points at. Everything
here is pure: a :class:`Divisions` value in, codes out.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

DEFAULT_DIVISIONS = Path(__file__).resolve().parents[2] / "seeds" / "divisions.csv"
DIVISION_COLUMNS = ("region_code", "name", "level", "parent_code", "province", "prefecture", "kind")
CODE = re.compile(r"^\d{6}$")

# The ethnic groups named in autonomous-area names, so that 甘南藏族自治州 is
# also found as 甘南州 and 寻甸回族彝族自治县 as 寻甸县, the forms agencies use.
_ETHNIC = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|拉祜|水|东乡|纳西|"
    "景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克|俄罗斯|鄂温克|"
    "德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各"
)
_AUTONOMOUS = re.compile(rf"^(?P<stem>.+?)(?:(?:{_ETHNIC})族)+自治(?P<kind>州|县|旗)$")
_PROVINCE_SUFFIX = re.compile(rf"(?:省|市|(?:(?:{_ETHNIC})族)*自治区|特别行政区)$")
# A place name is at least two characters (东区, 城区); one character would match anything.
MIN_NAME_CHARS = 2


@dataclass(frozen=True, slots=True)
class Division:
    code: str
    name: str
    level: str
    parent_code: str | None
    kind: str = ""

    @property
    def names(self) -> tuple[str, ...]:
        """The name and the short forms agencies write it in, longest first."""
        return place_names(self.name, self.level)


def place_names(name: str, level: str) -> tuple[str, ...]:
    """A division's name and its usual short forms.

    >>> place_names("黔东南苗族侗族自治州", "prefecture")
    ('黔东南苗族侗族自治州', '黔东南州')
    >>> place_names("广西壮族自治区", "province")
    ('广西壮族自治区', '广西')
    """
    forms = [name]
    if match := _AUTONOMOUS.match(name):
        forms.append(match["stem"] + match["kind"])
    if level == "province":
        short = _PROVINCE_SUFFIX.sub("", name)
        if short != name and len(short) >= MIN_NAME_CHARS:
            forms.append(short)
    return tuple(dict.fromkeys(form for form in forms if len(form) >= MIN_NAME_CHARS))


def level_of_code(code: str) -> str:
    """The level a code's form implies: XX0000 province, XXXX00 prefecture, else county."""
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


class Divisions:
    """The divisions by code, with the tree, the names and lookups the seeds and reports need."""

    def __init__(self, divisions: Iterable[Division]) -> None:
        self._by_code: dict[str, Division] = {}
        self._children: dict[str | None, list[Division]] = {}
        self._by_name: dict[str, list[Division]] = {}
        for division in divisions:
            self._by_code[division.code] = division
        for division in self._by_code.values():
            parent = division.parent_code if division.parent_code in self._by_code else None
            self._children.setdefault(parent, []).append(division)
            for name in division.names:
                self._by_name.setdefault(name, []).append(division)
        self._longest_name = max((len(name) for name in self._by_name), default=0)

    def __len__(self) -> int:
        return len(self._by_code)

    def __iter__(self) -> Iterator[Division]:
        return iter(self._by_code.values())

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def get(self, code: str | None) -> Division | None:
        return self._by_code.get(code) if code else None

    def children(self, code: str | None) -> list[Division]:
        """Direct children of ``code``; ``None`` gives the top level (provinces and the like)."""
        return list(self._children.get(code, ()))

    def ancestors(self, code: str) -> list[Division]:
        """The chain above ``code``, nearest first (a broken chain just ends)."""
        chain: list[Division] = []
        seen = {code}
        division = self._by_code.get(code)
        while division is not None and division.parent_code and division.parent_code not in seen:
            seen.add(division.parent_code)
            division = self._by_code.get(division.parent_code)
            if division is not None:
                chain.append(division)
        return chain

    def is_ancestor(self, ancestor: str, code: str) -> bool:
        return any(division.code == ancestor for division in self.ancestors(code))

    def province_of(self, code: str) -> Division | None:
        """The top of ``code``'s chain (the division itself for a province)."""
        division = self._by_code.get(code)
        if division is None:
            return None
        chain = self.ancestors(code)
        return chain[-1] if chain else division

    def named(self, name: str, within: str | None = None) -> list[Division]:
        """Divisions called ``name`` (or its short form) anywhere under ``within`` (everywhere when None)."""
        found = self._by_name.get(name, [])
        if within is None:
            return list(found)
        return [division for division in found if self.is_ancestor(within, division.code)]

    def path(self, code: str) -> str:
        """The human path of names down to ``code``, such as 甘肃省/定西市/安定区."""
        division = self._by_code.get(code)
        if division is None:
            return ""
        names = [d.name for d in reversed(self.ancestors(code))] + [division.name]
        return "/".join(dict.fromkeys(names))

    def resolve_path(self, path: str) -> Division | None:
        """The division a path of names such as 甘肃省/定西市 ends at, or None."""
        node: Division | None = None
        for part in (part.strip() for part in path.split("/")):
            if not part:
                continue
            under = node.code if node else None
            matches = [d for d in self._children.get(under, []) if part in d.names]
            if not matches and node is not None and part in node.names:
                continue
            if not matches and node is not None:
                matches = self.named(part, within=node.code)
            if len(matches) != 1:
                return None
            node = matches[0]
        return node

    def place_in(self, text: str, within: str | None = None) -> Division | None:
        """The deepest division under ``within`` that ``text`` starts by naming.

        ``text`` is an agency or an anchor such as 定西市安定区人民政府: the names of
        ``within`` and its ancestors are skipped, then each step takes the division
        named next (a direct child before a deeper one). An ambiguous name ends the
        walk where it is, since guessing would file a report under the wrong place.
        """
        rest = "".join(text.split())
        chain = ([self._by_code[within]] if within in self._by_code else []) + (self.ancestors(within) if within else [])
        for division in reversed(chain):
            rest = _strip_name(rest, division.names)
        node, found = within, None
        while rest:
            step = self._next_place(rest, node)
            if step is None:
                break
            found, name = step
            node, rest = found.code, rest[len(name):]
        return found

    def _next_place(self, text: str, under: str | None) -> tuple[Division, str] | None:
        candidates: list[tuple[int, int, Division, str]] = []
        for length in range(min(len(text), self._longest_name), MIN_NAME_CHARS - 1, -1):
            name = text[:length]
            for division in self._by_name.get(name, ()):
                if division.code == under:
                    continue
                chain = self.ancestors(division.code)
                if under is not None and under not in {d.code for d in chain}:
                    continue
                depth = next((i for i, d in enumerate(chain) if d.code == under), len(chain))
                candidates.append((depth, -length, division, name))
        if not candidates:
            return None
        candidates.sort(key=lambda c: (c[0], c[1]))
        best_depth, best_length = candidates[0][0], candidates[0][1]
        best = {c[2].code for c in candidates if c[0] == best_depth and c[1] == best_length}
        if len(best) != 1:
            return None
        return candidates[0][2], candidates[0][3]


def _strip_name(text: str, names: tuple[str, ...]) -> str:
    for name in names:
        if text.startswith(name):
            return text[len(name):]
    return text


def read_divisions(rows: Iterable[dict[str, str]]) -> Divisions:
    """Divisions from CSV rows with the ``seeds/divisions.csv`` columns."""
    return Divisions(
        Division(
            code=row["region_code"].strip(), name=row["name"].strip(), level=row["level"].strip(),
            parent_code=(row.get("parent_code") or "").strip() or None, kind=(row.get("kind") or "").strip(),
        )
        for row in rows
        if CODE.match((row.get("region_code") or "").strip())
    )


def load_divisions(path: str | Path | None = None) -> Divisions:
    """The divisions in ``path``; without one, the shipped ``seeds/divisions.csv`` (read once)."""
    if path is None:
        return _default_divisions()
    with Path(path).open(encoding="utf-8-sig", newline="") as stream:
        return read_divisions(csv.DictReader(stream))


@cache
def _default_divisions() -> Divisions:
    return load_divisions(DEFAULT_DIVISIONS)


def site_id_region(site_id_code: str | None, divisions: Divisions) -> str | None:
    """The region a 网站标识码 names: its first six digits, when they are a real division code."""
    code = (site_id_code or "").strip()[:6]
    return code if CODE.match(code) and code in divisions else None


def refine_region(
    portal_region: str | None, agency: str | None, site_id_code: str | None, divisions: Divisions
) -> str | None:
    """The region code of a harvested report.

    The portal's code is the start; the page's SiteIDCode names the site that
    actually published it, so it wins; then a place named at the head of the
    agency moves the report down to that division, but only to a division under
    the region already found: 定西市安定区人民政府 on the 定西市 portal is 621102,
    while a township's report on a county portal stays at the county, because
    divisions.csv has no townships.
    """
    region = site_id_region(site_id_code, divisions) or portal_region or None
    if not agency:
        return region
    if region is not None and region not in divisions:
        return region
    place = divisions.place_in(agency, region)
    return place.code if place is not None else region


def nearest_listed_ancestor(code: str, listed: Iterable[str], divisions: Divisions) -> str | None:
    """The closest ancestor of ``code`` that is in ``listed`` (codes with a portal), else the real parent.

    A Beijing district's nearest portal is the 北京市 province portal, not the
    prefecture-level row 110100 that has none.
    """
    listed = set(listed)
    chain = divisions.ancestors(code)
    for division in chain:
        if division.code in listed:
            return division.code
    return chain[0].code if chain else None


def coverage(divisions: Divisions, codes: Iterable[str]) -> dict[str, tuple[int, int]]:
    """Per province code: (divisions with a code in ``codes``, all divisions), the province itself included."""
    codes = set(codes)
    counts: dict[str, list[int]] = {}
    for division in divisions:
        province = divisions.province_of(division.code)
        if province is None:
            continue
        entry = counts.setdefault(province.code, [0, 0])
        entry[1] += 1
        entry[0] += division.code in codes
    return {code: (covered, total) for code, (covered, total) in counts.items()}
