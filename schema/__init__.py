"""Package schema."""
