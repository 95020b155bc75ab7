"""Normalising and comparing values for duplicate detection (docs/duplicates.md).

Pure functions, no database: the runtime asks :func:`search_terms` for substrings to
prefilter candidates in SQL, then scores the few candidates it gets with :func:`similarity`.

Match methods (``schemas.spec.DUPLICATE_MATCHES``):

- ``exact``: stored values are equal (done in SQL; :func:`similarity` compares as is);
- ``normalized``: equal after :func:`normalize_text` (full-width → half-width, case, spaces
  and punctuation ignored) — "Zhang.San@Corp.com" = "zhang.san@corp.com";
- ``fuzzy``: :func:`normalize_text` forms at least ``threshold`` % similar (rapidfuzz ratio);
- ``company_name``: Chinese company names compared by their core name
  (:func:`parse_company`): legal form (有限公司, 股份有限公司, Co., Ltd. …) and region
  (杭州, （杭州）, （中国）…) set aside, so 杭州阿里巴巴网络科技有限公司 and
  阿里巴巴（杭州）网络科技 are the same company, while 北京银行 and 上海银行 are not
  (their regions differ and their core, 银行, says nothing on its own);
- ``phone``: equal after :func:`normalize_phone` (+86, 0086, spaces, dashes, extensions,
  full-width characters);
- ``email_domain``: same company mail domain (:func:`email_domain`); free-mail domains
  (qq.com, 163.com, gmail.com …) never match, two strangers both on QQ Mail are not a
  duplicate.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from rapidfuzz import fuzz, process

from form_engine.fields.phone import fold_phone_text

CACHED_VALUES = 16_384
"""Parsed names and normalised phones/texts kept per process: the same stored records come
back as candidates of many rows of an import (they share a trade name). Immutable. 16,384
rather than 65,536: a 100k-row import's resident memory was 110 MiB lower for ~5 % more
CPU, and an import's memory stops growing after the first ~16,000 rows."""
RECENT_VALUES = 4096
"""Search terms and trade names kept per process: a new record's are asked twice in a row
(checked, then indexed), never again — a large cache of them would only hold memory
(a term set is ~1 KiB; 65,536 of them were most of an import's heap)."""

LEGAL_FORMS = (
    "集团股份有限公司",
    "集团有限责任公司",
    "集团有限公司",
    "股份有限公司",
    "有限责任公司",
    "有限公司",
    "集团公司",
    "股份公司",
    "集团",
    "公司",
    "co.,ltd.",
    "co.,ltd",
    "co.ltd.",
    "co.ltd",
    "company limited",
    "corporation",
    "limited",
    "company",
    "corp.",
    "corp",
    "inc.",
    "inc",
    "ltd.",
    "ltd",
    "llc",
    "gmbh",
)
"""Legal-form endings, longest first; stripped repeatedly from the end of a name.
分公司 (branch) is *not* stripped: a branch is its own customer (own contracts, invoices);
fuzzy rules still bring it close to the head office."""

