"""Imports the modules that register further CLI commands (import, export, ...)."""
