"""SQL constructs whose spelling differs between SQLite and PostgreSQL.

The compiler builds one dialect-neutral expression; these elements render per dialect when
the statement is compiled (SQLAlchemy's compiler extension). Multi-select values are JSON
arrays in an ``sa.JSON`` column: SQLite reads them with ``json_each``/``json_type``,
PostgreSQL casts them to ``jsonb`` (so ``json`` and ``jsonb`` columns both work). Anything
that is not an array (SQL NULL, JSON null, junk) counts as the empty selection, matching
the evaluator. Every argument stays a clause (never a Python value captured at compile
time), so compiled statements can be cached.
"""

from __future__ import annotations

import string
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.exc import CompileError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

_UPPER, _LOWER = string.ascii_uppercase, string.ascii_lowercase


class ascii_lower(FunctionElement[str]):
    """A–Z folded to a–z, nothing else (see ``_text``)."""

    type = sa.String()
    inherit_cache = True
    name = "ascii_lower"


class binary_text(FunctionElement[str]):
    """Text compared by code point (``COLLATE "C"`` / ``COLLATE BINARY``), whatever the
    column's collation; used for ordering, where linguistic collations disagree."""

    type = sa.String()
    inherit_cache = True
    name = "binary_text"


class choices_has_any(FunctionElement[bool]):
    """True when the JSON array (first argument) holds any of the other arguments."""

    type = sa.Boolean()
    inherit_cache = True
    name = "choices_has_any"


class choices_equal(FunctionElement[bool]):
    """True when the JSON array holds exactly the set of the other arguments."""

    type = sa.Boolean()
    inherit_cache = True
    name = "choices_equal"


class choices_is_empty(FunctionElement[bool]):
    """True when the value is not a JSON array or an empty one."""

    type = sa.Boolean()
    inherit_cache = True
    name = "choices_is_empty"


class json_is_empty(FunctionElement[bool]):
    """True for SQL NULL and the JSON values null, "", [] and {}."""

    type = sa.Boolean()
    inherit_cache = True
    name = "json_is_empty"


def _args(element: FunctionElement[Any]) -> list[sa.ColumnElement[Any]]:
    return list(element.clauses.clauses)  # type: ignore[attr-defined]


def _grouped(compiler: Any, expr: sa.ColumnElement[Any], kw: dict[str, Any]) -> str:
    # The rendered text is spliced into a larger expression: keep it one operand.
    return f"({compiler.process(expr, **kw)})"


def _unsupported(element: FunctionElement[Any], compiler: Any, **_kw: Any) -> str:
    raise CompileError(
        f"conditions support SQLite and PostgreSQL; {compiler.dialect.name} cannot "
        f"render {element.name}"
    )


for _construct in (
    ascii_lower,
    binary_text,
    choices_has_any,
    choices_equal,
    choices_is_empty,
    json_is_empty,
):
    compiles(_construct)(_unsupported)


