"""atheris harness: the text table parser, sections and checks on arbitrary text.

    python fuzz/fuzz_text_tables.py -runs=100000
    python fuzz/fuzz_text_tables.py -max_total_time=180
"""

from __future__ import annotations

import atheris
from _common import SHARED_TEXT, check_tables, libfuzzer_argv

# harvester is installed editable (a custom import finder atheris's hook does not see):
# import plainly, then instrument every loaded Python function.
from harvester.parse.checks import run_checks, stated_figures
from harvester.parse.sections import split_sections
from harvester.parse.text_tables import tables_from_text


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    hint = fdp.PickValueInList([None, "2021", "2019", "x"])
    text = fdp.ConsumeUnicodeNoSurrogates(len(data)) if fdp.ConsumeBool() else data.decode("utf-8", "replace")
    parsed = tables_from_text(text, hint)
    check_tables(parsed)
    for check in run_checks(parsed.tables, hint or "2021", text):
        assert check.status in ("pass", "fail", "skipped")
    sections = split_sections(text)
    assert set(sections) <= {"overview", "proactive", "applications", "reviews", "problems", "other"}
    for value in stated_figures(text).values():
        assert 0 <= value < 10**12


if __name__ == "__main__":
    atheris.instrument_all()
    atheris.Setup(libfuzzer_argv("text_tables", extra=(SHARED_TEXT,)), TestOneInput)
    atheris.Fuzz()
