"""Keeping a seeds file honest: check it, add a row, propose rows from a saved page of links.

The crawl (:func:`harvester.discover.seeds.read_seeds`) only needs rows it can
fetch; these checks also hold the list to the divisions, so that every region
code is real, every parent is above its child and one host is one portal. All
functions are pure: text or rows in, problems or rows out.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit, urlunsplit

import lxml.html

from harvester.discover.regions import CODE, Division, Divisions, level_of_code, nearest_listed_ancestor
from harvester.discover.seeds import LEVELS

SEED_COLUMNS = ("name", "url", "region_code", "level", "parent")
#: The columns of the shipped list: the interfaces.md form, then what a reviewer needs.
SHIPPED_COLUMNS = (*SEED_COLUMNS, "parent_path", "confidence", "access_2026_04_26", "report_column_url", "notes")
#: Levels whose region code must be the division's own code at that level.
DIVISION_LEVELS = ("province", "prefecture", "county")
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$")
_SITE_WORDS = re.compile(r"(?:门户网站|网站|门户|网)$")
_GOVERNMENT = re.compile(r"^(?:人民政府|政府|行政公署)?$")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_HOME_PATHS = {"", "/", "/index.html", "/index.htm", "/index.shtml", "/index.jsp", "/index.php", "/default.htm",
               "/default.html", "/default.aspx", "/index.aspx"}


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong in a seeds file; ``line`` is the physical line the row starts on."""

    line: int
    kind: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.kind}: {self.message}"


@dataclass(frozen=True, slots=True)
class Row:
    line: int
    values: dict[str, str]


@dataclass
class SeedsTable:
    """A seeds file read for checking: header, rows with their first line, and file-level problems."""

    header: list[str]
    rows: list[Row]
    problems: list[Problem] = field(default_factory=list)
    newline: str = "\n"


def host_key(url: str) -> str:
    """What makes two seed URLs one portal: the host name, case and a leading ``www.`` aside."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return host.removeprefix("www.")


def read_table(raw: bytes) -> SeedsTable:
    """Split seeds bytes into header and rows, noting a BOM, bad bytes and ragged rows by line."""
    problems: list[Problem] = []
    if raw.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(1, "bom", "file starts with a UTF-8 byte order mark; save it as UTF-8 without BOM"))
        raw = raw[3:]
    text = raw.decode("utf-8", errors="surrogateescape")
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    rows: list[Row] = []
    end = 0
    for record in reader:
        start, end = end + 1, reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if _undecodable(record):
            problems.append(Problem(start, "encoding", f"not valid UTF-8: {_bad_bytes(record)}"))
            if header is not None:
                continue
        if header is None:
            header = [cell.strip().lower() for cell in record]
            problems += _header_problems(header, start)
            continue
        if len(record) != len(header):
            problems.append(Problem(start, "fields", f"row has {len(record)} fields, the header has {len(header)}"))
        values = {name: cell.strip() for name, cell in zip(header, record) if name}
        rows.append(Row(start, values))
    if header is None:
        problems.append(Problem(1, "columns", "no header row: the file is empty"))
        header = []
    return SeedsTable(header, rows, problems, newline)


def _undecodable(cells: Iterable[str]) -> bool:
    return any("\udc80" <= char <= "\udcff" for cell in cells for char in cell)


def _bad_bytes(cells: Iterable[str]) -> str:
    bad = bytes(ord(char) - 0xDC00 for cell in cells for char in cell if "\udc80" <= char <= "\udcff")
    return " ".join(f"{byte:02x}" for byte in bad[:8]) + (" …" if len(bad) > 8 else "")


def _header_problems(header: list[str], line: int) -> list[Problem]:
    problems = [Problem(line, "columns", f"missing required column {name!r}") for name in ("name", "url")
                if name not in header]
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    problems += [Problem(line, "columns", f"column {name!r} appears twice") for name in repeated]
    if "" in header:
        problems.append(Problem(line, "columns", f"column {header.index('') + 1} has no name"))
    return problems


def url_problem(url: str) -> str | None:
    """Why ``url`` cannot be a portal's home page address, or None."""
    if not url:
        return "empty url"
    if any(char.isspace() for char in url):
        return f"url contains whitespace: {url!r}"
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https"):
        return f"url must start with http:// or https://, got {url!r}"
    if parts.username or parts.password:
        return f"url must not carry a user name or password: {url!r}"
    host = (parts.hostname or "").rstrip(".")
    if not host:
        return f"url has no host: {url!r}"
    try:
        parts.port
    except ValueError:
        return f"url has a bad port: {url!r}"
    if not _HOST.match(host) and not _is_ip(host):
        return f"url host {host!r} is not a valid host name"
    return None


