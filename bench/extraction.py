"""Main text of report pages: harvester against trafilatura, readability-lxml and GNE.

Every report page of the farm is rendered from known blocks of text inside
known chrome, so both what an extractor should keep (the report's sentences)
and what it should drop (header, breadcrumb, info bar, tool bars, footer) can be
checked exactly, page by page, on the same decoded HTML for every extractor.

The farm's chrome is the project's own invention, so the same scores are also
taken on four real government article pages (``shared/examples/real-pages``),
whose body sentences and chrome strings are written down by hand in
:data:`REAL_TRUTH` and checked against each page's visible text when loaded.
"""

from __future__ import annotations

import re
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from importlib.metadata import PackageNotFoundError, version
from typing import TypedDict

import lxml.html
from lxml import etree

from bench.core import ROOT, Options, Section, median, ratio, table
from harvester.extract import extract_page
from harvester.extract.decode import decode_html
from harvester.farm.catalog import catalog
from harvester.farm.site import build_site
from harvester.farm.text import report_blocks

#: Where :mod:`harvester.farm.render` puts each kind of chrome: ``_header`` (three CMS
#: layouts), ``breadcrumb``, the info bar and tool bars of ``article``, ``_footer``.
CHROME_REGIONS: dict[str, str] = {
    "header": "|".join(f'//{tag}[@class="{name}"]' for tag, name in (
        ("div", "header"), ("div", "nav"), ("table", "top"), ("table", "nav"), ("div", "top"), ("div", "navbar"))),
    "breadcrumb": '//div[@class="position"]',
    "info bar": '//div[@class="info"]',
    "tool bars": '//div[@class="tools"] | //div[@class="editor"]',
    "footer": '//div[@class="footer"]',
}
#: A sentence must have this many CJK characters to count: shorter pieces are
#: headings ("一、总体情况"), signatures and dates.
MIN_SENTENCE_CJK = 8
EXTRACTORS = ("harvester", "trafilatura (defaults)", "readability-lxml", "GNE")

_SENTENCE_END = re.compile(r"[。！？；]")
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[0-9A-Za-z\u3400-\u9fff]")
_WHITESPACE = re.compile(r"\s+")
_EDGE_MARKS = "：:[]【】|>＞»"

#: Real government article pages, saved byte for byte (see SOURCES.md there).
REAL_PAGES = ROOT.parent / "shared" / "examples" / "real-pages"


class RealTruth(TypedDict):
    """What one real page's main text must keep and must not contain, written down by hand."""

    #: Row label in the tables.
    label: str
    #: The address handed to the extractors: the page's own host and column (from its links) and the file's
    #: name; the saved file does not record the article's address.
    url: str
    #: Body sentences, copied exactly from the page (whitespace is removed before matching).
    sentences: tuple[str, ...]
    #: Chrome strings by kind (the farm's kinds): visible on the page outside the body, never inside it.
    chrome: dict[str, tuple[str, ...]]


