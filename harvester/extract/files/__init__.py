"""Reports published as files: PDF, DOCX, DOC/WPS, RTF, XLS(X) and scanned images.

Pure readers (bytes in, :class:`FileText` out; no Scrapy, no database). Each
refuses a hostile or broken file with :class:`UnreadableFile` and a one-line
reason, within the bounds of :mod:`.limits`.
"""

from __future__ import annotations

from harvester.extract.files.base import FileText
from harvester.extract.files.limits import UnreadableFile
from harvester.extract.files.sniff import sniff_file

__all__ = ["FILE_KINDS", "FileText", "UnreadableFile", "read_file", "sniff_file"]

#: Kinds of :func:`sniff_file` that :func:`read_file` reads.
FILE_KINDS = ("pdf", "docx", "doc", "wps", "rtf", "xlsx", "xls", "image")


def read_file(body: bytes, kind: str) -> FileText:
    """Read a file of a kind :func:`sniff_file` named; readers are imported on first use."""
    if kind == "pdf":
        from harvester.extract.files.pdf import read_pdf

        return read_pdf(body)
    if kind == "docx":
        from harvester.extract.files.docx import read_docx

        return read_docx(body)
    if kind in ("doc", "wps"):
        from harvester.extract.files.word import read_word

        return read_word(body, source_type=kind)
    if kind == "rtf":
        from harvester.extract.files.rtf import read_rtf

        return read_rtf(body)
    if kind == "xlsx":
        from harvester.extract.files.sheets import read_xlsx

        return read_xlsx(body)
    if kind == "xls":
        from harvester.extract.files.sheets import read_xls

        return read_xls(body)
    if kind == "image":
        from harvester.extract.files.ocr import read_image

        return read_image(body)
    raise UnreadableFile(f"{kind} files are not a report format harvester reads")
