"""The reference pim system of the back office."""
