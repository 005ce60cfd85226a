"""The reference pricing system of the back office."""
