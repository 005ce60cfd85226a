"""Package gateway."""
