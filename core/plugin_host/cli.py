"""``flask plugins list|enable|disable``: switch plugins per clinic from the command line."""
from __future__ import annotations

import click
from flask import Blueprint
from sqlalchemy import select

from core.extensions import db
from core.plugin_host.host import UnknownPlugin, plugin_host, set_plugin_enabled
from core.tenancy import Clinic

bp = Blueprint("plugins_cli", __name__, cli_group="plugins")


def _clinic(clinic_id: int) -> Clinic:
    clinic = db.session.get(Clinic, clinic_id)
    if clinic is None:
        raise click.BadParameter(f"No clinic with id {clinic_id}.", param_hint="--clinic")
    return clinic


@bp.cli.command("list")
def list_plugins():
    """List installed plugins and the clinics where each is on."""
    host = plugin_host()
    clinics = list(db.session.scalars(select(Clinic).order_by(Clinic.id)))
    for name in sorted(host.plugins):
        on = [f"{c.id} ({c.name})" for c in clinics if name in host.enabled_names(c.id)]
        click.echo(f"{name:16} {host.plugins[name].title:20} on in: {', '.join(on) if on else 'no clinic'}")


def _switch(name: str, clinic_id: int, enabled: bool) -> None:
    clinic = _clinic(clinic_id)
    try:
        changed = set_plugin_enabled(clinic, name, enabled)
    except UnknownPlugin as exc:
        raise click.BadParameter(str(exc), param_hint="NAME") from None
    db.session.commit()
    state = "on" if enabled else "off"
    click.echo(f"{name} is {state} for clinic {clinic.id} ({clinic.name})" + ("" if changed else " (unchanged)"))


@bp.cli.command("enable")
@click.argument("name")
@click.option("--clinic", "clinic_id", type=int, required=True, help="The clinic's id.")
def enable(name: str, clinic_id: int):
    """Switch plugin NAME on for a clinic."""
    _switch(name, clinic_id, True)


@bp.cli.command("disable")
@click.argument("name")
@click.option("--clinic", "clinic_id", type=int, required=True, help="The clinic's id.")
def disable(name: str, clinic_id: int):
    """Switch plugin NAME off for a clinic."""
    _switch(name, clinic_id, False)
