"""Search terms of the duplicate check (form_engine.dedupe): a value is looked up by a
few ``lookup_terms``; a stored value is indexed under all its ``index_terms``. Whenever
two values match under a rule, the lookup of one must meet the index of the other — else
the database would never hand the match to the scorer."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from form_engine import dedupe

trade = st.text(
    alphabet="华信达恒瑞博安泰新宏远鼎盛源聚丰海嘉汇通盈德康宇明辉诚凯", min_size=2, max_size=4
)
industry = st.sampled_from(["", "科技", "信息技术", "贸易", "机械制造", "网络科技", "餐饮管理"])
region = st.sampled_from(["", "杭州", "北京", "深圳市", "上海"])
legal = st.sampled_from(["有限公司", "有限责任公司", "股份有限公司", "集团有限公司", ""])


def _found(match: str, asked: str, stored: str) -> bool:
    return bool(set(dedupe.lookup_terms(match, asked)) & dedupe.index_terms(match, stored))


@given(trade, industry, region, region, legal, legal)
def test_a_company_name_written_another_way_is_still_found(name, trade_kind, r1, r2, l1, l2):
    core = name + trade_kind
    front = f"{r1}{core}{l1}"
    bracket = f"{core}（{r2}）{l2}" if r2 else f"{core}{l2}"
    if dedupe.matches("company_name", 90, front, bracket) is None:
        return  # not the same company under the rule: nothing to find
    assert _found("company_name", front, bracket)
    assert _found("company_name", bracket, front)


@given(st.text(min_size=1, max_size=30))
def test_any_text_is_found_by_itself(text):
    for match in ("normalized", "fuzzy", "company_name"):
        if dedupe.lookup_terms(match, text):
            assert _found(match, text, text), match


@pytest.mark.parametrize(
    ("core", "trade_name"),
    [
        ("恒瑞达信息技术", "恒瑞达"),
        ("阿里巴巴网络科技", "阿里巴巴"),
        ("腾讯科技", "腾讯"),
        ("科技", "科技"),  # nothing would be left: kept whole
        ("银行", "银行"),
        ("华为技术", "华为"),
    ],
)
def test_the_trade_name_is_the_core_without_its_industry_words(core, trade_name):
    assert dedupe.trade_name(core) == trade_name


def test_a_company_is_looked_up_by_its_trade_name_not_by_its_industry():
    """信息技术 is in thousands of names: its pairs would bring thousands of candidates."""
    assert dedupe.lookup_terms("company_name", "杭州恒瑞达信息技术有限公司") == ("恒瑞", "瑞达")
    assert dedupe.lookup_terms("company_name", "北京银行") == ("银行",)


@pytest.mark.parametrize(
    ("match", "asked", "stored"),
    [
        ("phone", "０５７１－８８８８６６６６", "0571-88886666"),
        ("phone", "+86 571 8888 6666", "057188886666"),
        ("email_domain", "li@Acme.com", "wang@acme.com"),
        ("normalized", "ＡＣＭＥ  Trading", "acme trading"),
        ("fuzzy", "Acme Trading Co", "ACME trading company"),
    ],
)
def test_other_matches_find_their_equals(match, asked, stored):
    assert _found(match, asked, stored)


def test_terms_never_exceed_the_stored_length():
    long_name = "x" * 500
    assert all(len(t) <= dedupe.TERM_LENGTH for t in dedupe.index_terms("fuzzy", long_name))
    assert all(len(t) <= dedupe.TERM_LENGTH for t in dedupe.lookup_terms("fuzzy", long_name))
    assert _found("fuzzy", long_name, long_name)


@given(
    st.one_of(
        st.builds(lambda r, t, i, f: f"{r}{t}{i}{f}", region, trade, industry, legal),
        st.text(max_size=30),
    )
)
def test_a_stored_form_reads_back_as_the_comparable_form(value):
    """The search index stores each record's comparable form as text: reading it back
    must give exactly what parsing the value gives, or stored candidates would score
    differently from the single-record check."""
    for match in ("normalized", "fuzzy", "company_name", "phone", "email_domain"):
        text = dedupe.form_text(match, value)
        expected = dedupe.comparable(match, value)
        if expected is None:
            assert text is None
        else:
            assert dedupe.form_from_text(match, text) == expected
