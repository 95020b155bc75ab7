"""``auto_number``: a serial number (流水号) such as ``OPP-202603-00042``.

The pattern mixes literal text with tokens: ``{YYYY}`` ``{YY}`` ``{MM}`` ``{DD}`` (date of
creation, in the app's timezone) and exactly one ``{seq}`` or ``{seq:N}`` (the counter,
zero-padded to N digits). The counter itself is allocated by the record service inside the
write transaction, one counter per (table, field, ``period_key``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._config_messages import RESET_PERIODS, ConfigProblem, either
from form_engine.fields._text import TextLikeFieldType
from form_engine.kinds import Kind
from schemas.spec import FieldSpec, Label

MAX_LENGTH = 64
DEFAULT_PATTERN = "{seq:6}"
RESETS = ("never", "yearly", "monthly", "daily")
MAX_SEQ_WIDTH = 12
_TOKEN = re.compile(r"\{([^{}]*)\}")
_DATE_TOKENS = {"YYYY": "%Y", "YY": "%y", "MM": "%m", "DD": "%d"}
_SEQ = re.compile(r"^seq(?::(\d{1,2}))?$")
_RESET_NEEDS = {
    "yearly": ({"YYYY", "YY"},),
    "monthly": ({"YYYY", "YY"}, {"MM"}),
    "daily": ({"YYYY", "YY"}, {"MM"}, {"DD"}),
}


class AutoNumberPatternError(ValueError):
    """The pattern cannot produce serial numbers (message in English, for analysts)."""


def pattern_problems(pattern: str) -> list[ConfigProblem]:
    """Every problem with ``pattern``; empty when it is usable."""
    problems = []
    literal = _TOKEN.sub("", pattern)
    if "{" in literal or "}" in literal:
        problems.append(ConfigProblem("pattern_unmatched_brace", pattern=pattern))
    sequences = 0
    for token in _TOKEN.findall(pattern):
        seq = _SEQ.match(token)
        if seq:
            sequences += 1
            if seq.group(1) is not None and not 1 <= int(seq.group(1)) <= MAX_SEQ_WIDTH:
                problems.append(ConfigProblem("pattern_seq_width", token=token, max=MAX_SEQ_WIDTH))
        elif token not in _DATE_TOKENS:
            problems.append(ConfigProblem("pattern_unknown_token", token=token))
    if sequences != 1:
        problems.append(ConfigProblem("pattern_seq_count", pattern=pattern))
    if not problems and len(format_auto_number(pattern, 1, datetime(2000, 1, 1))) > MAX_LENGTH:
        problems.append(ConfigProblem("pattern_too_long", pattern=pattern, max=MAX_LENGTH))
    return problems


def format_auto_number(pattern: str, seq: int, now: datetime) -> str:
    """The serial number for counter value ``seq`` created at ``now`` (local time)."""

    def token(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in _DATE_TOKENS:
            return now.strftime(_DATE_TOKENS[name])
        seq_match = _SEQ.match(name)
        if seq_match is None:
            raise AutoNumberPatternError(f"{{{name}}} is not a token")
        return str(seq).zfill(int(seq_match.group(1) or 1))

    return _TOKEN.sub(token, pattern)


def period_key(reset: str, now: datetime) -> str:
    """Which counter a number created at ``now`` draws from: ``""`` (never reset),
    ``"2026"``, ``"2026-03"`` or ``"2026-03-01"``."""
    formats = {"never": "", "yearly": "%Y", "monthly": "%Y-%m", "daily": "%Y-%m-%d"}
    if reset not in formats:
        raise ValueError(f"reset must be one of {', '.join(RESETS)}, not {reset!r}")
    return now.strftime(formats[reset])


class AutoNumberField(TextLikeFieldType):
    """Filled by the system on create; never typed. Stored as text so it can be searched."""

    name = "auto_number"
    label: ClassVar[Label] = {"zh-CN": "流水号", "en": "Auto number"}
    kind = Kind.TEXT
    computed = True
    default_max_length = MAX_LENGTH
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "pattern": {
                "type": "string",
                "minLength": 1,
                "default": DEFAULT_PATTERN,
                "description": "Literal text plus {YYYY} {YY} {MM} {DD} and one {seq:N}, "
                "e.g. OPP-{YYYY}{MM}-{seq:5}.",
            },
            "reset": {
                "enum": list(RESETS),
                "default": "never",
                "description": "When the counter starts again at 1.",
            },
        },
    }

    def pattern(self, field: FieldSpec) -> str:
        return str(field.config.get("pattern", DEFAULT_PATTERN))

    def reset(self, field: FieldSpec) -> str:
        return str(field.config.get("reset", "never"))

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return sa.String(MAX_LENGTH)

    def next_value(self, field: FieldSpec, seq: int, now: datetime) -> str:
        return format_auto_number(self.pattern(field), seq, now)

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        pattern = self.pattern(field)
        problems = pattern_problems(pattern)
        yield from problems
        if problems:
            return
        tokens = set(_TOKEN.findall(pattern))
        for alternatives in _RESET_NEEDS.get(self.reset(field), ()):
            if not tokens & alternatives:
                reset = self.reset(field)
                yield ConfigProblem(
                    "reset_repeats",
                    reset=reset,
                    period=RESET_PERIODS.get(reset, reset),
                    wanted=either(f"{{{t}}}" for t in sorted(alternatives)),
                )
