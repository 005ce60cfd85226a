"""Connector to the CRM: its port, canonical records and adapters."""
