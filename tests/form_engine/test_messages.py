"""The one way messages render: locale fallback, localised parameters, missing parameters,
and the coded-problem classes built on it."""

from __future__ import annotations

import copy
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from form_engine.messages import (
    CATALOG,
    CatalogMessage,
    CatalogText,
    FieldError,
    MessageCatalog,
    render,
)

TEMPLATES = {
    "greet": {"zh-CN": "你好，{name}", "en": "Hello, {name}"},
    "english_only": {"en": "Only {name}"},
}
ENGLISH_FIRST = MessageCatalog(TEMPLATES, default_locale="en")
CHINESE_FIRST = MessageCatalog(TEMPLATES)


def test_a_locale_the_catalog_lacks_falls_back_to_its_default_locale() -> None:
    assert ENGLISH_FIRST.render("greet", {"name": "Li"}, "fr") == "Hello, Li"
    assert CHINESE_FIRST.render("greet", {"name": "Li"}, "fr") == "你好，Li"
    assert ENGLISH_FIRST.render("english_only", {"name": "Li"}, "zh-CN") == "Only Li"
    assert ENGLISH_FIRST.render("greet", {"name": "Li"}) == "Hello, Li"


@pytest.mark.parametrize(
    ("name", "locale", "expected"),
    [
        ({"zh-CN": "李", "en": "Li"}, "en", "Hello, Li"),
        ({"zh-CN": "李", "en": "Li"}, "zh-CN", "你好，李"),
        ({"zh-CN": "李"}, "en", "Hello, 李"),  # no English text: the only one there is
        ({"zh-CN": "李", "en": ""}, "en", "Hello, 李"),  # an empty text counts as missing
        ({"other": "x"}, "en", "Hello, {'other': 'x'}"),  # not a label: shown as it is
    ],
)
def test_label_like_parameters_pick_the_locale(name: Any, locale: str, expected: str) -> None:
    assert ENGLISH_FIRST.render("greet", {"name": name}, locale) == expected


def test_a_missing_parameter_leaves_the_template_unfilled_instead_of_raising() -> None:
    assert ENGLISH_FIRST.render("greet", {}, "en") == "Hello, {name}"
    assert render("required", {}, "en") == "{label} is required"


def test_an_unknown_code_is_an_error_in_a_catalog_but_readable_from_render() -> None:
    with pytest.raises(KeyError):
        ENGLISH_FIRST.render("nope", {}, "en")
    assert render("nope", {"a": 1}) == "nope: {'a': 1}"


def test_texts_and_finish_give_every_locale() -> None:
    shouting = MessageCatalog(TEMPLATES, finish=lambda text, locale: f"{text}!{locale}")
    assert shouting.texts("greet", {"name": "Li"}) == {
        "zh-CN": "你好，Li!zh-CN",
        "en": "Hello, Li!en",
    }
    assert shouting.localized("greet", name="Li") == shouting.texts("greet", {"name": "Li"})


def test_field_error_renders_from_the_field_catalog() -> None:
    error = FieldError("amount", "required", {"label": {"zh-CN": "金额", "en": "Amount"}})
    assert error.message() == "金额为必填项"
    assert error.as_dict("en") == {
        "field": "amount",
        "code": "required",
        "message": "Amount is required",
        "messages": {"zh-CN": "金额为必填项", "en": "Amount is required"},
    }
    assert "required" in FieldError.catalog and FieldError.catalog.templates is CATALOG


class Greeting(CatalogText):
    catalog = ENGLISH_FIRST


@dataclass(frozen=True)
class Note(CatalogMessage):
    catalog = ENGLISH_FIRST

    text: str
    code: str = "text"
    params: dict[str, Any] = field(default_factory=dict)

    def plain_message(self) -> str:
        return self.text


def test_catalog_text_is_its_default_text_and_survives_copy_and_pickle() -> None:
    greeting = Greeting("greet", {"name": {"zh-CN": "李", "en": "Li"}})
    assert greeting == "Hello, Li"
    assert greeting.message("zh-CN") == "你好，李"
    for clone in (copy.copy(greeting), pickle.loads(pickle.dumps(greeting))):
        assert type(clone) is Greeting
        assert (clone, clone.code, clone.messages) == (greeting, "greet", greeting.messages)


def test_a_problem_whose_code_the_catalog_lacks_shows_its_plain_text() -> None:
    assert Note("as written").messages == {"zh-CN": "as written", "en": "as written"}
    coded = Note("unused", "greet", {"name": "Li"})
    assert coded.messages == {"zh-CN": "你好，Li", "en": "Hello, Li"}
    assert coded.localized_message() == "Hello, Li"
