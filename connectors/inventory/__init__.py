"""Connector to the inventory system: its port, canonical records and adapters."""
