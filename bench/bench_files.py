"""Seconds per page for each file type: the fixtures of tests/data/files and the real PDFs.

    python bench/bench_files.py            # OCR'd files once, the others best of 3
    python bench/bench_files.py --no-ocr   # skip the scans

Prints a Markdown table (the README's "Reading files" figures come from it).
Each row is ``read_document`` end to end: sniff, read, convert, parse, check.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from harvester.document import read_document  # noqa: E402
from harvester.extract.files import read_file, sniff_file  # noqa: E402

FILES = ROOT / "tests" / "data" / "files"
REAL = ROOT.parent / "shared" / "examples" / "real-pages"
CASES = [
    FILES / "report.pdf", REAL / "201_hongze_district_2023_report.pdf", REAL / "203_huaian_city_2024_report.pdf",
    FILES / "report.docx", FILES / "report.doc", FILES / "report.wps", FILES / "report.rtf",
    FILES / "report_scan.png", FILES / "report_scan.pdf",
]


def timed(path: Path, repeat: int) -> tuple[float, int, str, str]:
    body = path.read_bytes()
    kind = sniff_file(body, None, path.name)
    pages = read_file(body, kind).pages if kind != "image" else 1
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        document = read_document(body, path.name)
        best = min(best, time.perf_counter() - start)
    return best, pages, document.source_type, document.table_source


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-ocr", action="store_true", help="skip the scanned files")
    args = parser.parse_args()
    print("| file | type | pages | tables from | seconds | seconds per page |")
    print("|---|---|---:|---|---:|---:|")
    for path in CASES:
        scan = "scan" in path.name
        if scan and args.no_ocr or not path.exists():
            continue
        seconds, pages, source_type, table_source = timed(path, 1 if scan else 3)
        print(f"| {path.name} | {source_type} | {pages} | {table_source} | {seconds:.2f} | {seconds / pages:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