_PROVINCES = (
    "北京 天津 上海 重庆 河北 山西 辽宁 吉林 黑龙江 江苏 浙江 安徽 福建 江西 山东 河南 湖北 "
    "湖南 广东 海南 四川 贵州 云南 陕西 甘肃 青海 台湾 内蒙古 广西 西藏 宁夏 新疆 香港 澳门"
)
_CITIES = (
    "杭州 宁波 温州 绍兴 嘉兴 湖州 金华 台州 衢州 丽水 舟山 义乌 南京 苏州 无锡 常州 南通 "
    "扬州 徐州 镇江 泰州 盐城 昆山 合肥 芜湖 福州 厦门 泉州 漳州 南昌 赣州 济南 青岛 烟台 "
    "潍坊 临沂 淄博 威海 郑州 洛阳 武汉 宜昌 襄阳 长沙 株洲 岳阳 广州 深圳 珠海 佛山 东莞 "
    "中山 惠州 江门 汕头 湛江 海口 三亚 成都 绵阳 贵阳 昆明 西安 兰州 西宁 呼和浩特 包头 "
    "南宁 桂林 柳州 拉萨 银川 乌鲁木齐 石家庄 唐山 保定 廊坊 太原 沈阳 大连 长春 哈尔滨"
)
REGIONS = frozenset((_PROVINCES + " " + _CITIES).split())
"""Province and major-city names recognised as the region part of a company name."""
_REGION_SUFFIXES = ("特别行政区", "自治区", "省", "市", "区", "县")
_REGION_PATTERN = re.compile(
    "^(?:"
    + "|".join(sorted(REGIONS, key=len, reverse=True))
    + ")(?:"
    + "|".join(_REGION_SUFFIXES)
    + ")?"
)
_DISTRICT = re.compile(r"^[\u4e00-\u9fff]{2,3}?(?:新区|区|县)")
"""A district (西湖区, 余杭区) after the city: set aside, it is an address, not a name."""
_PARENTHESISED = re.compile(r"\(([^()]*)\)")
_NOT_WORD = re.compile(r"[\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u3400-\u9fff]")
MIN_CORE = 2
"""A core shorter than this (银 of 北京银行 minus …) keeps its region: too little to compare."""

COMMON_BIGRAMS = frozenset(
    [
        "科技",
        "网络",
        "信息",
        "技术",
        "有限",
        "公司",
        "发展",
        "贸易",
        "实业",
        "集团",
        "股份",
        "中国",
        "服务",
        "管理",
        "咨询",
        "电子",
        "工程",
        "建设",
        "投资",
        "控股",
        "国际",
        "智能",
        "数据",
        "软件",
        "商贸",
        "文化",
        "传媒",
        "物流",
        "医疗",
        "教育",
        "环境",
        "能源",
        "机械",
        "设备",
        "制造",
        "自动",
        "动化",
        "装备",
        "材料",
        "新材",
        "电气",
        "电器",
        "精密",
        "纺织",
        "服饰",
        "汽车",
        "配件",
        "生物",
        "化工",
        "环保",
        "食品",
        "建材",
        "医药",
        "器械",
        "供应",
        "应链",
        "餐饮",
        "酒店",
        "房地",
        "地产",
        "置业",
        "金融",
        "保险",
        "证券",
        "农业",
        "电力",
        "光电",
        "半导",
        "导体",
        "通信",
        "通讯",
        "设计",
        "装饰",
        "广告",
        "印刷",
        "包装",
        "家居",
        "家具",
        "运输",
        "仓储",
        "健康",
        "生活",
        "用品",
        "人力",
        "资源",
        "安全",
        "检测",
        "仪器",
        "塑料",
        "五金",
        "钢铁",
        "矿业",
        "石油",
        "节能",
        "新能",
        "商务",
        "企业",
        "营销",
        "策划",
        "电商",
        "商业",
        "进出",
        "出口",
    ]
)
"""Bigrams so frequent in company names that searching by them finds half the table."""
_COMMON_WORDS = frozenset(
    [
        "the",
        "and",
        "co",
        "ltd",
        "inc",
        "corp",
        "company",
        "limited",
        "group",
        "technology",
        "technologies",
        "tech",
        "com",
    ]
)

FREE_MAIL_DOMAINS = frozenset(
    [
        "qq.com",
        "vip.qq.com",
        "foxmail.com",
        "163.com",
        "vip.163.com",
        "126.com",
        "vip.126.com",
        "yeah.net",
        "sina.com",
        "sina.cn",
        "vip.sina.com",
        "sohu.com",
        "139.com",
        "189.cn",
        "wo.cn",
        "aliyun.com",
        "88.com",
        "tom.com",
        "21cn.com",
        "gmail.com",
        "googlemail.com",
        "hotmail.com",
        "outlook.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.com.cn",
        "icloud.com",
        "me.com",
        "protonmail.com",
        "proton.me",
    ]
)
"""Personal mail providers: a shared domain here says nothing about the company."""

