"""Every export format read back by its own reader: json, csv, pyarrow, warcio."""

from __future__ import annotations

import csv
import hashlib
import json

import pyarrow.parquet as pq
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner
from warcio.archiveiterator import ArchiveIterator

from harvester.cli import app
from harvester.discover.regions import load_divisions
from harvester.store.db import open_store, session_factory
from harvester.store.models import Report, ReportVersion, TableCell
from tests.test_query import farm_store

runner = CliRunner()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def store(request):
    url, _seeds = farm_store(request.param, request)
    return url


def export(url: str, *args: str) -> str:
    result = runner.invoke(app, ["export", "--db", url, *args])
    assert result.exit_code == 0, result.output
    return result.stdout


def jsonl(url: str, *args: str) -> list[dict]:
    return [json.loads(line) for line in export(url, "--format", "jsonl", *args).splitlines()]


def store_facts(url: str) -> dict:
    engine = open_store(url)
    with session_factory(engine)() as session:
        facts = {
            "cells": session.scalar(select(func.count()).select_from(TableCell)
                                    .join(Report, Report.current_version_id == TableCell.version_id)),
            "versions": {v.content_hash: (v.url, v.blob_sha256) for v in session.scalars(select(ReportVersion))},
        }
    engine.dispose()
    return facts


def test_jsonl_filters_pick_a_subset_of_the_plain_export(store):
    everything = {r["report_id"]: r for r in jsonl(store)}
    selected = jsonl(store, "--year", "2024", "--province", "甘肃")
    assert selected and all(r["year"] == 2024 and r["region_code"].startswith("62") for r in selected)
    for record in selected:
        assert record == everything[record["report_id"]]
    assert len(jsonl(store, "--year", "2024")) == sum(r["year"] == 2024 for r in everything.values())


def test_csv_reports_one_row_each_with_metadata(store, tmp_path):
    records = {r["report_id"]: r for r in jsonl(store)}
    out = tmp_path / "reports.csv"
    export(store, "--format", "csv", "--out", str(out))
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == len(records)
    for row in rows:
        record = records[row["report_id"]]
        assert row["title"] == record["title"] and row["agency"] == record["agency"]
        assert int(row["year"]) == record["year"] and row["content_hash"] == record["content_hash"]
        new = ((record["tables"].get("applications") or {}).get("new") or {}).get("total")
        assert row["new_applications"] == ("" if new is None else str(new))
        assert row["region"] == load_divisions().path(record["region_code"])


def test_csv_cells_is_the_long_table(store, tmp_path):
    out = tmp_path / "cells.csv"
    export(store, "--format", "csv", "--cells", "--out", str(out))
    with out.open(encoding="utf-8", newline="") as stream:
        rows = list(csv.DictReader(stream))
    assert len(rows) == store_facts(store)["cells"]
    records = {r["report_id"]: r for r in jsonl(store)}
    for row in rows[:500]:
        value = records[row["report_id"]]["tables"][row["table"]][row["row"]][row["column"]]
        assert row["value"] == ("" if value is None else str(value))
    gansu = tmp_path / "gansu.csv"
    export(store, "--format", "csv", "--cells", "--province", "62", "--year", "2024", "--out", str(gansu))
    with gansu.open(encoding="utf-8", newline="") as stream:
        assert {(r["province_code"], r["year"]) for r in csv.DictReader(stream)} == {("620000", "2024")}


def test_parquet_reports_and_cells_read_back_with_pyarrow(store, tmp_path):
    records = {r["report_id"]: r for r in jsonl(store)}
    reports = tmp_path / "reports.parquet"
    cells = tmp_path / "cells.parquet"
    export(store, "--format", "parquet", "--out", str(reports))
    export(store, "--format", "parquet", "--cells", "--out", str(cells))
    table = pq.read_table(reports)
    assert table.num_rows == len(records)
    assert str(table.schema.field("year").type) == "int32"
    for row in table.to_pylist():
        record = records[row["report_id"]]
        assert row["year"] == record["year"] and row["agency"] == record["agency"]
        assert row["total"] == ((record["tables"].get("applications") or {}).get("total") or {}).get("total")
    long = pq.read_table(cells)
    assert long.num_rows == store_facts(store)["cells"]
    assert long.column_names == ["report_id", "agency", "year", "region_code", "province_code", "table", "row",
                                 "column", "value"]


def test_warc_holds_each_captured_response_with_its_request(store, tmp_path):
    facts = store_facts(store)
    out = tmp_path / "reports.warc.gz"
    export(store, "--format", "warc", "--out", str(out))
    responses, requests = {}, {}
    with out.open("rb") as stream:
        for record in ArchiveIterator(stream):
            kind = record.rec_type
            if kind == "response":
                body = record.content_stream().read()
                assert record.http_headers.get_statuscode() == "200"
                assert record.http_headers.get_header("Content-Type", "").startswith("text/html")
                responses[record.rec_headers.get_header("WARC-Harvester-Content-Hash")] = (
                    record.rec_headers.get_header("WARC-Target-URI"), hashlib.sha256(body).hexdigest(),
                    record.rec_headers.get_header("WARC-Record-ID"),
                )
            elif kind == "request":
                assert record.http_headers.protocol == "GET"
                response_id = record.rec_headers.get_header("WARC-Concurrent-To")
                requests[response_id] = record.rec_headers.get_header("WARC-Target-URI")
    assert {h: (url, sha) for h, (url, sha, _) in responses.items()} == facts["versions"]
    assert {rid: url for _, (url, _, rid) in responses.items()} == requests
    one = tmp_path / "one.warc.gz"
    export(store, "--format", "warc", "--agency", "陇西县人民政府", "--year", "2024", "--out", str(one))
    with one.open("rb") as stream:
        assert sum(1 for r in ArchiveIterator(stream) if r.rec_type == "response") == 1


def test_export_refuses_bad_combinations(store, tmp_path):
    assert runner.invoke(app, ["export", "--db", store, "--format", "warc", "--cells"]).exit_code == 2
    assert runner.invoke(app, ["export", "--db", store, "--format", "parquet"]).exit_code == 2
    bad = runner.invoke(app, ["export", "--db", store, "--format", "csv", "--province", "火星"])
    assert bad.exit_code == 2 and "火星" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