REAL_TRUTH: dict[str, RealTruth] = {
    # Body: the one <p> of div#zoom.main-txt, between the <!--ZJEG_RSS.content.begin/end--> comments.
    "101_zjdrc_deqing_invest_hanweb_article.html": {
        "label": "101 浙江省发改委 (Hanweb JCMS)",
        "url": "https://fzggw.zj.gov.cn/col/col1621004/101_zjdrc_deqing_invest_hanweb_article.html",
        "sentences": (
            "1-10月，全县固定资产投资完成246.79亿元，完成年度计划82.3%，同比增长15.3%，位列三县两区第一。",
            "其中第三产业投资完成119.90亿元，同比增长15.2%，位列三县两区第二，三次产业投资占比由去年同期的"
            "1.1:50.3:48.6调整为0.7:50.7:48.6，三产占比与去年持平；",
            "生产性服务业完成投资39.66亿元，占第三产业完成投资的33.1%，位列三县两区第二；",
            "项目投资完成220.53亿元，占全部投资的89.4%，位列三县两区第二；",
            "总体全县投资结构趋稳趋优。（德清县发改局）",
        ),
        "chrome": {
            "header": ("浙江政务服务网", "无障碍浏览", "战略规划和区域发展", "对口工作和山海协作", "更多栏目"),
            "breadcrumb": ("当前位置", ">投资运行"),
            "info bar": ("发布日期：2016-11-22", "浏览次数：", "信息来源：省发改委"),
            "tool bars": ("打印", "关闭"),
            "footer": ("安全隐私", "版权保护", "联系我们", "网站地图", "中国·浙江省发展和改革委员会 版权所有",
                       "技术支持：浙江省经济信息中心", "浙ICP备05018911号", "网站标识码：3300000020",
                       "浙公网安备 33010602009328号"),
        },
    },
    # Body: div.TRS_Editor inside div.article-body, below the title, info line and tool bar (the photo caption
    # above the first paragraph is neither truth nor chrome).
    "102_shanxi_gov_trs_article.html": {
        "label": "102 山西省人民政府 (TRS)",
        "url": "http://www.shanxi.gov.cn/yw/sxyw/102_shanxi_gov_trs_article.html",
        "sentences": (
            "跨越千山万水，行程近两万公里，山西品牌丝路行首次登陆巴西，刷新“走出去”的最远纪录。",
            "当地时间9月16日下午，2019年山西品牌丝路行（南美站）活动在巴西圣保罗正式启动，"
            "并成功举办中国（山西）－巴西双向经贸投资推介会。",
            "举办山西品牌丝路行（南美站）活动，是我省贯彻落实习近平总书记视察山西重要讲话精神、积极主动融入“一带一路”"
            "建设、加快构建内陆地区对外开放新高地的具体举措。",
            "在圣保罗，山西代表团的到来和双向经贸投资推介会的召开，受到当地工商界人士欢迎和热情关注。",
            "巴西国际商务协会、企业家精英协会，南共体市场工商协会，圣保罗商会、工业联盟、进出口商会，圣保罗投促局，"
            "巴西华人协会等重要工商业组织和机构负责人出席活动，就开启双方经贸、投资交流合作进行了深入对接。",
            "中国驻圣保罗总领馆副总领事孙仁安在致辞中说，圣保罗是巴西乃至南美最大的经济、贸易、商业、金融、物流和"
            "交通中心，是巴西经济的“火车头”。",
            "这里聚集了超过90%的在巴中国移民和近200家中资企业，也是发展对华关系的排头兵。",
            "山西作为传统文化大省和资源大省，大力推动绿色转型，积极融入“一带一路”，全面加强与世界各国的经济往来和"
            "合作共赢。",
            "“山西发展前景光明、机遇无限。”他希望山西和圣保罗加强合作，为推进中巴两国合作作出更大贡献。",
            "山西代表团团长、省贸促会会长陈河才介绍，近年来，山西与巴西交流交往日益活跃。",
            "两地路途遥远，但合作潜力巨大。",
            "山西在新能源、特色农业、节能环保、装备制造、基础设施建设等方面具有发展优势，与巴西在许多领域互为市场。",
            "“通过山西品牌丝路行这一平台，我们将大力宣传优势产业和特色产品，推动企业加快走出去，从地方层面促进共建"
            "‘一带一路’走深走实。”",
            "当天下午，省贸促会分别与巴西华人协会、圣保罗商会、南共体市场工商协会签署合作协议，并正式设立驻巴西代表处。",
            "山西金兰化工有限公司与巴西佛罗伊特国际公司签署了贸易协议。",
            "巴西华人协会会长张伟表示，圣保罗有20多万华商。",
            "与省贸促会签约后，双方将用好中拉贸易产业园等各类平台，为深化两地经贸投资合作牵线搭桥、提供服务。",
            "推介会上，省商务厅、山西转型综改示范区管委会、中车太原机车车辆有限公司、山西交控集团、平遥牛肉集团和"
            "圣保罗投促局、南共体市场工商协会分别作了推介。",
            "山西品牌丝路行主题为“走丝绸之路，促合作共赢”。",
            "南美站活动将先后在巴西、乌拉圭、阿根廷举行。（张巨峰）",
        ),
        "chrome": {
            "header": ("山西省人大", "山西省政协", "切換到繁體", "热门搜索："),
            "breadcrumb": ("> 山西要闻",),
            "info bar": ("时间：2019-09-18 06:23", "来源：山西日报"),
            "tool bars": ("打印", "字体：放大 正常 缩小", "分享", "扫一扫在手机打开当前页面"),
            "footer": ("领导动态", "省政府常务会议", "政府信息公开专栏", "省长信箱", "统计年鉴", "畅游山西",
                       "关于我们", "网站声明", "网站地图", "联系我们", "主办：山西省人民政府办公厅",
                       "山西省人民政府网 版权所有", "晋ICP备12000773号", "晋公网安备 14010502050691号",
                       "网站标识码：1400000045", "使用大于1366*768分辨率/IE10.0或以上浏览器可以获得最佳浏览效果"),
        },
    },
    # Body: div#UCAP-CONTENT.pages_content (the resolution's heading, its 通过 line and one paragraph); a stray
    # </html> after the site header comes before it, and libxml2 puts all that follows in a second root element.
    "103_govcn_gazette_article.html": {
        "label": "103 中国政府网 国务院公报 (gov.cn)",
        "url": "https://www.gov.cn/gongbao/content/2007/103_govcn_gazette_article.html",
        "sentences": (
            "（2007年6月29日第十届全国人民代表大会常务委员会第二十八次会议通过）",
            "第十届全国人民代表大会常务委员会第二十八次会议，听取了财政部部长金人庆代表国务院对《国务院关于提请审议"
            "财政部发行特别国债购买外汇及调整2007年末国债余额限额的议案》作的说明，并对议案进行了审议。",
            "会议同意国务院提出的议案，同意全国人民代表大会财政经济委员会在议案审查报告中提出的建议。",
            "会议决定：批准发行15500亿元特别国债购买外汇，批准2007年末国债余额限额调整为53365.53亿元。",
        ),
        "chrome": {
            "header": ("无障碍", "登录", "邮箱"),
            "breadcrumb": ("首页 > 国务院公报 > 2007年第23号",),
            "tool bars": ("字号：默认 大 超大", "打印", "扫一扫在手机打开当前页", "相关稿件"),
            "footer": ("最高人民检察院", "国务院部门网站", "地方政府网站", "关于本网", "网站纠错",
                       "主办单位：国务院办公厅", "运行维护单位：中国政府网运行中心", "版权所有：中国政府网",
                       "网站标识码bm01000001", "京ICP备05070218号", "京公网安备11010202000001号"),
        },
    },
    # Body: div#content in div.TRS_Editor of div#dochtmlcon, between the <!--ZJEG_RSS.content.begin/end--> comments
    # (the 责任编辑 line after it is chrome).
    "104_cmse_gov_article.html": {
        "label": "104 中国载人航天工程 (TRS)",
        "url": "http://www.cmse.gov.cn/ztbd/xwfbh/104_cmse_gov_article.html",
        "sentences": (
            "很高兴又一次和大家见面。",
            "受天宫一号与神舟九号载人交会对接任务总指挥部委托，今天由我来向大家通报我国航天员首次手动控制交会对接试验的"
            "有关情况。",
            "北京时间6月24日12时55分，在航天员的精准操控下，天宫一号目标飞行器与神舟九号飞船再次成功交会对接，"
            "我国首次航天员手控交会对接试验取得圆满成功。",
            "神舟九号飞船2012年6月16日发射入轨后，经过4次变轨，于18日14时14分成功实现了与天宫一号目标飞行器的自动"
            "交会对接，形成组合体。",
            "18日17时07分，航天员景海鹏首次成功进驻天宫一号，随后，刘旺、刘洋依次进驻。",
            "组合体飞行期间，3名航天员按计划开展了航天员医学实验和空间技术试验。",
            "24日11时12分，天宫一号与神舟九号组合体分离，神舟九号自动撤离至距天宫一号400米处停泊点。",
            "随后，神舟九号逐渐接近天宫一号，至140米停泊点，神舟九号飞船转由航天员手动控制。",
            "就座在中间座椅的航天员刘旺操作平移和姿态手柄，控制神舟九号飞船向天宫一号目标飞行器缓缓接近，"
            "航天员景海鹏、刘洋密切监视飞船仪表和对接图像，并辅助发送指令。",
            "12时48分，神舟九号与天宫一号对接环接触，经过捕获、缓冲校正、拉回和锁紧四个过程，于12时55分，"
            "两个航天器紧紧连接成组合体。",
            "航天员手控交会对接的圆满成功，是天宫一号与神舟九号载人交会对接任务的又一重要阶段性成果。",
            "目前，3名航天员已再次进驻天宫一号，继续开展相关科学实验。",
            "在完成预定任务后，航天员将手动控制神舟九号与天宫一号目标飞行器分离，神舟九号飞船返回舱在一天内返回地面。",
            "目前，组合体运行正常，航天员状态良好。",
            "上面介绍的是关于这次任务的有关情况。",
            "下面，我愿意回答大家的提问。",
        ),
        "chrome": {
            "header": ("新闻中心", "关于工程", "官方公告", "飞行任务", "环球视野", "科普教育", "互动交流"),
            "breadcrumb": ("首页 > 专题报道 > 新闻发布会",),
            "info bar": ("发布日期: 2012-06-24",),
            "tool bars": ("字号:", "[打印]", "责任编辑：系统管理员"),
            "footer": ("友情链接", "北斗卫星导航系统", "中国航天科技集团有限公司", "在线留言", "邮箱登录",
                       "版权所有：中国载人航天工程官方网站", "主办方：中国载人航天工程办公室", "京ICP备20027467号-1",
                       "载人航天官方微信", "载人航天小喇叭"),
        },
    },
}


