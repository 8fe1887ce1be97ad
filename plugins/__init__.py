"""Caseload's built-in plugins. Each lives whole in its own folder and talks to core only through
``core.hookspecs`` and core's public functions (``core.plugins``, ``core.plugin_api``)."""
