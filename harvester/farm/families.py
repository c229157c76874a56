"""Portals of the CMS families and of the hostile cases, built on :mod:`harvester.farm.site`.

- Hanweb JCMS (德清县): the column's list sits in a ``<script type="text/xml">``
  datastore; further records come only from a POST to ``dataproxy.jsp``.
- Guangdong gkmlpt (武江区): ``/gkmlpt/index`` is a script application with
  ``window._CONFIG``; categories and lists come from a JSON API keyed by the SID.
- Kaipu UCAP (黟县): ``list.shtml``, ``list_N.shtml`` with a pager drawn by script,
  bodies in ``<UCAPCONTENT>``; robots.txt forbids an archive full of report links.
- A report list built by an obfuscated script, with no API (渭源县): only a browser sees it.
- A Ruishu-like script challenge (临洮县): without its cookie every page answers 412
  with a script that sets the cookie and reloads (armed with ``build_site(waf=True)``).
"""

from __future__ import annotations

import json
from datetime import datetime
from html import escape
from urllib.parse import parse_qs, quote, urlsplit

from harvester.farm.catalog import JCMS_COLUMN_ID, REPORT_COLUMN, Catalog, Portal
from harvester.farm.site import SITE_UPDATED, Page, Site, _Builder, html_page, http_date

STYLES = ("jcms", "gkmlpt", "ucap")

JCMS_HUB = "/col/col1229213400/index.html"
JCMS_UNIT_ID = "7346367"
JCMS_WEB_ID = "3310"
#: Records per jpage page; the column page embeds the first page only, as JCMS does.
JCMS_PER_PAGE = 2
DATAPROXY = "/module/web/jpage/dataproxy.jsp"

GKMLPT_SID = "755046"
GKMLPT_REPORT_CATEGORY = 2843
GKMLPT_PAGE_SIZE = 2
GKMLPT_TREE = [
    {"id": 2838, "name": "机构职能", "children": []},
    {"id": 2840, "name": "政策文件", "children": [{"id": 2841, "name": "规范性文件", "children": []}]},
    {"id": 2842, "name": "规划计划", "children": []},
    {"id": GKMLPT_REPORT_CATEGORY, "name": "政府信息公开年报", "children": []},
    {"id": 2844, "name": "政府信息公开指南", "children": []},
]

UCAP_PER_PAGE = 1
#: robots.txt forbids this path of the UCAP portal; its lists are full of report-looking links.
ARCHIVE_PREFIX = "/archive/"
ARCHIVE_YEARS = (2014, 2015, 2016)

CLEARANCE_COOKIE = "hv_clearance"