@dataclass(frozen=True)
class ReportPage:
    """One report page with what its main text must and must not contain (both without whitespace)."""

    url: str
    html: str
    sentences: tuple[str, ...]
    #: (kind, string) pairs of the page's chrome.
    chrome: tuple[tuple[str, str], ...]
    #: Row label of a real page in the per-page table (farm pages have none).
    label: str = ""


@dataclass
class Score:
    """One extractor over all pages."""

    name: str
    pages: int = 0
    failures: int = 0
    chrome_pages: int = 0
    sentences: int = 0
    kept: int = 0
    worst_page: float = 1.0
    #: kind -> pages where some chrome of that kind was left.
    kind_pages: Counter[str] = field(default_factory=Counter)
    #: leftover strings, their variable parts elided ("来源：…"), by pages.
    leftovers: dict[str, Counter[str]] = field(default_factory=dict)
    #: Milliseconds per page of each timed pass.
    pass_ms: list[float] = field(default_factory=list)
    #: Each scored page in order: the page, its sentences kept and its chrome strings left.
    per_page: list[tuple[ReportPage, int, tuple[str, ...]]] = field(default_factory=list)

    @property
    def ms_per_page(self) -> float:
        return median(self.pass_ms) if self.pass_ms else 0.0

    @property
    def chrome_share(self) -> float:
        return self.chrome_pages / self.pages if self.pages else 0.0

    @property
    def kept_share(self) -> float:
        return self.kept / self.sentences if self.sentences else 0.0


