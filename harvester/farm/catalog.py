"""What the farm publishes: its portals and every report with all its addresses.

Both the served site (:mod:`harvester.farm.site`) and the ground truth
(:mod:`harvester.farm.truth`) are derived from this one catalogue, so they
cannot drift apart.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache

from harvester.farm.stats import ReportNumbers, format_of, make_series

CST = timezone(timedelta(hours=8))


@dataclass(frozen=True)
class Portal:
    """One government web site; ``style`` selects its CMS look and URL scheme."""

    key: str
    name: str
    short: str
    host: str
    region_code: str
    level: str
    parent: str
    site_code: str
    icp: str
    police: str
    style: str
    phone: str
    address: str
    editor: str
    encoding: str = "utf-8"
    validators: bool = True
    meta_tags: bool = True
    show_time: bool = True
    #: Extra hosts of the same government (TRS sites keep 信息公开 apart).
    hosts: tuple[str, ...] = ()
    #: A Ruishu-like script challenge guards every page (served only when the farm's WAF is armed).
    challenge: bool = False
    #: The report list is built by an obfuscated script with no API: only a browser sees its links.
    scripted_list: bool = False

    @property
    def seed_url(self) -> str:
        return f"http://{self.host}/"

    @property
    def office(self) -> str:
        return self.name + "办公室"


PORTALS: dict[str, Portal] = {
    p.key: p
    for p in (
        Portal(
            key="anding", name="定西市安定区人民政府", short="安定区", host="www.anding.gov.cn",
            region_code="621102", level="county", parent="621100", site_code="6211020001",
            icp="陇ICP备05001234号-1", police="甘公网安备 62110202000101号", style="plain",
            phone="0932-8212345", address="定西市安定区中华路12号", editor="张文涛",
        ),
        Portal(
            key="longxi", name="陇西县人民政府", short="陇西县", host="www.longxi.gov.cn",
            region_code="621122", level="county", parent="621100", site_code="6211220003",
            icp="陇ICP备09002345号", police="甘公网安备 62112202000045号", style="trs",
            phone="0932-6623456", address="陇西县巩昌镇北关路8号", editor="李晓燕",
            show_time=False, hosts=("xxgk.longxi.gov.cn",),
        ),
        Portal(
            key="nankang", name="赣州市南康区人民政府", short="南康区", host="www.nankang.gov.cn",
            region_code="360703", level="county", parent="360700", site_code="3607030012",
            icp="赣ICP备06004567号", police="赣公网安备 36070302000123号", style="hanweb",
            phone="0797-6612345", address="赣州市南康区蓉江街道东山大道1号", editor="刘珺",
            encoding="gbk",
        ),
        Portal(
            key="dingxi", name="定西市人民政府", short="定西市", host="www.dingxi.gov.cn",
            region_code="621100", level="prefecture", parent="620000", site_code="6211000001",
            icp="陇ICP备05000001号", police="甘公网安备 62110002000001号", style="prefecture",
            phone="0932-8234567", address="定西市安定区友谊路1号", editor="王海燕",
        ),
        Portal(
            key="zhanggong", name="赣州市章贡区人民政府", short="章贡区", host="www.zhanggong.gov.cn",
            region_code="360702", level="county", parent="360700", site_code="3607020008",
            icp="赣ICP备05003456号-2", police="赣公网安备 36070202000078号", style="simple",
            phone="0797-8123456", address="赣州市章贡区红旗大道20号", editor="陈思远",
            validators=False, meta_tags=False, show_time=False,
        ),
        # CMS families and hostile portals (harvester.farm.families builds their pages).
        Portal(
            key="deqing", name="德清县人民政府", short="德清县", host="www.deqing.gov.cn",
            region_code="330521", level="county", parent="330500", site_code="3305210001",
            icp="浙ICP备05012345号", police="浙公网安备 33052102000118号", style="jcms",
            phone="0572-8082345", address="德清县武康街道中兴北路6号", editor="沈佳怡",
        ),
        Portal(
            key="wujiang", name="韶关市武江区人民政府", short="武江区", host="www.sgwj.gov.cn",
            region_code="440203", level="county", parent="440200", site_code="4402030003",
            icp="粤ICP备10203456号", police="粤公网安备 44020302000067号", style="gkmlpt",
            phone="0751-8112345", address="韶关市武江区沙洲路2号", editor="梁嘉敏",
        ),
        Portal(
            key="yixian", name="黟县人民政府", short="黟县", host="www.yixian.gov.cn",
            region_code="341023", level="county", parent="341000", site_code="3410230002",
            icp="皖ICP备06007890号", police="皖公网安备 34102302000021号", style="ucap",
            phone="0559-5512345", address="黟县碧阳镇东门路18号", editor="汪婷",
        ),
        Portal(
            key="weiyuan", name="渭源县人民政府", short="渭源县", host="www.weiyuan.gov.cn",
            region_code="621123", level="county", parent="621100", site_code="6211230004",
            icp="陇ICP备09004567号", police="甘公网安备 62112302000033号", style="simple",
            phone="0932-4412345", address="渭源县清源镇文化路3号", editor="赵瑞",
            scripted_list=True,
        ),
        Portal(
            key="lintao", name="临洮县人民政府", short="临洮县", host="www.lintao.gov.cn",
            region_code="621124", level="county", parent="621100", site_code="6211240005",
            icp="陇ICP备09005678号", police="甘公网安备 62112402000051号", style="plain",
            phone="0932-2212345", address="临洮县洮阳镇建设路9号", editor="马静",
            challenge=True,
        ),
    )
}


@dataclass(frozen=True)
class Location:
    """One address where a report is published."""

    portal: str
    host: str
    path: str
    column: str

    @property
    def url(self) -> str:
        return f"http://{self.host}{self.path}"


@dataclass
class ReportSpec:
    """One distinct report and every place it appears."""

    key: str
    portal: str
    agency: str
    title: str
    year: int
    kind: str
    published: datetime
    show_time: bool
    numbers: ReportNumbers
    locations: list[Location] = field(default_factory=list)
    #: Address the list links to that answers 301 to ``locations[0]``.
    old_path: str | None = None
    markup: str = "plain"
    region_code: str = ""

    @property
    def fmt(self) -> str:
        return format_of(self.year)

    @property
    def published_iso(self) -> str:
        if self.show_time:
            return self.published.isoformat()
        return self.published.date().isoformat()


@dataclass(frozen=True)
class NoiseSpec:
    """A page that looks like a report in a report column but is not one."""

    key: str
    portal: str
    title: str
    kind: str
    published: datetime
    location: Location


@dataclass(frozen=True)
class DeadLink:
    portal: str
    title: str
    published: datetime
    location: Location


@dataclass
class Catalog:
    portals: dict[str, Portal]
    reports: list[ReportSpec]
    noise: list[NoiseSpec]
    dead: list[DeadLink]


def _publish_date(key: str, year: int, kind: str) -> datetime:
    """Departments publish by 31 January, governments by 31 March (条例 art. 49-50)."""
    rng = random.Random("date:" + key)
    first, last = (5, 30) if kind == "dept" else (15, 85)
    day = datetime(year + 1, 1, 1, tzinfo=CST) + timedelta(days=rng.randint(first, last))
    return day.replace(hour=rng.randint(8, 17), minute=rng.randint(0, 59))


# (portal, key, agency, years, kind, scale, blank policy)
_PUBLISHERS = (
    ("anding", "ad-gov", "定西市安定区人民政府", (2017, 2019, 2020, 2021, 2022, 2023, 2024), "gov", 90, "none"),
    ("anding", "ad-edu", "定西市安定区教育局", (2023, 2024), "dept", 14, "none"),
    ("anding", "ad-fin", "定西市安定区财政局", (2024,), "dept", 9, "none"),
    ("anding", "ad-zhl", "定西市安定区中华路街道办事处", (2024,), "street", 5, "none"),
    ("longxi", "lx-gov", "陇西县人民政府", (2020, 2021, 2022, 2023, 2024), "gov", 60, "active_regulations"),
    ("longxi", "lx-wjj", "陇西县卫生健康局", (2024,), "dept", 12, "active_regulations"),
    ("longxi", "lx-scj", "陇西县市场监督管理局", (2024,), "dept", 16, "active_regulations"),
    ("longxi", "lx-nyj", "陇西县农业农村局", (2023,), "dept", 6, "active_regulations"),
    ("nankang", "nk-gov", "赣州市南康区人民政府", (2021, 2022, 2023, 2024), "gov", 120, "minor_applicants"),
    ("nankang", "nk-rsj", "赣州市南康区人力资源和社会保障局", (2024,), "dept", 25, "minor_applicants"),
    ("nankang", "nk-tjz", "赣州市南康区唐江镇人民政府", (2024,), "town", 4, "minor_applicants"),
    ("dingxi", "dx-gov", "定西市人民政府", (2023, 2024), "prefecture", 150, "none"),
    ("zhanggong", "zg-gov", "赣州市章贡区人民政府", (2021, 2022, 2023, 2024), "gov", 80, "reviews_litigation"),
    ("zhanggong", "zg-fgw", "赣州市章贡区发展和改革委员会", (2024,), "dept", 8, "reviews_litigation"),
    ("deqing", "dq-gov", "德清县人民政府", (2023, 2024), "gov", 70, "none"),
    ("deqing", "dq-sfj", "德清县司法局", (2024,), "dept", 10, "none"),
    ("wujiang", "wj-gov", "韶关市武江区人民政府", (2023, 2024), "gov", 55, "none"),
    ("yixian", "yx-gov", "黟县人民政府", (2024,), "gov", 30, "none"),
    ("weiyuan", "wy-gov", "渭源县人民政府", (2024,), "gov", 40, "none"),
    ("lintao", "lt-gov", "临洮县人民政府", (2024,), "gov", 50, "none"),
)

#: Reports whose title names only the place; their agency is still the government.
_PLACE_ONLY_TITLES = {("ad-gov", 2023): "定西市安定区", ("lx-gov", 2021): "陇西县"}
_WORD_MARKUP_PORTALS = {"longxi"}


def _trs_path(column: str, when: datetime, article_id: int) -> str:
    return f"{column}{when:%Y%m}/t{when:%Y%m%d}_{article_id}.html"


def _article_path(portal: Portal, when: datetime, article_id: int, column: str | None = None) -> str:
    """The URL path of an article in the portal's CMS scheme."""
    match portal.style:
        case "plain":
            return f"{column or '/zwgk/zfxxgk/zfxxgknb/'}content_{article_id}.html"
        case "trs":
            return _trs_path(column or "/xxgknb/", when, article_id)
        case "hanweb":
            col = column or "1234"
            return f"/art/{when.year}/{when.month}/{when.day}/art_{col}_{article_id}.html"
        case "prefecture":
            return f"{column or '/zfxxgk/ndbg/'}{when:%Y-%m}/{when:%d}/content_{article_id}.html"
        case "jcms":
            return f"/art/{when.year}/{when.month}/{when.day}/art_{JCMS_COLUMN_ID}_{article_id}.html"
        case "gkmlpt":
            return f"/gkmlpt/content/{article_id // 1000}/{article_id // 100}/post_{article_id}.html"
        case "ucap":
            return f"{column or '/xxgk/xxgknb/'}{when:%Y%m}/c{article_id}.shtml"
        case _:
            return f"{column or '/zgxxgk/ndbg/'}{when:%Y%m}/{when:%Y%m%d%H%M%S}{article_id % 100:02d}.html"


