"""``harvester reparse``: stored raw pages re-read by the current parser, updated where the parse changed."""

from __future__ import annotations

from sqlalchemy import select
from typer.testing import CliRunner

from harvester.cli import app
from harvester.document import PARSER_VERSION, content_hash, read_document
from harvester.items import PortalSeed, ReportPage
from harvester.store.db import open_store, session_factory
from harvester.store.models import ReportVersion, TableCell
from harvester.store.writer import StoreWriter, utcnow
from tests.test_extract_text import COUNTY_PAGE as PAGE


def stored_from_an_older_parser(db_url: str) -> int:
    """Store the page as today's parser reads it, then make the stored parse look like an old parser's."""
    body = PAGE.read_bytes()
    writer = StoreWriter(open_store(db_url))
    writer.portal_id(PortalSeed(url="http://www.x.gov.cn/", name="x"))
    page = ReportPage(url="http://www.x.gov.cn/1.html", final_url="http://www.x.gov.cn/1.html",
                      portal_url="http://www.x.gov.cn/", status=200, body=body, fetched_at=utcnow())
    writer.store_report(page, read_document(body, page.url))
    with session_factory(writer.engine).begin() as session:
        version = session.scalars(select(ReportVersion)).one()
        version.tables = {"applications": {"new": {"total": 999}}}
        version.cells = [TableCell(table_name="applications", row_key="new", column_key="total", value=999)]
        version.format_version = "unknown"
        version.parser_version = "0"
        return version.id


def test_reparse_updates_what_the_current_parser_reads_differently(store_url):
    version_id = stored_from_an_older_parser(store_url)
    result = CliRunner().invoke(app, ["reparse", "--db", store_url, "--stale-only"])
    assert result.exit_code == 0, result.output
    assert "1 updated" in result.output
    expected = read_document(PAGE.read_bytes(), "http://www.x.gov.cn/1.html")
    engine = open_store(store_url)
    with session_factory(engine)() as session:
        version = session.get(ReportVersion, version_id)
        assert version.tables == expected.tables
        assert version.format_version == expected.format_version
        assert version.parser_version == PARSER_VERSION
        assert version.content_hash == content_hash(expected.text)
        cells = {(c.table_name, c.row_key, c.column_key): c.value for c in version.cells}
        assert cells[("applications", "new", "total")] == expected.tables["applications"]["new"]["total"]
    again = CliRunner().invoke(app, ["reparse", "--db", store_url])
    assert "0 updated" in again.output
    engine.dispose()