def squeeze(text: str) -> str:
    return _WHITESPACE.sub("", text)


def report_sentences(blocks: Sequence[tuple[str, str]]) -> tuple[str, ...]:
    """The report's prose split into sentences, once each; tables are scored elsewhere."""
    found: dict[str, None] = {}
    for kind, text in blocks:
        if kind not in ("h", "p"):
            continue
        for piece in _SENTENCE_END.split(text):
            piece = squeeze(piece)
            if len(_CJK.findall(piece)) >= MIN_SENTENCE_CJK:
                found[piece] = None
    return tuple(found)


def page_chrome(tree: etree._Element) -> tuple[tuple[str, str], ...]:
    """Text pieces of the page's chrome regions that occur nowhere else on the page.

    Pieces also found in the body, the title or the ``<title>`` (a nav item
    "政务公开" the report also says, the site's name) would not prove chrome was
    left, so they are not counted; nor are lone characters (字号's 大 中 小).
    """
    etree.strip_elements(tree, "script", "style", with_tail=False)
    regions = {kind: tree.xpath(xpath) for kind, xpath in CHROME_REGIONS.items()}
    missing = [kind for kind, nodes in regions.items() if not nodes]
    if missing:
        raise RuntimeError(f"the farm's chrome changed: no {', '.join(missing)} on the page")
    pieces = [(kind, squeeze(text).strip(_EDGE_MARKS)) for kind, nodes in regions.items()
              for node in nodes for text in node.itertext()]
    rest = _without(tree, [node for nodes in regions.values() for node in nodes])
    chrome: dict[tuple[str, str], None] = {}
    for kind, text in pieces:
        if len(_WORD.findall(text)) >= 2 and text not in rest:
            chrome[(kind, text)] = None
    return tuple(chrome)


def _without(tree: etree._Element, nodes: list[etree._Element]) -> str:
    """Whitespace-free text of ``tree`` outside ``nodes``."""
    for node in nodes:
        node.set("data-bench-chrome", "1")
    copy = lxml.html.fromstring(lxml.html.tostring(tree, encoding="unicode"))
    for node in copy.xpath("//*[@data-bench-chrome]"):
        node.drop_tree()
    return squeeze(copy.text_content())


