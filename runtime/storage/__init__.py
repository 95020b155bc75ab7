"""SQL storage generated from app definitions: system tables, app tables, migrations."""

from runtime.storage.system import SYSTEM_TABLE_NAMES, define_system_tables
from runtime.storage.tables import AppTables, physical_name

__all__ = ["SYSTEM_TABLE_NAMES", "AppTables", "define_system_tables", "physical_name"]
