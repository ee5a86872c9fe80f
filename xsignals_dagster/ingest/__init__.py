"""Ingestion: landed files into validated, typed warehouse tables (CONTRACT §1)."""
