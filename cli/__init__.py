"""The `casefile` command line (typer with rich)."""