class FamilyBuilder(_Builder):
    """Builds a portal of one of :data:`STYLES`; the shared chrome, articles and noise come from ``_Builder``."""

    def __init__(self, site: Site, cat: Catalog, portal: Portal) -> None:
        self.site, self.cat, self.portal = site, cat, portal
        self.home = "/"
        self.gk = {"jcms": JCMS_HUB, "gkmlpt": "/gkmlpt/index", "ucap": "/xxgk/"}[portal.style]
        self.column_name = "政府信息公开年报"
        self.column_href = REPORT_COLUMN[portal.style]

    def navigation(self) -> None:
        p = self.portal
        match p.style:
            case "jcms":
                self.put(p.host, JCMS_HUB, self.page(f"政府信息公开_{p.name}",
                         f'<ul class="columns"><li><a href="{self.column_href}">政府信息公开年报</a></li>'
                         '<li><a href="/col/col1229213401/index.html">政府信息公开制度</a></li></ul>', self.crumbs()))
            case "gkmlpt":
                config = {"SID": GKMLPT_SID, "SITE_NAME": p.name, "API_BASE": "/gkmlpt/api", "THEME": "default"}
                shell = (f'<div id="app"><div class="loading">正在加载……</div></div>'
                         f"<script>window._CONFIG = {json.dumps(config, ensure_ascii=False)};</script>"
                         '<script src="/gkmlpt/static/js/app.js"></script>')
                self.put(p.host, "/gkmlpt/index", self.page(f"政府信息公开_{p.name}", shell,
                                                           [("首页", "/"), ("政府信息公开", "/gkmlpt/index")]))
                self.site.put(p.host, "/gkmlpt/static/js/app.js", Page(
                    headers={"Content-Type": "application/javascript"}, body=_GKMLPT_APP.encode(),
                    last_modified=http_date(SITE_UPDATED)))
                self.site.routes[(p.host, "/gkmlpt/api/")] = self._gkmlpt_api
            case "ucap":
                self.put(p.host, "/xxgk/", self.page(f"政府信息公开_{p.name}", '<ul class="columns">'
                         f'<li><a href="{self.column_href}">政府信息公开年报</a></li>'
                         f'<li><a href="{ARCHIVE_PREFIX}xxgknb/list.shtml">政府信息公开年报（2014—2016年）</a></li></ul>',
                         self.crumbs()))
                self._archive()

    def column_pages(self) -> None:
        match self.portal.style:
            case "jcms":
                self._jcms_column()
            case "ucap":
                self._ucap_column()

    # -- Hanweb JCMS ----------------------------------------------------------------

    def _jcms_records(self) -> list[str]:
        return [f'<li><a href="{href}" target="_blank" title="{escape(title)}">{escape(title)}</a>'
                f'<span class="bt_time">{when:%Y-%m-%d}</span></li>'
                for title, href, when in self._list_items("年报", self.portal.host)]

    def _jcms_column(self) -> None:
        p = self.portal
        records = self._jcms_records()
        embedded = "".join(f"<record><![CDATA[{r}]]></record>" for r in records[:JCMS_PER_PAGE])
        next_group = (f"{DATAPROXY}?page=1&webid={JCMS_WEB_ID}&path=http://{p.host}/&columnid={JCMS_COLUMN_ID}"
                      f"&unitid={JCMS_UNIT_ID}&webname={quote(p.name)}&permissiontype=0")
        content = (
            f'<div class="column"><h2>{self.column_name}</h2>'
            f'<div id="{JCMS_UNIT_ID}"><script type="text/xml"><datastore>'
            f'<nextgroup><![CDATA[<a href="{next_group}"></a>]]></nextgroup>'
            f"<recordset>{embedded}</recordset></datastore></script></div>"
            '<script language="javascript" src="/module/jslib/jquery/jpage/jquery.jpage.js"></script>'
            f"<script>$(function(){{$('#{JCMS_UNIT_ID}').jpage({{dataStore: [], totalRecord: {len(records)}, "
            f"perPage: {JCMS_PER_PAGE}, groupSize: 1, dataBefore: '<ul class=\"list\">', dataAfter: '</ul>', "
            f"proxyUrl: '{DATAPROXY}', ajaxParam: {{col: 1, appid: 1, webid: {JCMS_WEB_ID}, path: '/', "
            f"columnid: {JCMS_COLUMN_ID}, sourceContentType: 1, unitid: '{JCMS_UNIT_ID}', "
            f"webname: '{p.name}', permissiontype: 0}}}});}});</script></div>"
        )
        self.put(p.host, self.column_href, self.page(f"{self.column_name}_{p.name}", content,
                                                     self.crumbs((self.column_name, self.column_href))))
        self.site.post_routes[(p.host, DATAPROXY)] = lambda path, body: _dataproxy(records, path, body)

    # -- gkmlpt ---------------------------------------------------------------------------

    def _gkmlpt_api(self, path: str) -> Page:
        parts = urlsplit(path)
        query = parse_qs(parts.query)
        if query.get("sid") != [GKMLPT_SID]:
            return _json({"code": 400, "message": "invalid sid"}, status=400)
        if parts.path == "/gkmlpt/api/tree":
            return _json(GKMLPT_TREE)
        if not parts.path.startswith("/gkmlpt/api/all/"):
            return _json({"code": 404, "message": "not found"}, status=404)
        category = parts.path.rsplit("/", 1)[-1]
        raw_page = (query.get("page") or ["1"])[0]
        page_no = int(raw_page) if raw_page.isdigit() and int(raw_page) > 0 else 1
        items = self._list_items("年报", self.portal.host) if category == str(GKMLPT_REPORT_CATEGORY) else []
        chunk = items[(page_no - 1) * GKMLPT_PAGE_SIZE:page_no * GKMLPT_PAGE_SIZE]
        articles = [{"id": int(href.rsplit("_", 1)[-1].split(".")[0]), "title": title,
                     "url": f"http://{self.portal.host}{href}", "publisher": self.portal.name,
                     "date": int(when.timestamp()), "display_publish_time": int(when.timestamp())}
                    for title, href, when in chunk]
        return _json({"articles": articles, "total": len(items), "page": page_no, "size": GKMLPT_PAGE_SIZE})

    # -- Kaipu UCAP ---------------------------------------------------------------------

    def _ucap_column(self) -> None:
        p = self.portal
        items = self._list_items("年报", p.host)
        chunks = [items[i:i + UCAP_PER_PAGE] for i in range(0, len(items), UCAP_PER_PAGE)]
        base = self.column_href.rsplit("/", 1)[0] + "/"
        for n, chunk in enumerate(chunks):
            path = base + ("list.shtml" if n == 0 else f"list_{n + 1}.shtml")
            pager = (f'<div class="page" id="page_div"></div><script>var pageCount = {len(chunks)}, currentPage = {n + 1};'
                     f'ucapPage("page_div", currentPage, pageCount, "list", "shtml");</script>')
            content = f'<div class="column"><h2>{self.column_name}</h2>{_plain_list(chunk)}{pager}</div>'
            self.put(p.host, path, self.page(f"{self.column_name}_{p.name}", content,
                                             self.crumbs((self.column_name, self.column_href))), chunk[0][2])

    def _archive(self) -> None:
        """Old reports under a robots.txt-disallowed path: a polite crawler never sees them."""
        p = self.portal
        items = [(f"{p.name.removesuffix('人民政府')}{year}年政府信息公开工作年度报告", f"{ARCHIVE_PREFIX}xxgknb/{year}/c{year}.shtml",
                  datetime(year + 1, 3, 20, 9, 0, tzinfo=SITE_UPDATED.tzinfo)) for year in ARCHIVE_YEARS]
        self.put(p.host, f"{ARCHIVE_PREFIX}xxgknb/list.shtml", self.page(f"政府信息公开年报_{p.name}",
                 f'<div class="column"><h2>政府信息公开年报（2014—2016年）</h2>{_plain_list(items)}</div>'))
        for title, href, when in items:
            body = (f"<p>根据《中华人民共和国政府信息公开条例》规定，特向社会公布{escape(title)}。本报告由概述、主动公开政府信息情况、"
                    "依申请公开政府信息情况、政府信息公开收费及减免情况、因政府信息公开申请行政复议和提起行政诉讼情况、"
                    "存在的主要问题及改进措施等部分组成。</p>")
            self.put(p.host, href, self.page(f"{title}_{p.name}", f'<h1>{escape(title)}</h1><UCAPCONTENT>{body}</UCAPCONTENT>'),
                     when)


