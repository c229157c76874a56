"""Canonical keys of the annual-report tables (see shared/spec/annual-report.md).

Every parser maps what it reads onto these keys, so that a number means the
same thing whatever layout it came from. Label patterns are matched against a
row's label cells joined together with all whitespace removed and NFKC applied
(full-width brackets become ASCII ones), see :func:`normalise_label`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

CellValue = int | float | None
Table = dict[str, dict[str, CellValue]]
Tables = dict[str, Table]

TABLE_NAMES = ("active", "applications", "reviews")
SECTION_KEYS = ("overview", "proactive", "applications", "reviews", "problems", "other")
FORMAT_VERSIONS = ("2021", "2019", "pre2019", "unknown")

_SPACE = re.compile(r"\s+")


def normalise_label(text: str) -> str:
    """NFKC, no whitespace: '（一）予以 公开' -> '(一)予以公开'."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text or ""))


def first_match(patterns: tuple[tuple[str, re.Pattern[str]], ...], label: str) -> str | None:
    """The key of the first pattern found in the normalised label; order encodes precedence."""
    norm = normalise_label(label)
    return next((key for key, pattern in patterns if pattern.search(norm)), None)


# --- applications ----------------------------------------------------------

APPLICATION_COLUMNS = (
    "natural_person",
    "commercial",
    "research",
    "public_welfare",
    "legal_services",
    "other_org",
    "total",
)
APPLICATION_COLUMN_LABELS = {
    "natural_person": "自然人",
    "commercial": "商业企业",
    "research": "科研机构",
    "public_welfare": "社会公益组织",
    "legal_services": "法律服务机构",
    "other_org": "其他",
    "total": "总计",
}

APPLICATION_ROWS_2021 = (
    "new", "carried_over", "granted", "partly_granted",
    "denied_state_secret", "denied_prohibited", "denied_security", "denied_third_party",
    "denied_internal", "denied_process", "denied_enforcement", "denied_inquiry",
    "unable_not_held", "unable_needs_creation", "unable_unclear",
    "unprocessed_petition", "unprocessed_repeat", "unprocessed_publication",
    "unprocessed_mass", "unprocessed_confirm",
    "other_no_correction", "other_unpaid_fee", "other_other",
    "total", "carried_forward",
)
APPLICATION_ROWS_2019 = tuple(
    r for r in APPLICATION_ROWS_2021 if not r.startswith("other_")
)[:20] + ("other", "total", "carried_forward")

#: Outcome rows summed by the ``outcomes_sum`` rule (granted .. last other* row).
OUTCOME_ROWS_2021 = APPLICATION_ROWS_2021[2:23]
OUTCOME_ROWS_2019 = APPLICATION_ROWS_2019[2:21]

APPLICATION_ROW_LABELS = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "granted": "（一）予以公开",
    "partly_granted": "（二）部分公开（区分处理的，只计这一情形，不计其他情形）",
    "denied_state_secret": "1.属于国家秘密",
    "denied_prohibited": "2.其他法律行政法规禁止公开",
    "denied_security": "3.危及“三安全一稳定”",
    "denied_third_party": "4.保护第三方合法权益",
    "denied_internal": "5.属于三类内部事务信息",
    "denied_process": "6.属于四类过程性信息",
    "denied_enforcement": "7.属于行政执法案卷",
    "denied_inquiry": "8.属于行政查询事项",
    "unable_not_held": "1.本机关不掌握相关政府信息",
    "unable_needs_creation": "2.没有现成信息需要另行制作",
    "unable_unclear": "3.补正后申请内容仍不明确",
    "unprocessed_petition": "1.信访举报投诉类申请",
    "unprocessed_repeat": "2.重复申请",
    "unprocessed_publication": "3.要求提供公开出版物",
    "unprocessed_mass": "4.无正当理由大量反复申请",
    "unprocessed_confirm": "5.要求行政机关确认或重新出具已获取信息",
    "other_no_correction": "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请",
    "other_unpaid_fee": "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请",
    "other_other": "3.其他",
    "other": "（六）其他处理",
    "total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}

#: Distinctive fragments of each row's label, tried in order on the normalised
#: joined label. Order matters: specific rows come before generic ones
#: ("不予公开" before "予以公开" is not needed since the fragments differ, but
#: "其他处理…3.其他" must be tried before the single 2019 "其他处理" row).
APPLICATION_ROW_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        ("new", r"本年(度)?新收"),
        ("carried_over", r"上年(度)?结转"),
        ("carried_forward", r"结转下年"),
        ("partly_granted", r"部分公开"),
        ("denied_state_secret", r"国家秘密"),
        # 2023 reports made with WPS misprint it as 其他法律行政止公开.
        ("denied_prohibited", r"法律行政法规禁止公开|禁止公开|其他法律行政"),
        ("denied_security", r"三安全一稳定|危及"),
        ("denied_third_party", r"第三方合法权益"),
        ("denied_internal", r"内部事务"),
        ("denied_process", r"过程性信息"),
        ("denied_enforcement", r"行政执法案卷"),
        ("denied_inquiry", r"行政查询事项"),
        ("unable_not_held", r"不掌握"),
        ("unable_needs_creation", r"另行制作"),
        ("unable_unclear", r"仍不明确"),
        ("unprocessed_petition", r"信访|举报投诉"),
        ("unprocessed_repeat", r"重复申请"),
        ("unprocessed_publication", r"公开出版物"),
        ("unprocessed_mass", r"大量反复"),
        ("unprocessed_confirm", r"确认或重新出具|重新出具"),
        ("other_no_correction", r"逾期不补正"),
        ("other_unpaid_fee", r"缴纳费用|收费通知"),
        ("other_other", r"其他处理.*(3\.|3、|三)?其他$|^(3\.|3、)其他$"),
        ("other", r"其他处理$"),
        ("granted", r"予以公开"),
        ("total", r"总计$"),
    )
)


