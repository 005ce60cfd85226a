"""Connector to the PIM: its port, canonical records and adapters."""