def report_pages() -> list[ReportPage]:
    """Every HTML page of ``build_site()`` that publishes a report (reposts included; files skipped)."""
    cat, site = catalog(), build_site()
    pages = []
    for report in cat.reports:
        sentences = report_sentences(report_blocks(report, cat.portals[report.portal]))
        for location in report.locations:
            page = site.pages.get((location.host, location.path))
            content_type = page.headers.get("Content-Type") if page else None
            if page is None or page.status != 200 or "html" not in (content_type or ""):
                continue
            html, _ = decode_html(page.body, content_type)
            chrome = page_chrome(lxml.html.document_fromstring(html))
            pages.append(ReportPage(location.url, html, sentences, chrome))
    return pages


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.I)
_VOID_TAGS = frozenset("area base br col embed hr img input link meta param source track wbr".split())
_UNSEEN_TAGS = frozenset(("script", "style", "noscript", "template", "title"))


class _VisibleText(HTMLParser):
    """Text a browser shows of a page: no script, style or ``<title>``, nothing under ``display:none`` or ``hidden``.

    Python's own tolerant parser, not lxml: after a stray ``</html>`` (page 103 has one before its body)
    libxml2 puts the rest of the page in a second root element, outside the tree's ``text_content()``.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[tuple[str, bool]] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _VOID_TAGS:
            return
        values = dict(attrs)
        hidden = (bool(self.open and self.open[-1][1]) or tag in _UNSEEN_TAGS or "hidden" in values
                  or bool(_HIDDEN_STYLE.search(values.get("style") or "")))
        self.open.append((tag, hidden))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        pass  # <x/>: no content

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.open) - 1, -1, -1):
            if self.open[depth][0] == tag:
                del self.open[depth:]
                return

    def handle_data(self, data: str) -> None:
        if not (self.open and self.open[-1][1]):
            self.parts.append(data)


def visible_text(html: str) -> str:
    """The page's visible text, whitespace removed."""
    parser = _VisibleText()
    parser.feed(html)
    parser.close()
    return squeeze("".join(parser.parts))


def check_real_truth(name: str, html: str, truth: RealTruth) -> list[str]:
    """What is wrong with ``truth`` for the page (empty when it holds).

    Every sentence must occur in the page's visible text, inside the body: the stretch from the first
    sentence to the last. Every chrome string must occur in the visible text outside that stretch, never
    inside it, and not in the ``<title>`` (an extractor that keeps the title would seem to keep chrome).
    """
    text = visible_text(html)
    sentences = [squeeze(sentence) for sentence in truth["sentences"]]
    problems = [f"{name}: sentence not on the page: {s}" for s in sentences if s not in text]
    if problems or not sentences:
        return problems or [f"{name}: no sentences"]
    start = text.find(sentences[0])
    end = text.find(sentences[-1], start) + len(sentences[-1])
    if end < start + len(sentences[0]):
        return [f"{name}: the last sentence does not come after the first"]
    body, outside = text[start:end], text[:start] + "\n" + text[end:]
    problems += [f"{name}: sentence outside the body stretch: {s}" for s in sentences if s not in body]
    title = re.search(r"<title[^>]*>(.*?)</title>", html, re.S | re.I)
    title_text = squeeze(title.group(1)) if title else ""
    for kind, strings in truth["chrome"].items():
        if kind not in CHROME_REGIONS:
            problems.append(f"{name}: unknown chrome kind {kind!r}")
        for string in map(squeeze, strings):
            if string in body:
                problems.append(f"{name}: chrome string inside the body: {string}")
            elif string not in outside:
                problems.append(f"{name}: chrome string not on the page: {string}")
            if string and string in title_text:
                problems.append(f"{name}: chrome string in the <title>: {string}")
    strings = [squeeze(s) for strings in truth["chrome"].values() for s in strings]
    for kind, items in (("sentence", sentences), ("chrome string", strings)):
        problems += [f"{name}: {kind} listed twice: {item}" for item, n in Counter(items).items() if n > 1]
    return problems


