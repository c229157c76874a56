"""Make the file fixtures of tests/test_extract_files_*.py from known numbers.

An invented report (real place name, invented figures that satisfy every
勾稽关系) is written as DOCX with python-docx, in the official table layout
with merged cells; LibreOffice turns it into DOC, RTF and PDF (a real CJK font
from fonts-noto-cjk gives the PDF a text layer); pdftoppm renders the PDF into
an image-only PDF and a small PNG scan. The tests compare what the readers make
of each file with ``EXPECTED``.

Run ``python tests/data/files/make_fixtures.py`` from the project root; it needs
``soffice`` (libreoffice-writer-nogui), ``pdftoppm`` (poppler-utils) and
``fonts-noto-cjk``. The outputs are kept in the tree so the tests need none of them.
"""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent

TITLE = "淮安市清江浦区人民政府2024年政府信息公开工作年度报告"
AGENCY = "淮安市清江浦区人民政府"
YEAR = 2024

ACTIVE_LABELS = {
    "regulations": "规章",
    "normative_documents": "行政规范性文件",
    "licensing": "行政许可",
    "penalty": "行政处罚",
    "coercion": "行政强制",
    "fees": "行政事业性收费",
}
ACTIVE = {
    "regulations": {"issued": 0, "repealed": 0, "in_force": 2},
    "normative_documents": {"issued": 3, "repealed": 1, "in_force": 25},
    "licensing": {"decisions": 1234},
    "penalty": {"decisions": 567},
    "coercion": {"decisions": 12},
    "fees": {"amount_10k_yuan": 10.5},
}

COLUMNS = ("natural_person", "commercial", "research", "public_welfare", "legal_services", "other_org")
#: Rows given by hand; ``total`` and ``carried_forward`` follow from them.
APPLICATION_INPUT = {
    "new": (30, 5, 0, 1, 2, 0),
    "carried_over": (2, 0, 0, 0, 1, 0),
    "granted": (12, 2, 0, 0, 1, 0),
    "partly_granted": (3, 1, 0, 0, 0, 0),
    "denied_state_secret": (0, 0, 0, 0, 0, 0),
    "denied_prohibited": (1, 0, 0, 0, 0, 0),
    "denied_security": (0, 0, 0, 0, 0, 0),
    "denied_third_party": (1, 0, 0, 0, 0, 0),
    "denied_internal": (0, 0, 0, 0, 0, 0),
    "denied_process": (2, 0, 0, 0, 1, 0),
    "denied_enforcement": (0, 0, 0, 0, 0, 0),
    "denied_inquiry": (1, 0, 0, 0, 0, 0),
    "unable_not_held": (6, 1, 0, 1, 0, 0),
    "unable_needs_creation": (1, 0, 0, 0, 0, 0),
    "unable_unclear": (0, 0, 0, 0, 0, 0),
    "unprocessed_petition": (2, 0, 0, 0, 0, 0),
    "unprocessed_repeat": (1, 0, 0, 0, 0, 0),
    "unprocessed_publication": (0, 0, 0, 0, 0, 0),
    "unprocessed_mass": (0, 0, 0, 0, 0, 0),
    "unprocessed_confirm": (0, 0, 0, 0, 0, 0),
    "other_no_correction": (1, 0, 0, 0, 0, 0),
    "other_unpaid_fee": (0, 0, 0, 0, 0, 0),
    "other_other": (0, 0, 0, 0, 0, 0),
}
OUTCOMES = tuple(APPLICATION_INPUT)[2:]
REVIEWS = {
    "review": (1, 0, 0, 1, 2),
    "litigation_direct": (0, 1, 0, 1, 2),
    "litigation_after_review": (0, 0, 0, 0, 0),
}
REVIEW_COLUMNS = ("upheld", "corrected", "other", "pending", "total")


def application_rows() -> dict[str, tuple[int, ...]]:
    """Every applications row, in printed order, with the 总计 column appended."""
    rows = dict(APPLICATION_INPUT)
    total = tuple(sum(rows[name][i] for name in OUTCOMES) for i in range(6))
    forward = tuple(rows["new"][i] + rows["carried_over"][i] - total[i] for i in range(6))
    assert min(forward) >= 0
    ordered = {**{name: rows[name] for name in APPLICATION_INPUT}, "total": total, "carried_forward": forward}
    return {name: values + (sum(values),) for name, values in ordered.items()}


def expected_tables() -> dict:
    """The tables every fixture must parse into."""
    applications = {
        name: dict(zip(COLUMNS + ("total",), values)) for name, values in application_rows().items()
    }
    reviews = {name: dict(zip(REVIEW_COLUMNS, values)) for name, values in REVIEWS.items()}
    return {"active": ACTIVE, "applications": applications, "reviews": reviews}


EXPECTED = expected_tables()

