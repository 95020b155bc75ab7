"""Rich-text sanitising, and the text types' special inputs."""

from __future__ import annotations

import pytest

from form_engine.fields import default_registry
from form_engine.fields._html import sanitize_html
from form_engine.messages import ParseError
from schemas.spec import FieldSpec

REGISTRY = default_registry()


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<img src=x onerror=alert(1)>hi", "hi"),
        ('<a href=" JaVa&#x09;Script:alert(1)">x</a>', "<a>x</a>"),
        ('<a href="data:text/html,boom">x</a>', "<a>x</a>"),
        (
            '<a href="mailto:a@b.cn" onclick="x" target="_blank">m</a>',
            '<a href="mailto:a@b.cn">m</a>',
        ),
        ("<style>p{}</style><svg><script>1</script></svg>ok", "ok"),
        ("<iframe src=//evil></iframe><p>a &lt; b</p>", "<p>a &lt; b</p>"),
        ("<div><h2 style='x'>T</h2></div>", "<h2>T</h2>"),
        ('<td colspan="2" rowspan="x">c</td>', '<td colspan="2">c</td>'),
        ("<!-- c --><b>open", "<b>open</b>"),
        ("<p>x</b></p>", "<p>x</p>"),
        ("1 < 2 & 3", "1 &lt; 2 &amp; 3"),
    ],
)
def test_sanitiser_keeps_only_the_allow_list(html: str, expected: str) -> None:
    assert sanitize_html(html) == expected
    assert sanitize_html(expected) == expected  # idempotent


def test_rich_text_validate_rejects_unsanitised_values() -> None:
    field = FieldSpec("notes", "rich_text", {"en": "Notes"})
    errors = list(REGISTRY.get("rich_text").validate("<p onclick='x'>a</p>", field))
    assert [e.code for e in errors] == ["unsafe_html"]
    assert REGISTRY.get("rich_text").export("<p>a</p><p>b &amp; c</p>", field) == "a\nb & c"


def test_options_are_exported_in_the_requested_locale() -> None:
    options = [{"key": "won", "label": {"zh-CN": "赢单", "en": "Won"}}]
    field = FieldSpec("stage", "single_select", {"en": "Stage"}, config={"options": options})
    select = REGISTRY.get("single_select")
    assert select.export("won", field, locale="en") == "Won"
    assert select.export("won", field) == "赢单"
    assert REGISTRY.get("checkbox").export(False, field, locale="en") == "No"


def test_address_levels_decide_what_is_region_and_what_is_detail() -> None:
    field = FieldSpec("addr", "address", {"en": "Addr"}, config={"level": "city"})
    value = REGISTRY.get("address").parse("广东省/深圳市 南山区科技园", field)
    assert value == {
        "province": "广东省",
        "city": "深圳市",
        "district": "",
        "detail": "南山区科技园",
    }
    assert REGISTRY.get("address").export(value, field) == "广东省/深圳市 南山区科技园"


def test_a_huge_number_for_a_text_field_is_written_out_not_a_crash() -> None:
    from form_engine.fields._text import coerce_text

    assert coerce_text(1.5e308) == "15" + "0" * 307
    assert coerce_text(12345.0) == "12345"
    assert coerce_text(float("inf")) == "Infinity"


PHONE = FieldSpec("tel", "phone", {"zh-CN": "联系电话", "en": "Phone"})
PASTED_PHONES = [
    ("０１０－８８８８６６６６", "010-88886666"),
    ("（０１０）８８８８６６６６", "010-88886666"),
    ("（０７５５）\u3000８８８８\u3000９９９９", "0755-88889999"),
    ("＋８６ １３８ ００１３ ８０００", "13800138000"),
    ("＋８６\u3000１３８\u3000００１３\u3000８０００", "13800138000"),
    ("\u3000１３８００１３８０００\u3000", "13800138000"),
    ("０１０－８８８８６６６６－１２３", "010-88886666-123"),
    ("０１０－８８８８６６６６ 转 １２３", "010-88886666-123"),
    ("０１０－８８８８６６６６ ＥＸＴ． １２", "010-88886666-12"),
    ("010–88886666", "010-88886666"),  # en dash (Word autocorrect)
    ("010—88886666", "010-88886666"),  # em dash
    ("010‐88886666", "010-88886666"),  # U+2010 hyphen
    ("138‑0013‑8000", "13800138000"),  # U+2011 non-breaking hyphen
    ("０７５５﹘８８８８９９９９", "0755-88889999"),  # small em dash
    ("＋４４ ２０ ７９４６ ０９５８", "+442079460958"),
    ("００８６ １３８ ００１３ ８０００", "13800138000"),
    ("＋８６ １０ ８８８８ ６６６６", "010-88886666"),  # Beijing's area code starts with 1
    ("+86 (10) 8888-6666", "010-88886666"),
]


@pytest.mark.parametrize(("raw", "expected"), PASTED_PHONES)
def test_phones_pasted_with_full_width_characters_and_dashes(raw: str, expected: str) -> None:
    phone = REGISTRY.get("phone")
    assert phone.parse(raw, PHONE) == expected
    assert list(phone.validate(expected, PHONE)) == []


@pytest.mark.parametrize(
    "raw",
    [
        "０１０－８８８８",  # local number too short
        "１３８ ００１３ ８００",  # ten digits
        "２２２２—３３３３",  # no area code
        "０１０－８８８８６６６６ 转 ",  # extension word with no number
        "１３８００１３８０００ 转 １２",  # a mobile has no extension
        "电话：０１０－８８８８６６６６",
        "010——88886666ａ",
    ],
)
def test_bad_phones_keep_a_specific_message_naming_the_input(raw: str) -> None:
    with pytest.raises(ParseError) as exc:
        REGISTRY.get("phone").parse(raw, PHONE)
    assert exc.value.code == "not_a_phone"
    error = exc.value.to_field_error(PHONE.key, PHONE.label)
    assert error.message("zh-CN") == f"联系电话不是有效的电话号码：“{raw}”"
    assert error.message("en") == f'Phone is not a valid phone number: "{raw}"'


@pytest.mark.parametrize(
    ("type_name", "raw", "expected"),
    [
        ("email", "ｌｉ．ｌｅｉ＠Ｅｘａｍｐｌｅ．ｃｏｍ", "li.lei@example.com"),
        ("email", "\u3000李雷 ＜lilei@huawei.com＞\u3000", "lilei@huawei.com"),
        ("url", "ｈｔｔｐｓ：／／ｋａｉｒｏｓ．ｅｘａｍｐｌｅ／ｘ", "https://kairos.example/x"),
        ("url", "\u3000ｗｗｗ．ｅｘａｍｐｌｅ．ｃｏｍ\u3000", "https://www.example.com"),
    ],
)
def test_email_and_url_fold_full_width_input(type_name: str, raw: str, expected: str) -> None:
    field = FieldSpec("f", type_name, {"en": "F"})
    assert REGISTRY.get(type_name).parse(raw, field) == expected
