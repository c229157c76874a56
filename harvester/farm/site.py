"""The farm's pages, keyed by (host, path with query), built deterministically.

Static pages live in :attr:`Site.pages` so tests can change them between crawls
(:meth:`Site.put`, :meth:`Site.remove`); endless traps (a calendar, a search
engine) are generated on request by :attr:`Site.routes`.
"""

from __future__ import annotations

import struct
import threading
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from html import escape
from urllib.parse import parse_qs, quote, urlsplit

from harvester.farm import render
from harvester.farm.catalog import CST, REPORT_COLUMN, Catalog, Location, NoiseSpec, Portal, catalog
from harvester.farm.text import report_blocks

SITE_UPDATED = datetime(2025, 3, 31, 8, 0, tzinfo=CST)
SEARCH_HOST = "www.anding.gov.cn"
CALENDAR_HOST = "www.zhanggong.gov.cn"
CALENDAR_START = "/calendar/?date=2025-01-01"
INFOGRAPHIC_PATH = "/uploads/2024/03/yitududong.png"


@dataclass
class Page:
    """One response of the farm."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    #: HTTP date sent as Last-Modified (when ``validators``).
    last_modified: str | None = None
    #: False for portals whose server sends neither ETag nor Last-Modified.
    validators: bool = True
    accepts_post: bool = False


Route = Callable[[str], Page]
#: (path with query, request body) -> page: POST endpoints such as Hanweb's dataproxy.jsp.
PostRoute = Callable[[str, bytes], Page]
#: (path with query, Cookie header) -> a challenge page, or None to let the request through.
Guard = Callable[[str, str | None], Page | None]


class Site:
    """All virtual hosts of the farm; unknown hosts are 'dead' (the server answers 502)."""

    def __init__(self, pages: dict[tuple[str, str], Page] | None = None,
                 routes: dict[tuple[str, str], Route] | None = None,
                 post_routes: dict[tuple[str, str], PostRoute] | None = None,
                 guards: dict[str, Guard] | None = None) -> None:
        self.pages: dict[tuple[str, str], Page] = dict(pages or {})
        #: (host, path prefix) -> page generator, for the endless traps.
        self.routes: dict[tuple[str, str], Route] = dict(routes or {})
        self.post_routes: dict[tuple[str, str], PostRoute] = dict(post_routes or {})
        #: host -> script challenge in front of every page of that host (a WAF).
        self.guards: dict[str, Guard] = dict(guards or {})
        self._lock = threading.Lock()

    @property
    def hosts(self) -> set[str]:
        with self._lock:
            return ({host for host, _ in self.pages} | {host for host, _ in self.routes}
                    | {host for host, _ in self.post_routes})

    def guard(self, host: str, path: str, cookie: str | None) -> Page | None:
        """The challenge a WAF answers instead of the page, if any."""
        with self._lock:
            guard = self.guards.get(host)
        return guard(path, cookie) if guard is not None else None

    def post(self, host: str, path: str, body: bytes) -> Page | None:
        """The answer of a POST endpoint, or None when ``path`` is not one."""
        with self._lock:
            routes = list(self.post_routes.items())
        for (route_host, prefix), make in routes:
            if route_host == host and path.startswith(prefix):
                return make(path, body)
        return None

    def get(self, host: str, path: str) -> Page | None:
        """The page at ``path`` (with query) on ``host``, or None for a 404."""
        with self._lock:
            found = self.pages.get((host, path))
            routes = list(self.routes.items())
        if found is not None:
            return found
        for (route_host, prefix), make in routes:
            if route_host == host and path.startswith(prefix):
                return make(path)
        return None

    def put(self, host: str, path: str, page: Page) -> None:
        """Add or replace a page (e.g. a report edited between two crawls)."""
        with self._lock:
            self.pages[(host, path)] = page

    def remove(self, host: str, path: str) -> Page | None:
        with self._lock:
            return self.pages.pop((host, path), None)

    def put_html(self, host: str, path: str, html: str, *, encoding: str = "utf-8",
                 last_modified: datetime = SITE_UPDATED, validators: bool = True) -> Page:
        """Add an HTML page with the farm's usual headers; returns it."""
        built = html_page(html, encoding=encoding, last_modified=last_modified, validators=validators)
        self.put(host, path, built)
        return built


def http_date(when: datetime) -> str:
    return format_datetime(when.astimezone(timezone.utc), usegmt=True)


