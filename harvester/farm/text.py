"""Prose of the invented reports, as a list of blocks independent of markup.

A report is rendered from the same blocks wherever it is published, so a
repost carries exactly the same main text under different chrome.
"""

from __future__ import annotations

import random

from harvester.farm.catalog import Portal, ReportSpec

Block = tuple[str, str]  # ("h" | "p" | "table" | "local_table", text or table name)

_MANAGEMENT = (
    "严格落实政府信息公开属性源头认定机制，公文在起草时即明确公开属性，对不予公开的说明理由。全年开展公开属性审查{n}次，对已符合公开条件的文件及时转为主动公开。",
    "动态更新政府信息公开指南和标准化公开目录，修订完善信息发布审核、保密审查等制度，坚持“先审后发”，全年未发生泄密和不当公开事件。",
    "加强政策文件集中统一管理，在政府信息公开专栏设置行政规范性文件栏目，对现行有效的{n}件行政规范性文件实行清单式管理。",
)
_PLATFORM = (
    "充分发挥政府门户网站第一平台作用，优化“政府信息公开”专栏设置，全年新增调整栏目{n}个，网站运行平稳、安全。",
    "用好“{short}发布”政务新媒体，全年发布各类信息{m}条，与门户网站形成信息发布、政策解读、回应关切的联动矩阵。",
    "在政务服务中心、档案馆、图书馆设立政府信息公开查阅点{n}个，方便群众就近查阅。",
)
_SUPERVISION = (
    "将政务公开工作纳入年度绩效考核，细化考核指标，开展业务培训{n}场次，参训{m}人次。",
    "建立政务公开工作季度通报制度，对网站栏目更新不及时、内容不规范等问题督促整改，全年通报问题{n}个，均已整改到位。",
)
_PROBLEMS = (
    "一是政策解读形式较为单一，图解、视频等多元化解读比例不高；二是部分单位信息更新不够及时，基层政务公开标准化规范化水平有待提升。",
    "一是依申请公开答复的规范化水平有待提高；二是政务公开队伍人员变动较多，业务能力参差不齐。",
    "一是主动公开的深度和广度还需拓展，重点领域信息公开不够细化；二是政民互动回应质量有待进一步提升。",
)
_IMPROVEMENTS = (
    "下一步，将丰富政策解读形式，推行图文、音视频等多样化解读；加强督促检查，确保信息及时准确公开。",
    "下一步，将组织开展依申请公开专题培训，完善答复文书模板；建立政务公开工作人员相对稳定机制。",
    "下一步，将聚焦重点领域，细化公开内容；健全回应关切机制，提升政民互动质量和效率。",
)
_OTHER = (
    "本年度未收取信息处理费。",
    "本年度未收取信息处理费。办理人大代表建议{n}件、政协委员提案{m}件，均已按时办结并公开答复全文。",
    "依据《政府信息公开信息处理费管理办法》，本年度未向申请人收取信息处理费。",
)


def _pick(rng: random.Random, pool: tuple[str, ...], **values: object) -> str:
    return rng.choice(pool).format(n=rng.randint(2, 40), m=rng.randint(100, 1500), **values)


def _gbk_names(portal: Portal) -> str:
    """A sentence with names only GBK (not GB 2312) can encode: the encoding test needs them."""
    if portal.encoding != "gbk":
        return ""
    return "区政务公开办副主任王堃、信息员刘珺带队深入蓉江街道镕江社区开展“政务公开进社区”活动，现场解答群众咨询。"