def real_pages() -> list[ReportPage]:
    """The four real article pages with their hand-written truth; a truth that does not fit its page raises."""
    pages, problems = [], []
    for name, truth in REAL_TRUTH.items():
        html, _ = decode_html((REAL_PAGES / name).read_bytes(), None)
        problems += check_real_truth(name, html, truth)
        chrome = tuple((kind, squeeze(string)) for kind, strings in truth["chrome"].items() for string in strings)
        pages.append(ReportPage(truth["url"], html, tuple(map(squeeze, truth["sentences"])), chrome, truth["label"]))
    if problems:
        raise ValueError("REAL_TRUTH does not fit the pages:\n" + "\n".join(problems))
    return pages


def extractors() -> dict[str, Callable[[str, str], str]]:
    """Each tool's main text of ``(html, url)``, as a user of its defaults gets it."""
    import gne
    import readability
    import trafilatura

    news = gne.GeneralNewsExtractor()

    def readability_text(html: str, url: str) -> str:
        return lxml.html.fromstring(readability.Document(html).summary()).text_content()

    return {
        "harvester": lambda html, url: extract_page(html, url).text,
        "trafilatura (defaults)": lambda html, url: trafilatura.extract(html) or "",
        "readability-lxml": readability_text,
        "GNE": lambda html, url: news.extract(html)["content"],
    }


def _elide(text: str) -> str:
    """A leftover string without its page-specific part, so pages can be counted together."""
    if "：" in text:
        return text.split("：", 1)[0] + "：…"
    return re.sub(r"\d[\d-]*", "…", text)


def score_page(score: Score, page: ReportPage, output: str) -> None:
    """Add one page's output to ``score``."""
    text = squeeze(output)
    kept = sum(sentence in text for sentence in page.sentences)
    left = [(kind, chrome) for kind, chrome in page.chrome if chrome in text]
    score.pages += 1
    score.sentences += len(page.sentences)
    score.kept += kept
    score.worst_page = min(score.worst_page, kept / len(page.sentences) if page.sentences else 1.0)
    score.chrome_pages += bool(left)
    score.per_page.append((page, kept, tuple(chrome for _, chrome in left)))
    for kind, labels in _group(left).items():
        score.kind_pages[kind] += 1
        score.leftovers.setdefault(kind, Counter()).update(labels)


def _group(left: list[tuple[str, str]]) -> dict[str, set[str]]:
    grouped: dict[str, set[str]] = {}
    for kind, chrome in left:
        grouped.setdefault(kind, set()).add(_elide(chrome))
    return grouped


def measure(pages: Sequence[ReportPage], runs: int) -> list[Score]:
    """Score every extractor on ``pages`` (first pass) and time ``runs`` passes over them."""
    tools = extractors()
    scores = {name: Score(name) for name in tools}
    for extract in tools.values():
        _call(extract, pages[0])
    for run in range(max(runs, 1)):
        for name, extract in tools.items():
            started = time.perf_counter()
            outputs = [_call(extract, page) for page in pages]
            scores[name].pass_ms.append((time.perf_counter() - started) * 1000 / len(pages))
            if run == 0:
                for page, output in zip(pages, outputs):
                    scores[name].failures += output is None
                    score_page(scores[name], page, output or "")
    return list(scores.values())


def _call(extract: Callable[[str, str], str], page: ReportPage) -> str | None:
    """The tool's text, or None when it raises (a failure, scored as empty text)."""
    try:
        return extract(page.html, page.url)
    except Exception:
        return None


def _version(package: str) -> str:
    try:
        return version(package)
    except PackageNotFoundError:
        return "?"


def pct(share: float) -> str:
    return f"{100 * share:.1f}%"


