"""DOC and WPS (OLE2 Word binary): LibreOffice converts to DOCX, whose real tables are then read.

Measured on the fixture (README "Reading files"): LibreOffice keeps every table
with its merged cells (200 of 200 cells right) at 2-3 s a file; catdoc keeps
cells tab-separated (200 of 200 through the text parser) in 6 ms but no
structure; antiword lost most of the applications table (10 of 200). So
LibreOffice first, catdoc when LibreOffice is missing or fails.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from harvester.extract.files.base import FileText, tidy_text
from harvester.extract.files.docx import read_docx
from harvester.extract.files.limits import UnreadableFile, check_size, run_limited


def read_word(body: bytes, source_type: str = "doc") -> FileText:
    """A binary Word file (``doc`` or ``wps``) as text and tables."""
    check_size(body, source_type.upper())
    notes: list[str] = []
    if shutil.which("soffice"):
        try:
            converted = convert_with_libreoffice(body, "doc", "docx")
            result = read_docx(converted, source_type=source_type)
            result.notes.insert(0, "converted with LibreOffice")
            return result
        except UnreadableFile as exc:
            notes.append(f"LibreOffice failed: {exc}")
    if shutil.which("catdoc"):
        return _read_with_catdoc(body, source_type, notes)
    raise UnreadableFile(f"{source_type.upper()} needs LibreOffice (soffice) or catdoc, neither is installed")


def convert_with_libreoffice(body: bytes, suffix: str, target: str) -> bytes:
    """Convert bytes with ``soffice --headless --convert-to`` in a private profile, under limits."""
    with tempfile.TemporaryDirectory(prefix="harvester-soffice-") as tmp:
        work = Path(tmp)
        source = work / f"in.{suffix}"
        source.write_bytes(body)
        completed = run_limited(
            ["soffice", f"-env:UserInstallation=file://{work}/profile", "--headless", "--norestore",
             "--convert-to", target, "--outdir", str(work / "out"), str(source)],
            env={"HOME": str(work), "PATH": "/usr/bin:/bin:/usr/local/bin", "LANG": "C.UTF-8"},
        )
        made = work / "out" / f"in.{target}"
        if completed.returncode != 0 or not made.exists():
            reason = completed.stderr.decode("utf-8", "replace").strip().splitlines()
            raise UnreadableFile(f"LibreOffice could not convert the file ({(reason or ['no output'])[-1][:120]})")
        return made.read_bytes()


def _read_with_catdoc(body: bytes, source_type: str, notes: list[str]) -> FileText:
    with tempfile.NamedTemporaryFile(suffix=".doc") as source:
        source.write(body)
        source.flush()
        completed = run_limited(["catdoc", "-w", "-d", "utf-8", source.name])
    text = completed.stdout.decode("utf-8", "replace")
    if completed.returncode != 0 or not text.strip():
        raise UnreadableFile(f"catdoc could not read the {source_type.upper()} file")
    notes.append("read with catdoc: tables as tab-separated text")
    return FileText(text=tidy_text([text]), html_tables=None, pages=max(1, text.count("\f") + 1), notes=notes,
                    source_type=source_type)