def report_host(portal: Portal) -> str:
    """The host serving the portal's report column."""
    return portal.hosts[0] if portal.style == "trs" else portal.host


#: The Hanweb JCMS report column of the farm (``/col/col{id}/index.html``, ``art_{id}_…``).
JCMS_COLUMN_ID = 1229213486

REPORT_COLUMN = {
    "plain": "/zwgk/zfxxgk/zfxxgknb/",
    "trs": "/xxgknb/",
    "hanweb": "/col/col1234/index.html",
    "prefecture": "/zfxxgk/ndbg/",
    "simple": "/zgxxgk/ndbg/",
    "jcms": f"/col/col{JCMS_COLUMN_ID}/index.html",
    "gkmlpt": "/gkmlpt/index",
    "ucap": "/xxgk/xxgknb/list.shtml",
}


def _reports() -> list[ReportSpec]:
    reports = []
    next_id = {key: 5100 + 300 * n for n, key in enumerate(PORTALS)}
    for portal_key, key, agency, years, kind, scale, policy in _PUBLISHERS:
        portal = PORTALS[portal_key]
        series = make_series("numbers:" + key, list(years), kind, scale, policy)
        for year in years:
            prefix = _PLACE_ONLY_TITLES.get((key, year), agency)
            published = _publish_date(f"{key}:{year}", year, kind)
            article_id = next_id[portal_key] = next_id[portal_key] + 7
            path = _article_path(portal, published, article_id)
            reports.append(
                ReportSpec(
                    key=f"{key}-{year}", portal=portal_key, agency=agency,
                    title=f"{prefix}{year}年政府信息公开工作年度报告", year=year, kind=kind,
                    published=published, show_time=portal.show_time, numbers=series[year],
                    locations=[Location(portal_key, report_host(portal), path, "年报")],
                    markup="word" if portal_key in _WORD_MARKUP_PORTALS else "plain",
                    region_code=portal.region_code,
                )
            )
    by_key = {r.key: r for r in reports}
    dingxi = PORTALS["dingxi"]
    repost = by_key["ad-gov-2024"]
    repost.locations.append(
        Location("dingxi", dingxi.host, _article_path(dingxi, repost.published, 9001), "年报")
    )
    twice = by_key["dx-gov-2024"]
    twice.locations.append(
        Location("dingxi", dingxi.host, _article_path(dingxi, twice.published, 9002, "/zfxxgk/tzgg/"), "通知公告")
    )
    by_key["ad-gov-2020"].old_path = "/zwgk/zfxxgk/zfxxgknb/content_3020.html"
    return reports