def builder_for(site: Site, cat: Catalog, portal: Portal) -> FamilyBuilder:
    return FamilyBuilder(site, cat, portal)


def harden(site: Site, builder: _Builder, portal: Portal, *, waf: bool) -> None:
    """The hostile parts: robots rules, a script-built list, a script challenge."""
    if portal.style == "ucap":
        site.put(portal.host, "/robots.txt", Page(headers={"Content-Type": "text/plain"},
                 body=f"User-agent: *\nDisallow: /manage/\nDisallow: {ARCHIVE_PREFIX}\n".encode(),
                 last_modified=http_date(SITE_UPDATED)))
    if portal.scripted_list:
        path = REPORT_COLUMN[portal.style]
        items = builder._list_items("年报", portal.host)
        content = f'<div class="column"><h2>{builder.column_name}</h2><ul class="list" id="list"></ul>{_scripted_list(items)}</div>'
        builder.put(portal.host, path, builder.page(f"{builder.column_name}_{portal.name}", content,
                                                    builder.crumbs((builder.column_name, builder.column_href))))
    if portal.challenge and waf:
        site.guards[portal.host] = lambda path, cookie: _challenge(portal.host, path, cookie)


# -- pieces ---------------------------------------------------------------------------


def _plain_list(items: list[tuple[str, str, datetime]]) -> str:
    lis = "".join(f'<li><a href="{href}" target="_blank">{escape(text)}</a><span>{when:%Y-%m-%d}</span></li>'
                  for text, href, when in items)
    return f'<ul class="list">{lis}</ul>'


