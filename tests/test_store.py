"""Store: migrations on SQLite and PostgreSQL, de-duplication, versions, one-line errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import func, inspect, select

from harvester.document import content_hash
from harvester.items import Document, PortalSeed, ReportPage
from harvester.store.db import StoreError, alembic_config, open_store, session_factory, upgrade
from harvester.store.models import Base, Blob, Report, ReportVersion, Sighting, TableCell
from harvester.store.writer import Outcome, StoreWriter, read_blob

PORTAL_A = PortalSeed(url="http://www.a.gov.cn/", name="甲县人民政府", region_code="621102")
PORTAL_B = PortalSeed(url="http://www.b.gov.cn/", name="乙市人民政府", region_code="621100")


def document(text: str, year: int = 2024, agency: str = "甲县人民政府") -> Document:
    return Document(
        title=f"{agency}{year}年政府信息公开工作年度报告", text=text, source_type="html",
        content_hash=content_hash(text), agency=agency, year=year, format_version="2021",
        tables={"reviews": {"review": {"upheld": 1, "corrected": 0, "other": None, "pending": 0, "total": 1}}},
        checks=[{"rule": "reviews_sum", "scope": "review", "status": "pass"}],
    )


def page(url: str, portal: str = PORTAL_A.url, body: bytes = b"<html>raw</html>") -> ReportPage:
    return ReportPage(url=url, final_url=url, portal_url=portal, status=200, body=body,
                      fetched_at=datetime.now(UTC))


def test_migrations_up_down_up_and_match_the_models(store_url):
    engine = open_store(store_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    upgrade(engine)
    assert {"reports", "report_versions", "sightings", "table_cells", "fetches", "blobs"} <= set(inspect(engine).get_table_names())
    engine.dispose()


def test_repost_is_one_report_with_two_sightings(store_url):
    writer = StoreWriter(open_store(store_url))
    writer.portal_id(PORTAL_A), writer.portal_id(PORTAL_B)
    text = "一、总体情况\n本年新收政府信息公开申请12件。"
    assert writer.store_report(page("http://www.a.gov.cn/nb/1.html"), document(text)) is Outcome.NEW_REPORT
    reposted = page("http://www.b.gov.cn/zz/9.html", PORTAL_B.url, b"<html>other chrome</html>")
    assert writer.store_report(reposted, document(" 一、总体情况 本年新收政府信息公开申请12件。")) is Outcome.NEW_SIGHTING
    assert writer.store_report(reposted, document(text)) is Outcome.UNCHANGED
    other_year = document("一、总体情况\n本年新收政府信息公开申请9件。", year=2023)
    assert writer.store_report(page("http://www.a.gov.cn/nb/2.html"), other_year) is Outcome.NEW_REPORT
    with session_factory(writer.engine)() as session:
        assert session.scalar(select(func.count(Report.id))) == 2
        assert session.scalar(select(func.count(Sighting.id))) == 3
        cells = session.scalars(select(TableCell)).all()
        assert {(c.table_name, c.row_key, c.column_key) for c in cells if c.value == 1} == {
            ("reviews", "review", "upheld"), ("reviews", "review", "total")}
        blob = session.get(Blob, session.scalars(select(ReportVersion.blob_sha256)).first())
        assert read_blob(blob) == b"<html>raw</html>"
    writer.engine.dispose()


def test_edit_in_place_is_a_new_version_and_a_reused_url_is_not(store_url):
    writer = StoreWriter(open_store(store_url))
    writer.portal_id(PORTAL_A)
    url = "http://www.a.gov.cn/nb/1.html"
    writer.store_report(page(url), document("本年新收申请12件。"))
    assert writer.store_report(page(url), document("本年新收申请13件。")) is Outcome.NEW_VERSION
    reused = document("另一个机关的报告", agency="甲县教育局")
    assert writer.store_report(page(url), reused) is Outcome.NEW_REPORT
    with session_factory(writer.engine)() as session:
        reports = session.scalars(select(Report).order_by(Report.id)).all()
        assert [len(r.versions) for r in reports] == [2, 1]
        assert reports[0].current_version.text == "本年新收申请13件。"
    writer.engine.dispose()


def test_bad_store_urls_fail_in_one_line_without_the_password():
    with pytest.raises(StoreError) as error:
        open_store("postgresql+psycopg://harvester:s3cret@127.0.0.1:1/nowhere")
    message = str(error.value)
    assert "s3cret" not in message and "\n" not in message and "127.0.0.1" in message
    with pytest.raises(StoreError):
        open_store("not a url")


def test_default_store_is_created_on_first_use(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'deep' / 'dir' / 'h.sqlite'}"
    monkeypatch.setenv("HARVESTER_DB_URL", url)
    engine = open_store()
    assert (tmp_path / "deep" / "dir" / "h.sqlite").exists()
    assert "reports" in inspect(engine).get_table_names()
    engine.dispose()


def test_upgrade_from_every_earlier_revision(store_url):
    """A store left at any earlier schema upgrades to the current one, in one transaction per migration."""
    from alembic.script import ScriptDirectory

    engine = open_store(store_url)
    config = alembic_config(engine)
    revisions = [script.revision for script in ScriptDirectory.from_config(config).walk_revisions()][::-1]
    assert revisions[0] == "0001" and len(ScriptDirectory.from_config(config).get_heads()) == 1
    for revision in revisions:
        command.downgrade(config, "base")
        command.upgrade(config, revision)
        upgrade(engine)
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == [], revision
    engine.dispose()