def _is_ip(host: str) -> bool:
    pieces = host.split(".")
    return len(pieces) == 4 and all(piece.isdigit() and int(piece) < 256 for piece in pieces)


def row_problems(values: dict[str, str], divisions: Divisions) -> list[tuple[str, str]]:
    """(kind, message) for everything wrong in one row on its own (duplicates are the file's business)."""
    problems: list[tuple[str, str]] = []
    name = values.get("name", "")
    if not name:
        problems.append(("name", "empty name"))
    elif any(not char.isprintable() for char in name):
        problems.append(("name", f"name contains a line break or control character: {name!r}"))
    if message := url_problem(values.get("url", "")):
        problems.append(("url", message))
    code, level, parent = values.get("region_code", ""), values.get("level", ""), values.get("parent", "")
    division = None
    if code:
        if not CODE.match(code):
            problems.append(("region_code", f"region_code must be 6 digits, got {code!r}"))
        elif (division := divisions.get(code)) is None:
            problems.append(("region_code", f"region_code {code} is not in the divisions list"))
    if level:
        if level not in LEVELS:
            problems.append(("level", f"level must be one of {', '.join(LEVELS)}, got {level!r}"))
        elif code and CODE.match(code) and (message := _level_problem(level, code, division)):
            problems.append(("level", message))
    if parent and (message := parent_problem(parent, code if division else None, divisions)):
        problems.append(("parent", message))
    return problems


def _level_problem(level: str, code: str, division: Division | None) -> str | None:
    actual = division.level if division else level_of_code(code)
    if level in DIVISION_LEVELS and level != actual:
        return f"level {level} does not fit region_code {code}, a {actual}"
    if level == "township" and actual not in ("county", "township"):
        return f"a township's region_code is its county's; {code} is a {actual}"
    return None


def parent_problem(parent: str, code: str | None, divisions: Divisions) -> str | None:
    """Why ``parent`` (a region code, or a path of names such as 甘肃省/定西市) is not above ``code``."""
    if CODE.match(parent):
        target = divisions.get(parent)
        if target is None:
            return f"parent {parent} is not in the divisions list"
    elif re.fullmatch(r"\d+", parent):
        return f"parent must be a 6-digit region code or a path of names, got {parent!r}"
    else:
        target = divisions.resolve_path(parent)
        if target is None:
            return f"parent {parent!r} is neither a region code nor a path of division names"
    if code is None:
        return None
    if target.code == code:
        return f"parent {parent} is the row's own region"
    if not divisions.is_ancestor(target.code, code):
        real = divisions.get(code)
        above = divisions.get(real.parent_code) if real and real.parent_code else None
        hint = f" (its parent is {above.code} {above.name})" if above else ""
        return f"parent {parent} ({target.name}) is not above {code}{hint}"
    return None


def check_table(table: SeedsTable, divisions: Divisions) -> list[Problem]:
    """Every problem in a seeds table, in line order."""
    problems = list(table.problems)
    if {"name", "url"} - set(table.header):
        return sorted(problems, key=lambda p: p.line)
    bad_lines = {p.line for p in problems if p.kind == "encoding"}
    hosts: dict[str, int] = {}
    for row in table.rows:
        if row.line in bad_lines:
            continue
        problems += [Problem(row.line, kind, message) for kind, message in row_problems(row.values, divisions)]
        url = row.values.get("url", "")
        if url_problem(url) is None:
            key = host_key(url)
            if key in hosts:
                problems.append(Problem(row.line, "duplicate-host",
                                        f"host {urlsplit(url).hostname} is already the portal on line {hosts[key]}"))
            else:
                hosts[key] = row.line
    return sorted(problems, key=lambda p: p.line)