def _json(data: object, status: int = 200) -> Page:
    return Page(status=status, headers={"Content-Type": "application/json;charset=UTF-8"},
                body=json.dumps(data, ensure_ascii=False).encode(), validators=False)


def _dataproxy(records: list[str], path: str, body: bytes) -> Page:
    """Hanweb's jpage data proxy: records ``startrecord``..``endrecord`` (1-based) of the column in the POST body."""
    query = parse_qs(urlsplit(path).query)
    form = parse_qs(body.decode("utf-8", "replace"))
    if form.get("columnid") != [str(JCMS_COLUMN_ID)] or form.get("unitid") != [JCMS_UNIT_ID]:
        xml = '<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>0</totalrecord><recordset></recordset></datastore>'
        return Page(headers={"Content-Type": "text/xml;charset=UTF-8"}, body=xml.encode(), validators=False,
                    accepts_post=True)

    def number(name: str, default: int) -> int:
        raw = (query.get(name) or [str(default)])[0]
        return int(raw) if raw.isdigit() else default

    start, end = max(number("startrecord", 1), 1), number("endrecord", JCMS_PER_PAGE)
    per_page = max(number("perpage", JCMS_PER_PAGE), 1)
    chosen = "".join(f"<record><![CDATA[{r}]]></record>" for r in records[start - 1:end])
    pages = -(-len(records) // per_page)
    xml = (f'<?xml version="1.0" encoding="UTF-8"?><datastore><totalrecord>{len(records)}</totalrecord>'
           f"<totalpage>{pages}</totalpage><recordset>{chosen}</recordset></datastore>")
    return Page(headers={"Content-Type": "text/xml;charset=UTF-8"}, body=xml.encode(), validators=False,
                accepts_post=True)


def _reverse(text: str) -> str:
    return text[::-1]


def _scripted_list(items: list[tuple[str, str, datetime]]) -> str:
    """A list only a script can draw: addresses and titles stored reversed, no link in the markup."""
    data = json.dumps([[_reverse(href), _reverse(title), f"{when:%Y-%m-%d}"] for title, href, when in items],
                      ensure_ascii=True)
    return ("<script>(function(){var d=" + data + ";var r=function(s){return s.split('').reverse().join('');};"
            "var ul=document.getElementById('list');for(var i=0;i<d.length;i++){var li=document.createElement('li');"
            "var a=document.createElement('a');a.setAttribute('href',r(d[i][0]));a.setAttribute('target','_blank');"
            "a.textContent=r(d[i][1]);li.appendChild(a);var s=document.createElement('span');s.textContent=d[i][2];"
            "li.appendChild(s);ul.appendChild(li);}})();</script>")


def clearance_token(host: str) -> str:
    """The cookie value the challenge script computes; the same arithmetic as its JavaScript."""
    total = 0
    for char in host:
        total = (total * 31 + ord(char) * 7) % 1000003
    return str(total)


def _challenge(host: str, path: str, cookie: str | None) -> Page | None:
    if path.startswith("/robots.txt"):
        return None
    if f"{CLEARANCE_COOKIE}={clearance_token(host)}" in (cookie or "").replace(" ", "").split(";"):
        return None
    script = ("(function(){var h=location.hostname,t=0;for(var i=0;i<h.length;i++){t=(t*31+h.charCodeAt(i)*7)%1000003;}"
              f'document.cookie="{CLEARANCE_COOKIE}="+t+"; path=/";location.reload();}})();')
    html = f'<!DOCTYPE html><html><head><meta charset="utf-8"><script>{script}</script></head><body></body></html>'
    return html_page(html, status=412, validators=False)


_GKMLPT_APP = """(function(){var c=window._CONFIG||{};var app=document.getElementById('app');
fetch(c.API_BASE+'/tree?sid='+c.SID).then(function(r){return r.json();}).then(function(tree){
var ul=document.createElement('ul');tree.forEach(function(n){var li=document.createElement('li');li.textContent=n.name;ul.appendChild(li);});
app.innerHTML='';app.appendChild(ul);});})();
"""
