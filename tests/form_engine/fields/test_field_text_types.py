"""Rich-text sanitising, and the text types' special inputs."""

from __future__ import annotations

import pytest

from form_engine.fields import default_registry
from form_engine.fields._html import sanitize_html
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
