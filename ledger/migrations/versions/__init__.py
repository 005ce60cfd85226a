"""One module per revision of the gateway's own database, oldest first."""
