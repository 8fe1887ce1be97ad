"""Caseload's built-in plugins. Each lives whole in its own folder and talks to core only through
``core.hookspecs`` and core's public functions (``the public face of core's packages, ``core.plugin_api``)."""
