"""``matching_forms`` scores many candidates at once and must agree with ``matches``
pair by pair — for every match method, thresholds, blanks and regions that differ."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from form_engine import dedupe

NAMES = [
    "杭州阿里巴巴网络科技有限公司",
    "阿里巴巴（杭州）网络科技",
    "阿里巴巴网络科技",
    "北京银行",
    "上海银行",
    "宁波海天塑机集团有限公司",
    "海天塑机",
    "N10000测试客户0000123有限公司",
    "N10000测试客户0000124有限公司",
    "Acme Trading Co., Ltd.",
    "ACME trading company",
    "ACME-Trading Co. Ltd",
    "（北京）",
    "",
]
PHONES = ["+86 138-0013-8000", "13800138000", "0571-88886666-123", "057188886666", "12", ""]


def _pairwise(match: str, threshold: int, value: str, others: list) -> dict[int, float]:
    found = {i: dedupe.matches(match, threshold, value, other) for i, other in enumerate(others)}
    return {i: score for i, score in found.items() if score is not None}


def _batch(match: str, threshold: int, value: str, others: list) -> dict[int, float]:
    forms = [dedupe.comparable(match, other) for other in others]
    return dedupe.matching_forms(match, threshold, dedupe.comparable(match, value), forms)


@pytest.mark.parametrize(
    ("match", "threshold", "values"),
    [
        ("company_name", 90, NAMES),
        ("company_name", 60, NAMES),
        ("fuzzy", 80, NAMES),
        ("normalized", 100, NAMES),
        ("phone", 100, PHONES),
    ],
)
def test_batch_scores_equal_pairwise_scores(match: str, threshold: int, values: list) -> None:
    hits = 0
    for value in values:
        if dedupe.comparable(match, value) is None:
            assert _batch(match, threshold, value, values) == {}
            continue
        expected = _pairwise(match, threshold, value, values)
        assert _batch(match, threshold, value, values) == expected
        hits += len(expected) - 1  # beyond itself
    assert hits > 0


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet="杭州北京阿里银行科技有限公司()（）abc ", min_size=1, max_size=14),
    st.lists(st.text(alphabet="杭州北京阿里银行科技有限公司()（）abc ", max_size=14), max_size=8),
    st.sampled_from([50, 75, 90]),
)
def test_batch_scores_equal_pairwise_scores_for_any_names(
    value: str, others: list[str], threshold: int
) -> None:
    if dedupe.comparable("company_name", value) is None:
        return
    expected = _pairwise("company_name", threshold, value, others)
    assert _batch("company_name", threshold, value, others) == expected