_EXTENSION = re.compile(r"(转|分机|ext\.?|x|#).*$", re.IGNORECASE)
_LANDLINE_EXTENSION = re.compile(r"^(0\d{2,3}[-\s]?\d{7,8})[-\s]\d{1,6}$")
"""``0571-88886666-123``: the phone field's own form of an extension."""


def fold(value: str) -> str:
    """Full-width → half-width (NFKC, so （）become ()), lower case, trimmed."""
    return unicodedata.normalize("NFKC", value).casefold().strip()


def normalize_text(value: Any) -> str | None:
    """:func:`fold` without any whitespace or punctuation; None when nothing is left."""
    if value is None:
        return None
    return _normalize_text(str(value))


@lru_cache(maxsize=CACHED_VALUES)
def _normalize_text(raw: str) -> str | None:
    return _NOT_WORD.sub("", fold(raw)) or None


@dataclass(frozen=True, slots=True)
class CompanyName:
    """A company name split for comparison: ``core`` (no legal form, no region),
    ``regions`` named in it, and ``full`` (no legal form, region kept)."""

    core: str
    regions: frozenset[str]
    full: str


def parse_company(value: Any) -> CompanyName | None:
    """Split a company name (see module doc); None when it is blank."""
    if value is None:
        return None
    return _parse_company(str(value))


@lru_cache(maxsize=CACHED_VALUES)
def _parse_company(text: str) -> CompanyName | None:
    name = re.sub(r"\s+", "", fold(text))
    regions: set[str] = set()

    def drop_bracket(match: re.Match[str]) -> str:
        inner = match.group(1)
        region = _region(inner)
        if inner == "中国" or (region and _REGION_PATTERN.sub("", inner) == ""):
            if region:
                regions.add(region)
            return ""
        return inner

    name = _PARENTHESISED.sub(drop_bracket, name)
    name = _strip_legal_forms(name)
    full = _NOT_WORD.sub("", name)
    core = full
    while (region := _region(core)) and len(_REGION_PATTERN.sub("", core, count=1)) >= MIN_CORE:
        regions.add(region)
        core = _REGION_PATTERN.sub("", core, count=1)
    district = _DISTRICT.match(core)
    if district and len(core) - district.end() >= MIN_CORE + 2:
        core = core[district.end() :]
    if not full:
        return None
    return CompanyName(core, frozenset(regions - {"中国"}), full)


def _region(text: str) -> str | None:
    match = _REGION_PATTERN.match(text)
    if not match:
        return None
    head = match.group(0)
    for suffix in _REGION_SUFFIXES:
        if head.endswith(suffix) and head[: -len(suffix)] in REGIONS:
            return head[: -len(suffix)]
    return head


def _strip_legal_forms(name: str) -> str:
    changed = True
    # endswith(tuple) first: one C call says whether any form ends the name at all.
    while changed and name.endswith(LEGAL_FORMS) and not name.endswith("分公司"):
        changed = False
        for form in LEGAL_FORMS:
            if name.endswith(form) and len(name) > len(form):
                name = name[: -len(form)].rstrip(" ,.")
                changed = True
                break
    return name


def company_similarity(a: CompanyName, b: CompanyName) -> float:
    """0–100: how alike two parsed names are. Cores are compared when the regions agree
    (one side naming none agrees with anything); two different regions compare the full
    names, so 北京银行 / 上海银行 stay apart."""
    if a.regions and b.regions and not (a.regions & b.regions):
        return float(fuzz.ratio(a.full, b.full))
    return float(fuzz.ratio(a.core, b.core))


