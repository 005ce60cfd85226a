"""Connector to the loyalty system: its port, canonical records and adapters."""
