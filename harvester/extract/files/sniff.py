"""What kind of file a body is: magic bytes first, then Content-Type, then the name.

Portals serve PDFs as ``application/octet-stream``, Word files named ``.pdf``,
error pages with ``Content-Type: application/pdf`` and attachments behind
``downfile.jsp?filename=…``; the bytes are the only witness that does not lie.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import PurePosixPath
from urllib.parse import parse_qs, urlsplit

#: Kinds :func:`sniff_file` returns.
KINDS = ("html", "text", "pdf", "docx", "doc", "wps", "rtf", "xlsx", "xls", "image", "binary")

_HTML_START = (b"<!doctype html", b"<html", b"<?xml", b"<head", b"<meta", b"<body", b"<div", b"<table",
               b"<!--", b"<script", b"<p>", b"<p ", b"<title", b"<link", b"<style")
_IMAGE_MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpeg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"II*\x00", "tiff"),
    (b"MM\x00*", "tiff"),
    (b"BM", "bmp"),
)
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: Names of OLE2 directory entries as UTF-16LE, as they sit in the directory sectors.
_OLE_STREAMS = {name: name.encode("utf-16-le") for name in ("WordDocument", "Workbook", "Book", "WpsContent")}
_CONTENT_TYPES = (
    ("application/pdf", "pdf"),
    ("wordprocessingml", "docx"),
    ("spreadsheetml", "xlsx"),
    ("application/msword", "doc"),
    ("application/vnd.ms-works", "wps"),
    ("application/kswps", "wps"),
    ("application/wps", "wps"),
    ("ms-excel", "xls"),
    ("rtf", "rtf"),
    ("image/", "image"),
    ("html", "html"),
    ("text/plain", "text"),
)
_EXTENSIONS = {
    ".pdf": "pdf", ".docx": "docx", ".doc": "doc", ".wps": "wps", ".rtf": "rtf", ".xlsx": "xlsx",
    ".xls": "xls", ".et": "xls", ".png": "image", ".jpg": "image", ".jpeg": "image", ".gif": "image",
    ".tif": "image", ".tiff": "image", ".bmp": "image", ".html": "html", ".htm": "html",
    ".shtml": "html", ".xhtml": "html", ".jsp": "html", ".asp": "html", ".aspx": "html", ".php": "html",
    ".txt": "text",
}
_NAME_PARAM = re.compile(r"(?:file)?name|fn|path", re.I)


def sniff_file(body: bytes, content_type: str | None = None, name: str | None = None) -> str:
    """One of :data:`KINDS`: the bytes decide, then the Content-Type, then the extension.

    >>> sniff_file(b"%PDF-1.7 ...", "text/html", "a.html")
    'pdf'
    >>> sniff_file(b"<!DOCTYPE html><html>", "application/pdf", "report.pdf")
    'html'
    >>> sniff_file(b"\\x00\\x01", None, "http://x.gov.cn/downfile.jsp?filename=a.wps")
    'wps'
    """
    by_bytes = _from_bytes(body, name)
    if by_bytes:
        return by_bytes
    by_type = _from_content_type(content_type)
    by_name = _from_name(name)
    # A declared binary type or name is not believed when the bytes showed none
    # of its magic: it is most likely text (an error page, a flattened report).
    for kind in (by_type, by_name):
        if kind in ("html", "text"):
            return kind
    if b"\x00" in body[:4096]:
        return by_name or by_type or "binary"
    return "text"


def _from_bytes(body: bytes, name: str | None) -> str | None:
    head = body[:1024]
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(_OLE_MAGIC):
        return _ole_kind(body, name)
    if head.startswith(b"PK\x03\x04"):
        return _zip_kind(body, name)
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    for magic, _format in _IMAGE_MAGIC:
        if head.startswith(magic):
            return "image"
    if stripped.startswith(_HTML_START):
        return "html"
    return None


def _ole_kind(body: bytes, name: str | None) -> str:
    """OLE2 compound file: Word (``doc``/``wps``) by its WordDocument stream, Excel by Workbook."""
    found = {stream for stream, encoded in _OLE_STREAMS.items() if encoded in body}
    if "WordDocument" in found:
        return "wps" if _from_name(name) == "wps" or "WpsContent" in found else "doc"
    if found & {"Workbook", "Book"}:
        return "xls"
    if "WpsContent" in found:
        return "wps"
    return _from_name(name) or "binary"


def _zip_kind(body: bytes, name: str | None) -> str:
    """ZIP: Office Open XML by its part names (read from the central directory only)."""
    try:
        names = set(zipfile.ZipFile(io.BytesIO(body)).namelist())
    except (zipfile.BadZipFile, ValueError, OSError):
        return "binary"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "[Content_Types].xml" in names:
        return _from_name(name) if _from_name(name) in ("docx", "xlsx") else "binary"
    return "binary"


def _from_content_type(content_type: str | None) -> str | None:
    ctype = (content_type or "").lower()
    for marker, kind in _CONTENT_TYPES:
        if marker in ctype:
            return kind
    return None


def _from_name(name: str | None) -> str | None:
    """The extension of a path or URL, also of a ``?filename=`` query parameter (Hanweb downfile.jsp)."""
    if not name:
        return None
    parts = urlsplit(name)
    candidates = [parts.path or name]
    for key, values in parse_qs(parts.query).items():
        if _NAME_PARAM.fullmatch(key):
            candidates = values + candidates
    for candidate in candidates:
        kind = _EXTENSIONS.get(PurePosixPath(candidate.strip()).suffix.lower())
        if kind:
            return kind
    return None
