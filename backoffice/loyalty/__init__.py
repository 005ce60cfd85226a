"""The reference loyalty system of the back office."""