_NOISE = (
    ("anding", "关于做好2024年政府信息公开工作年度报告编制发布工作的通知", "notice", 2024, 12, 20),
    ("anding", "定西市安定区政府信息公开指南", "guide", 2025, 1, 6),
    ("anding", "定西市安定区2024年政务公开工作要点", "plan", 2024, 4, 15),
    ("anding", "一图读懂定西市安定区2023年政府信息公开工作年度报告", "infographic", 2024, 3, 30),
    ("longxi", "陇西县2024年政务公开工作要点", "plan", 2024, 5, 8),
    ("nankang", "赣州市南康区政府信息公开指南", "guide", 2024, 11, 2),
    ("nankang", "关于做好2024年政府信息公开工作年度报告编制发布工作的通知", "notice", 2024, 12, 16),
    ("dingxi", "关于报送2024年度政府信息公开工作年度报告的通知", "notice", 2024, 12, 10),
    ("zhanggong", "一图读懂赣州市章贡区2024年政府信息公开工作年度报告", "infographic", 2025, 3, 28),
    ("deqing", "关于做好2024年政府信息公开工作年度报告编制发布工作的通知", "notice", 2024, 12, 18),
    ("wujiang", "一图读懂韶关市武江区2024年政府信息公开工作年度报告", "infographic", 2025, 3, 20),
    ("yixian", "黟县2024年政务公开工作要点", "plan", 2024, 4, 22),
    ("yixian", "黟县政府信息公开指南", "guide", 2024, 10, 9),
    ("weiyuan", "关于做好2024年政府信息公开工作年度报告编制发布工作的通知", "notice", 2024, 12, 19),
    ("lintao", "临洮县政府信息公开指南", "guide", 2024, 9, 3),
)


def _noise() -> list[NoiseSpec]:
    items = []
    for n, (portal_key, title, kind, year, month, day) in enumerate(_NOISE):
        portal = PORTALS[portal_key]
        published = datetime(year, month, day, 10, 30, tzinfo=CST)
        column = "/zfxxgk/tzgg/" if portal_key == "dingxi" else None
        path = _article_path(portal, published, 7001 + n * 3, column)
        location = Location(portal_key, report_host(portal), path, "通知公告" if column else "年报")
        items.append(NoiseSpec(f"noise-{n}", portal_key, title, kind, published, location))
    return items


def _dead() -> list[DeadLink]:
    anding = PORTALS["anding"]
    published = datetime(2025, 1, 24, 15, 2, tzinfo=CST)
    return [
        DeadLink(
            "anding", "定西市安定区农业农村局2024年政府信息公开工作年度报告", published,
            Location("anding", anding.host, "/zwgk/zfxxgk/zfxxgknb/content_4999.html", "年报"),
        )
    ]


@cache
def catalog() -> Catalog:
    """The whole farm's content, built once per process (it is deterministic)."""
    return Catalog(PORTALS, _reports(), _noise(), _dead())