def normalize_phone(value: Any) -> str | None:
    """Digits of a phone number in one canonical form: +86 / 0086 / 86 dropped from
    Chinese numbers, a landline keeps its area code with the trunk 0
    (``+86 571 8888 6666`` → ``057188886666``), extensions (转 123, ext. 5) dropped;
    other countries keep ``+`` and their code. None when fewer than 5 digits remain."""
    if value is None:
        return None
    return _normalize_phone(str(value))


@lru_cache(maxsize=CACHED_VALUES)
def _normalize_phone(raw: str) -> str | None:
    # Folded as the phone field folds its input, so a number typed with full-width
    # characters or an en dash (０１０－８８８８６６６６–１２３) compares like the stored one.
    text = _EXTENSION.sub("", fold_phone_text(raw))
    text = _LANDLINE_EXTENSION.sub(r"\1", text.strip())
    international = text.startswith("+")
    digits = re.sub(r"\D", "", text)
    chinese = False
    if digits.startswith("0086"):
        digits, chinese = digits[4:], True
    elif international and digits.startswith("86"):
        digits, chinese = digits[2:], True
    elif international:
        return "+" + digits if len(digits) >= 5 else None
    elif len(digits) == 13 and digits.startswith("861"):
        digits, chinese = digits[2:], True
    if chinese and not (len(digits) == 11 and digits.startswith("1")):
        digits = digits if digits.startswith("0") else "0" + digits
    return digits if len(digits) >= 5 else None


def normalize_email(value: Any) -> str | None:
    if value is None:
        return None
    text = fold(str(value))
    return text if "@" in text else None


def email_domain(value: Any) -> str | None:
    """The company mail domain of an address; None for free-mail providers and blanks."""
    email = normalize_email(value)
    if email is None:
        return None
    domain = email.rsplit("@", 1)[1].strip(".")
    if not domain or "." not in domain or domain in FREE_MAIL_DOMAINS:
        return None
    return domain


def comparable(match: str, value: Any) -> Any:
    """The form of ``value`` that ``match`` compares; None never matches anything."""
    if value is None or value == "":
        return None
    if match == "exact":
        return value
    if match in ("normalized", "fuzzy"):
        return normalize_text(value)
    if match == "company_name":
        return parse_company(value)
    if match == "phone":
        return normalize_phone(value)
    if match == "email_domain":
        return email_domain(value)
    raise ValueError(f"unknown duplicate match {match!r}")


_FORM_SEPARATOR = "\x1f"


def form_text(match: str, value: Any) -> str | None:
    """The :func:`comparable` form of ``value`` as text, for a search index to store
    (None when it matches nothing); :func:`form_from_text` gives the form back, so a
    stored candidate is compared without parsing its value again."""
    form = comparable(match, value)
    if form is None:
        return None
    if isinstance(form, CompanyName):
        regions = ",".join(sorted(form.regions))
        return _FORM_SEPARATOR.join((form.core, form.full, regions))
    return str(form)


def form_from_text(match: str, text: str) -> Any:
    """The :func:`comparable` form that :func:`form_text` stored."""
    if match != "company_name":
        return text
    core, full, regions = text.split(_FORM_SEPARATOR)
    return CompanyName(core, frozenset(regions.split(",")) if regions else frozenset(), full)


def similarity(match: str, a: Any, b: Any) -> float:
    """0–100 between two :func:`comparable` forms (100 or 0 for equality matches)."""
    if a is None or b is None:
        return 0.0
    if match == "fuzzy":
        return float(fuzz.ratio(a, b))
    if match == "company_name":
        return company_similarity(a, b)
    return 100.0 if a == b else 0.0


def matches(match: str, threshold: int, a: Any, b: Any) -> float | None:
    """The score of two raw values when they match under ``match``, else None."""
    score = similarity(match, comparable(match, a), comparable(match, b))
    needed = threshold if match in ("fuzzy", "company_name") else 100
    return score if score >= needed else None


