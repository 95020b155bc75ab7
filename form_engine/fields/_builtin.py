"""The built-in field types, loaded through the ``kairos.field_types`` entry-point group
exactly like a plugin's (``builtin = "form_engine.fields._builtin:field_types"``)."""

from __future__ import annotations

from form_engine.fields.address import AddressField
from form_engine.fields.attachment import AttachmentField
from form_engine.fields.auto_number import AutoNumberField
from form_engine.fields.base import FieldType
from form_engine.fields.checkbox import CheckboxField
from form_engine.fields.child_table import ChildTableField
from form_engine.fields.created_at import CreatedAtField
from form_engine.fields.created_by import CreatedByField
from form_engine.fields.date import DateField
from form_engine.fields.date_time import DateTimeField
from form_engine.fields.department import DepartmentField
from form_engine.fields.duration import DurationField
from form_engine.fields.email import EmailField
from form_engine.fields.formula import FormulaField
from form_engine.fields.image import ImageField
from form_engine.fields.json_value import JsonField
from form_engine.fields.location import LocationField
from form_engine.fields.long_text import LongTextField
from form_engine.fields.lookup import LookupField
from form_engine.fields.money import MoneyField
from form_engine.fields.multi_select import MultiSelectField
from form_engine.fields.number import NumberField
from form_engine.fields.percent import PercentField
from form_engine.fields.phone import PhoneField
from form_engine.fields.rating import RatingField
from form_engine.fields.relation import RelationField
from form_engine.fields.rich_text import RichTextField
from form_engine.fields.rollup import RollupField
from form_engine.fields.signature import SignatureField
from form_engine.fields.single_select import SingleSelectField
from form_engine.fields.text import TextField
from form_engine.fields.time_of_day import TimeField
from form_engine.fields.updated_at import UpdatedAtField
from form_engine.fields.updated_by import UpdatedByField
from form_engine.fields.url import UrlField
from form_engine.fields.user import UserField


def field_types() -> list[type[FieldType]]:
    """Every built-in field type, in palette order."""
    return [
        TextField,
        LongTextField,
        RichTextField,
        NumberField,
        MoneyField,
        PercentField,
        DateField,
        DateTimeField,
        TimeField,
        DurationField,
        SingleSelectField,
        MultiSelectField,
        CheckboxField,
        RatingField,
        EmailField,
        PhoneField,
        UrlField,
        UserField,
        DepartmentField,
        RelationField,
        ChildTableField,
        LookupField,
        RollupField,
        FormulaField,
        AutoNumberField,
        AttachmentField,
        ImageField,
        AddressField,
        LocationField,
        SignatureField,
        JsonField,
        CreatedAtField,
        UpdatedAtField,
        CreatedByField,
        UpdatedByField,
    ]
