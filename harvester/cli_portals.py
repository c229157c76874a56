"""``harvester portals``: each portal's health in its latest crawl run."""

from __future__ import annotations

import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import func, select


def latest_health(session, run: int | None = None) -> list:
    """(PortalHealth, Portal) of each portal's latest record, or of crawl run ``run``."""
    from harvester.store.models import Portal, PortalHealth

    if run is None:
        latest = select(PortalHealth.portal_id, func.max(PortalHealth.id).label("id")).group_by(PortalHealth.portal_id).subquery()
        query = select(PortalHealth, Portal).join(latest, latest.c.id == PortalHealth.id)
    else:
        query = select(PortalHealth, Portal).where(PortalHealth.run_id == run)
    return list(session.execute(query.join(Portal, Portal.id == PortalHealth.portal_id).order_by(Portal.name)).all())


def wall(health) -> str:
    """How a portal's script challenge went: blocked, solved (through the browser) or none."""
    return "blocked" if health.blocked else "solved" if health.challenged else "-"


def health_table(rows: list, failing: bool) -> Table:
    table = Table(title="Portals needing attention" if failing else "Portal health", show_lines=False)
    for column in ("portal", "url", "cms", "pages", "browser", "reports", "by year", "errors", "challenge", "status"):
        table.add_column(column, overflow="fold")
    if failing:
        table.add_column("why", overflow="fold")
    for health, portal in rows:
        years = " ".join(f"{year}:{n}" for year, n in (health.reports_by_year or {}).items()) or "-"
        errors = " ".join(f"{kind}:{n}" for kind, n in (health.errors or {}).items()) or "-"
        cells = [portal.name, portal.url, health.cms_family or "?", str(health.pages_fetched), str(health.browser_pages),
                 str(health.reports_found), years, errors, wall(health), health.status]
        if failing:
            cells.append("; ".join(health.reasons or []))
        table.add_row(*cells)
    return table


def portals(
    failing: Annotated[bool, typer.Option("--failing", help="Only the portals that need a person's attention.")] = False,
    run: Annotated[int | None, typer.Option(help="A crawl run's id (default: each portal's latest run).")] = None,
    db: Annotated[str | None, typer.Option(help="Store URL (default: HARVESTER_DB_URL or the project's SQLite file).")] = None,
) -> None:
    """Show each portal's health: pages fetched, reports by year, errors by kind, blocked, CMS family.

    With --failing, list only the portals that were blocked, failed at the home
    page, yielded no report or failed on most fetches, with the reasons.
    """
    from harvester.cli import store_session

    with store_session(db) as session:
        rows = latest_health(session, run)
    shown = [row for row in rows if row[0].status == "failing"] if failing else rows
    out = Console(width=None if sys.stdout.isatty() else 200)
    if not rows:
        out.print("no portal health recorded yet: run a crawl first")
        return
    if shown or not failing:
        out.print(health_table(shown, failing))
    bad = sum(1 for health, _ in rows if health.status == "failing")
    out.print(f"{len(rows)} portals, {bad} need attention")
