"""Hanweb JCMS: column lists kept in a ``<script type="text/xml">`` datastore, more from ``dataproxy.jsp``.

A JCMS column page ``/col/col{id}/index.html`` embeds its first records as
CDATA inside ``<datastore><recordset><record>``; the browser's jpage script
POSTs ``columnid``, ``unitid``, ``webid``… to
``/module/web/jpage/dataproxy.jsp?startrecord=…&endrecord=…&perpage=…`` for
the rest. The adapter asks for every remaining record in one POST, and walks
on only if the server returns fewer. Articles are ``/art/Y/M/D/art_{col}_{id}.html``.

The XML is parsed with defusedxml (no DTD, no entities, no network); a
datastore it refuses is read by a CDATA scan that expands nothing.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit
from xml.etree.ElementTree import ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

from harvester.discover.cms.base import Next, Page
from harvester.discover.links import LinkKind, page_links

DATAPROXY = "/module/web/jpage/dataproxy.jsp"
#: A datastore larger than this is not a column list; it is not parsed.
MAX_XML_CHARS = 4_000_000
#: Records asked for in one POST when the column's total is unknown (jpage's own group is 3 pages).
GROUP_PAGES = 3

_DATASTORE = re.compile(r"<script[^>]*type=[\"']?text/xml[\"']?[^>]*>(.*?)</script>", re.S | re.I)
_CDATA_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.S | re.I)
_NEXTGROUP = re.compile(r"<nextgroup>\s*<!\[CDATA\[(.*?)\]\]>", re.S | re.I)
_TOTAL_TAG = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>", re.I)
_NUMBER_PARAM = {name: re.compile(rf"\b{name}\s*[:=]\s*['\"]?(\d+)", re.I)
                 for name in ("totalRecord", "perPage", "columnid", "webid", "col", "appid", "sourceContentType")}
_TEXT_PARAM = {name: re.compile(rf"\b{name}\s*:\s*['\"]([^'\"]*)['\"]", re.I) for name in ("unitid", "webname", "path")}


def datastore_records(xml: str) -> tuple[list[str], int | None]:
    """The records (HTML fragments) of a datastore and its ``totalrecord`` if stated.

    >>> datastore_records("<datastore><recordset><record><![CDATA[<li>a</li>]]></record></recordset></datastore>")
    (['<li>a</li>'], None)
    """
    xml = (xml or "")[:MAX_XML_CHARS]
    start = xml.find("<datastore")
    if start < 0:
        return [], None
    try:
        root = fromstring(xml[start:xml.rfind(">") + 1], forbid_dtd=True, forbid_entities=True, forbid_external=True)
    except (DefusedXmlException, ParseError, ValueError):
        return _scan(xml)
    records = [node.text or "" for node in root.iter("record")]
    total = root.findtext("totalrecord")
    return records, int(total) if total and total.strip().isdigit() else None


def _scan(xml: str) -> tuple[list[str], int | None]:
    """Records of a datastore no XML parser accepts (malformed, or with a DTD): CDATA only, nothing expanded."""
    total = _TOTAL_TAG.search(xml)
    return _CDATA_RECORD.findall(xml), int(total.group(1)) if total else None


def _report_nexts(records: list[str], base_url: str, depth: int) -> list[Next]:
    links = [link for record in records for link in page_links(record, base_url)]
    return [Next(link.url, "report", text=link.text, meta={"hub_depth": depth}) for link in links
            if link.kind is LinkKind.REPORT]


def column_form(html: str, url: str) -> dict[str, str] | None:
    """The POST form jpage sends for this column: from its ``nextgroup`` link and its jpage parameters."""
    form: dict[str, str] = {}
    group = _NEXTGROUP.search(html)
    if group:
        href = re.search(r"href=[\"']([^\"']+)", group.group(1))
        if href:
            form.update({k: v for k, v in parse_qsl(urlsplit(href.group(1).replace("&amp;", "&")).query) if k != "page"})
    for name, pattern in _NUMBER_PARAM.items():
        if name.lower() in ("columnid", "webid", "col", "appid", "sourcecontenttype") and name not in form:
            found = pattern.search(html)
            if found:
                form[name] = found.group(1)
    for name, pattern in _TEXT_PARAM.items():
        found = pattern.search(html)
        if found and name not in form:
            form[name] = found.group(1)
    if "columnid" not in form:
        column = re.search(r"/col/col(\d+)/", url)
        if column is None:
            return None
        form["columnid"] = column.group(1)
    if "unitid" not in form:
        unit = re.search(r"<div id=[\"']?(\d+)[\"']?>\s*<script[^>]*text/xml", html, re.I)
        if unit is None:
            return None
        form["unitid"] = unit.group(1)
    form.setdefault("col", "1")
    form.setdefault("appid", "1")
    form.setdefault("path", "/")
    form.setdefault("sourceContentType", "1")
    form.setdefault("permissiontype", "0")
    return form


def proxy_request(page_url: str, form: dict[str, str], start: int, end: int, per_page: int, total: int | None,
                  depth: int) -> Next:
    query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
    return Next(
        urljoin(page_url, f"{DATAPROXY}?{query}"), "api", method="POST", body=urlencode(form),
        headers={"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8", "X-Requested-With": "XMLHttpRequest"},
        meta={"hub_depth": depth, "in_column": True, "cms": "hanweb",
              "cms_state": {"form": form, "start": start, "end": end, "per_page": per_page, "total": total,
                            "page_url": page_url}},
    )


def listing(page: Page) -> list[Next]:
    """Report links in the embedded datastore, and one POST for every record not embedded."""
    blocks = [block for block in _DATASTORE.findall(page.text) if "<datastore" in block]
    if not blocks:
        return []
    out: list[Next] = []
    for block in blocks:
        records, stated = datastore_records(block)
        reports = _report_nexts(records, page.url, page.hub_depth)
        out += reports
        if not (page.in_column or page.kind == "column" or reports):
            continue
        form = column_form(page.text, page.url)
        if form is None:
            continue
        total_match = _NUMBER_PARAM["totalRecord"].search(page.text)
        total = int(total_match.group(1)) if total_match else stated
        per_match = _NUMBER_PARAM["perPage"].search(page.text)
        per_page = int(per_match.group(1)) if per_match else max(len(records), 1)
        start = len(records) + 1
        if total is None:
            out.append(proxy_request(page.url, form, start, start + per_page * GROUP_PAGES - 1, per_page, None,
                                     page.hub_depth))
        elif total >= start:
            out.append(proxy_request(page.url, form, start, total, per_page, total, page.hub_depth))
    return out


def api(page: Page) -> list[Next]:
    """A dataproxy answer: its reports, and another POST only if records are still missing."""
    state = page.state
    records, stated = datastore_records(page.text)
    out = _report_nexts(records, state.get("page_url") or page.url, page.hub_depth)
    start, end, per_page = state["start"], state["end"], state["per_page"]
    total = state.get("total") or stated
    got_to = start + len(records) - 1
    if not records:
        return out
    if total is not None and got_to < total:
        out.append(proxy_request(state["page_url"], state["form"], got_to + 1, total, per_page, total, page.hub_depth))
    elif total is None and got_to >= end:
        out.append(proxy_request(state["page_url"], state["form"], got_to + 1, got_to + per_page * GROUP_PAGES, per_page,
                                 None, page.hub_depth))
    return out