def html_page(html: str, *, encoding: str = "utf-8", last_modified: datetime = SITE_UPDATED,
              validators: bool = True, status: int = 200, accepts_post: bool = False) -> Page:
    """A Page for ``html``; GBK pages declare their charset only in a meta tag, as such sites do."""
    content_type = "text/html" if encoding != "utf-8" else "text/html; charset=utf-8"
    return Page(status=status, headers={"Content-Type": content_type}, body=html.encode(encoding),
                last_modified=http_date(last_modified), validators=validators, accepts_post=accepts_post)


def _tiny_png() -> bytes:
    """A valid 1x1 PNG, standing in for the 一图读懂 picture."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\xff\xff\xff"))
            + chunk(b"IEND", b""))


_PAGE_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount <= 1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0){ document.write("首页 "); }
  else if(nCurrIndex == 1){ document.write("<a href=\\"" + _sPageName + "." + _sPageExt + "\\">上一页</a> "); }
  else { document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex - 1) + "." + _sPageExt + "\\">上一页</a> "); }
  if(nCurrIndex + 1 < _nPageCount){ document.write("<a href=\\"" + _sPageName + "_" + (nCurrIndex + 1) + "." + _sPageExt + "\\">下一页</a> "); }
  document.write("共" + _nPageCount + "页");
}
"""


