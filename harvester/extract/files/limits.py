"""Bounds on what reading one file may cost, and the refusal raised beyond them.

Files come from thousands of portals nobody vets; a hostile or broken one must
cost a bounded amount of time and memory and end in a one-line reason, never a
hung crawl. Each constant says why it has its value.
"""

from __future__ import annotations

import os
import resource
import subprocess
import time
from collections.abc import Sequence

#: Real reports are 0.1-20 MB (scanned ones the largest); 64 MB leaves room for
#: a long scan and refuses the "2 GB PDF" before anything parses it.
MAX_FILE_BYTES = 64 * 1024 * 1024
#: Reports have 3-40 pages; a compilation (汇编) of a county's reports may reach
#: a few hundred. More is not one report, or is built to exhaust the reader.
MAX_PDF_PAGES = 400
#: Wall-clock budget for the text and tables of one PDF (the real reports take
#: 0.2 s per page); checked between pages.
PDF_SECONDS = 120.0
#: A page with more drawing/text objects than this is not a table page a person
#: drew; table finding is skipped on it (its cost grows with the objects).
MAX_PAGE_OBJECTS = 60_000
#: Uncompressed bytes a DOCX/XLSX may hold in all, and in one member: a real
#: report's document.xml is < 5 MB and its images < 50 MB together; a zip bomb
#: declares gigabytes in a few kilobytes.
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_UNZIPPED_MEMBER = 100 * 1024 * 1024
MAX_ZIP_MEMBERS = 5_000
#: Compression ratio above which a member is a bomb: XML compresses 10-30x,
#: never 1000x.
MAX_ZIP_RATIO = 500
#: Pixels of one image (or rendered page) given to OCR: an A4 page at 300 dpi is
#: 8.7 M; 40 M refuses decompression bombs in PNG/TIFF headers.
MAX_IMAGE_PIXELS = 40_000_000
#: OCR costs 5-30 s a page on two cores; a scan longer than this is read only
#: in part (a note says so).
MAX_OCR_PAGES = 12
#: Converters (LibreOffice, catdoc) run as subprocesses under these limits:
#: LibreOffice converts a report in 2-5 s; 1.5 GB of address space is what its
#: start-up needs with room to spare.
CONVERTER_SECONDS = 90
CONVERTER_ADDRESS_SPACE = 1536 * 1024 * 1024
CONVERTER_OUTPUT_BYTES = 64 * 1024 * 1024


class UnreadableFile(ValueError):
    """A file refused or not understood; the message says why in one line."""


def check_size(body: bytes, kind: str) -> None:
    """Refuse a file over :data:`MAX_FILE_BYTES`."""
    if len(body) > MAX_FILE_BYTES:
        raise UnreadableFile(f"{kind} of {len(body) // (1024 * 1024)} MB is over the {MAX_FILE_BYTES // (1024 * 1024)} MB limit")


class Deadline:
    """A wall-clock budget checked between units of work (pages), in process."""

    def __init__(self, seconds: float, what: str) -> None:
        self.end = time.monotonic() + seconds
        self.seconds = seconds
        self.what = what

    def expired(self) -> bool:
        return time.monotonic() > self.end

    def check(self) -> None:
        if self.expired():
            raise UnreadableFile(f"{self.what} took longer than {self.seconds:g} s")


def _limit_child(address_space: int, cpu_seconds: int, output_bytes: int) -> None:
    """Run in the child before exec: caps on memory, CPU time, file size; no core dumps."""
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_FSIZE, (output_bytes, output_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    os.setsid()


def run_limited(
    command: Sequence[str],
    *,
    timeout: float = CONVERTER_SECONDS,
    address_space: int = CONVERTER_ADDRESS_SPACE,
    cwd: str | None = None,
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run a converter with a timeout and resource limits; kill its whole process group on timeout."""
    process = subprocess.Popen(
        list(command),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=cwd,
        env=env,
        preexec_fn=lambda: _limit_child(address_space, int(timeout) + 1, CONVERTER_OUTPUT_BYTES),
    )
    try:
        stdout, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, 9)
        except ProcessLookupError:
            pass
        process.communicate()
        raise UnreadableFile(f"{command[0]} took longer than {timeout:g} s") from None
    return subprocess.CompletedProcess(process.args, process.returncode, stdout, stderr)
