"""Realistic Chinese names, companies, phone numbers, e-mail addresses and 统一社会信用代码
for demo data.

Everything a later row needs to know about customer *c* (its name, city, industry, owner)
is a pure function of *c* (:class:`CustomerFacts`), so the generator can describe any
customer again without keeping 200,000 of them in memory.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TypeVar

from examples.opportunity._demo_geo import WEIGHTED_CITIES, City

T = TypeVar("T")

# (hanzi, pinyin, relative frequency ×10) — the most common surnames.
_SURNAMES = (
    ("王", "wang", 71),
    ("李", "li", 70),
    ("张", "zhang", 67),
    ("刘", "liu", 54),
    ("陈", "chen", 45),
    ("杨", "yang", 31),
    ("黄", "huang", 22),
    ("赵", "zhao", 20),
    ("吴", "wu", 20),
    ("周", "zhou", 19),
    ("徐", "xu", 13),
    ("孙", "sun", 12),
    ("马", "ma", 12),
    ("朱", "zhu", 12),
    ("胡", "hu", 11),
    ("郭", "guo", 11),
    ("何", "he", 10),
    ("林", "lin", 10),
    ("高", "gao", 10),
    ("罗", "luo", 9),
    ("郑", "zheng", 9),
    ("梁", "liang", 8),
    ("谢", "xie", 7),
    ("宋", "song", 7),
    ("唐", "tang", 7),
    ("许", "xu", 6),
    ("韩", "han", 6),
    ("冯", "feng", 6),
    ("邓", "deng", 6),
    ("曹", "cao", 6),
    ("彭", "peng", 5),
    ("曾", "zeng", 5),
    ("肖", "xiao", 5),
    ("田", "tian", 5),
    ("董", "dong", 5),
    ("潘", "pan", 4),
    ("袁", "yuan", 4),
    ("蔡", "cai", 4),
    ("蒋", "jiang", 4),
    ("余", "yu", 4),
)
SURNAMES: tuple[tuple[str, str], ...] = tuple(
    (han, py) for han, py, weight in _SURNAMES for _ in range(weight)
)


def _hanzi_pinyin(text: str) -> tuple[tuple[str, str], ...]:
    """``"伟wei 芳fang"`` → ``(("伟", "wei"), ("芳", "fang"))``."""
    return tuple((pair[0], pair[1:]) for pair in text.split())


GIVEN = _hanzi_pinyin(
    "伟wei 芳fang 娜na 敏min 静jing 丽li 强qiang 磊lei 军jun 洋yang 勇yong 艳yan 杰jie "
    "娟juan 涛tao 明ming 超chao 秀xiu 霞xia 平ping 刚gang 英ying 华hua 玉yu 文wen "
    "晓xiao 建jian 国guo 志zhi 海hai 宇yu 浩hao 欣xin 婷ting 雪xue 佳jia 子zi 涵han "
    "晨chen 思si 雨yu 俊jun 鹏peng 辉hui 斌bin 琳lin 慧hui 颖ying 倩qian 峰feng 健jian "
    "凯kai 博bo 瑞rui 嘉jia 悦yue 楠nan 鑫xin 彤tong 昊hao"
)
BRAND = _hanzi_pinyin(
    "恒heng 信xin 华hua 瑞rui 达da 远yuan 鼎ding 盛sheng 嘉jia 泰tai 宏hong 兴xing 安an "
    "科ke 创chuang 新xin 博bo 汇hui 通tong 联lian 金jin 源yuan 润run 丰feng 海hai 天tian "
    "正zheng 中zhong 德de 宇yu 星xing 辰chen 启qi 明ming 光guang 卓zhuo 越yue 普pu 力li "
    "威wei 凯kai 朗lang 峰feng 致zhi 捷jie 诚cheng 合he 众zhong 融rong 康kang"
)

# Industry code (seed/01_industry.json) → (weight, words used in company names, with a
# latin slug for web domains).
INDUSTRY_WORDS: dict[str, tuple[int, tuple[tuple[str, str], ...]]] = {
    "manufacturing": (
        18,
        (
            ("机械", "machinery"),
            ("精密制造", "precision"),
            ("重工", "heavy"),
            ("装备", "equip"),
            ("模具", "mould"),
        ),
    ),
    "electronics": (
        10,
        (("电子", "elec"), ("电气", "electric"), ("光电", "opto"), ("半导体", "semi")),
    ),
    "automotive": (5, (("汽车部件", "auto"), ("汽配", "autoparts"))),
    "it_software": (
        12,
        (
            ("软件", "soft"),
            ("信息技术", "it"),
            ("网络科技", "net"),
            ("数据科技", "data"),
            ("智能科技", "ai"),
        ),
    ),
    "retail": (8, (("商贸", "trade"), ("连锁", "chain"), ("百货", "store"))),
    "wholesale": (7, (("贸易", "trading"), ("供应链", "supply"))),
    "logistics": (6, (("物流", "logistics"), ("货运", "cargo"))),
    "healthcare": (6, (("医疗器械", "med"), ("生物科技", "bio"), ("医药", "pharma"))),
    "education": (3, (("教育科技", "edu"), ("职业培训", "training"))),
    "finance": (2, (("融资租赁", "leasing"), ("保险代理", "insure"))),
    "construction": (6, (("建设工程", "build"), ("建筑装饰", "deco"))),
    "energy": (5, (("新能源", "energy"), ("化工", "chem"), ("环保科技", "eco"))),
    "food": (5, (("食品", "food"), ("饮品", "drinks"))),
    "real_estate": (2, (("置业", "realty"), ("物业服务", "property"))),
    "agriculture": (2, (("农业科技", "agritech"), ("农产品", "farm"))),
}
_INDUSTRY_POOL = tuple(code for code, (weight, _) in INDUSTRY_WORDS.items() for _ in range(weight))
_SUFFIXES = ("有限公司",) * 14 + ("股份有限公司",) * 4 + ("集团有限公司",) * 2

MOBILE_PREFIXES = tuple(
    str(prefix)
    for prefix in (
        130,
        131,
        132,
        133,
        135,
        136,
        137,
        138,
        139,
        150,
        151,
        152,
        155,
        156,
        157,
        158,
        159,
        166,
        173,
        176,
        177,
        178,
        180,
        181,
        182,
        183,
        185,
        186,
        187,
        188,
        189,
        191,
        193,
        195,
        198,
        199,
    )
)

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
"""The 31 characters of 统一社会信用代码 (GB 32100-2015: no I, O, S, V, Z)."""
USCC_PATTERN = "^[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}$"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)  # GB 11714 organisation code


def uscc_check_char(first17: str) -> str:
    """The 18th (check) character of a 统一社会信用代码 (GB 32100, mod 31)."""
    total = sum(USCC_CHARS.index(ch) * w for ch, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def org_code_check_char(first8: str) -> str:
    """The 9th character of an organisation code (GB 11714, mod 11; 10 is written X)."""
    total = sum(int(ch, 36) * w for ch, w in zip(first8, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else "0" if check == 11 else str(check)


def uscc_is_valid(code: str) -> bool:
    """True when both check characters of ``code`` are right."""
    return (
        len(code) == 18
        and all(ch in USCC_CHARS for ch in code)
        and code[:8][2:].isdigit()
        and org_code_check_char(code[8:16]) == code[16]
        and uscc_check_char(code[:17]) == code[17]
    )


def pick(rng: random.Random, options: Sequence[T]) -> T:
    """A uniform pick, cheaper than ``random.choice`` (one float, no rejection sampling)."""
    return options[int(rng.random() * len(options))]


def _mix(n: int, salt: int) -> int:
    """A well-spread 32-bit hash of ``n``: the same customer always gets the same facts."""
    h = ((n + salt) * 0x9E3779B97F4A7C15) & 0xFFFFFFFFFFFFFFFF
    h ^= h >> 29
    return (h * 0xBF58476D1CE4E5B9 & 0xFFFFFFFFFFFFFFFF) >> 32


@dataclass(frozen=True)
class CustomerFacts:
    """What the generator knows about customer ``number`` without storing it."""

    number: int
    city: City
    district: tuple[str, str]
    industry: str
    brand: str
    brand_py: str
    word: str
    slug: str
    suffix: str

    @classmethod
    def of(cls, number: int, seed: int) -> CustomerFacts:
        city = WEIGHTED_CITIES[_mix(number, seed + 1) % len(WEIGHTED_CITIES)]
        industry = _INDUSTRY_POOL[_mix(number, seed + 2) % len(_INDUSTRY_POOL)]
        words = INDUSTRY_WORDS[industry][1]
        word, slug = words[_mix(number, seed + 3) % len(words)]
        b = _mix(number, seed + 4)
        first, second = BRAND[b % len(BRAND)], BRAND[(b >> 8) % (len(BRAND) - 1)]
        if second == first:
            second = BRAND[-1]
        return cls(
            number=number,
            city=city,
            district=city.districts[_mix(number, seed + 5) % len(city.districts)],
            industry=industry,
            brand=first[0] + second[0],
            brand_py=first[1] + second[1],
            word=word,
            slug=slug,
            suffix=_SUFFIXES[_mix(number, seed + 6) % len(_SUFFIXES)],
        )

    @property
    def name(self) -> str:
        return f"{self.city.short}{self.brand}{self.word}{self.suffix}"

    @property
    def short_name(self) -> str:
        return f"{self.brand}{self.word}"

    @property
    def domain(self) -> str:
        return f"{self.brand_py}{self.slug}.com.cn"

    def uscc(self, seed: int) -> str:
        """A valid, unique 统一社会信用代码: the organisation-code digits are a bijection of
        the customer number (customers below 10^8), so no two customers share one."""
        body = f"{(self.number * 7_654_321 + seed) % 100_000_000:08d}"
        first17 = "91" + self.district[1] + body + org_code_check_char(body)
        return first17 + uscc_check_char(first17)

    def owner(self, users: tuple[int, ...], seed: int) -> int:
        return users[_mix(self.number, seed + 7) % len(users)]


class People:
    """Random person names, mobiles and e-mail addresses from one ``random.Random``."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def name(self) -> tuple[str, str]:
        """(name, latin e-mail local part) such as ("王晓明", "xiaoming.wang")."""
        rng = self._rng
        surname, surname_py = SURNAMES[int(rng.random() * len(SURNAMES))]
        first, first_py = GIVEN[int(rng.random() * len(GIVEN))]
        if rng.random() < 0.3:
            return surname + first, f"{first_py}.{surname_py}"
        second, second_py = GIVEN[int(rng.random() * len(GIVEN))]
        return surname + first + second, f"{first_py}{second_py}.{surname_py}"

    def mobile(self) -> str:
        rng = self._rng
        prefix = MOBILE_PREFIXES[int(rng.random() * len(MOBILE_PREFIXES))]
        return f"{prefix}{int(rng.random() * 100_000_000):08d}"

    def landline(self, city: City) -> str:
        return f"{city.area_code}-{20_000_000 + int(self._rng.random() * 70_000_000)}"

    def company_name(self) -> str:
        """A company name not tied to any customer number (for unconverted leads)."""
        rng = self._rng
        facts = CustomerFacts.of(int(rng.random() * 1_000_000_000), seed=rng.randrange(1000))
        return facts.name