def matching_forms(
    match: str, threshold: int, form: Any, others: Sequence[Any]
) -> dict[int, float]:
    """Position → score of the ``others`` (:func:`comparable` forms) that ``form``
    matches: what :func:`matches` gives pair by pair, but the fuzzy methods score all
    ``others`` in one call (``rapidfuzz.process``), so a batch of imported rows against
    their candidates costs C loops, not Python ones."""
    if form is None:
        return {}
    needed = threshold if match in ("fuzzy", "company_name") else 100
    if needed <= 0:  # everything matches, even a blank: keep the pairwise rules
        return {i: similarity(match, form, other) for i, other in enumerate(others)}
    if match == "fuzzy":
        return _extract(form, others, needed)
    if match == "company_name":
        if not form.regions:  # agrees with every region: cores only
            return _extract(form.core, [None if o is None else o.core for o in others], needed)
        cores: list[str | None] = [None] * len(others)
        fulls: list[str | None] = [None] * len(others)
        for i, other in enumerate(others):
            if other is None:
                continue
            if form.regions and other.regions and not (form.regions & other.regions):
                fulls[i] = other.full
            else:
                cores[i] = other.core
        found = _extract(form.core, cores, needed)
        found.update(_extract(form.full, fulls, needed))
        return found
    return {i: 100.0 for i, other in enumerate(others) if other is not None and other == form}


def _extract(text: str, choices: Sequence[str | None], needed: float) -> dict[int, float]:
    """Positions and ``fuzz.ratio`` of the choices scoring at least ``needed`` (None
    choices are skipped)."""
    if choices.count(None) == len(choices):
        return {}
    found = process.extract(text, choices, scorer=fuzz.ratio, score_cutoff=needed, limit=None)
    return {index: float(score) for _choice, score, index in found}


def search_terms(match: str, value: Any) -> tuple[str, ...]:
    """Substrings (lower case) of which a matching stored value contains at least one;
    the runtime turns them into ``LIKE '%term%'`` prefilters. Empty when the value cannot
    match anything (blank, a free-mail domain); ``exact`` is compared in SQL instead.

    ``fuzzy``/``company_name`` give up to three non-overlapping bigrams of the name
    (rarer ones first): one typo or an inserted region spoils at most two of them. A
    Chinese company name is searched by its trade name (字号) when the industry words
    after it can be set aside (恒瑞达 of 恒瑞达信息技术): pairs of an industry word such
    as 信息技术 are in thousands of names and would bring back thousands of candidates."""
    if match == "phone":
        phone = normalize_phone(value)
        return (phone[-4:],) if phone else ()
    if match == "email_domain":
        domain = email_domain(value)
        return ("@" + domain,) if domain else ()
    if value is None or value == "":
        return ()
    if match == "normalized":
        words = [w for w in _NOT_WORD.split(fold(str(value))) if w]
        return (max(words, key=len),) if words else ()
    if match == "company_name":
        company = parse_company(value)
        if company is None:
            return ()
        brand = trade_name(company.core)
        if brand != company.core and len(brand) >= 2 and _CJK.search(brand):
            return tuple(dict.fromkeys(brand[i : i + 2] for i in range(len(brand) - 1)))[:3]
        return _name_terms(company.core)
    if match == "fuzzy":
        return _name_terms(fold(str(value)))
    return ()


_INDUSTRY_TEXT = (
    "信息技术 网络科技 科技 技术 信息 网络 软件 电子 电气 电器 机械 自动化 设备 智能装备 "
    "装备 智能 新材料 材料 化工 医药 生物 医疗器械 器械 医疗 健康 贸易 商贸 进出口 实业 "
    "投资 控股 管理 咨询 服务 物流 供应链 运输 仓储 建材 建设 工程 建筑 装饰 设计 "
    "文化传媒 文化 传媒 广告 餐饮管理 餐饮 食品 环保 环境 能源 新能源 电力 汽车配件 汽车 "
    "配件 精密 纺织 服饰 家居 农业 发展 集团 企业 商务 电子商务 数据 教育 通信 光电"
)
INDUSTRY_WORDS = tuple(sorted(_INDUSTRY_TEXT.split(), key=len, reverse=True))
"""Industry words (行业) that follow the trade name (字号) in a Chinese company name."""