class _Builder:
    """Builds one portal's pages; the portal's style decides URLs and paging."""

    def __init__(self, site: Site, cat: Catalog, portal: Portal) -> None:
        self.site, self.cat, self.portal = site, cat, portal
        self.home = "/" if portal.style != "trs" else portal.seed_url
        self.gk = {
            "plain": "/zwgk/", "trs": f"http://{portal.hosts[0]}/" if portal.hosts else "/",
            "hanweb": "/col/col1001/index.html", "prefecture": "/zfxxgk/", "simple": "/zgxxgk/",
        }[portal.style]
        self.column_name = {
            "plain": "政府信息公开年报", "trs": "信息公开年报", "hanweb": "政府信息公开年报",
            "prefecture": "政府信息公开工作年度报告", "simple": "政府信息公开工作年度报告",
        }[portal.style]
        self.column_href = REPORT_COLUMN[portal.style] + ("index.html" if portal.style == "trs" else "")

    # -- helpers ----------------------------------------------------------------

    def put(self, host: str, path: str, html: str, when: datetime = SITE_UPDATED, accepts_post: bool = False) -> None:
        self.site.put(host, path, html_page(html, encoding=self.portal.encoding, last_modified=when,
                                            validators=self.portal.validators, accepts_post=accepts_post))

    def page(self, title: str, content: str, crumbs: list[tuple[str, str]] | None = None,
             info: render.ArticleInfo | None = None) -> str:
        return render.page(self.portal, title, content, home=self.home, gk=self.gk, info=info, crumbs=crumbs)

    def crumbs(self, *tail: tuple[str, str]) -> list[tuple[str, str]]:
        hub = {"plain": "/zwgk/zfxxgk/", "hanweb": "/col/col1002/index.html"}.get(self.portal.style, self.gk)
        return [("首页", self.home), ("政务公开", self.gk), ("政府信息公开", hub), *tail]

    def article(self, location: Location, title: str, body: str, when: datetime, show_time: bool,
                source: str | None = None) -> None:
        column = self.column_name if location.column == "年报" else location.column
        column_href = self.column_href if location.column == "年报" else "/zfxxgk/tzgg/"
        info = render.ArticleInfo(title, when, show_time, column, source or self.portal.office)
        html = self.page(f"{title}_{self.portal.name}", render.article(self.portal, info, body),
                         self.crumbs((column, column_href)), info)
        self.put(location.host, location.path, html, when)

    # -- common pages -----------------------------------------------------------

    def common(self) -> None:
        p = self.portal
        host = p.host
        meetings = ("2025年政务公开工作推进会", "优化营商环境专题会议", "春季农业生产工作会议")
        news = [(f"{p.short}召开{m}", f"/xwzx/zwyw/content_{810 + n}.html", datetime(2025, 3, 10 + n, 9, 0, tzinfo=CST))
                for n, m in enumerate(meetings)]
        for (title, path, when), meeting in zip(news, meetings):
            body = render.paragraph(f"{when.month}月{when.day}日，{p.short}{meeting}召开，会议总结了前期工作，安排部署了下一阶段重点任务。", "plain")
            info = render.ArticleInfo(title, when, p.show_time, "政务要闻", p.office)
            self.put(host, path, self.page(f"{title}_{p.name}", render.article(p, info, body),
                                           [("首页", "/"), ("新闻中心", "/"), ("政务要闻", "/")], info), when)
        extra = ""
        if host == SEARCH_HOST:
            extra += ('<form action="/search/" method="get"><input name="q"><button>搜索</button></form>'
                      f'<p>热门搜索：<a href="/search/?q={quote("年度报告")}">年度报告</a> '
                      f'<a href="/search/?q={quote("政府信息公开")}">政府信息公开</a></p>')
        if host == CALENDAR_HOST:
            extra += f'<p><a href="{CALENDAR_START}">领导活动日程</a></p>'
        home = (f'<div class="banner"><img src="/images/banner.jpg" alt="{p.name}"></div>{extra}'
                f'<div class="box"><h3>政务要闻</h3>{render.item_list(news)}</div>'
                f'<div class="box"><h3>政务公开</h3><ul><li><a href="{self.gk}">'
                f'{"信息公开" if p.style == "trs" else "政府信息公开"}</a></li></ul></div>')
        self.put(host, "/", self.page(p.name, home))
        self.put(host, "/zwfw/", self.page(f"政务服务_{p.name}", '<div class="box"><h3>政务服务</h3>'
                 '<p><a href="https://zwfw.example.invalid/">进入政务服务网办理</a></p></div>', [("首页", "/"), ("政务服务", "/zwfw/")]))
        form = ('<form method="post" action="/hdjl/submit.html"><p>标题：<input name="title"></p>'
                '<p>内容：<textarea name="content"></textarea></p><button type="submit">提交</button></form>')
        self.put(host, "/hdjl/", self.page(f"互动交流_{p.name}", f'<div class="box"><h3>区长信箱</h3>{form}</div>',
                                           [("首页", "/"), ("互动交流", "/hdjl/")]))
        self.put(host, "/hdjl/submit.html", self.page(f"提交成功_{p.name}", "<p>您的留言已提交，我们将尽快办理。</p>"),
                 accepts_post=True)
        for h in (p.host, *p.hosts):
            disallow = "/search/" if h == SEARCH_HOST else "/manage/"
            self.site.put(h, "/robots.txt", Page(headers={"Content-Type": "text/plain"},
                          body=f"User-agent: *\nDisallow: {disallow}\n".encode(), last_modified=http_date(SITE_UPDATED),
                          validators=p.validators))

    # -- column lists -------------------------------------------------------------

    def _list_items(self, column: str, host: str) -> list[tuple[str, str, datetime]]:
        items = []
        for report in self.cat.reports:
            for loc in report.locations:
                if loc.portal == self.portal.key and loc.column == column and loc.host == host:
                    path = report.old_path if report.old_path and loc is report.locations[0] else loc.path
                    items.append((report.title, path, report.published))
        for noise in self.cat.noise:
            if noise.location.portal == self.portal.key and noise.location.column == column:
                items.append((noise.title, noise.location.path, noise.published))
        for dead in self.cat.dead:
            if dead.location.portal == self.portal.key and dead.location.column == column:
                items.append((dead.title, dead.location.path, dead.published))
        return sorted(items, key=lambda item: (item[2], item[1]), reverse=True)

    def column_pages(self) -> None:
        p = self.portal
        host = p.hosts[0] if p.style == "trs" else p.host
        items = self._list_items("年报", host)
        base = REPORT_COLUMN[p.style]
        per_page = {"plain": 6, "trs": 4, "hanweb": 5, "prefecture": 10, "simple": 10}[p.style]
        chunks = [items[i:i + per_page] for i in range(0, len(items), per_page)]
        crumbs = self.crumbs((self.column_name, self.column_href))
        if p.style == "trs":
            chunks = [[(title, "./" + href.removeprefix(base), when) for title, href, when in chunk] for chunk in chunks]
        for n, chunk in enumerate(chunks):
            path, pager = self._pager(base, n, len(chunks))
            content = f'<div class="column"><h2>{self.column_name}</h2>{render.item_list(chunk)}{pager}</div>'
            self.put(host, path, self.page(f"{self.column_name}_{p.name}", content, crumbs), chunk[0][2])

    def _pager(self, base: str, n: int, count: int) -> tuple[str, str]:
        """The path of list page ``n`` and its paging bar in the CMS's own way."""
        match self.portal.style:
            case "trs":
                path = base + ("index.html" if n == 0 else f"index_{n}.html")
                return path, f'<div class="page"><script>createPageHTML({count}, {n}, "index", "html");</script></div>'
            case "hanweb":
                def href(k: int) -> str:
                    return base if k == 0 else f"{base}?uid=4321&pageNum={k + 1}"
            case _:
                def href(k: int) -> str:
                    return base if k == 0 else f"{base}?page={k + 1}"
        links = [f'<a href="{href(0)}">首页</a>']
        if n > 0:
            links.append(f'<a href="{href(n - 1)}">上一页</a>')
        if n + 1 < count:
            links.append(f'<a href="{href(n + 1)}">下一页</a>')
        links.append(f'<a href="{href(count - 1)}">尾页</a> 共{count}页')
        return href(n), f'<div class="page">{" ".join(links)}</div>' if count > 1 else ""

    def navigation(self) -> None:
        """政务公开 / 政府信息公开 hub pages leading to the report column."""
        p = self.portal
        col = REPORT_COLUMN[p.style]
        match p.style:
            case "plain":
                self.put(p.host, "/zwgk/", self.page(f"政务公开_{p.name}", '<ul class="columns">'
                         '<li><a href="/zwgk/zfxxgk/">政府信息公开</a></li><li><a href="/zwfw/">政务服务</a></li></ul>',
                         [("首页", "/"), ("政务公开", "/zwgk/")]))
                guide = next(n for n in self.cat.noise if n.portal == p.key and n.kind == "guide")
                self.put(p.host, "/zwgk/zfxxgk/", self.page(f"政府信息公开_{p.name}", '<ul class="columns">'
                         f'<li><a href="{guide.location.path}">政府信息公开指南</a></li>'
                         f'<li><a href="{col}">政府信息公开年报</a></li></ul>',
                         [("首页", "/"), ("政务公开", "/zwgk/"), ("政府信息公开", "/zwgk/zfxxgk/")]))
            case "trs":
                host = p.hosts[0]
                self.put(host, "/", self.page(f"信息公开_{p.name}", '<div class="xxgk-nav"><ul>'
                         '<li><a href="./xxgkzn/index.html">信息公开指南</a></li>'
                         '<li><a href="./xxgknb/index.html">信息公开年报</a></li></ul></div>'))
                self.put(host, "/xxgkzn/index.html", self.page(f"信息公开指南_{p.name}",
                         render.paragraph(f"为了更好地提供政府信息公开服务，{p.name}编制了本指南。", "plain"),
                         self.crumbs(("信息公开指南", "/xxgkzn/index.html"))))
                for h in (p.host, host):
                    self.site.put(h, "/js/createPageHTML.js", Page(headers={"Content-Type": "application/javascript"},
                                  body=_PAGE_JS.encode(), last_modified=http_date(SITE_UPDATED)))
            case "hanweb":
                self.put(p.host, "/col/col1001/index.html", self.page(f"政务公开_{p.name}",
                         '<ul><li><a href="/col/col1002/index.html">政府信息公开</a></li></ul>',
                         [("首页", "/"), ("政务公开", "/col/col1001/index.html")]))
                self.put(p.host, "/col/col1002/index.html", self.page(f"政府信息公开_{p.name}",
                         f'<ul><li><a href="{col}">政府信息公开年报</a></li></ul>', self.crumbs()))
            case "prefecture":
                self.put(p.host, "/zfxxgk/", self.page(f"政府信息公开_{p.name}", '<ul class="columns">'
                         f'<li><a href="{col}">政府信息公开工作年度报告</a></li><li><a href="/zfxxgk/tzgg/">通知公告</a></li></ul>',
                         self.crumbs()))
                items = self._list_items("通知公告", p.host)
                self.put(p.host, "/zfxxgk/tzgg/", self.page(f"通知公告_{p.name}",
                         f'<div class="column"><h2>通知公告</h2>{render.item_list(items)}</div>',
                         self.crumbs(("通知公告", "/zfxxgk/tzgg/"))), items[0][2])
            case _:
                self.put(p.host, "/zgxxgk/", self.page(f"政府信息公开_{p.name}",
                         f'<ul><li><a href="{col}">政府信息公开工作年度报告</a></li></ul>', self.crumbs()))

    # -- articles -------------------------------------------------------------------

    def reports(self) -> None:
        for report in self.cat.reports:
            origin = self.cat.portals[report.portal]
            body = render.report_body(report, report_blocks(report, origin))
            for loc in report.locations:
                if loc.portal != self.portal.key:
                    continue
                self.article(loc, report.title, body, report.published, report.show_time, report.agency)
                if report.old_path and loc is report.locations[0]:
                    self.site.put(loc.host, report.old_path, Page(status=301, headers={"Location": loc.url},
                                                                  validators=False))

    def noise(self) -> None:
        for item in self.cat.noise:
            if item.portal == self.portal.key:
                self.article(item.location, item.title, noise_body(item, self.portal), item.published,
                             self.portal.show_time)
                if item.kind == "infographic":
                    self.site.put(item.location.host, INFOGRAPHIC_PATH, Page(
                        headers={"Content-Type": "image/png"}, body=_tiny_png(),
                        last_modified=http_date(item.published), validators=self.portal.validators))


