"""The reference crm system of the back office."""
