"""atheris harness: read_document on arbitrary bytes served as HTML or as text.

Raises nothing but UnreadableDocument; a Document's text and hash are storable
(valid UTF-8, no lone surrogates). File formats (PDF, OLE, ZIP, RTF, images) are
left to the file readers' own hostile-file tests: their magic is skipped here.

    python fuzz/fuzz_read_document.py -max_total_time=180
"""

from __future__ import annotations

import atheris
from _common import check_tables, libfuzzer_argv

# harvester is installed editable (a custom import finder atheris's hook does not see):
# import plainly, then instrument every loaded Python function.
from harvester.document import UnreadableDocument, read_document
from harvester.extract.files import FILE_KINDS, sniff_file
from harvester.parse.report import parse_report

WHERE = [("http://x.gov.cn/a.html", "text/html"), ("http://x.gov.cn/a.txt", "text/plain"),
         ("http://x.gov.cn/a.html", "text/html; charset=gbk"), (None, None)]


def TestOneInput(data: bytes) -> None:
    if not data:
        return
    url, content_type = WHERE[data[0] % len(WHERE)]
    body = data[1:]
    if sniff_file(body, content_type, url) in FILE_KINDS:
        return
    try:
        document = read_document(body, url, content_type)
    except UnreadableDocument as exc:
        assert "\n" not in str(exc)
        return
    document.text.encode("utf-8")
    document.title.encode("utf-8")
    assert len(document.content_hash) == 64
    for table in document.tables.values():
        for columns in table.values():
            for value in columns.values():
                assert value is None or abs(value) < 1e13
    check_tables(parse_report(document.text))


if __name__ == "__main__":
    atheris.instrument_all()
    atheris.Setup(libfuzzer_argv("read_document", max_len=262144, timeout=20), TestOneInput)
    atheris.Fuzz()