def report_blocks(report: ReportSpec, portal: Portal) -> list[Block]:
    """Headings, paragraphs and table placeholders of one report."""
    if report.fmt == "pre2019":
        return _pre2019_blocks(report, portal)
    rng = random.Random("text:" + report.key)
    apps = report.numbers.values["applications"]
    reviews = report.numbers.values["reviews"]
    year = report.year
    circular = "国办公开办函〔2021〕30号" if report.fmt == "2021" else "国办公开办函〔2019〕60号"
    new, carried, done, forward = (apps[r]["total"] for r in ("new", "carried_over", "total", "carried_forward"))
    granted, partly = apps["granted"]["total"], apps["partly_granted"]["total"]
    review = reviews["review"]["total"]
    litigation = reviews["litigation_direct"]["total"] + reviews["litigation_after_review"]["total"]
    published_items = rng.randint(300, 6000) if report.kind in ("gov", "prefecture") else rng.randint(40, 400)
    return [
        ("p", f"本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）和《国务院办公厅政府信息与政务公开办公室关于印发〈中华人民共和国政府信息公开工作年度报告格式〉的通知》（{circular}）要求编制。"
              f"全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、政府信息公开行政复议及行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项。"
              f"本报告所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。如对本报告有疑问，请与{report.agency}办公室联系（电话：{portal.phone}）。"),
        ("h", "一、总体情况"),
        ("p", f"{year}年，{report.agency}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实《条例》和上级关于政务公开工作的部署要求，以公开促落实、强监管、优服务，政府信息公开工作取得新成效。"),
        ("p", f"（一）主动公开。全年通过门户网站主动公开政府信息{published_items}条，其中政策文件{rng.randint(5, 60)}件，政策解读{rng.randint(3, 40)}篇，"
              f"财政预决算、重大建设项目、公共资源配置等重点领域信息{rng.randint(30, 400)}条。"),
        ("p", f"（二）依申请公开。本年新收政府信息公开申请{new}件，上年结转{carried}件，办结{done}件，结转下年度继续办理{forward}件。"
              f"从办理结果看，予以公开{granted}件，部分公开{partly}件，其余均依法作出答复。全年因政府信息公开引发行政复议{review}件、行政诉讼{litigation}件。"),
        ("p", "（三）政府信息管理。" + _pick(rng, _MANAGEMENT)),
        ("p", "（四）政府信息公开平台建设。" + _pick(rng, _PLATFORM, short=portal.short) + _gbk_names(portal)),
        ("p", "（五）监督保障。" + _pick(rng, _SUPERVISION)),
        ("h", "二、主动公开政府信息情况"),
        ("table", "active"),
        ("h", "三、收到和处理政府信息公开申请情况"),
        ("table", "applications"),
        ("h", "四、政府信息公开行政复议、行政诉讼情况"),
        ("table", "reviews"),
        ("h", "五、存在的主要问题及改进情况"),
        ("p", f"{year}年，我们的政府信息公开工作取得了一定成效，但也存在一些不足：" + rng.choice(_PROBLEMS)),
        ("p", rng.choice(_IMPROVEMENTS)),
        ("h", "六、其他需要报告的事项"),
        ("p", _pick(rng, _OTHER)),
        ("p", f"{report.agency}"),
        ("p", f"{report.published.year}年{report.published.month}月{report.published.day}日"),
    ]


def _pre2019_blocks(report: ReportSpec, portal: Portal) -> list[Block]:
    """Free-form pre-2019 report: its own section titles and a local 统计指标 table."""
    year = report.year
    return [
        ("p", f"根据《中华人民共和国政府信息公开条例》规定，现公布{year}年度{report.agency}政府信息公开工作年度报告。本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。"),
        ("h", "一、概述"),
        ("p", f"{year}年，在区委、区政府的正确领导下，我区认真贯彻落实《条例》，进一步完善工作机制，拓宽公开渠道，政府信息公开工作有序推进。"),
        ("h", "二、主动公开政府信息情况"),
        ("p", f"全年主动公开政府信息2136条，其中通过政府门户网站公开1874条，通过政务微博公开262条。"),
        ("h", "三、依申请公开政府信息情况"),
        ("p", "全年共受理政府信息公开申请17件，其中当面申请5件，网络申请9件，信函申请3件，均已按期答复。"),
        ("local_table", "pre2019"),
        ("h", "四、政府信息公开的收费及减免情况"),
        ("p", "本年度未收取任何费用。"),
        ("h", "五、因政府信息公开申请提起行政复议、行政诉讼的情况"),
        ("p", "本年度未发生针对我区政府信息公开事务的行政复议和行政诉讼案件。"),
        ("h", "六、存在的主要问题及改进措施"),
        ("p", "一是公开内容不够全面；二是信息更新不够及时。下一步，我区将进一步健全工作制度，加大公开力度，不断提高政府信息公开工作水平。"),
        ("p", report.agency),
        ("p", f"{report.published.year}年{report.published.month}月{report.published.day}日"),
    ]


PRE2019_TABLE = (
    ("统计指标", "单位", "统计数"),
    ("一、主动公开情况", "", ""),
    ("（一）主动公开政府信息数", "条", "2136"),
    ("其中：主动公开规范性文件数", "条", "14"),
    ("二、依申请公开情况", "", ""),
    ("（一）收到申请数", "件", "17"),
    ("（二）申请答复数", "件", "17"),
    ("三、行政复议数量", "件", "0"),
    ("四、行政诉讼数量", "件", "0"),
)