def check_seeds(raw: bytes, divisions: Divisions) -> list[Problem]:
    """Check a seeds file's bytes: BOM, encoding, columns, URLs, hosts, codes, levels and parents."""
    return check_table(read_table(raw), divisions)


# --- add -----------------------------------------------------------------------


class SeedRefused(ValueError):
    """The row cannot be added; ``duplicate`` tells a collision from a bad value."""

    def __init__(self, message: str, duplicate: bool = False) -> None:
        super().__init__(message)
        self.duplicate = duplicate


def new_row(
    table: SeedsTable, divisions: Divisions, *, url: str, name: str, region_code: str | None = None,
    level: str | None = None, parent: str | None = None,
) -> dict[str, str]:
    """The row to append for a new portal, in the table's columns, or :class:`SeedRefused`.

    A missing region code is read from a name such as 陇西县人民政府; a missing
    level and parent come from the code (the parent being the nearest division
    above it that has a portal in the table).
    """
    name, url = name.strip(), url.strip()
    if message := url_problem(url):
        raise SeedRefused(message)
    for row in table.rows:
        if host_key(row.values.get("url", "")) == host_key(url):
            raise SeedRefused(f"host {urlsplit(url).hostname} is already in the seeds on line {row.line} "
                              f"({row.values.get('name', '')})", duplicate=True)
    if region_code is None and name:
        within = parent if parent and parent in divisions else None
        named = government_named(name, within, divisions)
        region_code = named.code if named else None
    division = divisions.get(region_code) if region_code else None
    if division is not None:
        listed = {row.values.get("region_code", "") for row in table.rows}
        level = level or _seed_level(division)
        parent = parent or nearest_listed_ancestor(division.code, listed - {""}, divisions) or ""
    values = {"name": name, "url": url, "region_code": region_code or "", "level": level or "", "parent": parent or ""}
    if problems := row_problems(values, divisions):
        raise SeedRefused(problems[0][1])
    missing = [column for column, value in values.items() if value and column not in table.header]
    if missing:
        raise SeedRefused(f"the seeds file has no {missing[0]!r} column for {values[missing[0]]!r}")
    extra = {"parent_path": divisions.path(parent) if parent and CODE.match(parent) else parent or ""}
    return {column: values.get(column, extra.get(column, "")) for column in table.header}


def _seed_level(division: Division) -> str:
    return division.level if division.level in LEVELS else "other"


def _rest_after_place(text: str, division: Division) -> str:
    compact = "".join(text.split())
    for name in division.names:
        position = compact.find(name)
        if position >= 0:
            return compact[position + len(name):]
    return compact


def append_row(raw: bytes, table: SeedsTable, row: dict[str, str]) -> bytes:
    """``raw`` with ``row`` appended as one CSV line in the file's own line ending."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=table.newline).writerow([row.get(column, "") for column in table.header])
    separator = b"" if not raw or raw.endswith(b"\n") else table.newline.encode()
    return raw + separator + buffer.getvalue().encode("utf-8")


def format_rows(rows: Sequence[dict[str, str]], columns: Sequence[str]) -> str:
    """A header and rows as CSV text in ``columns``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([row.get(column, "") for column in columns])
    return buffer.getvalue()


# --- discover ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Skipped:
    """A link not proposed: ``reason`` is a fixed phrase to count by, ``detail`` the particulars."""

    url: str
    text: str
    reason: str
    detail: str = ""


@dataclass
class Discovery:
    proposed: list[dict[str, str]]
    skipped: list[Skipped]


