"""Connector to the price engine: its port, canonical records and adapters."""