def run(options: Options) -> Section:
    started = time.perf_counter()
    pages = report_pages()
    scores = measure(pages, options.runs)
    real = real_pages()
    real_scores = measure(real, options.runs)
    base, real_base = scores[0], real_scores[0]
    body = _score_table(scores)
    kind_rows = [(kind, *(_leftover_cell(s, kind) for s in scores)) for kind in CHROME_REGIONS]
    body += ("\n\nPages (of {n}) with chrome of each kind left, and the strings most often left "
             "(page-specific parts shown as …):\n\n").format(n=len(pages))
    body += table(("chrome", *(s.name for s in scores)), kind_rows, align="l" * (len(scores) + 1))
    body += (f"\n\nReal government pages ({len(real)} article pages saved from government sites, not annual "
             "reports; truth written by hand):\n\n")
    body += _score_table(real_scores)
    body += ("\n\nEach real page: sentences kept of its truth sentences · chrome strings left of its chrome "
             "strings (the first three left):\n\n")
    body += table(("page", *(s.name for s in real_scores)),
                  [(page.label, *(_page_cell(s.per_page[i]) for s in real_scores)) for i, page in enumerate(real)],
                  align="l" * (len(real_scores) + 1))
    distinct = len({page.sentences for page in pages})
    sentences = sum(len(page.sentences) for page in pages)
    chrome = sum(len(page.chrome) for page in pages)
    real_sentences = sum(len(page.sentences) for page in real)
    real_chrome = sum(len(page.chrome) for page in real)
    hosts = len({page.url.split("/")[2] for page in pages})
    runs = max(options.runs, 1)
    passes = f"{runs} passes" if runs > 1 else "1 pass"
    versions = ", ".join(f"{name} {_version(package)}" for name, package in (
        ("harvester", "harvester"), ("trafilatura", "trafilatura"), ("readability-lxml", "readability-lxml"),
        ("GNE", "gne"), ("lxml", "lxml")))
    versions += f" (libxml2 {'.'.join(map(str, etree.LIBXML_VERSION))})"
    method = (
        f"Pages: every HTML page of the farm (`build_site()`) that publishes one of its reports, reposts included: "
        f"{len(pages)} pages of {distinct} distinct report texts on {hosts} hosts, "
        "in the markup of each CMS the farm imitates (plain 站群, TRS, Hanweb, JCMS, gkmlpt, UCAP, a bare site; "
        "UTF-8 and GBK, Word-exported tables). The default farm serves no report as a file. Each page is decoded once "
        "with `harvester.extract.decode.decode_html` and every extractor gets the same string: harvester's "
        "`extract_page(html, url).text`, `trafilatura.extract(html)` with default settings, "
        "readability-lxml's `Document(html).summary()` flattened with lxml's `text_content()`, and GNE's "
        "`GeneralNewsExtractor().extract(html)['content']`. An exception counts as a failure and as empty text.\n\n"
        f"Sentences kept: the report's prose blocks (`harvester.farm.text.report_blocks`, headings and paragraphs; "
        f"tables are scored by the parsing comparison) split at 。！？；, keeping pieces of at least {MIN_SENTENCE_CJK} "
        f"CJK characters ({sentences:,} sentences over all pages); a sentence is kept when it occurs in the output "
        "once whitespace is removed from both. The share is over all sentences of all pages; \"worst page\" is the "
        "lowest share on one page.\n\n"
        "Chrome left: the text of the regions `harvester.farm.render` draws around an article (header and "
        "navigation, the 当前位置 breadcrumb, the info bar with 发布时间/来源/浏览次数/字号/视力保护色, the 分享到/"
        "扫一扫/打印本页/关闭窗口 bars and 责任编辑 line, the footer with 主办单位/地址/网站标识码/ICP备/公网安备), "
        "taken from each page's own markup, cut into its text pieces (edge punctuation trimmed, at least two "
        "characters) and kept only when the piece occurs nowhere else on the page, so the site's name and nav "
        f"words the report also uses do not count ({chrome:,} pieces over all pages). A page has chrome left when any "
        "piece occurs in the output (whitespace removed).\n\n"
        f"Real government pages: the {len(real)} HTML pages of `shared/examples/real-pages` (see its SOURCES.md): a "
        "浙江省发改委 article on Hanweb JCMS, a 山西省人民政府 news article on TRS, a 中国政府网 国务院公报 page and a "
        "中国载人航天工程 press-conference article on TRS. They are real pages from government sites, but news and "
        "gazette articles, not annual reports (no report tables), and only four. Each is decoded with "
        "`decode_html(body, None)` and scored exactly as a farm page, by the same functions; the URL handed over is "
        "the page's own host and column with the file's name (the saved files do not record their addresses). The "
        "truth is written by hand in `bench.extraction.REAL_TRUTH`: the article's body sentences copied from the "
        f"page (every sentence of the four bodies; their headings, date line, byline, salutation and a photo caption "
        f"left out; {real_sentences} in all) "
        "and the chrome a reader would not want in the main text, picked from what the page shows around the body "
        "(navigation entries, the breadcrumb, 发布日期/来源/浏览次数 lines, 字号/打印/关闭/分享 controls, 责任编辑, "
        f"footer lines with 主办/版权所有/ICP备/网站标识码/联系我们; {real_chrome} strings in all), only strings that "
        "do not occur in the body. Loading the pages checks this truth: every sentence must occur in the page's "
        "visible text (script, style, `<title>` and `display:none` left out; whitespace removed) within the stretch "
        "from the first to the last sentence, and every chrome string outside that stretch, never inside it nor in "
        "the `<title>`; a typo fails the run. Chrome left counts pages where any chrome string occurs in the output; "
        "the per-page table shows how many and which.\n\n"
        f"Time: wall milliseconds per page of each extractor, the median of {passes} over all pages after one "
        "warm-up call, farm and real pages timed apart; one process, one thread; the quick form uses the same pages. "
        f"Scores come from the first pass (all four are deterministic). Versions: {versions}.\n\n"
        "Caveat: the farm is the project's own, and harvester looks first for the body containers of the CMSs it "
        "imitates (`TRS_Editor`, `#zoom`, `UCAPCONTENT`), so its figures there check that it works on those "
        "layouts rather than measure it on unseen markup. The real pages are not unseen either: they were saved "
        "from GeneralNewsExtractor's own test suite, so GNE may have been tuned on them, and harvester's tests "
        "(`tests/test_extract_text.py`) check its main text on the same four pages, so it was developed with them "
        "in view. Four pages are enough to show a failure mode, too few to rank tools. Page 103 has a stray "
        "`</html>` after its header; libxml2 then puts the rest of the page, body included, in a second root "
        "element, which tools that read the parsed root (trafilatura, readability-lxml) never see; harvester's "
        "container XPath searches the whole document, and GNE's `fix_html` deletes every `</html>` before parsing "
        "(its docstring names exactly this fault)."
    )
    cells = []
    for farm, on_real in zip(scores, real_scores):
        left = sum(1 for _, _, strings in on_real.per_page if strings)
        cells.append(f"{_short(farm.name)} {pct(farm.kept_share)} / {pct(farm.chrome_share)} farm, "
                     f"{pct(on_real.kept_share)} / {left} of {on_real.pages} real")
    speeds = "; ".join(
        f"{_short(farm.name)} {farm.ms_per_page:.1f} / {on_real.ms_per_page:.1f}"
        + ("" if farm is base else f" ({ratio(farm.ms_per_page, base.ms_per_page)} / "
                                   f"{ratio(on_real.ms_per_page, real_base.ms_per_page)})")
        for farm, on_real in zip(scores, real_scores))
    headlines = [
        f"Extraction ({len(pages)} farm report pages; {len(real)} real government article pages), sentences kept / "
        f"pages with chrome left: " + "; ".join(cells),
        f"Extraction ms/page, farm / real pages: {speeds}",
    ]
    failures = [f"{s.name} {s.failures}{where}" for where, group in ((" farm", scores), (" real", real_scores))
                for s in group if s.failures]
    if failures:
        headlines.append("Extraction failures (pages): " + ", ".join(failures))
    return Section(key="extraction", title="Extraction", method=method, body=body, headlines=headlines,
                   seconds=time.perf_counter() - started)


