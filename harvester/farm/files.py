"""A portal whose reports come as files (tests of attachments and the benchmark farm; not in the default farm).

One report, several files: an HTML page that only announces the report and
attaches it as PDF (served as ``application/octet-stream``), DOCX and a PNG scan, the same
report posted again as a WPS file in the list; another publisher's report
served as "PDF" that is really an HTML page; and a zip bomb disguised as a
DOCX. The files are the fixtures in ``tests/data/files`` (made from known
numbers by ``make_fixtures.py``); the farm only serves them. The list also
links an image-only PDF of the report: OCR makes it the slowest page of the
farm (tens of seconds).
"""

from __future__ import annotations

import io
import zipfile
from functools import cache
from pathlib import Path

from harvester.farm.site import Page, Site, build_site

FILES_HOST = "www.qingjiangpu.gov.cn"
FILES_SEED_URL = f"http://{FILES_HOST}/"
FILES_SEED_ROW = f"淮安市清江浦区人民政府,{FILES_SEED_URL},320812,county,320800\n"
FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "data" / "files"
COLUMN = "/zwgk/zfxxgknb/"
GOVERNMENT = "淮安市清江浦区人民政府"
GOVERNMENT_TITLE = f"{GOVERNMENT}2024年政府信息公开工作年度报告"
SHELL = COLUMN + "202502/t20250210_8801.html"
PDF = "/uploads/2025/02/P020250210_8801.pdf"
DOCX = "/uploads/2025/02/P020250210_8802.docx"
WPS = COLUMN + "202502/qjp_2024_nb.wps"
SCAN = "/uploads/2025/02/P020250210_8803.png"
SCAN_PDF = COLUMN + "202502/qjp_2024_nb_scan.pdf"
DOC = "/module/download/downfile.jsp?classid=0&filename=qjp_2024_nb.doc"
FAKE_PDF = "/uploads/2025/01/czj_2024_nb.pdf"
BOMB = COLUMN + "202301/qjp_2022_nb.docx"
FINANCE = "淮安市清江浦区财政局"
#: Reports the portal publishes: the government's (page, files and scans as one) and the finance bureau's.
FILES_REPORTS = 2


def _file(name: str, content_type: str) -> Page:
    return Page(headers={"Content-Type": content_type}, body=(FIXTURES / name).read_bytes())


@cache
def zip_bomb() -> bytes:
    """A DOCX-looking zip whose document.xml inflates to 256 MiB (a quarter MB on the wire)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        with archive.open("word/document.xml", "w", force_zip64=True) as member:
            chunk = b"\0" * (1 << 20)
            for _ in range(256):
                member.write(chunk)
    return buffer.getvalue()


def finance_page() -> str:
    """Another publisher's report as an HTML page, taken from the farm's template."""
    template = build_site().get("www.anding.gov.cn", "/zwgk/zfxxgk/zfxxgknb/content_5170.html").body.decode("utf-8")
    return template.replace("定西市安定区财政局", FINANCE).replace("定西市安定区", "淮安市清江浦区")


def files_site(base: Site | None = None, scans: bool = True) -> Site:
    """The files portal added to ``base`` (default: the whole farm); ``scans=False`` leaves out the two scans to OCR."""
    site = base if base is not None else build_site()
    site.put_html(FILES_HOST, "/", '<!DOCTYPE html><html><head><meta charset="utf-8"><title>淮安市清江浦区人民政府</title>'
                  '</head><body><a href="/zwgk/">政务公开</a></body></html>')
    site.put_html(FILES_HOST, "/zwgk/", '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政务公开</title></head>'
                  f'<body><a href="{COLUMN}">政府信息公开年报</a></body></html>')
    items = [
        (SHELL, GOVERNMENT_TITLE),
        (WPS, GOVERNMENT_TITLE + "（WPS版）"),
        (SCAN_PDF, GOVERNMENT_TITLE + "（扫描版PDF）"),
        (FAKE_PDF, f"{FINANCE}2024年政府信息公开工作年度报告"),
        (BOMB, f"{GOVERNMENT}2022年政府信息公开工作年度报告"),
    ]
    if not scans:
        items = [item for item in items if item[0] != SCAN_PDF]
    links = "".join(f'<li><a href="{href}">{title}</a></li>' for href, title in items)
    site.put_html(FILES_HOST, COLUMN, '<!DOCTYPE html><html><head><meta charset="utf-8"><title>政府信息公开年报</title>'
                  f'</head><body><h2>政府信息公开年报</h2><ul>{links}</ul></body></html>')
    site.put_html(FILES_HOST, SHELL, f"""<!DOCTYPE html><html><head><meta charset="utf-8">
<meta name="ArticleTitle" content="{GOVERNMENT_TITLE}"><meta name="PubDate" content="2025-02-10 09:00">
<title>{GOVERNMENT_TITLE}_淮安市清江浦区人民政府</title></head><body>
<div class="TRS_Editor"><h1>{GOVERNMENT_TITLE}</h1>
<p>根据《中华人民共和国政府信息公开条例》规定，现将{GOVERNMENT}2024年政府信息公开工作年度报告全文公布如下，
报告全文及统计表格详见附件。本报告电子版可在本网站下载，如对本报告有任何疑问，请与区人民政府办公室联系。</p>
<p>附件：<a href="{PDF}">{GOVERNMENT_TITLE}.pdf</a></p>
<p>附件2：<a href="{DOCX}">下载Word版</a></p>
<p>附件4：<a href="{DOC}">旧版Word文件</a></p>
{f'<p>附件3：<a href="{SCAN}">{GOVERNMENT_TITLE}（盖章扫描件）</a></p>' if scans else ""}</div></body></html>""")
    site.put(FILES_HOST, PDF, _file("report.pdf", "application/octet-stream"))
    site.put(FILES_HOST, DOCX, _file("report.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"))
    site.put(FILES_HOST, WPS, _file("report.wps", "application/kswps"))
    if scans:
        site.put(FILES_HOST, SCAN, _file("report_scan.png", "image/png"))
        site.put(FILES_HOST, SCAN_PDF, _file("report_scan.pdf", "application/pdf"))
    site.put(FILES_HOST, DOC, _file("report.doc", "application/octet-stream"))
    fake = finance_page().encode("utf-8")
    site.put(FILES_HOST, FAKE_PDF, Page(headers={"Content-Type": "application/pdf"}, body=fake))
    site.put(FILES_HOST, BOMB, Page(headers={"Content-Type": "application/msword"}, body=zip_bomb(), validators=False))
    site.put(FILES_HOST, "/robots.txt", Page(headers={"Content-Type": "text/plain"}, body=b"User-agent: *\nAllow: /\n"))
    return site
