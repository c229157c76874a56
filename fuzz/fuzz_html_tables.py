"""atheris harness: tables_from_html on arbitrary bytes and text never raises and gives sane tables.

    python fuzz/fuzz_html_tables.py -runs=100000
    python fuzz/fuzz_html_tables.py -max_total_time=180
"""

from __future__ import annotations

import atheris
from _common import check_tables, libfuzzer_argv

# harvester is installed editable (a custom import finder atheris's hook does not see):
# import plainly, then instrument every loaded Python function.
from harvester.parse.checks import run_checks
from harvester.parse.html_tables import tables_from_html


def TestOneInput(data: bytes) -> None:
    parsed = tables_from_html(data)  # bytes: the parser's own charset sniffing
    check_tables(parsed)
    run_checks(parsed.tables, "2021")
    text = data.decode("utf-8", "replace")
    check_tables(tables_from_html(text))


if __name__ == "__main__":
    atheris.instrument_all()
    atheris.Setup(libfuzzer_argv("html_tables"), TestOneInput)
    atheris.Fuzz()