def _score_table(scores: list[Score]) -> str:
    base = scores[0]
    rows = [(s.name, s.pages, s.failures, pct(s.chrome_share), pct(s.kept_share), pct(s.worst_page),
             s.ms_per_page, ratio(s.ms_per_page, base.ms_per_page)) for s in scores]
    return table(("extractor", "pages", "failures", "chrome left", "sentences kept", "worst page", "ms/page",
                  "ms/page vs harvester"), rows, align="lrrrrrrr")


def _page_cell(result: tuple[ReportPage, int, tuple[str, ...]]) -> str:
    page, kept, left = result
    cell = f"{kept}/{len(page.sentences)} · {len(left)}/{len(page.chrome)}"
    if left:
        cell += " (" + ", ".join(left[:3]) + (", …" if len(left) > 3 else "") + ")"
    return cell


def _short(name: str) -> str:
    return {"trafilatura (defaults)": "trafilatura defaults", "readability-lxml": "readability"}.get(name, name)


def _leftover_cell(score: Score, kind: str) -> str:
    pages = score.kind_pages[kind]
    if not pages:
        return "0"
    ranked = sorted(score.leftovers[kind].items(), key=lambda item: (-item[1], item[0]))
    common = ", ".join(label for label, _ in ranked[:3])
    return f"{pages}: {common}"
