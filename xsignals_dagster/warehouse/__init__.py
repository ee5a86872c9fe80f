"""The warehouse: every table the project writes, through SQLAlchemy."""

from xsignals_dagster.warehouse.store import WarehouseStore

__all__ = ["WarehouseStore"]
