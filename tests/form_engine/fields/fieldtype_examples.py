"""Example inputs for every built-in field type, used by the contract suites.

Each entry gives a config, raw inputs with the value ``parse`` must return, and bad inputs
with the error code ``parse`` raises or ``validate`` yields first. A registered type without
an entry fails the contract suite, so a new type cannot skip it.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)
SIGNATURE = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
NOT_PNG = "data:image/png;base64," + base64.b64encode(b"GIF89a not a png").decode()

STAGES = [
    {"key": "initial", "label": {"zh-CN": "初步接触", "en": "Initial contact"}, "color": "blue"},
    {"key": "won", "label": {"zh-CN": "赢单", "en": "Won"}},
    {"key": "lost", "label": {"zh-CN": "输单", "en": "Lost"}},
]
PRODUCTS = [
    {"key": "crm", "label": {"zh-CN": "CRM系统", "en": "CRM"}},
    {"key": "erp", "label": {"zh-CN": "ERP", "en": "ERP"}},
    {"key": "oa", "label": "OA"},
]


def file(name: str, size: int, content_type: str, file_id: str = "f1") -> dict[str, Any]:
    return {"name": name, "file_id": file_id, "size": size, "content_type": content_type}


SHANGHAI_1430 = datetime(2026, 3, 1, 6, 30, tzinfo=UTC)
CONTRACT_PDF = file("合同.pdf", 1000, "application/pdf")
SHENZHEN = {"province": "广东省", "city": "深圳市", "district": "南山区", "detail": "科技园路1号"}


@dataclass(frozen=True)
class Examples:
    config: dict[str, Any]
    valid: list[tuple[Any, Any]]
    invalid: list[tuple[Any, str]]
    export_roundtrip: bool = True
    """False when the export is a summary (file names, plain text) that cannot be read back."""
    extra: dict[str, Any] = field(default_factory=dict)


EXAMPLES: dict[str, Examples] = {
    "text": Examples(
        {"max_length": 20, "pattern": "^[^@]*$", "pattern_hint": {"zh-CN": "不含@", "en": "no @"}},
        [("  华为云 合作  ", "华为云 合作"), (12345.0, "12345"), ("行一\n行二", "行一 行二")],
        [("x" * 21, "max_length"), ("a@b", "pattern"), ({"a": 1}, "invalid")],
    ),
    "long_text": Examples(
        {"max_length": 50},
        [("第一行\r\n第二行", "第一行\n第二行"), (" note ", "note")],
        [("x" * 51, "max_length"), ([1], "invalid")],
    ),
    "rich_text": Examples(
        {"max_length": 200},
        [
            (
                '<p onclick="x()">Hi <script>alert(1)</script><b>there</b></p>',
                "<p>Hi <b>there</b></p>",
            ),
            ('<a href="javascript:alert(1)">x</a>', "<a>x</a>"),
            (
                '<a href="https://kairos.example/">链接</a>',
                '<a href="https://kairos.example/">链接</a>',
            ),
            ("<ul><li>一<li>二</ul>", "<ul><li>一<li>二</li></li></ul>"),
        ],
        [("<p>" + "x" * 200 + "</p>", "max_length"), ({"html": 1}, "invalid")],
        export_roundtrip=False,
    ),
    "number": Examples(
        {"precision": 0, "min": 0, "max": 1_000_000_000},
        [("1,234", 1234), ("１２３", 123), ("1.2万", 12000), (42, 42), (" 7 ", 7), (3.0, 3)],
        [
            ("abc", "not_a_number"),
            ("1.5", "not_an_integer"),
            ("-1", "min_value"),
            ("1,23", "not_a_number"),
            (True, "not_a_number"),
        ],
    ),
    "money": Examples(
        {"precision": 2, "min": 0, "currency": "CNY"},
        [
            ("1,234.50", Decimal("1234.50")),
            ("¥1,234.5", Decimal("1234.5")),
            ("￥1 234", Decimal("1234")),
            ("1.2万元", Decimal("12000")),
            (1234.5, Decimal("1234.5")),
            ("RMB 88", Decimal("88")),
            (Decimal("0.10"), Decimal("0.1")),
        ],
        [
            ("1.234", "precision"),
            ("-5", "min_value"),
            ("¥abc", "not_a_number"),
            (True, "not_a_number"),
            ("1" * 17, "number_too_large"),
        ],
    ),
    "percent": Examples(
        {"min": 0, "max": 100},
        [("35%", 35), ("３５％", 35), (35, 35), ("0", 0), ("100 %", 100)],
        [("101%", "max_value"), ("35.5%", "not_an_integer"), ("abc", "not_a_number")],
    ),
    "date": Examples(
        {"min": "2000-01-01"},
        [
            ("2026-03-01", date(2026, 3, 1)),
            ("2026/3/1", date(2026, 3, 1)),
            ("2026年3月1日", date(2026, 3, 1)),
            ("20260301", date(2026, 3, 1)),
            (46082, date(2026, 3, 1)),
            (46082.75, date(2026, 3, 1)),
            (date(2026, 3, 1), date(2026, 3, 1)),
            ("2026-03-01T00:00:00", date(2026, 3, 1)),
            ("２０２６．３．１", date(2026, 3, 1)),
            (datetime(2026, 3, 1, 10, 0), date(2026, 3, 1)),
        ],
        [
            ("2026-02-30", "not_a_date"),
            ("yesterday", "not_a_date"),
            (60, "not_a_date"),
            ("1999-12-31", "min_value"),
            ("2026-03-01 14:30", "not_a_date"),
            (True, "not_a_date"),
        ],
    ),
    "datetime": Examples(
        {"max": "2030-01-01 00:00"},
        [
            ("2026-03-01 14:30", SHANGHAI_1430),
            ("2026-03-01T14:30:15", SHANGHAI_1430 + timedelta(seconds=15)),
            ("2026-03-01T06:30:00Z", SHANGHAI_1430),
            ("2026-03-01 14:30+08:00", SHANGHAI_1430),
            ("2026-03-01T01:30:00-05:00", SHANGHAI_1430),
            ("2026/3/1 14:30", SHANGHAI_1430),
            ("2026年3月1日 14时30分", SHANGHAI_1430),
            (datetime(2026, 3, 1, 14, 30), SHANGHAI_1430),
            (46082.5, datetime(2026, 3, 1, 4, 0, tzinfo=UTC)),
        ],
        [
            ("14:30", "not_a_datetime"),
            ("2026-03-01 25:00", "not_a_datetime"),
            ("2031-01-01 00:00", "max_value"),
            ([2026], "not_a_datetime"),
        ],
    ),
    "time": Examples(
        {"min": "08:00"},
        [
            ("14:30", time(14, 30)),
            ("14:30:15", time(14, 30, 15)),
            ("2:30 PM", time(14, 30)),
            ("下午2点30分", time(14, 30)),
            (0.5, time(12, 0)),
            (time(9, 0), time(9, 0)),
            ("１４：３０", time(14, 30)),
        ],
        [
            ("25:00", "not_a_time"),
            ("abc", "not_a_time"),
            ("07:59", "min_value"),
            (1.5, "not_a_time"),
        ],
    ),
    "duration": Examples(
        {"max": 86400},
        [
            ("1:30", 5400),
            ("90分钟", 5400),
            ("2h", 7200),
            ("1.5小时", 5400),
            ("2小时30分", 9000),
            ("PT1H30M", 5400),
            (5400, 5400),
            (timedelta(minutes=90), 5400),
            ("45s", 45),
            ("1d", 86400),
            ("1:30:15", 5415),
        ],
        [
            ("abc", "not_a_duration"),
            ("-5", "not_a_duration"),
            ("1:75", "not_a_duration"),
            ("2d", "max_value"),
            ("2 hours x", "not_a_duration"),
        ],
    ),
    "single_select": Examples(
        {"options": STAGES},
        [
            ("won", "won"),
            ("赢单", "won"),
            (" initial contact ", "initial"),
            ("WON", "won"),
            ("输单", "lost"),
        ],
        [("maybe", "not_an_option"), (1, "not_an_option"), ({"key": "won"}, "not_an_option")],
    ),
    "multi_select": Examples(
        {"options": PRODUCTS, "max_choices": 2},
        [
            (["crm", "erp"], ["crm", "erp"]),
            ("crm,erp", ["crm", "erp"]),
            ("CRM系统、ERP", ["crm", "erp"]),
            ("crm；crm", ["crm"]),
            ("oa，crm", ["oa", "crm"]),
            ("erp;oa", ["erp", "oa"]),
        ],
        [("crm,erp,oa", "too_many_options"), ("crm,xyz", "not_an_option"), (42, "not_a_list")],
    ),
    "checkbox": Examples(
        {},
        [
            ("是", True),
            ("否", False),
            ("Y", True),
            ("n", False),
            ("true", True),
            ("FALSE", False),
            ("1", True),
            (0, False),
            ("√", True),
            ("✓", True),
            (True, True),
        ],
        [("maybe", "not_a_boolean"), (2, "not_a_boolean")],
    ),
    "rating": Examples(
        {"max": 5},
        [(4, 4), ("4", 4), ("★★★☆☆", 3), (0, 0), (4.0, 4), ("５", 5)],
        [(6, "rating_range"), ("3.5", "rating_range"), ("x", "rating_range"), (-1, "rating_range")],
    ),
    "email": Examples(
        {},
        [
            ("  Li.Lei@Example.COM ", "Li.Lei@example.com"),
            ("李雷 <lilei@huawei.com>", "lilei@huawei.com"),
            ("ｌｉ＠ｑｑ．ｃｏｍ", "li@qq.com"),
        ],
        [
            ("lilei@", "not_an_email"),
            ("a b@c.com", "not_an_email"),
            ("a@b", "not_an_email"),
            ("a..b@c.com", "not_an_email"),
        ],
    ),
    "phone": Examples(
        {},
        [
            ("+86 138-0013-8000", "13800138000"),
            ("13800138000", "13800138000"),
            ("(0755) 8888-9999", "0755-88889999"),
            ("010-62345678 转 123", "010-62345678-123"),
            ("+44 20 7946 0958", "+442079460958"),
            (13800138000, "13800138000"),
            ("１３８００１３８０００", "13800138000"),
            ("+86 755 8888 9999", "0755-88889999"),
            ("（０１０）８８８８６６６６", "010-88886666"),
            ("０７５５—８８８８９９９９", "0755-88889999"),
        ],
        [
            ("12345", "not_a_phone"),
            ("０１０－８８８８", "not_a_phone"),
            ("1380013800", "not_a_phone"),
            ("call me", "not_a_phone"),
            ("62345678", "not_a_phone"),
        ],
    ),
    "url": Examples(
        {},
        [
            ("https://kairos.example/path?q=1", "https://kairos.example/path?q=1"),
            ("www.example.com", "https://www.example.com"),
            ("HTTP://example.com", "http://example.com"),
        ],
        [
            ("javascript:alert(1)", "not_a_url"),
            ("ftp://x.com", "not_a_url"),
            ("not a url", "not_a_url"),
            ("https://", "not_a_url"),
        ],
    ),
    "user": Examples(
        {},
        [(7, 7), ("7", 7), ({"id": 7}, 7), (7.0, 7), ("７", 7)],
        [
            ("abc", "not_a_reference"),
            (0, "not_a_reference"),
            (True, "not_a_reference"),
            ("-3", "not_a_reference"),
        ],
    ),
    "department": Examples({}, [(3, 3), ({"id": "3"}, 3)], [("sales", "not_a_reference")]),
    "relation": Examples(
        {"target": "customer", "on_delete": "restrict"},
        [(12, 12), ("12", 12), ({"id": 12, "title": "华为"}, 12)],
        [(1.5, "not_a_reference"), ([12], "not_a_reference")],
    ),
    "child_table": Examples(
        {"table": "quote_line"},
        [([{"product": "A", "qty": 2}], [{"product": "A", "qty": 2}])],
        [("x", "not_a_list"), ([1], "not_an_object")],
        export_roundtrip=False,
    ),
    "lookup": Examples(
        {"relation": "customer", "field": "industry", "result_type": "text"},
        [("制造业", "制造业")],
        [({"a": 1}, "invalid")],
    ),
    "rollup": Examples(
        {
            "child": "lines",
            "aggregate": "sum",
            "field": "subtotal",
            "result_type": "money",
            "result_config": {"precision": 2},
        },
        [("1,234.50", Decimal("1234.50")), (0, Decimal(0))],
        [("abc", "not_a_number"), ("1.001", "precision")],
    ),
    "formula": Examples(
        {"expression": "amount * probability / 100", "result_type": "money", "precision": 2},
        [("¥100", Decimal(100)), (Decimal("12.5"), Decimal("12.5"))],
        [("1.234", "precision")],
    ),
    "auto_number": Examples(
        {"pattern": "OPP-{YYYY}{MM}-{seq:5}", "reset": "monthly"},
        [("OPP-202603-00042", "OPP-202603-00042")],
        [("x" * 65, "max_length")],
    ),
    "attachment": Examples(
        {"max_files": 2, "max_size_mb": 1, "accept": [".pdf", "image/*"]},
        [
            ([CONTRACT_PDF], [CONTRACT_PDF]),
            ({"name": "a.png", "file_id": 9, "size": 10}, [file("a.png", 10, "image/png", "9")]),
        ],
        [
            ([file("x.exe", 1, "application/x-msdownload")], "file_type"),
            ([file("big.pdf", 2 * 1024 * 1024, "application/pdf")], "file_too_large"),
            ([CONTRACT_PDF] * 3, "too_many_files"),
            ([{"name": "a.pdf"}], "not_a_file"),
            ("plain text", "not_a_list"),
        ],
        export_roundtrip=False,
    ),
    "image": Examples(
        {},
        [
            (
                [file("card.jpg", 2048, "image/jpeg", "f2")],
                [file("card.jpg", 2048, "image/jpeg", "f2")],
            )
        ],
        [([CONTRACT_PDF], "file_type")],
        export_roundtrip=False,
    ),
    "address": Examples(
        {"level": "district"},
        [
            ("广东省/深圳市/南山区 科技园路1号", SHENZHEN),
            ("广东省深圳市南山区科技园路1号", SHENZHEN),
            ("广东省 深圳市 南山区", {**SHENZHEN, "detail": ""}),
            (SHENZHEN, SHENZHEN),
            (
                "北京市朝阳区建国路1号",
                {
                    "province": "北京市",
                    "city": "北京市",
                    "district": "朝阳区",
                    "detail": "建国路1号",
                },
            ),
        ],
        [
            ("广东省/深圳市", "address_incomplete"),
            (42, "not_an_object"),
            ({"province": 1}, "not_an_object"),
        ],
    ),
    "location": Examples(
        {},
        [
            ("22.54,113.95", {"lat": 22.54, "lng": 113.95, "address": ""}),
            (
                {"lat": 22.54, "lng": 113.95, "address": "深圳湾"},
                {"lat": 22.54, "lng": 113.95, "address": "深圳湾"},
            ),
            ("22.54，113.95 深圳湾", {"lat": 22.54, "lng": 113.95, "address": "深圳湾"}),
        ],
        [
            ("91,0", "location_range"),
            ("here", "not_a_location"),
            ({"lat": "x", "lng": 1}, "not_a_location"),
        ],
    ),
    "signature": Examples(
        {},
        [(SIGNATURE, SIGNATURE)],
        [
            ("data:image/jpeg;base64,abc", "not_a_signature"),
            ("data:image/png;base64,!!!", "not_a_signature"),
            (NOT_PNG, "not_a_signature"),
        ],
        export_roundtrip=False,
    ),
    "json": Examples(
        {"schema": {"type": "object", "required": ["a"]}},
        [('{"a": 1}', {"a": 1}), ({"a": [1, "二"]}, {"a": [1, "二"]})],
        [("{bad", "not_json"), ('{"b": 1}', "json_schema"), ({1, 2}, "not_json")],
    ),
    "created_at": Examples({}, [("2026-03-01 14:30", SHANGHAI_1430)], [("x", "not_a_datetime")]),
    "updated_at": Examples(
        {"timezone": "UTC"}, [("2026-03-01 06:30", SHANGHAI_1430)], [("x", "not_a_datetime")]
    ),
    "created_by": Examples({}, [(7, 7)], [("x", "not_a_reference")]),
    "updated_by": Examples({}, [("8", 8)], [(-1, "not_a_reference")]),
}
