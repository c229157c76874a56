"""Ground truth of the farm: what a perfect crawl harvests, and what it must not.

Derived from the same catalogue as the served pages, so tests and benchmarks
can score a crawl without reading HTML themselves.
"""

from __future__ import annotations

from harvester.farm.catalog import catalog
from harvester.farm.families import ARCHIVE_PREFIX
from harvester.farm.site import CALENDAR_HOST, CALENDAR_START, INFOGRAPHIC_PATH, SEARCH_HOST


def expected_reports() -> list[dict]:
    """One dict per distinct report, with every URL where it is published."""
    cat = catalog()
    return [
        {
            "title": report.title,
            "agency": report.agency,
            "year": report.year,
            "published_at": report.published_iso,
            "format_version": report.fmt,
            "tables": report.numbers.truth(),
            "sightings": [{"url": loc.url, "portal": cat.portals[loc.portal].seed_url} for loc in report.locations],
            "region_code": report.region_code,
        }
        for report in cat.reports
    ]


def noise_urls() -> list[str]:
    """Pages in report columns that look like reports but are not."""
    return [item.location.url for item in catalog().noise]


def dead_urls() -> list[str]:
    """Links in report lists that answer 404."""
    return [item.location.url for item in catalog().dead]


def redirect_urls() -> dict[str, str]:
    """Old report addresses that answer 301, mapped to where they now live."""
    cat = catalog()
    return {f"http://{r.locations[0].host}{r.old_path}": r.locations[0].url for r in cat.reports if r.old_path}


def forbidden_urls() -> list[str]:
    """URL prefixes a polite crawler never fetches (robots.txt Disallow) or must stop following (traps)."""
    archive = next(p for p in catalog().portals.values() if p.style == "ucap")
    return [f"http://{SEARCH_HOST}/search/", f"http://{CALENDAR_HOST}{CALENDAR_START.split('?')[0]}",
            f"http://{archive.host}{ARCHIVE_PREFIX}"]


def portal_families() -> dict[str, str]:
    """Seed URL → how its report list is published: a CMS family or a hostile case.

    ``hanweb`` (JCMS datastore + dataproxy.jsp), ``trs``, ``gkmlpt``, ``ucap``,
    ``scripted`` (list drawn by a script, no API), ``challenge`` (script challenge
    in front of a plain site), ``generic`` (links and ``?page=N``).
    """
    names = {"jcms": "hanweb", "trs": "trs", "gkmlpt": "gkmlpt", "ucap": "ucap"}
    families = {}
    for portal in catalog().portals.values():
        family = "challenge" if portal.challenge else "scripted" if portal.scripted_list else names.get(portal.style, "generic")
        families[portal.seed_url] = family
    return families


def calendar_start_url() -> str:
    return f"http://{CALENDAR_HOST}{CALENDAR_START}"


def infographic_image_url() -> str:
    noise = next(n for n in catalog().noise if n.kind == "infographic")
    return f"http://{noise.location.host}{INFOGRAPHIC_PATH}"
