"""Imports the modules that register further CLI commands (import, export, ...)."""
from portfolio.ingest import cli as ingest_cli  # noqa: F401  (registers `import`)