def noise_body(item: NoiseSpec, portal: Portal) -> str:
    """Bodies of look-alike pages: they mention reports but hold no statistics."""
    para = lambda text: render.paragraph(text, "plain")  # noqa: E731
    match item.kind:
        case "notice":
            return "\n".join(para(t) for t in (
                "各乡镇人民政府、街道办事处，各部门、各单位：",
                "为做好2024年政府信息公开工作年度报告编制发布工作，根据《中华人民共和国政府信息公开条例》规定，现将有关事项通知如下：",
                "一、各部门应于2025年1月31日前向社会公布本机关2024年政府信息公开工作年度报告，各乡镇（街道）应于2025年2月15日前公布。",
                "二、年度报告应严格按照国办公开办函〔2021〕30号规定的格式编制，数据应准确、逻辑关系应正确。",
                "三、年度报告发布后，请将网址链接报送政务公开办公室。",
                f"{portal.office}",
            ))
        case "guide":
            return "\n".join(para(t) for t in (
                f"为了更好地提供政府信息公开服务，根据《中华人民共和国政府信息公开条例》，编制《{item.title}》。",
                "一、主动公开。（一）公开的范围……（二）公开的方式：政府门户网站、政务新媒体、政府信息查阅点。",
                "二、依申请公开。公民、法人或者其他组织可以向行政机关申请获取相关政府信息。申请可通过信函、网络等方式提出。",
                "三、监督和救济。申请人认为行政机关在政府信息公开工作中侵犯其合法权益的，可以依法申请行政复议或者提起行政诉讼。",
            ))
        case "plan":
            return "\n".join(para(t) for t in (
                f"为深入贯彻落实《中华人民共和国政府信息公开条例》，现就{item.title[:-4]}工作要点明确如下。",
                "一、围绕稳经济促发展加强政务公开。二、围绕推进法治政府建设加强政务公开。三、持续加强政务公开标准化规范化建设。",
                "四、按时编制发布政府信息公开工作年度报告，确保内容准确、格式规范。",
            ))
        case _:
            return f'<p style="text-align:center"><img src="{INFOGRAPHIC_PATH}" alt="{escape(item.title)}" width="750"></p>'