def discover_rows(
    html: str | bytes, divisions: Divisions, *, base_url: str | None = None, parent_code: str | None = None,
    existing: Sequence[Row] = (), columns: Sequence[str] = SHIPPED_COLUMNS, source: str = "",
) -> Discovery:
    """New seed rows from a saved page of links to government sites, for a person to review.

    A link is proposed when its anchor text names one division (under
    ``parent_code`` when given) and nothing but that government (安定区,
    安定区人民政府, 安定区政府网); its host must be new to ``existing`` and to the
    page. Everything else is returned as skipped with the reason.
    """
    if isinstance(html, str):
        html = _XML_DECLARATION.sub("", html, count=1)
    if not html or not html.strip():
        return Discovery([], [])
    tree = lxml.html.fromstring(html)
    base = _page_base(tree, base_url)
    own_host = host_key(base) if base else ""
    known = {host_key(row.values.get("url", "")): row.line for row in existing if row.values.get("url")}
    found: list[tuple[str, str, Division, str]] = []
    skipped: list[Skipped] = []
    seen: dict[str, str] = {}
    for anchor in tree.iter("a"):
        href = (anchor.get("href") or "").strip()
        text = "".join(anchor.text_content().split())
        if not href:
            continue
        url = urljoin(base, href) if base else href
        if reason := _link_reason(url, own_host, known, seen):
            skipped.append(Skipped(url, text, *reason))
            continue
        named = [(division, words) for words in (text, "".join((anchor.get("title") or "").split()))
                 if (division := government_named(words, parent_code, divisions))]
        if not named:
            under = f"under {parent_code}" if parent_code else "in China"
            skipped.append(Skipped(url, text, "anchor text names no single government", under))
            continue
        division = named[0][0]
        words = max((words for other, words in named if other == division), key=len)
        home = _home_url(url)
        seen[host_key(home)] = text
        found.append((home, text, division, words))
    listed = {row.values.get("region_code", "") for row in existing} | {parent_code or ""}
    listed |= {division.code for _, _, division, _ in found}
    proposed = []
    for home, text, division, words in found:
        parent = nearest_listed_ancestor(division.code, listed - {"", division.code}, divisions) or ""
        values = {
            "name": government_name(words, division, divisions), "url": home, "region_code": division.code,
            "level": _seed_level(division), "parent": parent, "parent_path": divisions.path(parent),
            "confidence": "unreviewed",
            "notes": f"proposed from anchor «{text}»" + (f" on {source}" if source else ""),
        }
        proposed.append({column: values.get(column, "") for column in columns})
    return Discovery(proposed, skipped)


def government_named(text: str, within: str | None, divisions: Divisions) -> Division | None:
    """The division whose government ``text`` names and nothing more (安定区, 安定区政府网), or None."""
    words = _SITE_WORDS.sub("", text)
    division = divisions.place_in(words, within) if words else None
    if division is None or not _GOVERNMENT.match(_rest_after_place(words, division)):
        return None
    return division


def _page_base(tree, base_url: str | None) -> str | None:
    declared = next((node.get("href") for node in tree.iter("base") if node.get("href")), None)
    if declared and base_url:
        return urljoin(base_url, declared)
    return declared or base_url


def _link_reason(url: str, own_host: str, known: dict[str, int], seen: dict[str, str]) -> tuple[str, str] | None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "not a link to a web site", parts.scheme
    key = host_key(url)
    if own_host and key == own_host:
        return "a page of the same site", ""
    if key in known:
        return "host already in the seeds", f"line {known[key]}"
    if key in seen:
        return "host already proposed", f"for «{seen[key]}»"
    return None


def _home_url(url: str) -> str:
    """A site link as its home page address: index pages and fragments dropped, query kept."""
    parts = urlsplit(url)
    path = "/" if parts.path.lower() in _HOME_PATHS and not parts.query else parts.path
    return urlunsplit((parts.scheme, parts.netloc.lower(), path, parts.query, ""))


def government_name(text: str, division: Division, divisions: Divisions) -> str:
    """The seed name for an anchor, in the shipped list's style.

    人民政府 (行政公署 for 地区 and 盟) is made explicit, and a district or a county
    name found twice in China is prefixed by its prefecture, as in the shipped
    list: 安定区 → 定西市安定区人民政府.
    """
    name = _SITE_WORDS.sub("", "".join(text.split()))
    if name.endswith("政府") and not name.endswith("人民政府"):
        name = name[:-2]
    if not name.endswith(("人民政府", "行政公署")):
        name += "行政公署" if division.name.endswith(("地区", "盟")) else "人民政府"
    above = divisions.get(division.parent_code)
    repeated = division.kind == "district" or len(divisions.named(division.name)) > 1
    if above is not None and above.level == "prefecture" and repeated and not name.startswith(above.names):
        name = above.name + name
    return name
