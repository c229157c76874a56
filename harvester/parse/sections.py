"""Split a report's text into its six sections (一、总体情况 … 六、其他需要报告的事项).

Headings are recognised by their wording, not their exact text (二、主动公开
政府信息情况 and 二、主动公开情况 are the same section), in one of several
numbering styles (一、 / 第一部分 / 1. / none). Sub-headings such as
（一）主动公开情况 inside 总体情况 must not start a section, so the style that
finds the most headings in reading order wins and the others are ignored, and a
heading is only accepted after the sections before it. Text before the first
heading belongs to ``overview``.
"""

from __future__ import annotations

import re
import unicodedata

from harvester.parse.schema import SECTION_KEYS

#: Wording of each section's heading, tried most specific first: the pre-2019
#: heading 五、因政府信息公开申请提起行政复议… mentions 申请 but is ``reviews``.
_SECTION_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("other", re.compile(r"其他需要报告|其他事项|其他需报告")),
    ("reviews", re.compile(r"行政复议|行政诉讼")),
    ("problems", re.compile(r"问题|不足|改进|下一步|工作计划|努力方向")),
    ("applications", re.compile(r"依申请|收到和处理|政府信息公开申请|申请情况|申请公开")),
    ("proactive", re.compile(r"主动公开")),
    ("overview", re.compile(r"总体情况|概述|基本情况|总体概况|工作概况")),
)
#: Table-row labels that look like numbered headings in flattened tables.
_NOT_HEADINGS = re.compile(r"本年新收|上年结转|办理结果|结转下年|本年度新收")

_CN = "一二三四五六七八九十"
_STYLES: dict[str, re.Pattern[str]] = {
    "chinese": re.compile(rf"^[{_CN}]{{1,2}}\s*[、.．，,]\s*"),
    "part": re.compile(rf"^第[{_CN}\d]{{1,2}}部分\s*[、.．:：]?\s*"),
    "arabic": re.compile(r"^[1-9]\s*[、.．](?!\d)\s*"),
    "bare": re.compile(r"^"),
}
_MAX_TITLE = 40
_MAX_BARE = 24
_MARKUP = re.compile(r"^[#*\s>]+|[*\s]+$")


def _heading(line: str, style: str) -> tuple[str, str] | None:
    """(section key, rest of the line after the title) when ``line`` is a heading."""
    if "|" in line or "\t" in line:
        return None
    text = _MARKUP.sub("", unicodedata.normalize("NFKC", line)).strip()
    match = _STYLES[style].match(text)
    if not match:
        return None
    rest = text[match.end():]
    if style == "bare":
        if len(rest) > _MAX_BARE or re.search(r"[。，,；;]", rest):
            return None
        title, body = rest, ""
    else:
        split = re.search(r"[。：:]", rest)
        title, body = (rest[: split.start()], rest[split.end():]) if split else (rest, "")
    title = title.strip()
    if not title or len(title) > _MAX_TITLE or _NOT_HEADINGS.search(title):
        return None
    if style == "bare" and re.match(r"^[(（]", title):
        return None
    for key, pattern in _SECTION_WORDS:
        if pattern.search(title):
            return key, body.strip()
    return None


def _headings(lines: list[str], style: str) -> list[tuple[int, str, str]]:
    """Headings of one style in reading order, each section after the last one found."""
    order = {key: i for i, key in enumerate(SECTION_KEYS)}
    found: list[tuple[int, str, str]] = []
    last = -1
    for number, line in enumerate(lines):
        heading = _heading(line, style)
        if heading and order[heading[0]] > last:
            found.append((number, *heading))
            last = order[heading[0]]
    return found


def split_sections(text: str) -> dict[str, str]:
    """Sections found in ``text``, keyed by the spec's section keys; absent ones are left out.

    >>> parts = split_sections("前言\\n一、总体情况\\n概况。\\n二、主动公开情况\\n公开了。\\n五、存在的主要问题及改进情况\\n问题。")
    >>> parts["overview"], parts["proactive"], parts["problems"]
    ('前言\\n概况。', '公开了。', '问题。')
    """
    lines = (text or "").splitlines()
    best: list[tuple[int, str, str]] = []
    for style in _STYLES:
        found = _headings(lines, style)
        if len(found) > len(best):
            best = found
    sections: dict[str, list[str]] = {}
    current = "overview"
    cursor = 0
    for number, key, body in best:
        sections.setdefault(current, []).extend(lines[cursor:number])
        current = key
        sections.setdefault(current, []).append(body)
        cursor = number + 1
    sections.setdefault(current, []).extend(lines[cursor:])
    result = {}
    for key in SECTION_KEYS:
        joined = "\n".join(line for line in sections.get(key, []) if line.strip()).strip()
        if joined:
            result[key] = joined
    return result