@lru_cache(maxsize=RECENT_VALUES)
def trade_name(core: str) -> str:
    """``core`` without the industry words at its end (恒瑞达信息技术 → 恒瑞达), keeping
    at least two characters; ``core`` itself when none can be set aside."""
    name = core
    stripped = True
    while stripped and name.endswith(INDUSTRY_WORDS):  # one C call before the loop
        stripped = False
        for word in INDUSTRY_WORDS:
            if name.endswith(word) and len(name) - len(word) >= 2:
                name = name[: -len(word)]
                stripped = True
                break
    return name


def _name_terms(text: str, limit: int = 3) -> tuple[str, ...]:
    if not _CJK.search(text):
        words = sorted(
            {w for w in _NOT_WORD.split(text) if len(w) >= 3 and w not in _COMMON_WORDS},
            key=len,
            reverse=True,
        )
        return tuple(words[:limit]) or ((text,) if text else ())
    text = _NOT_WORD.sub("", text)
    bigrams = [text[i : i + 2] for i in range(0, len(text) - 1, 2)]
    if len(text) % 2 and len(text) > 2:
        bigrams.append(text[-2:])
    rare = [b for b in bigrams if b not in COMMON_BIGRAMS]
    chosen = (rare or bigrams)[:limit]
    return tuple(dict.fromkeys(chosen)) or ((text,) if text else ())


TERM_LENGTH = 60
"""Longest search term kept (terms longer than this are cut, the same way everywhere)."""


def index_terms(match: str, value: Any) -> frozenset[str]:
    """Every term under which a stored ``value`` is found by :func:`search_terms`: a
    record is a candidate for a value when their terms meet. ``search_terms`` picks a few
    terms of the value being checked; this gives all the terms a stored value could be
    asked by (every character pair of a Chinese name, every word of a Latin one, the
    last four digits of a phone, the ``@domain`` of an email). Empty for ``exact``
    (compared in SQL) and for values that match nothing."""
    if value is None or value == "" or match == "exact":
        return frozenset()
    return _index_terms(match, str(value))


@lru_cache(maxsize=RECENT_VALUES)
def _index_terms(match: str, text: str) -> frozenset[str]:
    if match == "phone" or match == "email_domain":
        return frozenset(search_terms(match, text))
    if match == "normalized":
        return frozenset(clip(w) for w in _NOT_WORD.split(fold(text)) if w)
    if match == "fuzzy":
        return frozenset(_all_name_terms(fold(text)))
    if match == "company_name":
        company = parse_company(text)
        if company is None:
            return frozenset()
        return frozenset(_all_name_terms(company.core) | _all_name_terms(company.full))
    return frozenset()


def clip(term: str) -> str:
    return term[:TERM_LENGTH]


def _all_name_terms(text: str) -> set[str]:
    """Every term ``_name_terms`` may pick from a text containing ``text``: all its
    character pairs when it is Chinese, else its uncommon words and the whole text."""
    if _CJK.search(text):
        joined = _NOT_WORD.sub("", text)
        if len(joined) < 2:
            return {joined} if joined else set()
        return {joined[i : i + 2] for i in range(len(joined) - 1)}
    terms = {clip(w) for w in _NOT_WORD.split(text) if len(w) >= 3 and w not in _COMMON_WORDS}
    if text:
        terms.add(clip(text))
    return terms


def lookup_terms(match: str, value: Any) -> tuple[str, ...]:
    """:func:`search_terms`, cut as :func:`index_terms` cuts them."""
    return tuple(dict.fromkeys(clip(t) for t in search_terms(match, value)))