def match_application_row(label: str) -> str | None:
    """Map a row label (its label cells joined) to its canonical key.

    >>> match_application_row("三、本年度办理结果（三）不予公开1.属于国家秘密")
    'denied_state_secret'
    >>> match_application_row("（七）总计")
    'total'
    """
    return first_match(APPLICATION_ROW_PATTERNS, label)


def match_application_column(label: str) -> str | None:
    """Map a column header to its key ('商业 企业' -> 'commercial')."""
    norm = normalise_label(label)
    for key in ("natural_person", "commercial", "research", "public_welfare", "legal_services", "total"):
        if APPLICATION_COLUMN_LABELS[key] in norm:
            return key
    if norm == "其他" or norm.endswith("其他"):
        return "other_org"
    return None


# --- reviews -----------------------------------------------------------------

REVIEW_ROWS = ("review", "litigation_direct", "litigation_after_review")
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")
REVIEW_ROW_LABELS = {
    "review": "行政复议",
    "litigation_direct": "行政诉讼 · 未经复议直接起诉",
    "litigation_after_review": "行政诉讼 · 复议后起诉",
}
REVIEW_COLUMN_LABELS = {
    "upheld": "结果维持",
    "corrected": "结果纠正",
    "other": "其他结果",
    "pending": "尚未审结",
    "total": "总计",
}
#: The official table prints the 15 numbers in one row, in this order.
REVIEW_CELL_ORDER: tuple[tuple[str, str], ...] = tuple(
    (row, col) for row in REVIEW_ROWS for col in REVIEW_COLUMNS
)

# --- active (第二十条) ----------------------------------------------------------

ACTIVE_2021: dict[str, tuple[str, ...]] = {
    "regulations": ("issued", "repealed", "in_force"),
    "normative_documents": ("issued", "repealed", "in_force"),
    "licensing": ("decisions",),
    "penalty": ("decisions",),
    "coercion": ("decisions",),
    "fees": ("amount_10k_yuan",),
}
ACTIVE_2019: dict[str, tuple[str, ...]] = {
    "regulations": ("produced", "published", "published_total"),
    "normative_documents": ("produced", "published", "published_total"),
    "licensing": ("items_last_year", "change", "decisions"),
    "other_services": ("items_last_year", "change", "decisions"),
    "penalty": ("items_last_year", "change", "decisions"),
    "coercion": ("items_last_year", "change", "decisions"),
    "fees": ("items_last_year", "change"),
    "procurement": ("items", "amount"),
}
ACTIVE_ROW_LABELS = {
    "regulations": "规章",
    "normative_documents": "规范性文件",
    "licensing": "行政许可",
    "other_services": "其他对外管理服务事项",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
    "procurement": "政府集中采购",
}
ACTIVE_COLUMN_LABELS = {
    "issued": "本年制发件数",
    "repealed": "本年废止件数",
    "in_force": "现行有效件数",
    "decisions": "处理决定数量",
    "amount_10k_yuan": "本年收费金额（单位：万元）",
    "produced": "本年新制作数量",
    "published": "本年新公开数量",
    "published_total": "对外公开总数量",
    "items_last_year": "上一年项目数量",
    "change": "本年增/减",
    "items": "采购项目数量",
    "amount": "采购总金额",
}
#: Columns whose values may be decimals; every other cell is an integer.
DECIMAL_CELLS = {("fees", "amount_10k_yuan"), ("procurement", "amount")}

ACTIVE_ROW_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern))
    for key, pattern in (
        ("normative_documents", r"规范性文件"),
        ("regulations", r"^规章$|规章$"),
        ("other_services", r"其他对外管理服务"),
        ("licensing", r"行政许可"),
        ("penalty", r"行政处罚"),
        ("coercion", r"行政强制"),
        ("fees", r"行政事业性收费"),
        ("procurement", r"集中采购"),
    )
)


def match_active_row(label: str) -> str | None:
    """Map a 第二十条 row label to its key; None for an unknown (e.g. provincial) row."""
    return first_match(ACTIVE_ROW_PATTERNS, label)


def derived_key(label: str) -> str:
    """A stable key for an extra row that is not in the spec (provincial additions).

    The normalised label itself, so that nothing is dropped and two reports
    with the same extra row share its key.
    """
    return "x_" + normalise_label(label).strip("：:")


# --- checks --------------------------------------------------------------------

CheckStatus = Literal["pass", "fail", "skipped"]
CHECK_RULES = ("balance", "outcomes_sum", "row_sum", "reviews_sum", "carry_chain", "text_vs_table")


@dataclass(frozen=True)
class Check:
    """One evaluation of a consistency rule (勾稽关系) on one row or column."""

    rule: str
    scope: str
    status: CheckStatus
    expected: CellValue = None
    found: CellValue = None

    def as_dict(self) -> dict:
        record: dict = {"rule": self.rule, "scope": self.scope, "status": self.status}
        if self.status == "fail":
            record["expected"] = self.expected
            record["found"] = self.found
        return record


@dataclass
class ParsedTables:
    """Tables read from one document, with the reader's own notes on doubt."""

    tables: Tables = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
