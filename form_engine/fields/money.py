"""``money``: an exact amount (``Decimal``, never float) in one currency."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any, ClassVar

import sqlalchemy as sa

from form_engine.fields._config_messages import ConfigProblem
from form_engine.fields._numbers import decimal_places, parse_decimal
from form_engine.fields._numeric import BOUND_SCHEMAS, NumericFieldType, precision_schema
from form_engine.fields.base import is_blank
from form_engine.fields.sqltypes import ExactDecimal
from form_engine.kinds import Kind
from schemas.spec import DEFAULT_LOCALE, FieldSpec, Label


class MoneyField(NumericFieldType):
    """Amounts such as 预估签单金额. Accepts ``"¥1,234.5"``, ``"￥1 234"``, ``"1.2万元"``.

    JSON output is a string (``"1234.50"``) so no client rounds it through a float.
    """

    name = "money"
    label: ClassVar[Label] = {"zh-CN": "金额", "en": "Money"}
    kind = Kind.DECIMAL
    default_precision = 2
    config_schema: ClassVar[dict[str, Any]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "precision": precision_schema(2, maximum=6),
            **BOUND_SCHEMAS,
            "currency": {
                "type": "string",
                "pattern": "^[A-Z]{3}$",
                "default": "CNY",
                "description": "ISO 4217 code of the currency all values are in.",
            },
            "currency_field": {
                "type": "string",
                "pattern": "^[a-z][a-z0-9_]{0,39}$",
                "description": "Key of a field holding each record's currency code, "
                "instead of a fixed currency.",
            },
        },
    }

    def column_type(self, field: FieldSpec) -> sa.types.TypeEngine[Any]:
        return ExactDecimal(self.precision(field))

    def parse(self, raw: Any, field: FieldSpec) -> Decimal | None:
        if is_blank(raw):
            return None
        return parse_decimal(raw, currency=True)

    def to_json(self, value: Any, field: FieldSpec) -> Any:
        if value is None:
            return None
        exact = value if isinstance(value, Decimal) else Decimal(str(value))
        precision = self.precision(field)
        if exact.as_tuple().exponent == -precision:
            return str(exact)  # already at the field's precision, as read from the database
        if decimal_places(exact) <= precision:
            exact = exact.quantize(Decimal(1).scaleb(-precision))
        return str(exact)

    def export(self, value: Any, field: FieldSpec, *, locale: str = DEFAULT_LOCALE) -> Any:
        # Spreadsheets only have binary floats; a string cell could not be summed.
        return None if value is None else float(value)

    def check_config(self, field: FieldSpec) -> Iterator[str]:
        yield from super().check_config(field)
        if "currency" in field.config and "currency_field" in field.config:
            yield ConfigProblem("currency_conflict")
