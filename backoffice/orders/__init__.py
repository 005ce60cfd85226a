"""The reference orders system of the back office."""
