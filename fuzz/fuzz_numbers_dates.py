"""atheris harness: cell numbers, dates and report identity on arbitrary text.

A number comes out only when the text is that number (its digits, nothing merged);
a date only when it is a real calendar date whose year the text holds.

    python fuzz/fuzz_numbers_dates.py -runs=1000000
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

import atheris
from _common import libfuzzer_argv

# harvester is installed editable (a custom import finder atheris's hook does not see):
# import plainly, then instrument every loaded Python function.
from harvester.extract.metadata import iso_datetime, report_identity
from harvester.parse.numbers import classify_cell


def TestOneInput(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    text = fdp.ConsumeUnicodeNoSurrogates(64)
    rest = fdp.ConsumeUnicodeNoSurrogates(4096)
    kind, value = classify_cell(text)
    assert kind in ("null", "number", "text")
    if kind == "number":
        norm = unicodedata.normalize("NFKC", text)
        whole = re.sub(r"[^0-9]", "", norm.split(".")[0])
        assert str(abs(int(value))) == (whole.lstrip("0") or "0"), (text, value)
        assert abs(value) < 10**12
        assert not re.search(r"[0-9][\s,]+[0-9]{1,2}(?![0-9])", norm.split(".")[0]), (text, value)
    else:
        assert value is None
    found = iso_datetime(text + rest)
    if found is not None:
        moment = dt.datetime.fromisoformat(found)
        assert 1980 <= moment.year <= dt.date.today().year + 1
        assert str(moment.year) in unicodedata.normalize("NFKC", text + rest)
    agency, year = report_identity(text, rest)
    assert year is None or 2000 <= year <= dt.date.today().year
    assert agency is None or len(agency) <= 45


if __name__ == "__main__":
    atheris.instrument_all()
    atheris.Setup(libfuzzer_argv("numbers_dates", max_len=8192), TestOneInput)
    atheris.Fuzz()
