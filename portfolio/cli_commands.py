"""Imports the modules that register further CLI commands (import, export, ...)."""
from portfolio.ingest import cli as ingest_cli  # noqa: F401  (registers `import`)
from portfolio import auth_cli  # noqa: E402
from portfolio.cli import command  # noqa: E402

command("user", auth_cli.configure_user)(auth_cli.cmd_user)
command("audit", auth_cli.configure_audit)(auth_cli.cmd_audit)
from portfolio import updates_cli  # noqa: E402
command("update", updates_cli.configure)(updates_cli.run)
