"""Places for demo customers: province, city, districts with their administrative division
codes (行政区划代码, used inside the 统一社会信用代码), telephone area code and sales region.

A compact, hand-picked list of large business cities; weights make coastal hubs more common,
as they are in a typical SME customer base.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    province: str
    city: str
    short: str
    """The city name as it appears in company names (杭州, not 杭州市)."""
    area_code: str
    region: str
    """Option key of the customer's ``region`` field."""
    districts: tuple[tuple[str, str], ...]
    """(district name, 6-digit division code)."""
    weight: int


def _city(province: str, city: str, area: str, region: str, weight: int, districts: str) -> City:
    pairs = tuple((name, code) for name, code in (d.split(":", 1) for d in districts.split()))
    return City(province, city, city.removesuffix("市"), area, region, pairs, weight)


CITIES: tuple[City, ...] = (
    _city(
        "北京市",
        "北京市",
        "010",
        "north",
        9,
        "东城区:110101 西城区:110102 朝阳区:110105 丰台区:110106 海淀区:110108",
    ),
    _city(
        "天津市",
        "天津市",
        "022",
        "north",
        3,
        "和平区:120101 河西区:120103 南开区:120104 滨海新区:120116",
    ),
    _city("河北省", "石家庄市", "0311", "north", 2, "长安区:130102 桥西区:130104 新华区:130105"),
    _city("山西省", "太原市", "0351", "north", 1, "小店区:140105 迎泽区:140106 杏花岭区:140107"),
    _city(
        "上海市",
        "上海市",
        "021",
        "east",
        10,
        "黄浦区:310101 徐汇区:310104 长宁区:310105 闵行区:310112 浦东新区:310115",
    ),
    _city(
        "江苏省",
        "南京市",
        "025",
        "east",
        4,
        "玄武区:320102 秦淮区:320104 鼓楼区:320106 江宁区:320115",
    ),
    _city(
        "江苏省",
        "苏州市",
        "0512",
        "east",
        6,
        "虎丘区:320505 吴中区:320506 相城区:320507 姑苏区:320508",
    ),
    _city("江苏省", "无锡市", "0510", "east", 3, "滨湖区:320211 梁溪区:320213 新吴区:320214"),
    _city(
        "浙江省",
        "杭州市",
        "0571",
        "east",
        7,
        "上城区:330102 拱墅区:330105 西湖区:330106 滨江区:330108 余杭区:330110",
    ),
    _city("浙江省", "宁波市", "0574", "east", 4, "海曙区:330203 江北区:330205 鄞州区:330212"),
    _city(
        "安徽省",
        "合肥市",
        "0551",
        "east",
        3,
        "瑶海区:340102 庐阳区:340103 蜀山区:340104 包河区:340111",
    ),
    _city("福建省", "福州市", "0591", "east", 2, "鼓楼区:350102 台江区:350103 仓山区:350104"),
    _city("福建省", "厦门市", "0592", "east", 3, "思明区:350203 湖里区:350206 集美区:350211"),
    _city("山东省", "济南市", "0531", "east", 3, "历下区:370102 市中区:370103 槐荫区:370104"),
    _city(
        "山东省",
        "青岛市",
        "0532",
        "east",
        4,
        "市南区:370202 市北区:370203 黄岛区:370211 崂山区:370212",
    ),
    _city("江西省", "南昌市", "0791", "east", 2, "东湖区:360102 西湖区:360103 青山湖区:360111"),
    _city(
        "广东省",
        "广州市",
        "020",
        "south",
        8,
        "越秀区:440104 海珠区:440105 天河区:440106 白云区:440111 番禺区:440113",
    ),
    _city(
        "广东省",
        "深圳市",
        "0755",
        "south",
        9,
        "罗湖区:440303 福田区:440304 南山区:440305 宝安区:440306 龙岗区:440307",
    ),
    _city("广东省", "佛山市", "0757", "south", 4, "禅城区:440604 南海区:440605 顺德区:440606"),
    _city(
        "广西壮族自治区",
        "南宁市",
        "0771",
        "south",
        1,
        "兴宁区:450102 青秀区:450103 西乡塘区:450107",
    ),
    _city(
        "湖北省",
        "武汉市",
        "027",
        "central",
        5,
        "江岸区:420102 江汉区:420103 武昌区:420106 洪山区:420111",
    ),
    _city(
        "湖南省",
        "长沙市",
        "0731",
        "central",
        4,
        "芙蓉区:430102 天心区:430103 岳麓区:430104 雨花区:430111",
    ),
    _city("河南省", "郑州市", "0371", "central", 4, "中原区:410102 二七区:410103 金水区:410105"),
    _city(
        "重庆市",
        "重庆市",
        "023",
        "southwest",
        4,
        "渝中区:500103 江北区:500105 九龙坡区:500107 渝北区:500112",
    ),
    _city(
        "四川省",
        "成都市",
        "028",
        "southwest",
        6,
        "锦江区:510104 青羊区:510105 金牛区:510106 武侯区:510107 成华区:510108",
    ),
    _city("云南省", "昆明市", "0871", "southwest", 2, "五华区:530102 盘龙区:530103 官渡区:530111"),
    _city(
        "贵州省", "贵阳市", "0851", "southwest", 1, "南明区:520102 云岩区:520103 观山湖区:520115"
    ),
    _city(
        "陕西省",
        "西安市",
        "029",
        "northwest",
        4,
        "新城区:610102 碑林区:610103 莲湖区:610104 雁塔区:610113",
    ),
    _city("甘肃省", "兰州市", "0931", "northwest", 1, "城关区:620102 七里河区:620103"),
    _city(
        "新疆维吾尔自治区", "乌鲁木齐市", "0991", "northwest", 1, "天山区:650102 沙依巴克区:650103"
    ),
    _city("辽宁省", "沈阳市", "024", "northeast", 2, "和平区:210102 沈河区:210103 皇姑区:210105"),
    _city(
        "辽宁省",
        "大连市",
        "0411",
        "northeast",
        2,
        "中山区:210202 西岗区:210203 沙河口区:210204 甘井子区:210211",
    ),
    _city("吉林省", "长春市", "0431", "northeast", 1, "南关区:220102 宽城区:220103 朝阳区:220104"),
    _city(
        "黑龙江省", "哈尔滨市", "0451", "northeast", 1, "道里区:230102 南岗区:230103 道外区:230104"
    ),
)

WEIGHTED_CITIES: tuple[City, ...] = tuple(c for c in CITIES for _ in range(c.weight))
"""Each city repeated by its weight, so a uniform pick is a weighted pick."""

ROADS = (
    "科技路",
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "长江路",
    "黄河路",
    "文化路",
    "创业路",
    "高新大道",
    "滨江大道",
    "工业园路",
    "学院路",
    "和平路",
    "新华路",
    "东方路",
    "世纪大道",
    "金融街",
    "软件园路",
    "光明路",
)
