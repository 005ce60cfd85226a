"""Connector to the order management system: its port, canonical records and adapters."""
