"""Split formula text into tokens.

Hand-written rather than regex-driven so each mistake gets its own message — in particular
the full-width punctuation a Chinese input method produces (（，“）, which looks right on
screen but is not formula syntax.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

from form_engine.formula import _messages
from form_engine.formula.errors import FormulaSyntaxError

MAX_LENGTH = 4000
"""Longest formula accepted, in characters."""

TokenKind = Literal["number", "string", "name", "op", "(", ")", ",", ".", "end"]

OPERATORS = ("<=", ">=", "<>", "!=", "+", "-", "*", "/", "&", "=", "<", ">")
"""Operator spellings, two-character ones first so ``<=`` is not read as ``<`` ``=``."""

_PUNCTUATION = {"(": "(", ")": ")", ",": ","}

_FULLWIDTH = {
    "（": "(",
    "）": ")",
    "，": ",",
    "“": '"',
    "”": '"',
    "‘": '"',
    "’": '"',
    "＋": "+",
    "－": "-",
    "＊": "*",
    "×": "*",
    "／": "/",
    "÷": "/",
    "＝": "=",
    "＜": "<",
    "＞": ">",
    "＆": "&",
    "．": ".",
    "。": ".",
    "！": "!",
    "；": ",",
    "：": ":",
    "＂": '"',
}

_ESCAPES = {'"': '"', "\\": "\\", "n": "\n"}


@dataclass(frozen=True)
class Token:
    """One token; ``value`` is the Decimal of a number or the unescaped text of a string."""

    kind: TokenKind
    text: str
    position: int
    value: Decimal | str | None = None

    def describe(self) -> str | dict[str, str]:
        """How messages name this token: quoted text, or "the end of the formula"."""
        if self.kind == "end":
            return _messages.localized("end_of_formula")
        return f'"{self.text}"'


def tokenize(text: str) -> list[Token]:
    """The tokens of ``text``, ending with an ``end`` token; raises FormulaSyntaxError."""
    if len(text) > MAX_LENGTH:
        raise FormulaSyntaxError.at(
            "too_long", MAX_LENGTH, text, length=len(text), limit=MAX_LENGTH
        )
    tokens: list[Token] = []
    pos = 0
    while pos < len(text):
        char = text[pos]
        if char.isspace():
            pos += 1
        elif (char.isdigit() and char.isascii()) or (
            char == "." and _digit_at(text, pos + 1) and not _after_name(tokens)
        ):
            pos = _number(text, pos, tokens)
        elif char == '"':
            pos = _string(text, pos, tokens)
        elif char.isascii() and (char.isalpha() or char == "_"):
            end = pos + 1
            while (
                end < len(text)
                and text[end].isascii()
                and (text[end].isalnum() or text[end] == "_")
            ):
                end += 1
            tokens.append(Token("name", text[pos:end], pos))
            pos = end
        elif char in _PUNCTUATION:
            tokens.append(Token(_PUNCTUATION[char], char, pos))  # type: ignore[arg-type]
            pos += 1
        elif char == ".":
            tokens.append(Token(".", char, pos))
            pos += 1
        else:
            pos = _operator(text, pos, tokens)
    tokens.append(Token("end", "", len(text)))
    return tokens


def _after_name(tokens: list[Token]) -> bool:
    """True right after a name: there ``.5`` is ``lines`` ``.`` ``5``, not the number 0.5."""
    return bool(tokens) and tokens[-1].kind == "name"


def _digit_at(text: str, pos: int) -> bool:
    return pos < len(text) and text[pos].isascii() and text[pos].isdigit()


def _number(text: str, pos: int, tokens: list[Token]) -> int:
    end = pos
    while _digit_at(text, end):
        end += 1
    if end < len(text) and text[end] == ".":
        end += 1
        while _digit_at(text, end):
            end += 1
    spelled = text[pos:end]
    tokens.append(Token("number", spelled, pos, Decimal(spelled)))
    return end


def _string(text: str, pos: int, tokens: list[Token]) -> int:
    chars: list[str] = []
    end = pos + 1
    while end < len(text):
        char = text[end]
        if char == '"':
            tokens.append(Token("string", text[pos : end + 1], pos, "".join(chars)))
            return end + 1
        if char == "\\":
            escaped = text[end + 1] if end + 1 < len(text) else ""
            if escaped not in _ESCAPES:
                raise FormulaSyntaxError.at("bad_escape", end, text, char=escaped)
            chars.append(_ESCAPES[escaped])
            end += 2
        else:
            chars.append(char)
            end += 1
    raise FormulaSyntaxError.at("unterminated_string", pos, text)


def _operator(text: str, pos: int, tokens: list[Token]) -> int:
    if text.startswith("==", pos):
        raise FormulaSyntaxError.at("double_equals", pos, text)
    for spelling in OPERATORS:
        if text.startswith(spelling, pos):
            tokens.append(Token("op", spelling, pos))
            return pos + len(spelling)
    char = text[pos]
    if char == "'":
        raise FormulaSyntaxError.at("single_quote", pos, text)
    if char in _FULLWIDTH:
        raise FormulaSyntaxError.at("fullwidth_char", pos, text, char=char, ascii=_FULLWIDTH[char])
    if char.isalpha():
        raise FormulaSyntaxError.at("label_char", pos, text, char=char)
    raise FormulaSyntaxError.at("unexpected_char", pos, text, char=char)
