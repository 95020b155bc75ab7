"""Column types that behave the same on SQLite and PostgreSQL.

SQLite has no decimal, timezone or JSONB storage; these decorators make the values a field
type reads back identical to what it wrote on both backends, without SQLAlchemy warnings.
The runtime uses ``UTCDateTime`` for the system columns too, so ``created_at`` fields read
aware UTC datetimes everywhere.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Dialect

NUMERIC_DIGITS = 18
"""Total significant digits of every decimal column (``NUMERIC(18, scale)``)."""


class ExactDecimal(sa.types.TypeDecorator[Any]):
    """``NUMERIC(18, scale)`` read back as ``Decimal``, or with ``as_float`` as the
    ``Kind.NUMBER`` value: int when ``scale`` is 0, float otherwise.

    PostgreSQL stores exact decimals. SQLite stores REAL (15 significant digits are exact,
    i.e. amounts below 10 trillion with 2 decimals); values are re-quantised to ``scale`` on
    the way out, so what was written is what is read.
    """

    impl = sa.Numeric
    cache_ok = True

    def __init__(self, scale: int = 2, as_float: bool = False) -> None:
        super().__init__(NUMERIC_DIGITS, scale, asdecimal=not as_float)
        self.scale = scale
        self.as_float = as_float

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        # asdecimal=False on SQLite: SQLAlchemy would otherwise warn that it converts
        # floats to Decimal; we do that conversion ourselves, with quantisation.
        native = dialect.name != "sqlite"
        return dialect.type_descriptor(
            sa.Numeric(NUMERIC_DIGITS, self.scale, asdecimal=native and not self.as_float)
        )

    def _quantum(self) -> Decimal:
        return Decimal(1).scaleb(-self.scale)

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = value if isinstance(value, Decimal) else Decimal(repr(value))
        exact = exact.quantize(self._quantum())
        return float(exact) if dialect.name == "sqlite" else exact

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = value if isinstance(value, Decimal) else Decimal(repr(value))
        exact = exact.quantize(self._quantum())
        if not self.as_float:
            return exact
        return int(exact) if self.scale == 0 else float(exact)


class UTCDateTime(sa.types.TypeDecorator[datetime]):
    """``TIMESTAMP WITH TIME ZONE`` that only accepts and always returns aware UTC values.

    SQLite keeps no offset, so UTC is stored naive and the offset is put back on reading.
    """

    impl = sa.DateTime
    cache_ok = True

    def __init__(self) -> None:
        super().__init__(timezone=True)

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: store timezone-aware values only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def json_column_type() -> sa.types.TypeEngine[Any]:
    """JSON (JSONB on PostgreSQL, so containment queries can use a GIN index); Python
    ``None`` is SQL NULL, not the JSON literal ``null``."""
    return sa.JSON(none_as_null=True).with_variant(
        postgresql.JSONB(none_as_null=True), "postgresql"
    )
