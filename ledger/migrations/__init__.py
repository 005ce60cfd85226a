"""Alembic's migrations of the gateway's own database: `env.py` and one module per revision."""