APPLICATION_LABELS = [
    ("new", ["一、本年新收政府信息公开申请数量"]),
    ("carried_over", ["二、上年结转政府信息公开申请数量"]),
    ("granted", ["三、本年度办理结果", "（一）予以公开"]),
    ("partly_granted", ["三、本年度办理结果", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"]),
    ("denied_state_secret", ["三、本年度办理结果", "（三）不予公开", "1.属于国家秘密"]),
    ("denied_prohibited", ["三、本年度办理结果", "（三）不予公开", "2.其他法律行政法规禁止公开"]),
    ("denied_security", ["三、本年度办理结果", "（三）不予公开", "3.危及“三安全一稳定”"]),
    ("denied_third_party", ["三、本年度办理结果", "（三）不予公开", "4.保护第三方合法权益"]),
    ("denied_internal", ["三、本年度办理结果", "（三）不予公开", "5.属于三类内部事务信息"]),
    ("denied_process", ["三、本年度办理结果", "（三）不予公开", "6.属于四类过程性信息"]),
    ("denied_enforcement", ["三、本年度办理结果", "（三）不予公开", "7.属于行政执法案卷"]),
    ("denied_inquiry", ["三、本年度办理结果", "（三）不予公开", "8.属于行政查询事项"]),
    ("unable_not_held", ["三、本年度办理结果", "（四）无法提供", "1.本机关不掌握相关政府信息"]),
    ("unable_needs_creation", ["三、本年度办理结果", "（四）无法提供", "2.没有现成信息需要另行制作"]),
    ("unable_unclear", ["三、本年度办理结果", "（四）无法提供", "3.补正后申请内容仍不明确"]),
    ("unprocessed_petition", ["三、本年度办理结果", "（五）不予处理", "1.信访举报投诉类申请"]),
    ("unprocessed_repeat", ["三、本年度办理结果", "（五）不予处理", "2.重复申请"]),
    ("unprocessed_publication", ["三、本年度办理结果", "（五）不予处理", "3.要求提供公开出版物"]),
    ("unprocessed_mass", ["三、本年度办理结果", "（五）不予处理", "4.无正当理由大量反复申请"]),
    ("unprocessed_confirm", ["三、本年度办理结果", "（五）不予处理", "5.要求行政机关确认或重新出具已获取信息"]),
    ("other_no_correction", ["三、本年度办理结果", "（六）其他处理",
                             "1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"]),
    ("other_unpaid_fee", ["三、本年度办理结果", "（六）其他处理",
                          "2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"]),
    ("other_other", ["三、本年度办理结果", "（六）其他处理", "3.其他"]),
    ("total", ["三、本年度办理结果", "（七）总计"]),
    ("carried_forward", ["四、结转下年度继续办理"]),
]


LEFT, UP = "<", "^"  # in a grid: this position belongs to the cell on its left / above


def _merge_runs(table, rows: list[list[str]]) -> None:
    """Fill a python-docx table from a grid whose ``<`` and ``^`` positions extend a merged cell."""
    height, width = len(rows), len(rows[0])
    for r in range(height):
        for c in range(width):
            text = rows[r][c]
            if text in (LEFT, UP):
                continue
            c2 = c
            while c2 + 1 < width and rows[r][c2 + 1] == LEFT:
                c2 += 1
            r2 = r
            while r2 + 1 < height and rows[r2 + 1][c] == UP:
                r2 += 1
            cell = table.cell(r, c)
            if (r2, c2) != (r, c):
                cell = cell.merge(table.cell(r2, c2))
            cell.text = text


def _grid_table(document, rows: list[list[str]]):
    from docx.shared import Pt

    table = document.add_table(rows=len(rows), cols=len(rows[0]))
    table.style = "Table Grid"
    _merge_runs(table, rows)
    for row in table.rows:
        for cell in row.cells:
            for paragraph in cell.paragraphs:
                for run in paragraph.runs:
                    run.font.size = Pt(7.5)
    return table


def active_grid() -> list[list[str]]:
    def item(n: str) -> list[str]:
        return [f"第二十条第（{n}）项", LEFT, LEFT, LEFT]

    def one_value(label: str, value: object) -> list[str]:
        return [label, str(value), LEFT, LEFT]

    rows = [item("一"), ["信息内容", "本年制发件数", "本年废止件数", "现行有效件数"]]
    for key in ("regulations", "normative_documents"):
        rows.append([ACTIVE_LABELS[key], *(str(v) for v in ACTIVE[key].values())])
    rows += [item("五"), one_value("信息内容", "本年处理决定数量"), one_value("行政许可", ACTIVE["licensing"]["decisions"])]
    rows += [item("六"), one_value("信息内容", "本年处理决定数量")]
    rows += [one_value(ACTIVE_LABELS[key], ACTIVE[key]["decisions"]) for key in ("penalty", "coercion")]
    rows += [item("八"), one_value("信息内容", "本年收费金额（单位：万元）")]
    rows.append(one_value("行政事业性收费", ACTIVE["fees"]["amount_10k_yuan"]))
    return rows


def applications_grid() -> list[list[str]]:
    corner = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    rows = [
        [corner, LEFT, LEFT, "申请人情况"] + [LEFT] * 6,
        [UP, UP, UP, "自然人", "法人或其他组织", LEFT, LEFT, LEFT, LEFT, "总计"],
        [UP, UP, UP, UP, "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", UP],
    ]
    values = application_rows()
    previous: list[str] = []
    for key, labels in APPLICATION_LABELS:
        if len(labels) == 1:
            label = [labels[0], LEFT, LEFT]
        else:
            label = [labels[0], labels[1], labels[2] if len(labels) > 2 else LEFT]
            for i in (0, 1):
                if previous[i:i + 1] == [labels[i]]:
                    label[i] = UP
        previous = (labels + [""] * 3)[:3]
        rows.append(label + [str(v) for v in values[key]])
    return rows


def reviews_grid() -> list[list[str]]:
    heads = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    return [
        ["行政复议", LEFT, LEFT, LEFT, LEFT, "行政诉讼"] + [LEFT] * 9,
        [UP] * 5 + ["未经复议直接起诉", LEFT, LEFT, LEFT, LEFT, "复议后起诉", LEFT, LEFT, LEFT, LEFT],
        heads * 3,
        [str(v) for name in REVIEWS for v in REVIEWS[name]],
    ]


PARAGRAPHS = {
    "intro": "本报告由淮安市清江浦区人民政府办公室根据《中华人民共和国政府信息公开条例》编制。"
    "报告中所列数据统计期限自2024年1月1日起至2024年12月31日止。",
    "overview": "2024年，清江浦区坚持以公开为常态、不公开为例外，全年本年新收政府信息公开申请38件，"
    "均在法定期限内答复。",
    "problems": "政策解读的针对性还需加强。下一步将完善解读机制，提升公开质量。",
    "other": "2024年，本机关未收取政府信息公开信息处理费。",
}


def make_docx() -> bytes:
    """The report as DOCX: title, six sections, the three tables with merged cells."""
    from docx import Document
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "Noto Serif CJK SC"
    normal.font.size = Pt(10.5)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "Noto Serif CJK SC")
    document.add_heading(TITLE, level=1)
    document.add_paragraph(PARAGRAPHS["intro"])
    document.add_paragraph("一、总体情况")
    document.add_paragraph(PARAGRAPHS["overview"])
    document.add_paragraph("二、主动公开政府信息情况")
    _grid_table(document, active_grid())
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    _grid_table(document, applications_grid())
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    _grid_table(document, reviews_grid())
    document.add_paragraph("五、存在的主要问题及改进情况")
    document.add_paragraph(PARAGRAPHS["problems"])
    document.add_paragraph("六、其他需要报告的事项")
    document.add_paragraph(PARAGRAPHS["other"])
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()


def convert(source: Path, target_ext: str, out_dir: Path) -> Path:
    """LibreOffice headless conversion (own profile, so it runs beside a desktop session)."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", target_ext,
             "--outdir", str(out_dir), str(source)],
            check=True, capture_output=True, timeout=180,
        )
    return out_dir / f"{source.stem}.{target_ext.split(':')[0]}"


def make_scans(pdf: Path, out_dir: Path) -> None:
    """An image-only PDF of the whole report (150 dpi JPEG pages), and a small PNG scan of
    the top of the last page (reviews table and closing sections, 200 dpi, 8 grey levels)."""
    from PIL import Image, ImageOps

    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", "150", "-gray", "-png", str(pdf), f"{tmp}/page"], check=True, timeout=120)
        pages = [Image.open(path).convert("L") for path in sorted(Path(tmp).glob("page-*.png"))]
        first, *rest = pages
        first.save(out_dir / "report_scan.pdf", save_all=True, append_images=rest, resolution=150, quality=35)
        subprocess.run(["pdftoppm", "-r", "200", "-gray", "-png", "-f", str(len(pages)), "-l", str(len(pages)),
                        str(pdf), f"{tmp}/last"], check=True, timeout=120)
        last = Image.open(next(Path(tmp).glob("last*.png"))).convert("L")
        box = ImageOps.invert(last).getbbox()
        top = last.crop((box[0] - 20, box[1] - 20, box[2] + 20, min(box[3] + 20, box[1] + last.height // 3)))
        top.quantize(8).save(out_dir / "report_scan.png", optimize=True)


def main() -> int:
    out = HERE
    (out / "report.docx").write_bytes(make_docx())
    with tempfile.TemporaryDirectory() as tmp:
        tmp_dir = Path(tmp)
        source = tmp_dir / "report.docx"
        shutil.copy(out / "report.docx", source)
        for ext in ("doc:MS Word 97", "rtf", "pdf"):
            made = convert(source, ext, tmp_dir)
            shutil.copy(made, out / made.name)
    shutil.copy(out / "report.doc", out / "report.wps")
    make_scans(out / "report.pdf", out)
    for path in sorted(out.glob("report*")):
        print(f"{path.name:20} {path.stat().st_size:>8} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
