"""split_sections on varied headings, and on the real report texts."""

from __future__ import annotations

from pathlib import Path

import pytest

from harvester.parse.sections import split_sections
from harvester.parse.schema import SECTION_KEYS

EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "examples" / "report-text"

STANDARD = """某区人民政府2024年政府信息公开工作年度报告
本报告根据《条例》编制。
一、总体情况
（一）主动公开情况
全年主动公开信息200条。
（二）依申请公开情况
共收到申请6件。
二、主动公开政府信息情况
第二十条第（一）项
三、收到和处理政府信息公开申请情况
一、本年新收政府信息公开申请数量 | 6 |
四、结转下年度继续办理 | 0 |
四、政府信息公开行政复议、行政诉讼情况
行政复议 | 行政诉讼 |
五、存在的主要问题及改进情况
问题一。
六、其他需要报告的事项
无。"""


def test_standard_headings() -> None:
    sections = split_sections(STANDARD)
    assert list(sections) == list(SECTION_KEYS)
    assert sections["overview"].startswith("某区人民政府2024年")
    assert "（一）主动公开情况" in sections["overview"]  # a sub-heading, not the proactive section
    assert "共收到申请6件。" in sections["overview"]
    assert sections["proactive"] == "第二十条第（一）项"
    assert "本年新收" in sections["applications"] and "结转下年度" in sections["applications"]
    assert sections["reviews"] == "行政复议 | 行政诉讼 |"
    assert sections["problems"] == "问题一。"
    assert sections["other"] == "无。"


@pytest.mark.parametrize(
    "headings",
    [
        ["第一部分 总体情况", "第二部分 主动公开政府信息情况", "第三部分 收到和处理政府信息公开申请情况",
         "第四部分 政府信息公开行政复议、行政诉讼情况", "第五部分 存在的主要问题及改进情况", "第六部分 其他需要报告的事项"],
        ["1.总体情况", "2.主动公开情况", "3.依申请公开情况", "4.行政复议和行政诉讼情况", "5.存在问题及改进措施", "6.其他事项"],
        ["1、总体情况", "2、主动公开政府信息情况", "3、收到和处理政府信息公开申请情况",
         "4、政府信息公开行政复议、行政诉讼情况", "5、存在的主要问题及改进情况", "6、其他需要报告的事项"],
        ["总体情况", "主动公开政府信息情况", "收到和处理政府信息公开申请情况",
         "政府信息公开行政复议、行政诉讼情况", "存在的主要问题及改进情况", "其他需要报告的事项"],
        ["## 一、总体情况", "## 二、主动公开情况", "### 三、依申请公开情况",
         "#### 四、行政复议、行政诉讼情况", "**五、工作中存在的不足和下一步打算**", "六．其他需要报告的事项"],
    ],
    ids=["part", "arabic-dot", "arabic-comma", "bare", "markdown"],
)
def test_heading_styles(headings: list[str]) -> None:
    bodies = ["总体。", "主动。", "申请。", "复议。", "问题。", "其他。"]
    text = "前言。\n" + "\n".join(f"{h}\n{b}" for h, b in zip(headings, bodies))
    sections = split_sections(text)
    assert sections == {
        "overview": "前言。\n总体。", "proactive": "主动。", "applications": "申请。",
        "reviews": "复议。", "problems": "问题。", "other": "其他。",
    }


def test_heading_with_body_on_the_same_line() -> None:
    sections = split_sections("一、总体情况：全年公开信息100条。\n二、主动公开政府信息情况。见下表。")
    assert sections == {"overview": "全年公开信息100条。", "proactive": "见下表。"}


def test_missing_headings() -> None:
    text = "前言\n三、收到和处理政府信息公开申请情况\n申请。\n六、其他需要报告的事项\n无。"
    assert split_sections(text) == {"overview": "前言", "applications": "申请。", "other": "无。"}
    assert split_sections("没有任何标题的全文。") == {"overview": "没有任何标题的全文。"}
    assert split_sections("") == {}


def test_pre2019_headings() -> None:
    text = (
        "一、概述\n概述。\n二、主动公开政府信息的情况\n主动。\n三、依申请公开政府信息情况\n申请。\n"
        "四、政府信息公开的收费及减免情况\n收费。\n五、因政府信息公开申请提起行政复议、行政诉讼的情况\n复议。\n"
        "六、政府信息公开工作存在的主要问题及改进措施\n问题。\n七、其他需要报告的事项\n其他。"
    )
    sections = split_sections(text)
    assert sections["applications"] == "申请。\n四、政府信息公开的收费及减免情况\n收费。"
    assert sections["reviews"] == "复议。"
    assert sections["problems"] == "问题。"
    assert sections["other"] == "其他。"


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.txt")), ids=lambda p: p.name[:3])
def test_real_texts_have_all_six_sections(path: Path) -> None:
    sections = split_sections(path.read_text(encoding="utf-8"))
    assert list(sections) == list(SECTION_KEYS)
    assert "第二十条" in sections["proactive"] or "规范性文件" in sections["proactive"]
    assert "行政复议" in sections["reviews"]
