"""Package resolvers."""