def search_page(path: str) -> Page:
    """A search engine result page full of report-looking links: robots.txt forbids it."""
    query = parse_qs(urlsplit(path).query)
    raw_page = (query.get("page") or ["1"])[0]
    page_no = int(raw_page) if raw_page.isdigit() else 1
    words = quote((query.get("q") or ["年度报告"])[0])
    links = "".join(f'<li><a href="/search/?q={words}&amp;page={page_no + 1}&amp;id={n}">'
                    f'定西市安定区{2014 + n % 11}年政府信息公开工作年度报告</a></li>' for n in range(10))
    html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><title>搜索结果</title></head><body>'
            f'<ul class="results">{links}</ul><a href="/search/?q={words}&amp;page={page_no + 1}">下一页</a></body></html>')
    return html_page(html)


def calendar_page(path: str) -> Page:
    """A 领导活动日程 day page linking to the next and previous day, forever."""
    raw = (parse_qs(urlsplit(path).query).get("date") or ["2025-01-01"])[0]
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        day = date(2025, 1, 1)
    portal = catalog().portals["zhanggong"]
    prev_day, next_day = day - timedelta(days=1), day + timedelta(days=1)
    content = (f'<div class="calendar"><h2>领导活动日程 {day:%Y年%m月%d日}</h2><p>当日暂无公开活动安排。</p>'
               f'<a href="/calendar/?date={prev_day.isoformat()}">前一天</a> '
               f'<a href="/calendar/?date={next_day.isoformat()}">后一天</a></div>')
    html = render.page(portal, f"领导活动日程_{portal.name}", content, home="/", gk="/zgxxgk/")
    return html_page(html, validators=False)


def build_site(*, waf: bool = False) -> Site:
    """The whole farm; the same bytes on every call.

    ``waf`` arms the script challenge of the portals that have one: a plain
    HTTP client (urllib, a crawler without a browser) then sees only 412 pages there.
    """
    from harvester.farm import families

    cat = catalog()
    site = Site(routes={(SEARCH_HOST, "/search/"): search_page, (CALENDAR_HOST, "/calendar/"): calendar_page})
    for portal in cat.portals.values():
        builder = families.builder_for(site, cat, portal) if portal.style in families.STYLES else _Builder(site, cat, portal)
        builder.common()
        builder.navigation()
        builder.column_pages()
        builder.reports()
        builder.noise()
        families.harden(site, builder, portal, waf=waf)
    return site
