"""Reports published as files, crawled: attachments followed, one report from several files, hostile files refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from harvester.cli import crawl_farm
from harvester.farm.files import (
    BOMB, DOC, DOCX, FAKE_PDF, FILES_HOST, FILES_REPORTS, FILES_SEED_ROW, FINANCE, GOVERNMENT, PDF, SCAN, SCAN_PDF, SHELL, WPS, files_site,
)
from harvester.farm.seeds import write_seeds
from harvester.farm.server import FarmServer
from harvester.farm.truth import expected_reports
from harvester.store.db import open_store, session_factory
from harvester.store.models import Fetch
from tests.data.files.make_fixtures import EXPECTED
from tests.test_crawl_farm import export_records


@pytest.fixture(scope="module")
def files_crawl(tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("files")
    seeds = write_seeds(tmp_path / "seeds.csv")
    with seeds.open("a", encoding="utf-8") as handle:
        handle.write(FILES_SEED_ROW)
    db_url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    with FarmServer(files_site()) as farm:
        assert crawl_farm(seeds, db_url, farm.proxy_url, tmp_path / "crawl.log") == 0, (tmp_path / "crawl.log").read_text()[-3000:]
    return db_url


def url(path: str) -> str:
    return f"http://{FILES_HOST}{path}"


def test_one_report_from_a_page_and_its_files(files_crawl):
    records = export_records(files_crawl)
    government = [r for r in records if r["agency"] == GOVERNMENT and r["year"] == 2024]
    assert len(government) == 1, "the page, its PDF and DOCX and the WPS copy are one report"
    record = government[0]
    assert {s["url"] for s in record["sightings"]} == {url(SHELL), url(PDF), url(DOCX), url(WPS), url(SCAN),
                                                     url(SCAN_PDF), url(DOC)}
    assert record["tables"] == EXPECTED
    assert record["source_type"] == record["tables_from"]["source_type"]
    assert record["source_type"] in ("pdf", "docx"), "the tables come from a file, the page has none"
    kinds = {source["source_type"] for source in record["sources"]}
    assert {"html", "pdf", "image"} <= kinds and kinds & {"docx", "wps"}, "the WPS copy has the DOCX's very text"
    scan = next(source for source in record["sources"] if source["source_type"] == "image")
    assert not scan["current"], "OCR'd tables never outrank a file's own tables"
    best = max(source["filled_cells"] for source in record["sources"])
    assert next(s for s in record["sources"] if s["current"])["filled_cells"] == best


def test_a_pdf_that_is_really_html_and_a_zip_bomb(files_crawl):
    records = export_records(files_crawl)
    finance = [r for r in records if r["agency"] == FINANCE]
    assert len(finance) == 1 and finance[0]["source_type"] == "html"
    assert finance[0]["sightings"][0]["url"] == url(FAKE_PDF)
    assert len(records) == len(expected_reports()) + FILES_REPORTS
    engine = open_store(files_crawl)
    with session_factory(engine)() as session:
        bomb = session.scalars(select(Fetch).where(Fetch.url == url(BOMB))).all()
    engine.dispose()
    assert bomb and any(fetch.error and "unreadable" in fetch.error for fetch in bomb)