# --- SQLite ------------------------------------------------------------------------------
def _sqlite_array(value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return sa.case(
        (sa.func.json_type(value) == sa.literal_column("'array'"), value),
        else_=sa.literal_column("'[]'"),
    )


def _sqlite_elements(value: sa.ColumnElement[Any]) -> Any:
    return sa.func.json_each(_sqlite_array(value)).table_valued("value")


@compiles(ascii_lower, "sqlite")
def _sqlite_lower(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    # SQLite's built-in lower() folds ASCII only, which is exactly the rule.
    return f"lower({compiler.process(element.clauses, **kw)})"


@compiles(binary_text, "sqlite")
def _sqlite_binary(element: binary_text, compiler: Any, **kw: Any) -> str:
    # BINARY is SQLite's default, but a column may declare another collation (NOCASE).
    return f"({compiler.process(element.clauses, **kw)}) COLLATE BINARY"


@compiles(choices_has_any, "sqlite")
def _sqlite_has_any(element: choices_has_any, compiler: Any, **kw: Any) -> str:
    array, *options = _args(element)
    items = _sqlite_elements(array)
    found = sa.select(sa.literal_column("1")).select_from(items).where(items.c.value.in_(options))
    return _grouped(compiler, found.exists(), kw)


@compiles(choices_equal, "sqlite")
def _sqlite_equal(element: choices_equal, compiler: Any, **kw: Any) -> str:
    array, *options = _args(element)
    items = _sqlite_elements(array)
    any_item = sa.select(sa.literal_column("1")).select_from(items)
    if not options:
        return _grouped(compiler, ~any_item.exists(), kw)
    parts = [~any_item.where(items.c.value.not_in(options)).exists()]
    for option in options:
        each = _sqlite_elements(array)
        has = sa.select(sa.literal_column("1")).select_from(each).where(each.c.value == option)
        parts.append(has.exists())
    return _grouped(compiler, sa.and_(*parts), kw)


@compiles(choices_is_empty, "sqlite")
def _sqlite_choices_empty(element: choices_is_empty, compiler: Any, **kw: Any) -> str:
    (array,) = _args(element)
    return _grouped(compiler, sa.func.json_array_length(_sqlite_array(array)) == 0, kw)


@compiles(json_is_empty, "sqlite")
def _sqlite_json_empty(element: json_is_empty, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element)
    empties = [sa.literal_column(f"'{text}'") for text in ("null", '""', "[]", "{}")]
    return _grouped(compiler, sa.or_(value.is_(None), sa.func.json(value).in_(empties)), kw)


# --- PostgreSQL --------------------------------------------------------------------------
def _pg_jsonb(value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return sa.cast(value, postgresql.JSONB)


def _pg_array(value: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    doc = _pg_jsonb(value)
    return sa.case(
        (sa.func.jsonb_typeof(doc) == sa.literal_column("'array'"), doc),
        else_=sa.literal_column("'[]'::jsonb"),
    )


def _pg_list(options: list[sa.ColumnElement[Any]]) -> sa.ColumnElement[Any]:
    return sa.func.jsonb_build_array(*(sa.cast(option, sa.Text) for option in options))


@compiles(ascii_lower, "postgresql")
def _pg_lower(element: ascii_lower, compiler: Any, **kw: Any) -> str:
    # lower() follows the server locale; translate() folds exactly A–Z.
    return f"translate({compiler.process(element.clauses, **kw)}, '{_UPPER}', '{_LOWER}')"


@compiles(binary_text, "postgresql")
def _pg_binary(element: binary_text, compiler: Any, **kw: Any) -> str:
    return f'({compiler.process(element.clauses, **kw)}) COLLATE "C"'


@compiles(choices_has_any, "postgresql")
def _pg_has_any(element: choices_has_any, compiler: Any, **kw: Any) -> str:
    array, *options = _args(element)
    doc = _pg_array(array)
    tests = [doc.op("@>", return_type=sa.Boolean)(_pg_list([option])) for option in options]
    return _grouped(compiler, sa.or_(sa.false(), *tests), kw)


@compiles(choices_equal, "postgresql")
def _pg_equal(element: choices_equal, compiler: Any, **kw: Any) -> str:
    array, *options = _args(element)
    doc, wanted = _pg_array(array), _pg_list(options)
    both = sa.and_(
        doc.op("@>", return_type=sa.Boolean)(wanted),
        doc.op("<@", return_type=sa.Boolean)(wanted),
    )
    return _grouped(compiler, both, kw)


@compiles(choices_is_empty, "postgresql")
def _pg_choices_empty(element: choices_is_empty, compiler: Any, **kw: Any) -> str:
    (array,) = _args(element)
    return _grouped(compiler, sa.func.jsonb_array_length(_pg_array(array)) == 0, kw)


@compiles(json_is_empty, "postgresql")
def _pg_json_empty(element: json_is_empty, compiler: Any, **kw: Any) -> str:
    (value,) = _args(element)
    empties = [sa.literal_column(f"'{text}'::jsonb") for text in ("null", '""', "[]", "{}")]
    return _grouped(compiler, sa.or_(value.is_(None), _pg_jsonb(value).in_(empties)), kw)
