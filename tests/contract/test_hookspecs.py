"""Contracts: every hook documented with its exact signature; plugins registered cleanly; plugin files
and tables namespaced; core never imports plugins."""
import ast
import inspect
import re
from pathlib import Path

from core import hookspecs
from core.extensions import db
from core.plugin_host import plugin_host

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "hooks.md"


def _specs():
    return {
        name: fn for name, fn in inspect.getmembers(hookspecs, inspect.isfunction) if name.startswith("caseload_")
    }


def test_every_hookspec_is_documented_with_its_exact_arguments():
    documented = {
        m.group(1): [a.strip() for a in m.group(2).split(",") if a.strip()]
        for m in re.finditer(r"^### (caseload_\w+)\(([^)]*)\)", DOC.read_text(), re.M)
    }
    specs = {name: list(inspect.signature(fn).parameters) for name, fn in _specs().items()}
    assert documented == specs


def test_every_hookspec_has_a_docstring_naming_its_arguments():
    for name, fn in _specs().items():
        doc = inspect.getdoc(fn) or ""
        assert ":return:" in doc or "ignored" in doc, name
        for argument in inspect.signature(fn).parameters:
            assert f":param {argument}:" in doc, f"{name} does not document {argument}"


def test_installed_plugins_implement_only_known_hooks(app):
    plugin_host().pm.check_pending()


def test_plugin_templates_are_namespaced():
    for template in (ROOT / "plugins").glob("*/templates/**/*.html"):
        plugin = template.relative_to(ROOT / "plugins").parts[0]
        assert template.relative_to(ROOT / "plugins" / plugin / "templates").parts[0] == plugin, template


def test_plugin_tables_are_prefixed_with_the_plugin_name(app):
    for table in db.metadata.sorted_tables:
        for mapper in db.Model.registry.mappers:
            if mapper.local_table is table and mapper.class_.__module__.startswith("plugins."):
                plugin = mapper.class_.__module__.split(".")[1]
                assert table.name.startswith(plugin + "_"), table.name


def test_core_never_imports_plugins():
    for source in (ROOT / "core").rglob("*.py"):
        tree = ast.parse(source.read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                assert not node.module.startswith("plugins"), source
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("plugins") for a in node.names), source
