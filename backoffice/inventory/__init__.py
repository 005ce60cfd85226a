"""The reference inventory system of the back office."""
